"""fineadvisor.present.charts: Estimate → float frames → Altair specs, checked through `chart.to_dict()` (no browser)."""

from __future__ import annotations

import io
import itertools
import math
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fineadvisor import Scenario, analyze_logs, estimate
from fineadvisor.advise.catalog import load_catalog
from fineadvisor.advise.estimate import Estimate
from fineadvisor.advise.timeline import average_monthly, cumulative, horizon_cost, months_run, payback
from fineadvisor.formatting import tokens_compact
from fineadvisor.measure.analysis import LogAnalysis
from fineadvisor.present import charts

EXAMPLE = Path(__file__).parents[2] / "examples" / "support_bot.jsonl"
START = date(2026, 11, 22)  # prices and offer windows are date-aware: pin the date
NO_END = replace(load_catalog(), lifecycles={})
"""The bundled prices without model end dates: these tests check the charts' mechanics on steady cash flows
(test_cumulative_chart_steps_at_a_forced_migration checks the step a shutdown makes)."""
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]


@pytest.fixture(scope="module")
def analysis() -> LogAnalysis:
    return analyze_logs([str(EXAMPLE)])


@pytest.fixture(scope="module")
def est(analysis: LogAnalysis) -> Estimate:
    return estimate(analysis, Scenario.per_day(20_000, start=START), NO_END)


@pytest.fixture(scope="module")
def growing(analysis: LogAnalysis) -> Estimate:
    return estimate(analysis, Scenario.per_day(20_000, start=START, growth_per_month=Decimal("0.05")), NO_END)


@pytest.fixture(scope="module")
def switching(analysis: LogAnalysis) -> Estimate:
    """A volume at which a strategy other than the logged setup is recommended."""
    e = estimate(analysis, Scenario.per_day(50_000, start=START), NO_END)
    assert e.recommendation.strategy != e.baseline
    return e


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("layer", [spec]))


def mark_type(layer: dict[str, Any]) -> str:
    mark = layer["mark"]
    return str(mark["type"] if isinstance(mark, dict) else mark)


