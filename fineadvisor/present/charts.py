"""Presentation for the Streamlit app: an `Estimate` → pandas frames (floats) → Altair charts; no Streamlit here.

Money and token counts are Decimal everywhere else in fineadvisor; they become float only in this module, at the
edge where they are drawn or shown. Every function is pure.

Colours: the Okabe–Ito palette (colour-blind safe), assigned to strategies in the order of `shown_strategies`, and
every strategy also gets its own dash pattern so the lines stay apart in greyscale. Frames list strategies in that
order and charts take their colour domain from the order in which strategies first appear in the frame, so the
same strategy has the same colour in every chart built from frames of the same `Estimate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import altair as alt
import pandas as pd  # type: ignore[import-untyped]  # pandas 3 ships no py.typed marker

from fineadvisor.advise.costs import StrategyCost
from fineadvisor.advise.estimate import Estimate
from fineadvisor.advise.timeline import average_monthly, cumulative, months_run
from fineadvisor.formatting import count_compact, tokens_compact
from fineadvisor.measure.stats import Distribution

OKABE_ITO: tuple[str, ...] = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
"""Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency."""
DASHES: tuple[tuple[float, ...], ...] = (
    (1, 0), (8, 4), (2, 3), (10, 3, 2, 3), (4, 4), (14, 4), (1, 6), (10, 3, 2, 3, 2, 3))
"""One dash pattern per strategy (the first is solid), so lines differ without colour too."""
PART_COLOURS: tuple[str, ...] = ("#0072B2", "#56B4E9", "#009E73", "#D55E00")
STAT_COLOURS: dict[str, str] = {"p50": "#0072B2", "p90": "#56B4E9", "p95": "#009E73", "mean": "#D55E00",
                                "max": "#000000"}
STAT_SHAPES: dict[str, str] = {"p50": "circle", "p90": "triangle-up", "p95": "square", "mean": "diamond",
                               "max": "cross"}
VOLUME_SPAN = 30
"""The cost curves run from V ÷ VOLUME_SPAN to V × VOLUME_SPAN requests a month."""
NO_VOLUME_RANGE = (1.0, 1e7)
"""The curves' range when the scenario's volume is 0."""
LEGEND_LABEL_LIMIT = 320
MARK_LABEL_LIMIT = 230
"""Pixels of a break-even label drawn on the chart; the tooltip has the whole label."""

CURVE_COLUMNS = ["strategy_id", "strategy", "requests_per_month", "monthly_usd"]
BREAK_EVEN_COLUMNS = [*CURVE_COLUMNS, "label", "short_label", "against_id"]
CUMULATIVE_COLUMNS = ["strategy_id", "strategy", "month", "cumulative_usd"]
TOKEN_COLUMNS = ["part", "tokens", "label", "share", "order"]
DISTRIBUTION_COLUMNS = ["part", "p50", "p90", "p95", "max", "mean", "count"]
SENSITIVITY_COLUMNS = ["input", "current", "flips at", "becomes", "note"]
STRATEGY_COLUMNS = ["strategy", "per request $", "monthly $", "one-off $", "horizon $", "eligible", "why not"]


# --- which strategies -------------------------------------------------------------------------------------------


MAX_VOLUME_FACTOR = 100
"""The volume axis reaches at most this multiple of today's volume (the plan's watch horizon)."""
CROSSING_MARGIN = 1.5
"""How far past the nearest break-even the axis goes, so the crossing is seen with the curves after it."""


def shown_strategies(e: Estimate, limit: int = 8) -> list[StrategyCost]:
    """The baseline, the recommended strategy, then the cheapest others over the horizon (eligible first).

    At most `limit` (≥ 1), so charts stay readable; the order is the colour order of every chart.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    by_id = {c.id: c for c in e.strategies}
    planned = [p.strategy for p in e.plan if p.strategy is not None]
    ids = [e.baseline, e.recommendation.strategy, *planned, *(r.cost.id for r in e.recommendation.ranking)]
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id][:limit]


def _labels(strategies: Sequence[StrategyCost]) -> dict[str, str]:
    """id → label, made unique (a repeated label gets its id appended) so the colour domain is one-to-one."""
    seen: dict[str, int] = {}
    for c in strategies:
        seen[c.label] = seen.get(c.label, 0) + 1
    return {c.id: c.label if seen[c.label] == 1 else f"{c.label} ({c.id})" for c in strategies}


