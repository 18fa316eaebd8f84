"""The one entry point both front ends call: measured logs + prices + scenario → costs, break-even, advice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from fineadvisor import scenario as scenarios
from fineadvisor.analysis import LogAnalysis
from fineadvisor.breakeven import BreakEven, find_break_even
from fineadvisor.catalog import Catalog, ModelPrices, UnknownPriceError, load_catalog
from fineadvisor.costs import (
    DEFAULT_HIT_RATE,
    StrategyCost,
    Workload,
    cost_few_shot,
    cost_fine_tune,
    cost_prompt_caching,
    cost_prompt_only,
    cost_rag,
    cost_self_hosted,
    hit_rate,
)
from fineadvisor.encodings import normalize_model
from fineadvisor.recommend import Recommendation, horizon_cost, recommend
from fineadvisor.scenario import Scenario, months
from fineadvisor.stats import Distribution


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """How far one input must move before the recommendation changes."""

    input: str
    current: str
    flips_at: str | None
    to: str | None
    note: str


@dataclass(frozen=True, slots=True)
class Assumption:
    """A number the estimate rests on that the logs do not measure, its value and where it comes from."""

    name: str
    value: str
    source: str


@dataclass(frozen=True)
class Estimate:
    """Everything fineadvisor concludes for one log and scenario."""

    scenario: Scenario
    workload: Workload
    prices: ModelPrices
    model: str
    strategies: tuple[StrategyCost, ...]
    baseline: str
    break_evens: tuple[BreakEven, ...]
    recommendation: Recommendation
    sensitivity: tuple[Sensitivity, ...]
    assumptions: tuple[Assumption, ...]
    warnings: tuple[str, ...]
    analysis: LogAnalysis | None = None


def _mean(d: Distribution) -> Decimal:
    return Decimal(d.total) / d.count if d.count else Decimal(0)


def _dec(x: float) -> Decimal:
    """A measured token statistic (not money) as Decimal, via its shortest repr."""
    return Decimal(repr(x))


def workload_from(a: LogAnalysis) -> Workload:
    """Per-request token means from the logs, scaled by billed ÷ counted prompt tokens where usage was logged."""
    p, u = a.profile, a.profile.usage
    cal = Decimal(u.billed_prompt_tokens) / u.counted_prompt_tokens if u.records and u.counted_prompt_tokens else Decimal(1)
    static = _mean(p.static_prefix_tokens) * cal
    # input per request over every record (billed where logged): lines with usage but no prompt still count
    dynamic = max(Decimal(0), _mean(p.input_tokens) - static)
    out = p.output_tokens
    expected = _mean(out)
    measured = None
    # per-request means of the cache reads and writes the provider billed (over records that logged usage)
    cached = Decimal(u.cached_tokens) / u.records if u.records else Decimal(0)
    written = Decimal(u.cache_write_tokens) / u.records if u.records else Decimal(0)
    if cached and static:
        measured = min(Decimal(1), cached / static)
    return Workload(
        static_tokens=static, few_shot_tokens=_mean(p.few_shot_tokens) * cal,
        dynamic_tokens=dynamic, query_tokens=_mean(p.query_tokens) * cal or dynamic,
        output_tokens_low=min(_dec(out.p50), expected), output_tokens=expected,
        output_tokens_high=max(_dec(out.p95), expected), examples=a.readiness.usable_examples,
        templates=max(1, p.templates), measured_hit_rate=measured, calibration=cal, calibrated=bool(u.records),
        logged_cached_tokens=cached, logged_cache_write_tokens=written,
    )


def same_family(a: str, b: str) -> bool:
    """gpt-4o-mini-2024-07-18 and gpt-4o-mini are the same model family; gpt-4o-mini and gemini-2.5-flash are not."""
    def strip(name: str) -> str:
        return re.sub(r"-\d{4}-\d{2}-\d{2}$|-latest$", "", normalize_model(name))

    return strip(a) == strip(b)


def build_strategies(w: Workload, prices: ModelPrices, s: Scenario, catalog: Catalog,
                     ) -> tuple[tuple[StrategyCost, ...], list[str]]:
    """Cost every strategy the catalog can price; say which could not be priced and why."""
    warnings: list[str] = []
    out = [cost_few_shot(w, prices, s)]
    if w.few_shot_tokens > 0:
        out.append(cost_prompt_only(w, prices, s))
    if s.prompt_caching:
        out.append(cost_prompt_caching(w, prices, s))
    try:
        out.append(cost_rag(w, prices, s, catalog.embedding(s.rag_embedding), catalog.vector_store(s.rag_vector_store)))
    except UnknownPriceError as exc:
        warnings.append(f"RAG not priced: {exc}")
    offer_ids = s.fine_tune_offers or tuple(
        o.id for o in catalog.offers.values() if o.new_jobs_until is None or o.new_jobs_until >= s.start)
    for offer_id in offer_ids:
        offer = catalog.offer(offer_id)  # an unknown id is the user's error: raise
        cost = cost_fine_tune(w, offer, s, catalog.open_models.get(offer.base_model))
        if not same_family(offer.base_model, prices.model):
            cost = replace(cost, notes=(*cost.notes, f"tunes {offer.base_model}, not the logged {prices.model}: "
                                                      "re-check quality on your evals"))
        out.append(cost)
    try:
        model = catalog.open_model(s.self_host_model)
        out.append(cost_self_hosted(w, model, catalog.gpu(s.self_host_gpu or model.gpu), s))
    except UnknownPriceError as exc:
        warnings.append(f"self-hosting not priced: {exc}")
    return tuple(out), warnings


def evaluate(w: Workload, prices: ModelPrices, s: Scenario, catalog: Catalog,
             ) -> tuple[tuple[StrategyCost, ...], tuple[BreakEven, ...], Recommendation, list[str]]:
    """Strategies, break-even against the logged setup, and the recommendation, for one workload and scenario."""
    strategies, warnings = build_strategies(w, prices, s, catalog)
    baseline = strategies[0]
    break_evens = tuple(find_break_even(baseline, c, s) for c in strategies[1:])
    return strategies, break_evens, recommend(strategies, baseline, w, s, break_evens), warnings


def _volume_sensitivity(rec: Recommendation, s: Scenario) -> Sensitivity | None:
    """The starting volume at which another eligible strategy's horizon cost equals the chosen one's.

    Formula: V0* = (horizon_b(V=0) − horizon_a(V=0)) ÷ ((per_request_a − per_request_b) × G),
    G = Σ_{k<H} (1 + growth)^k (G = H without growth), a = the chosen strategy; horizon(V=0) holds the one-off,
    the fixed months and the retrainings that fall inside the horizon.
    """
    best = next(r for r in rec.ranking if r.cost.id == rec.strategy).cost
    growth_sum = sum(((1 + s.growth_per_month) ** k for k in range(s.horizon_months)), Decimal(0))
    h = s.horizon_months
    at_zero = s.model_copy(update={"requests_per_month": Decimal(0)})
    nearest: tuple[Decimal, Decimal, str] | None = None  # (distance, volume, id)
    for r in rec.ranking:
        c = r.cost
        slope = best.per_request_usd - c.per_request_usd
        if not r.eligible or c.id == best.id or slope == 0:
            continue
        # horizon cost = (its value at zero volume) + per_request × V0 × G
        volume = (horizon_cost(c, at_zero) - horizon_cost(best, at_zero)) / (slope * growth_sum)
        if volume <= 0:
            continue
        distance = abs(volume / s.requests_per_month - 1) if s.requests_per_month else volume
        if nearest is None or distance < nearest[0]:
            nearest = (distance, volume, c.id)
    if nearest is None:
        return Sensitivity("requests per month", f"{s.requests_per_month:,.0f}", None, None,
                           "no other eligible strategy overtakes it at any volume")
    _, volume, other = nearest
    change = (volume / s.requests_per_month - 1) if s.requests_per_month else Decimal(0)
    return Sensitivity("requests per month", f"{s.requests_per_month:,.0f}", f"{volume:,.0f}", other,
                       f"requests per month {s.requests_per_month:,.0f} → {volume:,.0f} ({change:+.0%}): {other} "
                       f"costs the same over the {h}-month horizon")


def sensitivity(w: Workload, prices: ModelPrices, s: Scenario, catalog: Catalog,
                rec: Recommendation) -> tuple[Sensitivity, ...]:
    """Which input, moved how far, changes the recommendation (volume in closed form, the rest by scanning)."""
    out: list[Sensitivity] = []
    vol = _volume_sensitivity(rec, s)
    if vol:
        out.append(vol)
    h = hit_rate(w, s)
    def scaled(m: Decimal) -> Workload:
        return replace(w, output_tokens=w.output_tokens * m, output_tokens_low=w.output_tokens_low * m,
                       output_tokens_high=w.output_tokens_high * m)

    def with_(**update: object) -> Scenario:
        return s.model_copy(update=update)

    scans: list[tuple[str, str, Sequence[tuple[str, Workload, Scenario]]]] = [
        ("output tokens per request", f"{w.output_tokens:,.0f}",
         [(f"×{m}", scaled(m), s) for m in (Decimal("0.5"), Decimal(2), Decimal(4))]),
        ("cache hit rate", f"{h:.0%}",
         [(f"{v:.0%}", w, with_(cache_hit_rate=v)) for v in (Decimal("0.5"), Decimal("0.95")) if v != h]),
        ("residual prompt after fine-tuning", f"{s.residual_prompt_tokens} tokens",
         [(f"{v} tokens", w, with_(residual_prompt_tokens=v)) for v in (0, 500, 1000)]),
        ("horizon", f"{months(s.horizon_months)}",
         [(f"{v} months", w, with_(horizon_months=v)) for v in (6, 24, 36) if v != s.horizon_months]),
        ("monthly growth", f"{s.growth_per_month:+.0%}",
         [(f"{v:+.0%}", w, with_(growth_per_month=v)) for v in (Decimal("0.05"), Decimal("0.2"))]),
        ("labour rate", f"${s.labour_usd_per_hour}/h",
         [(f"${v}/h", w, with_(labour_usd_per_hour=v)) for v in (Decimal(50), Decimal(200))]),
    ]
    for name, current, variants in scans:
        flip = None
        for label, w2, s2 in variants:
            _, _, rec2, _ = evaluate(w2, prices, s2, catalog)
            if rec2.strategy != rec.strategy:
                flip = (label, rec2.strategy)
                break
        if flip:
            out.append(Sensitivity(name, current, flip[0], flip[1],
                                   f"{name} {current} → {flip[0]}: the choice becomes {flip[1]}"))
        else:
            tried = ", ".join(label for label, _, _ in variants)
            out.append(Sensitivity(name, current, None, None, f"no change across {tried}"))
    return tuple(out)


def assumptions(w: Workload, s: Scenario, prices: ModelPrices, volume_source: str,
                self_host_gpu: str | None = None, batch_source: str | None = None) -> tuple[Assumption, ...]:
    """Every input the logs do not measure, with its value and whether it is a default."""
    defaults = Scenario(start=s.start)

    def src(*fields: str) -> str:
        return "default" if all(getattr(s, f) == getattr(defaults, f) for f in fields) else "set by you"

    h = hit_rate(w, s)
    hit_src = "set by you" if s.cache_hit_rate is not None else (
        "measured from cached tokens in the logs" if w.measured_hit_rate is not None else f"default {DEFAULT_HIT_RATE}")
    return (
        Assumption("requests per month", f"{s.requests_per_month:,.0f}", volume_source),
        Assumption("monthly growth", f"{s.growth_per_month:+.1%}", src("growth_per_month")),
        Assumption("horizon", f"{months(s.horizon_months)}", src("horizon_months")),
        Assumption("start", f"{s.start:%Y-%m-%d}", "today" if s.start == scenarios.today() else "set by you"),
        Assumption("Batch API", "yes" if s.batch else "no", batch_source or src("batch")),
        Assumption("prompt caching", "considered" if s.prompt_caching else "not considered", src("prompt_caching")),
        Assumption("prices", f"{prices.model} at {prices.provider}", f"{prices.source}, checked {prices.checked}"),
        Assumption("cache hit rate", f"{h:.0%}", hit_src),
        Assumption("billed ÷ counted prompt tokens", f"{w.calibration:.3f}",
                   "measured from usage in the logs" if w.calibrated else "no usage in the logs"),
        Assumption("RAG chunks × tokens", f"{s.rag_chunks} × {s.rag_chunk_tokens}", src("rag_chunks", "rag_chunk_tokens")),
        Assumption("RAG corpus", f"{s.rag_corpus_tokens:,} tokens, {s.rag_reindex_share_per_month:.0%} re-indexed monthly",
                   src("rag_corpus_tokens", "rag_reindex_share_per_month")),
        Assumption("RAG embedding / store", f"{s.rag_embedding} ({s.rag_embedding_dimensions} dimensions) / "
                                            f"{s.rag_vector_store}",
                   src("rag_embedding", "rag_embedding_dimensions", "rag_vector_store")),
        Assumption("residual prompt after fine-tuning", f"{s.residual_prompt_tokens} tokens", src("residual_prompt_tokens")),
        Assumption("training examples", f"{s.training_examples or w.examples:,}",
                   "set by you" if s.training_examples else "usable examples in the logs"),
        Assumption("epochs", str(s.epochs) if s.epochs else "OpenAI's auto rule", src("epochs")),
        Assumption("validation tokens", f"{s.validation_share:.0%} of training", src("validation_share")),
        Assumption("retraining", f"every {s.retrain_every_months} months", src("retrain_every_months")),
        Assumption("labour", f"{s.data_prep_hours} h data prep + {s.eval_hours} h evaluation per model, "
                             f"RAG build {s.rag_setup_hours} h, at ${s.labour_usd_per_hour}/h",
                   src("labour_usd_per_hour", "data_prep_hours", "eval_hours", "rag_setup_hours")),
        Assumption("self-hosting", f"{s.self_host_model} on {s.self_host_gpu or self_host_gpu or 'its default GPU'}, "
                                   f"MFU {s.mfu}, "
                                   f"{s.lora_flops_per_param_token}·N·D FLOPs, {s.run_overhead_hours} h overhead per run, "
                                   f"peak ÷ average load {s.peak_to_average}",
                   src("self_host_model", "self_host_gpu", "mfu", "lora_flops_per_param_token", "run_overhead_hours",
                       "peak_to_average")),
        Assumption("output tokens (low / expected / high)",
                   f"{w.output_tokens_low:,.0f} / {w.output_tokens:,.0f} / {w.output_tokens_high:,.0f}",
                   "p50 / mean / p95 of the logged outputs"),
    )


def estimate(analysis: LogAnalysis, scenario: Scenario | None = None, catalog: Catalog | None = None,
             *, volume_source: str | None = None) -> Estimate:
    """Cost every strategy for the measured workload, find break-evens and recommend one.

    Args:
        analysis: the result of `analyze_logs`.
        scenario: volume, horizon and assumptions (defaults: `Scenario()`).
        catalog: prices (default: `load_catalog()`).
        volume_source: how the volume was chosen, echoed with the assumptions (default: says whether it is
            the scenario's default or was set).

    Returns:
        An `Estimate`; raises `UnknownPriceError` when the model or a requested offer has no price.
    """
    s = scenario or Scenario()
    batch_source = "set by you"
    if s.batch is None:
        sources = dict(analysis.profile.sources)
        batch_lines = sources.get("batch_input", 0) + sources.get("batch_output", 0)
        auto = batch_lines * 2 > analysis.profile.records
        s = s.model_copy(update={"batch": auto})
        batch_source = "the logs are Batch API lines" if auto else "default: the logs are not Batch API lines"
    if volume_source is None:
        volume_source = ("default: 1,000 requests a day" if s.requests_per_month == Scenario(start=s.start).requests_per_month
                         else "set by you")
    cat = catalog or load_catalog()
    model = s.model or analysis.model
    prices = cat.model_prices(model, on=s.start)
    w = workload_from(analysis)
    strategies, break_evens, rec, warnings = evaluate(w, prices, s, cat)
    if analysis.profile.records_with_prompt < analysis.profile.records:
        missing = analysis.profile.records - analysis.profile.records_with_prompt
        warnings.append(f"{missing:,} records carry billed usage but no prompt (e.g. Batch API output lines without "
                        "their input file): their input is priced as dynamic input; give the input file too")
    models = analysis.profile.models
    if len(models) > 1 and sum(n for _, n in models[1:]) >= Decimal("0.1") * sum(n for _, n in models):
        others = ", ".join(f"{m} ({n:,})" for m, n in models[1:4])
        warnings.append(f"the logs mix models: everything is priced as {model}, but {others} requests name "
                        "other models; estimate each model's logs separately (--model or split files)")
    if analysis.profile.output_tokens.count == 0:
        warnings.append("the logs hold no outputs: output tokens are counted as 0 in every strategy")
    if analysis.approximate:
        warnings.append("token counts are approximate for this model (see approximate_reasons)")
    gpu = s.self_host_gpu or (cat.open_models[s.self_host_model].gpu if s.self_host_model in cat.open_models else None)
    return Estimate(s, w, prices, model, strategies, strategies[0].id, break_evens, rec,
                    sensitivity(w, prices, s, cat, rec), assumptions(w, s, prices, volume_source, gpu, batch_source),
                    tuple(warnings), analysis)