def rows(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    """The data values a layer draws (its own named dataset, else the top level's)."""
    data = layer.get("data") or spec.get("data")
    assert data is not None
    if "values" in data:
        return list(data["values"])
    return list(spec["datasets"][data["name"]])


def layer_of(spec: dict[str, Any], *types: str) -> list[dict[str, Any]]:
    return [layer for layer in layers(spec) if mark_type(layer) in types]


# --- shown strategies -------------------------------------------------------------------------------------------


def test_shown_strategies_baseline_then_recommended_then_the_plan_then_cheapest(switching: Estimate) -> None:
    shown = charts.shown_strategies(switching)
    ids = [c.id for c in shown]
    assert ids[0] == switching.baseline
    assert ids[1] == switching.recommendation.strategy
    assert len(ids) == len(set(ids)) == min(8, len(switching.strategies))
    planned = list(dict.fromkeys(p.strategy for p in switching.plan if p.strategy and p.strategy not in ids[:2]))
    assert ids[2:2 + len(planned)] == planned  # the plan's strategies next
    ranking = [r.cost.id for r in switching.recommendation.ranking]
    rest = [i for i in ranking if i not in ids[:2 + len(planned)]]
    assert ids[2 + len(planned):] == rest[:len(ids) - 2 - len(planned)]  # then ranking order


def test_shown_strategies_limit(est: Estimate) -> None:
    assert [c.id for c in charts.shown_strategies(est, limit=1)] == [est.baseline]
    assert len(charts.shown_strategies(est, limit=3)) == 3
    assert len(charts.shown_strategies(est, limit=100)) == len(est.strategies)
    with pytest.raises(ValueError, match="limit"):
        charts.shown_strategies(est, limit=0)


# --- cost curves and break-even ---------------------------------------------------------------------------------


def test_cost_curve_frame(est: Estimate) -> None:
    df = charts.cost_curve_frame(est, points=50)
    assert list(df.columns) == ["strategy_id", "strategy", "requests_per_month", "monthly_usd"]
    assert df["requests_per_month"].dtype == "float64" and df["monthly_usd"].dtype == "float64"
    shown = charts.shown_strategies(est)
    assert list(dict.fromkeys(df["strategy_id"])) == [c.id for c in shown]
    assert (df.groupby("strategy_id").size() == 50).all()
    v = float(est.scenario.requests_per_month)
    assert df["requests_per_month"].min() == pytest.approx(v / 30)
    assert df["requests_per_month"].max() == pytest.approx(v * 30)
    volumes = sorted(set(df["requests_per_month"]))
    ratios = [b / a for a, b in itertools.pairwise(volumes)]
    assert max(ratios) == pytest.approx(min(ratios))  # log-spaced
    for c in shown:
        sub = df[df["strategy_id"] == c.id]
        for volume, usd in zip(sub["requests_per_month"], sub["monthly_usd"], strict=True):
            assert usd == pytest.approx(float(average_monthly(c, est.scenario, Decimal(repr(volume)))), rel=1e-12)


def test_cost_curve_frame_without_volume(analysis: LogAnalysis) -> None:
    e = estimate(analysis, Scenario(requests_per_month=0, start=START))
    df = charts.cost_curve_frame(e)
    assert df["requests_per_month"].min() == pytest.approx(1)
    assert df["requests_per_month"].max() == pytest.approx(1e7)
    spec = charts.cost_curve_chart(df, charts.break_even_frame(e), 0.0).to_dict()
    assert not layer_of(spec, "rule")  # volume 0 has no place on a log axis


def test_break_even_frame_points_lie_where_curves_meet(est: Estimate) -> None:
    df = charts.break_even_frame(est)
    assert len(df) >= 1
    assert {"strategy_id", "strategy", "requests_per_month", "monthly_usd", "label"} <= set(df.columns)
    by_id = {c.id: c for c in est.strategies}
    shown = {c.id for c in charts.shown_strategies(est)}
    curves = charts.cost_curve_frame(est)
    lo, hi = curves["requests_per_month"].min(), curves["requests_per_month"].max()
    for row in df.itertuples(index=False):
        assert row.strategy_id in shown
        assert lo <= row.requests_per_month <= hi
        volume = Decimal(row.requests_per_month)
        a = float(average_monthly(by_id[row.against_id], est.scenario, volume))
        b = float(average_monthly(by_id[row.strategy_id], est.scenario, volume))
        assert math.isclose(a, b, rel_tol=1e-6)
        assert math.isclose(row.monthly_usd, b, rel_tol=1e-6)
        assert row.label.startswith(row.strategy) and " = as logged at " in row.label and row.label.endswith("req/mo")
    labels = set(df["label"])
    assert "Fine-tune vertex/gemini-2.5-flash-lite = as logged at 996k req/mo" in labels


def test_cost_curve_chart_spec(est: Estimate) -> None:
    curves, marks = charts.cost_curve_frame(est), charts.break_even_frame(est)
    spec = charts.cost_curve_chart(curves, marks, float(est.scenario.requests_per_month)).to_dict()
    shown = charts.shown_strategies(est)

    (line,) = layer_of(spec, "line")
    drawn = {r["strategy"] for r in rows(spec, line)}
    assert drawn == {c.label for c in shown} and len(drawn) == len(shown)  # one line per shown strategy
    enc = line["encoding"]
    assert enc["x"]["scale"]["type"] == "log"
    assert enc["x"]["title"] == "Requests per month (at the start)"
    assert enc["y"]["title"] == "Average monthly cost over the horizon (USD)"
    assert enc["y"]["axis"]["format"].startswith("$")
    assert enc["color"]["field"] == "strategy"
    assert enc["color"]["scale"]["range"] == OKABE_ITO
    assert enc["color"]["scale"]["domain"] == [c.label for c in shown]
    assert enc["strokeDash"]["field"] == "strategy"
    dashes = enc["strokeDash"]["scale"]["range"]
    assert len(dashes) == len(shown) and len({tuple(d) for d in dashes}) == len(shown)
    legend = enc["color"]["legend"]
    assert legend["orient"] == "bottom" and legend["labelLimit"] > 0
    assert {t["field"] for t in enc["tooltip"]} == {"strategy", "requests_per_month", "monthly_usd"}

    (points,) = layer_of(spec, "circle", "point")
    assert len(rows(spec, points)) == len(marks) >= 1
    assert points["encoding"]["color"]["scale"]["range"] == OKABE_ITO
    texts = [t for t in layer_of(spec, "text") if t["encoding"]["text"]["field"] == "short_label"]
    assert texts and all(t["mark"]["limit"] > 0 and t["mark"]["dy"] != 0 for t in texts)

    (rule,) = layer_of(spec, "rule")
    assert rows(spec, rule)[0]["requests_per_month"] == pytest.approx(float(est.scenario.requests_per_month))
    assert any(r.get("label") == "you are here" for t in layer_of(spec, "text") for r in rows(spec, t))
    assert spec["width"] == "container" and spec["title"]


def test_cost_curve_chart_without_break_even(est: Estimate) -> None:
    curves = charts.cost_curve_frame(est)
    spec = charts.cost_curve_chart(curves, charts.break_even_frame(est).iloc[0:0],
                                   float(est.scenario.requests_per_month)).to_dict()
    assert not layer_of(spec, "circle")
    assert layer_of(spec, "line")


def test_cost_curve_chart_linear_y_when_a_cost_is_zero(est: Estimate) -> None:
    curves = charts.cost_curve_frame(est)
    curves.loc[0, "monthly_usd"] = 0.0
    spec = charts.cost_curve_chart(curves, charts.break_even_frame(est), 1e6).to_dict()
    assert layer_of(spec, "line")[0]["encoding"]["y"]["scale"].get("type") != "log"


def test_curves_csv_parses(est: Estimate) -> None:
    parsed = pd.read_csv(io.StringIO(charts.curves_csv(est)))
    frame = charts.cost_curve_frame(est)
    assert list(parsed.columns) == list(frame.columns)
    assert len(parsed) == len(frame)
    assert parsed["monthly_usd"].to_list() == pytest.approx(frame["monthly_usd"].to_list())


# --- cumulative -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["est", "growing"])
def test_cumulative_frame(which: str, request: pytest.FixtureRequest) -> None:
    e: Estimate = request.getfixturevalue(which)
    df = charts.cumulative_frame(e)
    assert list(df.columns) == ["strategy_id", "strategy", "month", "cumulative_usd"]
    assert df["cumulative_usd"].dtype == "float64"
    h = e.scenario.horizon_months
    for c in charts.shown_strategies(e):
        sub = df[df["strategy_id"] == c.id].sort_values("month")
        assert sub["month"].to_list() == list(range(months_run(c, e.scenario, h) + 1))
        values = sub["cumulative_usd"].to_list()
        assert values[0] == pytest.approx(float(c.one_off_usd))
        assert all(b >= a for a, b in itertools.pairwise(values))
        assert values == pytest.approx([float(x) for x in cumulative(c, e.scenario)[:len(values)]], rel=1e-12)
        if months_run(c, e.scenario, h) == h:
            assert values[-1] == pytest.approx(float(horizon_cost(c, e.scenario)), rel=1e-12)
        # month 1 carries no retraining (the first training is in the one-off cost)
        assert values[1] - values[0] == pytest.approx(float(c.monthly_usd(e.scenario.requests_per_month)))


def test_cumulative_frame_grows_with_volume(est: Estimate, growing: Estimate) -> None:
    flat = charts.cumulative_frame(est).query("strategy_id == @est.baseline")["cumulative_usd"].diff().dropna()
    grow = charts.cumulative_frame(growing).query("strategy_id == @growing.baseline")["cumulative_usd"].diff().dropna()
    assert flat.to_list() == pytest.approx([flat.iloc[0]] * len(flat))  # constant monthly cost without growth
    assert grow.iloc[-1] / grow.iloc[0] == pytest.approx(1.05 ** (len(grow) - 1))


def test_cumulative_chart_same_colours(est: Estimate) -> None:
    spec = charts.cumulative_chart(charts.cumulative_frame(est)).to_dict()
    curve_spec = charts.cost_curve_chart(charts.cost_curve_frame(est), charts.break_even_frame(est),
                                         float(est.scenario.requests_per_month)).to_dict()
    (line,) = layer_of(spec, "line")
    colour = line["encoding"]["color"]["scale"]
    assert colour == layer_of(curve_spec, "line")[0]["encoding"]["color"]["scale"]
    assert colour["range"] == OKABE_ITO
    assert line["encoding"]["strokeDash"]["field"] == "strategy"


# --- tokens -----------------------------------------------------------------------------------------------------


def test_token_breakdown_sums_to_request(est: Estimate) -> None:
    df = charts.token_breakdown_frame(est)
    w = est.workload
    assert df["part"].to_list() == ["System + tools", "Few-shot examples", "Dynamic input (history + query)", "Output"]
    assert df["tokens"].dtype == "float64"
    assert df["tokens"].sum() == pytest.approx(float(w.input_tokens + w.output_tokens), rel=1e-9)
    assert df["tokens"].iloc[1] == pytest.approx(float(w.few_shot_tokens))
    assert df["share"].sum() == pytest.approx(1)
    assert df["label"].to_list() == [tokens_compact(t) for t in df["tokens"]]


def test_token_breakdown_chart(est: Estimate) -> None:
    spec = charts.token_breakdown_chart(charts.token_breakdown_frame(est)).to_dict()
    assert mark_type(spec) == "bar"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "tokens" and enc["x"]["stack"] == "zero"
    assert enc["order"]["field"] == "order"
    assert "label" in {t["field"] for t in enc["tooltip"]}


def test_distribution_frame_and_chart(est: Estimate) -> None:
    df = charts.distribution_frame(est)
    assert df["part"].to_list() == ["Input", "Static prefix", "Dynamic input", "Output"]
    for col in ("p50", "p90", "p95", "max", "mean"):
        assert df[col].dtype == "float64"
    assert (df["p50"] <= df["p90"]).all() and (df["p90"] <= df["p95"]).all() and (df["p95"] <= df["max"]).all()
    assert est.analysis is not None
    assert df["mean"].iloc[3] == pytest.approx(est.analysis.profile.output_tokens.mean)
    spec = charts.distribution_chart(df).to_dict()
    ranged = [r for r in layer_of(spec, "rule") if r["encoding"]["x"]["field"] == "p50"]
    assert ranged and ranged[0]["encoding"]["x2"]["field"] == "p95"
    (dots,) = layer_of(spec, "point")
    assert {r["statistic"] for r in rows(spec, dots)} == {"p50", "p90", "p95", "mean", "max"}


def test_distribution_frame_without_analysis(est: Estimate) -> None:
    df = charts.distribution_frame(replace(est, analysis=None))
    assert df.empty and "p95" in df.columns


# --- tables -----------------------------------------------------------------------------------------------------


def test_sensitivity_frame(est: Estimate) -> None:
    df = charts.sensitivity_frame(est)
    assert list(df.columns) == ["input", "current", "flips at", "becomes", "note"]
    assert len(df) == len(est.sensitivity)
    labels = {c.label for c in est.strategies}
    assert all(b == "" or b in labels for b in df["becomes"])


def test_strategies_frame(est: Estimate) -> None:
    df = charts.strategies_frame(est)
    assert list(df.columns) == ["strategy", "per request $", "monthly $", "one-off $", "horizon $", "eligible",
                                "why not"]
    assert len(df) == len(est.strategies)
    for col in ("per request $", "monthly $", "one-off $", "horizon $"):
        assert df[col].dtype == "float64"
    assert df["strategy"].iloc[0] == est.recommendation.ranking[0].cost.label
    assert all(why == "" for why in df[df["eligible"]]["why not"])
    assert all(why for why in df[~df["eligible"]]["why not"])


def test_chart_payback_and_break_even_agree_at_200k_a_day_over_24_months(analysis: LogAnalysis) -> None:
    """The support-bot log at 200,000 requests a day over 24 months: the cumulative chart, the payback text and the
    break-even marks all read one timeline (issue: azure/gpt-4o-mini "paid back in 35.6 months" while the chart
    had it below the logged setup at month 24)."""
    e = estimate(analysis, Scenario.per_day(200_000, start=START, horizon_months=24), NO_END)
    frame = charts.cumulative_frame(e)
    shown = {c.id: c for c in charts.shown_strategies(e)}
    base = frame[frame["strategy_id"] == e.baseline].set_index("month")["cumulative_usd"]
    checked = 0
    for be in e.break_evens:
        if be.b not in shown:
            continue
        other = frame[frame["strategy_id"] == be.b].set_index("month")["cumulative_usd"]
        below = [m for m in other.index if m >= 1 and other[m] <= base[m]]
        assert payback(shown[e.baseline], shown[be.b], e.scenario).kind == be.payback_kind
        if be.payback_months is not None and be.payback_months <= 24:
            first = 1 if be.payback_kind == "immediately" else int(be.payback_months)
            assert below and below[0] == first, (be.b, below[:3], be.payback_months)
            assert f"month {be.payback_months}" in be.reason or be.payback_kind == "immediately"
        elif below:
            raise AssertionError(f"{be.b}: the chart has it below from month {below[0]}, the text {be.reason!r}")
        checked += 1
        if be.kind == "crosses" and be.requests_per_month is not None and be.amortised_over_months == 24:
            # at its break-even volume the 24-month totals are equal: the chart's curves cross there
            s = e.scenario
            a_cost = average_monthly(shown[e.baseline], s, be.requests_per_month)
            b_cost = average_monthly(shown[be.b], s, be.requests_per_month)
            assert abs(a_cost - b_cost) <= Decimal("0.001") * a_cost
    assert checked >= 3
    marks = charts.break_even_frame(e)
    assert set(marks["strategy_id"]) <= set(shown)
    text = next(b.reason for b in e.break_evens if b.b == "fine_tune:azure/gpt-4o-mini")
    assert "pays back in month 24" in text  # below the logged setup at month 24, as the chart shows


def test_marks_lie_on_both_curves_with_growth_and_offers_that_stop(analysis: LogAnalysis) -> None:
    """+10% a month from 2026-06-01: OpenAI's offers stop after 8 months. Every mark is where the two curves meet;
    an offer that stops inside the horizon gets none (its curve averages fewer months than the baseline's)."""
    e = estimate(analysis, Scenario.per_day(20_000, start=date(2026, 6, 1), growth_per_month=Decimal("0.1")), NO_END)
    by_id = {c.id: c for c in e.strategies}
    marks = charts.break_even_frame(e)
    for row in marks.itertuples(index=False):
        volume = Decimal(repr(row.requests_per_month))
        a = float(average_monthly(by_id[row.against_id], e.scenario, volume))
        b = float(average_monthly(by_id[row.strategy_id], e.scenario, volume))
        assert math.isclose(a, b, rel_tol=1e-6) and math.isclose(row.monthly_usd, b, rel_tol=1e-6)
    stopping = {b.b for b in e.break_evens if b.amortised_over_months < e.scenario.horizon_months}
    assert stopping and not stopping & set(marks["strategy_id"])


def test_cumulative_chart_steps_at_a_forced_migration(analysis: LogAnalysis) -> None:
    # gpt-4o-mini-2024-07-18 shuts down on 2027-01-14 (pricing/lifecycle.toml), 53 days from 2026-11-22: month 1 runs
    # on it, month 2 (from day 30.4375) is split at the date, f = 53 ÷ 30.4375 − 1 = 0.7413 of it on the old model and
    # the rest on gpt-6-luna, and pays the move once: (8 h migration + 8 h evaluation) × $100 = $1,600; from month 3
    # on, the successor's monthly cost.
    e = estimate(analysis, Scenario.per_day(20_000, start=START))
    base = next(c for c in e.strategies if c.id == e.baseline)
    assert base.then is not None and base.switch_usd == Decimal(1600)
    steps = charts.cumulative_frame(e).query("strategy_id == @e.baseline")["cumulative_usd"].diff().dropna().to_list()
    v = e.scenario.requests_per_month
    old, new = float(base.monthly_usd(v)), float(base.then.monthly_usd(v))
    f = 53 / 30.4375 - 1
    assert steps[0] == pytest.approx(old)
    assert steps[1] == pytest.approx(old * f + new * (1 - f) + 1600)
    assert steps[2:] == pytest.approx([new] * (len(steps) - 2))


def test_the_volume_axis_reaches_the_nearest_break_even(analysis: LogAnalysis) -> None:
    # at 20,000 a day (608,750/month) the nearest crossing of a shown strategy is beyond 30× … or within it; either
    # way the axis reaches 1.5 × the nearest crossing (capped at 100× today's volume), and the curves meet there
    e = estimate(analysis, Scenario.per_day(2_000, start=START), NO_END)
    near = charts.nearest_crossing(e)
    frame = charts.cost_curve_frame(e)
    v = float(e.scenario.requests_per_month)
    top = frame["requests_per_month"].max()
    if near is None:
        assert charts.crossing_note(e) is not None and top == pytest.approx(v * 30)
    elif near <= v * 100:
        assert top == pytest.approx(max(v * 30, min(near * 1.5, v * 100)))
        assert charts.crossing_note(e) is None
        assert any(abs(x - near) < 1e-6 * near for x in charts.break_even_frame(e)["requests_per_month"])
    else:
        assert top == pytest.approx(v * 100) and "beyond 100×" in (charts.crossing_note(e) or "")