def nearest_crossing(e: Estimate) -> float | None:
    """The nearest break-even volume above today's of a shown strategy that runs the whole horizon (None: none)."""
    shown = {c.id for c in shown_strategies(e)}
    v = float(e.scenario.requests_per_month)
    found = [float(b.requests_per_month) for b in e.break_evens
             if b.kind == "crosses" and b.requests_per_month is not None and b.b in shown and b.b_cheaper_above
             and b.amortised_over_months == e.scenario.horizon_months and float(b.requests_per_month) > v]
    return min(found) if found else None


def crossing_note(e: Estimate) -> str | None:
    """What the volume axis cannot show: a nearest crossing beyond MAX_VOLUME_FACTOR × today's volume, or none."""
    v = float(e.scenario.requests_per_month)
    near = nearest_crossing(e)
    if near is None:
        return "No alternative shown here becomes cheaper than the logged setup at a higher volume."
    if v > 0 and near > v * MAX_VOLUME_FACTOR:
        return (f"The nearest break-even, at {count_compact(near)} requests/month, lies beyond {MAX_VOLUME_FACTOR}× "
                "today's volume: off this chart.")
    return None


def _volume_range(e: Estimate) -> tuple[float, float]:
    """V ÷ 30 to V × 30, widened to reach the nearest break-even (up to MAX_VOLUME_FACTOR × V)."""
    v = float(e.scenario.requests_per_month)
    if v <= 0:
        return NO_VOLUME_RANGE
    hi = v * VOLUME_SPAN
    near = nearest_crossing(e)
    if near is not None and near * CROSSING_MARGIN > hi:
        hi = min(near * CROSSING_MARGIN, v * MAX_VOLUME_FACTOR)
    return max(1.0, v / VOLUME_SPAN), hi


# --- frames -----------------------------------------------------------------------------------------------------


def cost_curve_frame(e: Estimate, points: int = 80) -> pd.DataFrame:
    """Average monthly cost over the horizon (`timeline.average_monthly`: horizon cost ÷ months run, one-offs and
    retraining included) of each shown strategy at `points` log-spaced starting volumes from max(1, V ÷ 30) to
    V × 30, or to 1.5 × the nearest break-even when that is further (at most 100 × V; 1 to 10 million when V is 0):
    two curves cross exactly at their break-even volume.

    Columns: strategy_id, strategy (label), requests_per_month, monthly_usd (floats).
    """
    if points < 2:
        raise ValueError(f"points must be at least 2, not {points}")
    lo, hi = _volume_range(e)
    ratio = math.log(hi / lo)
    volumes = [lo * math.exp(ratio * i / (points - 1)) for i in range(points)]
    volumes[-1] = hi
    shown = shown_strategies(e)
    labels = _labels(shown)
    s = e.scenario
    rows = [(c.id, labels[c.id], v, float(average_monthly(c, s, Decimal(repr(v))))) for c in shown for v in volumes]
    return _frame(rows, CURVE_COLUMNS, {"requests_per_month": "float64", "monthly_usd": "float64"})


def break_even_frame(e: Estimate) -> pd.DataFrame:
    """Where a shown strategy's cost curve crosses the baseline's, inside the curves' volume range (for strategies
    that run the whole horizon: the curves of one that stops sooner average fewer months, so they meet elsewhere).

    Columns: strategy_id, strategy (the strategy that breaks even), requests_per_month, monthly_usd (the point,
    on both curves), label ("Fine-tune … = as logged at 1.24M req/mo"), short_label (volume first, for the chart:
    "1.24M/mo: Fine-tune …"), against_id (the other strategy).
    """
    shown = shown_strategies(e)
    labels = _labels(shown)
    by_id = {c.id: c for c in shown}
    lo, hi = _volume_range(e)
    rows = []
    for b in e.break_evens:
        if b.kind != "crosses" or b.requests_per_month is None or b.b not in by_id or b.a not in by_id:
            continue
        if b.amortised_over_months != e.scenario.horizon_months:
            continue  # it stops inside the horizon: its curve averages fewer months, so the curves do not meet there
        volume = float(b.requests_per_month)
        if not lo <= volume <= hi:
            continue
        against = "as logged" if b.a == e.baseline else labels[b.a]
        label = f"{labels[b.b]} = {against} at {count_compact(volume)} req/mo"
        rows.append((b.b, labels[b.b], volume, float(average_monthly(by_id[b.b], e.scenario, b.requests_per_month)),
                     label, f"{count_compact(volume)}/mo: {labels[b.b]}", b.a))
    return _frame(rows, BREAK_EVEN_COLUMNS, {"requests_per_month": "float64", "monthly_usd": "float64"})


def cumulative_frame(e: Estimate) -> pd.DataFrame:
    """Cumulative cost of each shown strategy at the end of months 0..H (`timeline.cumulative`: month 0 is the
    one-off cost, each month adds fixed + per request × V_k and retraining when due), so month H is the horizon
    cost the ranking uses; a strategy that stops inside the horizon ends at its last month.

    Columns: strategy_id, strategy, month (int), cumulative_usd (float).
    """
    s = e.scenario
    shown = shown_strategies(e)
    labels = _labels(shown)
    rows = []
    for c in shown:
        runs = months_run(c, s, s.horizon_months)
        rows += [(c.id, labels[c.id], month, float(total))
                 for month, total in enumerate(cumulative(c, s)) if month <= max(runs, 0)]
    return _frame(rows, CUMULATIVE_COLUMNS, {"month": "int64", "cumulative_usd": "float64"})


def token_breakdown_frame(e: Estimate) -> pd.DataFrame:
    """The typical request (means over the logs, calibrated to billed usage): system + tools, few-shot examples,
    dynamic input (history + query) and output; the parts sum to input + output tokens.

    Columns: part, tokens (float), label (fmt_tokens), share (of the request, 0..1), order.
    """
    w = e.workload
    parts = [("System + tools", w.static_tokens - w.few_shot_tokens), ("Few-shot examples", w.few_shot_tokens),
             ("Dynamic input (history + query)", w.dynamic_tokens), ("Output", w.output_tokens)]
    total = w.input_tokens + w.output_tokens
    rows = [(name, float(t), tokens_compact(float(t)), float(t / total) if total else 0.0, i)
            for i, (name, t) in enumerate(parts)]
    return _frame(rows, TOKEN_COLUMNS, {"tokens": "float64", "share": "float64", "order": "int64"})


def distribution_frame(e: Estimate) -> pd.DataFrame:
    """Spread of input, static prefix, dynamic input and output tokens per request (empty without the analysis).

    Columns: part, p50, p90, p95, max, mean (floats), count (records measured).
    """
    rows = []
    if e.analysis is not None:
        p = e.analysis.profile
        parts: list[tuple[str, Distribution]] = [("Input", p.input_tokens), ("Static prefix", p.static_prefix_tokens),
                                                 ("Dynamic input", p.dynamic_tokens), ("Output", p.output_tokens)]
        rows = [(name, float(d.p50), float(d.p90), float(d.p95), float(d.max), float(d.mean), d.count)
                for name, d in parts]
    floats = {c: "float64" for c in ("p50", "p90", "p95", "max", "mean")}
    return _frame(rows, DISTRIBUTION_COLUMNS, {**floats, "count": "int64"})


def sensitivity_frame(e: Estimate) -> pd.DataFrame:
    """What moves the recommendation: input, current, flips at, becomes (a strategy label), note; "" when nothing
    flips it."""
    labels = {c.id: c.label for c in e.strategies}
    rows = [(s.input, s.current, s.flips_at or "", labels.get(s.to, s.to) if s.to else "", s.note)
            for s in e.sensitivity]
    return _frame(rows, SENSITIVITY_COLUMNS, {})


def strategies_frame(e: Estimate) -> pd.DataFrame:
    """Every strategy in ranking order (eligible first, then by horizon cost), money as float for sorting.

    Columns: strategy, per request $, monthly $ (at the current volume, one-offs excluded), one-off $, horizon $,
    eligible, why not.
    """
    rows = [(r.cost.label, float(r.cost.per_request_usd), float(r.monthly_usd), float(r.cost.one_off_usd),
             float(r.horizon_usd), r.eligible, "; ".join(r.excluded_because))
            for r in e.recommendation.ranking]
    money = {c: "float64" for c in ("per request $", "monthly $", "one-off $", "horizon $")}
    return _frame(rows, STRATEGY_COLUMNS, {**money, "eligible": "bool"})


def curves_csv(e: Estimate) -> str:
    """`cost_curve_frame(e)` as CSV, for download."""
    text: str = cost_curve_frame(e).to_csv(index=False)
    return text


def _frame(rows: Sequence[tuple[object, ...]], columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame with these columns and dtypes, also when there are no rows."""
    return pd.DataFrame(list(rows), columns=columns).astype(dtypes)


# --- charts -----------------------------------------------------------------------------------------------------


def _strategy_domain(*frames: pd.DataFrame) -> list[str]:
    """Strategy labels in order of first appearance (the shown_strategies order)."""
    out: dict[str, None] = {}
    for df in frames:
        if "strategy" in df.columns:
            out.update(dict.fromkeys(str(s) for s in df["strategy"]))
    return list(out)


def _legend() -> alt.Legend:
    return alt.Legend(orient="bottom", direction="vertical", columns=2, title=None, labelLimit=LEGEND_LABEL_LIMIT,
                      symbolStrokeWidth=2.5, symbolSize=300)


def _colour(domain: list[str], legend: bool = True) -> alt.Color:
    return alt.Color("strategy:N", title="Strategy", scale=alt.Scale(domain=domain, range=list(OKABE_ITO)),
                     legend=_legend() if legend else None)


def _dash(domain: list[str], legend: bool = True) -> alt.StrokeDash:
    dashes = [list(DASHES[i % len(DASHES)]) for i in range(len(domain))]
    return alt.StrokeDash("strategy:N", title="Strategy", scale=alt.Scale(domain=domain, range=dashes),
                          legend=_legend() if legend else None)


def cost_curve_chart(curves: pd.DataFrame, marks: pd.DataFrame, current_volume: float, *,
                     log_y: bool = True) -> alt.LayerChart:
    """Monthly cost against volume: a line per strategy, break-even dots with labels, a rule at your volume.

    x is log scaled; y too (log_y, unless a cost is ≤ 0), so curves that differ 1,000-fold stay readable.
    """
    domain = _strategy_domain(curves, marks)
    volumes = [float(v) for v in curves["requests_per_month"]] if len(curves) else list(NO_VOLUME_RANGE)
    lo, hi = min(volumes), max(volumes)
    costs = [float(v) for v in curves["monthly_usd"]]
    use_log = log_y and all(c > 0 for c in costs)
    x = alt.X("requests_per_month:Q", title="Requests per month (at the start)",
              scale=alt.Scale(type="log", domain=[lo, hi], nice=False), axis=alt.Axis(format="~s"))
    y_scale = (alt.Scale(type="log", domain=[min(costs) * 0.8, max(costs) * 1.25], nice=False) if use_log and costs
               else alt.Scale(zero=True))
    y = alt.Y("monthly_usd:Q", title="Average monthly cost over the horizon (USD)", scale=y_scale,
              axis=alt.Axis(format="$,.2~f"))
    volume_tip = alt.Tooltip("requests_per_month:Q", title="Requests per month", format=",.0f")
    cost_tip = alt.Tooltip("monthly_usd:Q", title="Average monthly cost", format="$,.2f")
    layers: list[alt.Chart] = [
        alt.Chart(curves).mark_line(strokeWidth=2.2, clip=True).encode(
            x=x, y=y, color=_colour(domain), strokeDash=_dash(domain),
            tooltip=[alt.Tooltip("strategy:N", title="Strategy"), volume_tip, cost_tip]),
    ]
    if len(marks):
        text = "short_label:N" if "short_label" in marks.columns else "label:N"
        layers += [
            alt.Chart(marks).mark_circle(size=110, opacity=1, stroke="white", strokeWidth=1.5).encode(
                x=x, y=y, color=_colour(domain, legend=False),
                tooltip=[alt.Tooltip("label:N", title="Break-even"), alt.Tooltip("strategy:N", title="Strategy"),
                         volume_tip, cost_tip]),
            # a white halo under each label keeps it legible where it crosses a line
            alt.Chart(marks).mark_text(align="right", baseline="bottom", dx=-6, dy=-8, fontSize=11,
                                       limit=MARK_LABEL_LIMIT, color="white", stroke="white", strokeWidth=4,
                                       strokeJoin="round").encode(x=x, y=y, text=text),
            alt.Chart(marks).mark_text(align="right", baseline="bottom", dx=-6, dy=-8, fontSize=11,
                                       limit=MARK_LABEL_LIMIT, color="#333333").encode(x=x, y=y, text=text),
        ]
    if current_volume > 0 and lo <= current_volume <= hi:
        here = pd.DataFrame({"requests_per_month": [float(current_volume)], "label": ["you are here"]})
        layers += [
            alt.Chart(here).mark_rule(color="#555555", strokeDash=[4, 4], strokeWidth=1.5).encode(
                x=x, tooltip=[alt.Tooltip("requests_per_month:Q", title="Your volume (requests/month)", format=",.0f")]),
            alt.Chart(here).mark_text(align="left", baseline="top", dx=5, dy=4, fontSize=11, color="#555555").encode(
                x=x, y=alt.value(0), text="label:N"),
        ]
    return alt.LayerChart(layer=layers, width="container", height=400, title="Monthly cost by volume")


def cumulative_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Cumulative cost month by month (month 0 = one-off costs), a line per strategy, colours as everywhere."""
    domain = _strategy_domain(df)
    x = alt.X("month:Q", title="Month", axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y("cumulative_usd:Q", title="Cumulative cost (USD)", axis=alt.Axis(format="$,.2~f"))
    tooltip = [alt.Tooltip("strategy:N", title="Strategy"), alt.Tooltip("month:Q", title="Month"),
               alt.Tooltip("cumulative_usd:Q", title="Cumulative cost", format="$,.2f")]
    base: alt.Chart = alt.Chart(df).encode(x=x, y=y, color=_colour(domain), tooltip=tooltip)
    lines: alt.Chart = base.mark_line(strokeWidth=2.2).encode(strokeDash=_dash(domain))
    dots: alt.Chart = base.mark_point(filled=True, size=25).encode(color=_colour(domain, legend=False))
    return alt.LayerChart(layer=[lines, dots], width="container", height=360, title="Cumulative cost")


def token_breakdown_chart(df: pd.DataFrame) -> alt.Chart:
    """One horizontal stacked bar: where the tokens of a typical request go."""
    parts = [str(p) for p in df["part"]]
    colours = [PART_COLOURS[i % len(PART_COLOURS)] for i in range(len(parts))]
    chart: alt.Chart = alt.Chart(df, width="container", height=70, title="A typical request").mark_bar(
        stroke="white", strokeWidth=1).encode(
        x=alt.X("tokens:Q", title="Tokens per request (mean)", stack="zero", axis=alt.Axis(format=",.0f")),
        color=alt.Color("part:N", title=None, scale=alt.Scale(domain=parts, range=colours),
                        legend=alt.Legend(orient="bottom", labelLimit=LEGEND_LABEL_LIMIT)),
        order=alt.Order("order:Q", sort="ascending"),
        tooltip=[alt.Tooltip("part:N", title="Part"), alt.Tooltip("label:N", title="Tokens"),
                 alt.Tooltip("share:Q", title="Share of the request", format=".0%")],
    )
    return chart


def distribution_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Per part of the request: a thick rule p50 → p95, a thin one p95 → max, and dots for p50, p90, p95, mean, max."""
    order = [str(p) for p in df["part"]]
    stats = list(STAT_COLOURS)
    long = df.melt(id_vars=["part"], value_vars=stats, var_name="statistic", value_name="tokens")
    long["label"] = [tokens_compact(float(t)) for t in long["tokens"]]
    y = alt.Y("part:N", title=None, sort=order)
    x_title = "Tokens per request"
    spread: alt.Chart = alt.Chart(df).mark_rule(strokeWidth=5, color="#9E9E9E", opacity=0.7).encode(
        y=y, x=alt.X("p50:Q", title=x_title, axis=alt.Axis(format=",.0f")), x2="p95:Q")
    tail: alt.Chart = alt.Chart(df).mark_rule(strokeWidth=1.5, color="#9E9E9E", strokeDash=[3, 3]).encode(
        y=y, x=alt.X("p95:Q", title=x_title), x2="max:Q")
    dots: alt.Chart = alt.Chart(long).mark_point(filled=True, size=90, opacity=1).encode(
        y=y, x=alt.X("tokens:Q", title=x_title),
        color=alt.Color("statistic:N", title=None, scale=alt.Scale(domain=stats, range=list(STAT_COLOURS.values())),
                        legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("statistic:N", title=None, scale=alt.Scale(domain=stats, range=list(STAT_SHAPES.values())),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("part:N", title="Part"), alt.Tooltip("statistic:N", title="Statistic"),
                 alt.Tooltip("label:N", title="Tokens")])
    return alt.LayerChart(layer=[spread, tail, dots], width="container", height=200,
                          title="Tokens per request: spread")
