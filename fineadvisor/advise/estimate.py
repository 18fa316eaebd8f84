"""The one entry point both front ends call: measured logs + prices + scenario → costs, break-even, advice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from fineadvisor.advise import scenario as scenarios
from fineadvisor.advise.breakeven import BreakEven, find_break_even
from fineadvisor.advise.catalog import Catalog, ModelPrices, load_catalog
from fineadvisor.advise.costs import (
    StrategyCost,
    Workload,
    cost_as_logged,
    cost_fine_tune,
    cost_prompt_caching,
    cost_prompt_only,
    cost_rag,
    cost_self_hosted,
    cost_switch_model,
    forced_migration,
    hit_rate,
)
from fineadvisor.advise.plan import PlanStep, make_plan
from fineadvisor.advise.recommend import Recommendation, price_band, recommend
from fineadvisor.advise.scenario import DAYS_PER_MONTH, DEFAULT_HIT_RATE, Scenario, default_volume_source
from fineadvisor.advise.sensitivity import Sensitivity, sensitivity
from fineadvisor.advise.timeline import months_between
from fineadvisor.errors import FineAdvisorError, UnknownPriceError
from fineadvisor.formatting import count, money, months, percent, signed_percent, unit_price
from fineadvisor.model_names import family, normalize_model, same_family

if TYPE_CHECKING:  # advise reads the measurement's values; it never imports the measuring code
    from fineadvisor.measure.analysis import LogAnalysis
    from fineadvisor.measure.quality import QualityScore
    from fineadvisor.measure.stats import Distribution


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
    lifecycle: str | None = None
    """When the logged model shuts down inside the horizon: what that means for every total (said first)."""
    plan: tuple[PlanStep, ...] = ()
    """Now / test next / watch (see `advise.plan`)."""


def _mean(d: Distribution) -> Decimal:
    return Decimal(d.total) / d.count if d.count else Decimal(0)


def _dec(x: float) -> Decimal:
    """A measured token statistic (not money) as Decimal, via its shortest repr."""
    return Decimal(repr(x))


def workload_from(a: LogAnalysis, output_tokens: int | None = None) -> Workload:
    """Per-request token means from the logs, scaled by billed ÷ counted prompt tokens where usage was logged;
    `output_tokens` (the scenario's, when set) replaces the logged output length."""
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
    if cached and static:  # the share of requests that read the cache (not of the prefix's tokens: a logged cache
        # may cover only part of the prefix); logs without that count: cached tokens ÷ static tokens
        hits = u.records_with_cache_reads
        measured = Decimal(hits) / u.records if hits and u.records else min(Decimal(1), cached / static)
    low, high = min(_dec(out.p50), expected), max(_dec(out.p95), expected)
    if output_tokens is not None:
        low = expected = high = Decimal(output_tokens)
    return Workload(
        static_tokens=static, few_shot_tokens=_mean(p.few_shot_tokens) * cal,
        dynamic_tokens=dynamic, query_tokens=_mean(p.query_tokens) * cal or dynamic,
        output_tokens_low=low, output_tokens=expected,
        output_tokens_high=high, examples=a.readiness.usable_examples,
        templates=max(1, p.templates), few_shot_examples=p.few_shot_examples, measured_hit_rate=measured,
        calibration=cal, calibrated=bool(u.records),
        logged_cached_tokens=cached, logged_cache_write_tokens=written,
        reasoning_tokens=Decimal(u.reasoning_tokens) / u.records if u.records else Decimal(0),
    )


def build_strategies(w: Workload, prices: ModelPrices, s: Scenario, catalog: Catalog,
                     ) -> tuple[tuple[StrategyCost, ...], list[str]]:
    """Cost every strategy the catalog can price; say which could not be priced and why."""
    warnings: list[str] = []
    successor = _successor(prices, s, catalog, warnings)

    def on_logged(fn: Callable[..., StrategyCost], *args: object) -> StrategyCost:
        """A strategy on the logged model: a forced migration when that model shuts down inside the horizon."""
        cost = replace(fn(w, prices, s, *args), price_tier=prices.tier)
        life = prices.lifecycle
        if life is None or not ends_within(life.available_until, s):
            return cost
        if successor is None:
            return replace(cost, available_until=life.available_until)
        return forced_migration(cost, fn(w, successor, s, *args), life.available_until, successor.model, s)

    def on_logged_model(fn: Callable[..., StrategyCost], target: ModelPrices, *args: object) -> StrategyCost:
        """A strategy on another model, from the start (its own end date, if any, stops it)."""
        cost = replace(fn(w, prices, target, s, *args), price_tier=target.tier)
        life = target.lifecycle
        return replace(cost, available_until=life.available_until) if life and ends_within(life.available_until, s) \
            else cost

    out = [on_logged(cost_as_logged)]
    if w.few_shot_tokens > 0:
        out.append(on_logged(cost_prompt_only))
    if s.prompt_caching:
        out.append(on_logged(cost_prompt_caching))
    try:
        out.append(on_logged(cost_rag, catalog.embedding(s.rag_embedding), catalog.vector_store(s.rag_vector_store)))
    except UnknownPriceError as exc:
        warnings.append(f"RAG not priced: {exc}")
    others = ([prices.lifecycle.successor] if prices.lifecycle and prices.lifecycle.successor else []) + [
        m for m in s.consider_models]
    reference = out[0].then or out[0]  # what the logged prompt costs on the model it will run on
    for tier in cheaper_tiers(w, prices, s, catalog, reference, exclude=others):
        cost = on_logged_model(cost_switch_model, tier)
        out.append(replace(cost, notes=(f"a cheaper model of {prices.provider}'s current line-up (named in its "
                                        "retirement notices), priced without --consider-model", *cost.notes)))
    for other in dict.fromkeys(others):
        try:
            target = catalog.model_prices(other, on=s.start)
        except UnknownPriceError as exc:
            warnings.append(f"switching to {other} not priced: {exc}")
            continue
        if target.model == prices.model:
            continue
        life = prices.lifecycle
        early = successor is not None and life is not None and successor.model == target.model
        # moving early to the successor is the forced migration's second leg, sooner: priced the same way
        cost = on_logged_model(cost_switch_model, target, not early)
        if early and life is not None:
            cost = replace(cost, early_move=True, label=f"Move to {target.model} now rather than on "
                                                         f"{life.available_until:%Y-%m-%d}, same prompt")
        out.append(cost)
    offer_ids = s.fine_tune_offers or tuple(
        o.id for o in catalog.offers.values() if o.new_jobs_until is None or o.new_jobs_until >= s.start)
    for offer_id in offer_ids:
        offer = catalog.offer(offer_id)  # an unknown id is the user's error: raise
        cost = replace(cost_fine_tune(w, offer, s, catalog.open_models.get(offer.base_model)), price_tier=offer.tier)
        life = catalog.lifecycles.get(offer.id)  # the offer's own platform schedule (Azure, Vertex)
        if life is not None and cost.available_until is None:
            if life.earliest and ends_within(life.available_until, s):
                cost = replace(cost, unfit=f"at risk: {offer.id} may be discontinued any time after "
                                           f"{life.available_until:%Y-%m-%d} with 6 months' notice ({life.source}; "
                                           f"{life.tier} source); no final date is known")
            elif not life.earliest:
                cost = replace(cost, available_until=life.available_until,
                               new_jobs_until=cost.new_jobs_until or life.new_jobs_until,
                               notes=(*cost.notes, f"its platform retires it on {life.available_until:%Y-%m-%d} "
                                                   f"({life.tier} source)"))
        if not same_family(offer.base_model, prices.model):
            cost = replace(cost, notes=(*cost.notes, f"tunes {offer.base_model}, not the logged {prices.model}: "
                                                      "re-check quality on your evals"))
        out.append(cost)
    try:
        model = catalog.open_model(s.self_host_model)
        gpu = catalog.gpu(s.self_host_gpu or model.gpu)
        out.append(replace(cost_self_hosted(w, model, gpu, s), price_tier=gpu.tier))
    except UnknownPriceError as exc:
        warnings.append(f"self-hosting not priced: {exc}")
    return tuple(widened(c) for c in out), warnings


MAX_CHEAPER_TIERS = 2
"""How many cheaper models of the logged vendor's current line-up are priced without being asked for."""


def cheaper_tiers(w: Workload, prices: ModelPrices, s: Scenario, catalog: Catalog, reference: StrategyCost,
                  exclude: list[str]) -> list[ModelPrices]:
    """The (at most two) models of the logged provider's current line-up on which the logged prompt costs less per
    request than `reference` (the logged setup, or its successor when the logged model retires), cheapest first."""
    found: list[tuple[Decimal, ModelPrices]] = []
    for name in catalog.current_models(prices.provider):
        if name in exclude or name == prices.model:
            continue
        try:
            target = catalog.model_prices(name, on=s.start)
        except UnknownPriceError:
            continue
        cost = cost_switch_model(w, prices, target, s)
        if target.model != prices.model and cost.per_request_usd < reference.per_request_usd:
            found.append((cost.per_request_usd, target))
    return [t for _, t in sorted(found, key=lambda x: x[0])[:MAX_CHEAPER_TIERS]]


def across_sample(analysis: LogAnalysis, w: Workload, s: Scenario, rec: Recommendation,
                  again: Callable[[Workload, Scenario], Recommendation]) -> str:
    """Whether the recommendation holds at the ends of the sample's 95% intervals: static, dynamic and output tokens
    per request all at their low ends, then all at their high ends, each with the measured cache-hit share at its
    low and at its high end (when the logs measure one)."""
    sample = analysis.sample
    assert sample is not None
    hit_ci = sample.cache_hit_share_ci95 if w.measured_hit_rate is not None else None

    def at(end: str, hit_end: str | None) -> Workload:
        def scaled(value: Decimal, part: str) -> Decimal:
            e = sample.of(part)
            bound = getattr(e.mean_ci95, end)
            return value * Decimal(repr(bound)) / Decimal(repr(e.mean)) if e.mean else value
        moved = replace(w, static_tokens=scaled(w.static_tokens, "static"),
                        dynamic_tokens=scaled(w.dynamic_tokens, "dynamic"), output_tokens=scaled(w.output_tokens,
                        "output"), few_shot_tokens=scaled(w.few_shot_tokens, "static"))
        if hit_end is None or hit_ci is None or not w.measured_hit_rate:
            return moved
        hit = Decimal(repr(getattr(hit_ci, hit_end)))
        return replace(moved, measured_hit_rate=hit,
                       logged_cached_tokens=w.logged_cached_tokens * hit / w.measured_hit_rate)

    ends = [(end, hit_end) for end in ("low", "high") for hit_end in (("low", "high") if hit_ci else (None,))]
    results = {(end, hit_end): again(at(end, hit_end), s) for end, hit_end in ends}
    others = {k: r.strategy for k, r in results.items()}
    if all(o == rec.strategy for o in others.values()):
        what = "tokens per request" + (" and the cache-hit share" if hit_ci else "")
        return (f"holds across the sample's 95% intervals ({what} at their low and at their high ends): a full "
                "count would most likely not change it")
    moved = "; ".join(f"with tokens per request at the {end} ends{f' and cache hits at the {hit_end}' if hit_end else ''}"
                      f": {results[end, hit_end].label or 'keep the logged setup'}"
                      for (end, hit_end), o in others.items() if o != rec.strategy)
    return (f"sampled: the choice is not settled by this sample ({moved}); sample more lines (--sample) or count "
            "the whole log")


def knowledge_rules(s: Scenario) -> Scenario:
    """With `knowledge_changes`: a fine-tune is retrained monthly and the RAG corpus re-embedded monthly, unless
    those were set."""
    if not s.knowledge_changes:
        return s
    update: dict[str, object] = {}
    if "retrain_every_months" not in s.model_fields_set:
        update["retrain_every_months"] = 1
    if "rag_reindex_share_per_month" not in s.model_fields_set:
        update["rag_reindex_share_per_month"] = Decimal(1)
    return s.model_copy(update=update) if update else s


def widened(c: StrategyCost) -> StrategyCost:
    """The low / high per-request figures widened by the price band of the strategy's source tier.

    Formula: low × (1 − band), high × (1 + band), band = PRICE_BAND[tier] (0 for a provider's own page)."""
    band = price_band(c)
    if not band:
        return c
    return replace(c, per_request_low_usd=c.per_request_low_usd * (1 - band),
                   per_request_high_usd=c.per_request_high_usd * (1 + band))


def ends_within(until: date, s: Scenario) -> bool:
    """Whether a model that stops serving on `until` stops before the end of the scenario's horizon."""
    return months_between(s.start, until) < s.horizon_months


def _successor(prices: ModelPrices, s: Scenario, catalog: Catalog, warnings: list[str]) -> ModelPrices | None:
    """The priced successor of the logged model when it shuts down inside the horizon (None: it does not, or its
    successor cannot be priced — then the strategies on it stop at the date, and a warning says why)."""
    life = prices.lifecycle
    if life is None or not ends_within(life.available_until, s):
        return None
    if life.successor is None:
        warnings.append(f"{prices.model} shuts down on {life.available_until:%Y-%m-%d} and no successor is known: the "
                        "strategies on it stop then (name one with --model to price the move)")
        return None
    try:
        return catalog.model_prices(life.successor, on=max(s.start, life.available_until))
    except UnknownPriceError as exc:
        warnings.append(f"{prices.model} shuts down on {life.available_until:%Y-%m-%d}; its successor "
                        f"{life.successor} cannot be priced ({exc}): the strategies on it stop then")
        return None


def _batch_baseline(w: Workload, prices: ModelPrices, s: Scenario, catalog: Catalog) -> StrategyCost | None:
    """The logged setup under the Batch API, when the scenario does not assume it and the model has a batch price."""
    if s.batch or prices.batch_input_usd_per_mtok is None or prices.batch_output_usd_per_mtok is None:
        return None
    try:
        return build_strategies(w, prices, s.model_copy(update={"batch": True}), catalog)[0][0]
    except UnknownPriceError:
        return None


def lifecycle_notice(prices: ModelPrices, baseline: StrategyCost, s: Scenario) -> str | None:
    """One sentence: the logged model's end date inside the horizon, and what the totals do about it."""
    life = prices.lifecycle
    if life is None or not ends_within(life.available_until, s):
        return None
    left = months_between(s.start, life.available_until)
    when = (f"shut down on {life.available_until:%Y-%m-%d}, before {s.start:%Y-%m-%d}" if left <= 0 else
            f"shuts down on {life.available_until:%Y-%m-%d}, {months(left)} from {s.start:%Y-%m-%d}")
    source = f"{life.source}, checked {life.checked:%Y-%m-%d}" + ("" if life.tier == "primary" else f"; {life.tier} "
                                                                    "source")
    head = f"The logged model {life.id} {when} ({source})"
    if baseline.then is None and left > 0:
        return f"{head}: every strategy on it stops then, and no successor could be priced."
    hours = s.migration_hours + s.eval_hours
    cost = money(hours * s.labour_usd_per_hour)
    moved = "on that date" if left > 0 else "from the start"
    chosen = "our choice: the newest priced model of the same tier (no provider recommendation found)" \
        if "our choice" in life.notes else "the provider's recommended successor"
    certain = "cannot stay as it is" if life.tier == "primary" else \
        "cannot stay as it is if that date holds (it is not confirmed on the provider's own page)"
    return (f"{head}: the logged setup {certain}. Every total below moves it to {life.successor}, {chosen}, "
            f"{moved}, with {hours:f} h of migration and evaluation at {unit_price(s.labour_usd_per_hour)}/h "
            f"({cost}); alternatives are compared with that.")


def evaluate(w: Workload, prices: ModelPrices, s: Scenario, catalog: Catalog,
             quality: Mapping[str, QualityScore] | None = None,
             ) -> tuple[tuple[StrategyCost, ...], tuple[BreakEven, ...], Recommendation, list[str]]:
    """Strategies, break-even against the logged setup, and the recommendation, for one workload and scenario."""
    strategies, warnings = build_strategies(w, prices, s, catalog)
    if quality:
        strategies = with_quality(strategies, quality, prices.model)
    baseline = strategies[0]
    break_evens = tuple(find_break_even(baseline, c, s) for c in strategies[1:])
    return strategies, break_evens, recommend(strategies, baseline, w, s, break_evens), warnings


def assumptions(w: Workload, s: Scenario, prices: ModelPrices, volume_source: str,
                self_host_gpu: str | None = None, batch_source: str | None = None,
                outputs_logged: bool = True, sampled: bool = False) -> tuple[Assumption, ...]:
    """Every input the logs do not measure, with its value and whether it is a default (`sampled`: what the logs
    measure is a sample's estimate, and said so)."""
    defaults = Scenario(start=s.start)
    est = " (sampled estimate)" if sampled else ""

    def src(*fields: str) -> str:
        return "default" if all(getattr(s, f) == getattr(defaults, f) for f in fields) else "set by you"

    h = hit_rate(w, s, prices)
    hit_src = "set by you" if s.cache_hit_rate is not None else (
        f"measured from cached tokens in the logs{est}" if w.measured_hit_rate is not None else f"default {DEFAULT_HIT_RATE}")
    if s.cache_hit_rate is None and w.measured_hit_rate is not None and s.logs_requests_per_month:
        hit_src = (f"the logs' {percent(w.measured_hit_rate)} at the {count(s.logs_requests_per_month)} requests/month "
                   f"they were captured at (set by you), moved to your traffic: 1 − (1 − m)^(λ'/λ) with λ'/λ = "
                   f"{s.requests_per_month / s.logs_requests_per_month:.3g} (Poisson arrivals, same templates "
                   "and TTL)")
    elif s.cache_hit_rate is None and h < hit_rate(w, s):
        hit_src = (f"{hit_src}, capped by your traffic: 1 − e^(−λ·{prices.cache_ttl_seconds} s) with "
                   f"{count(s.requests_per_month / (DAYS_PER_MONTH * 86_400) / max(1, w.templates) * 3600)} requests "
                   f"an hour per template ({w.templates}), Poisson arrivals (give the logs' traffic, "
                   "--logs-requests-per-day, to let it rise with your volume too)")
    return (
        Assumption("requests per month", count(s.requests_per_month), volume_source),
        Assumption("monthly growth", signed_percent(s.growth_per_month, 1), src("growth_per_month")),
        Assumption("horizon", months(s.horizon_months), src("horizon_months")),
        Assumption("start", f"{s.start:%Y-%m-%d}", "today" if s.start == scenarios.today() else "set by you"),
        Assumption("Batch API", "yes" if s.batch else "no", batch_source or src("batch")),
        Assumption("prompt caching", "considered" if s.prompt_caching else "not considered", src("prompt_caching")),
        Assumption("prices", f"{prices.model} at {prices.provider}", f"{prices.source}, checked {prices.checked}"),
        Assumption("cache hit rate", percent(h), hit_src),
        Assumption("caching rule", f"caches prefixes of {prices.min_cacheable_tokens:,}+ tokens"
                                   + (f" in {prices.cache_increment_tokens}-token steps"
                                      if prices.cache_increment_tokens > 1 else "")
                                   + ("; under batch the discounts stack" if prices.batch_caching == "stacks" else
                                      "; under batch, cache reads at the standard cached rate"),
                   prices.cache_rule or "no rule known for this provider: 1,024-token minimum assumed"),
        Assumption("billed ÷ counted prompt tokens", f"{w.calibration:.3f}",
                   f"measured from usage in the logs{est}" if w.calibrated else "no usage in the logs"),
        Assumption("RAG chunks × tokens", f"{s.rag_chunks} × {s.rag_chunk_tokens}", src("rag_chunks", "rag_chunk_tokens")),
        Assumption("RAG replaces", f"the few-shot examples and {percent(s.rag_replaced_share)} of the system prompt "
                                   "(the reference part; instructions and tools stay)", src("rag_replaced_share")),
        Assumption("RAG corpus", f"{s.rag_corpus_tokens:,} tokens, {percent(s.rag_reindex_share_per_month)} re-indexed monthly",
                   "--knowledge-changes: re-embedded monthly" if s.knowledge_changes
                   and s.rag_reindex_share_per_month == 1 else src("rag_corpus_tokens", "rag_reindex_share_per_month")),
        Assumption("RAG embedding / store", f"{s.rag_embedding} ({s.rag_embedding_dimensions} dimensions) / "
                                            f"{s.rag_vector_store}",
                   src("rag_embedding", "rag_embedding_dimensions", "rag_vector_store")),
        Assumption("residual prompt after fine-tuning", f"{s.residual_prompt_tokens} tokens", src("residual_prompt_tokens")),
        Assumption("training examples", f"{s.training_examples or w.examples:,}",
                   "set by you" if s.training_examples else f"usable examples in the logs{est}"),
        Assumption("epochs", str(s.epochs) if s.epochs else "OpenAI's auto rule", src("epochs")),
        Assumption("validation tokens", f"{percent(s.validation_share)} of training", src("validation_share")),
        Assumption("retraining", f"every {months(s.retrain_every_months)}",
                   "--knowledge-changes: each change, monthly" if s.knowledge_changes and s.retrain_every_months == 1
                   else src("retrain_every_months")),
        Assumption("labour", f"{s.data_prep_hours} h data prep + {s.eval_hours} h evaluation per model or change, "
                             f"RAG build {s.rag_setup_hours} h, {s.migration_hours} h migration when a model shuts "
                             f"down, at {unit_price(s.labour_usd_per_hour)}/h",
                   src("labour_usd_per_hour", "data_prep_hours", "eval_hours", "rag_setup_hours", "migration_hours")),
        Assumption("materiality", f"a change must save {percent(s.min_saving_share)} of the logged setup's cost over "
                                  f"the horizon, and a change of behaviour at least {money(s.min_saving_usd)}",
                   src("min_saving_share", "min_saving_usd")),
        Assumption("self-hosting", f"{s.self_host_model} on {s.self_host_gpu or self_host_gpu or 'its default GPU'}, "
                                   f"MFU {s.mfu}, "
                                   f"{s.lora_flops_per_param_token}·N·D FLOPs, {s.run_overhead_hours} h overhead per run, "
                                   f"peak ÷ average load {s.peak_to_average}, serving at prefill MFU {s.serving_mfu} and "
                                   f"{percent(s.decode_bandwidth_share)} of the memory bandwidth, "
                                   f"{s.ops_hours_per_month} h of operations a month",
                   src("self_host_model", "self_host_gpu", "mfu", "lora_flops_per_param_token", "run_overhead_hours",
                       "peak_to_average", "serving_mfu", "decode_bandwidth_share", "ops_hours_per_month")),
        Assumption("reasoning", f"{s.reasoning_multiplier} hidden tokens per output token on a reasoning model",
                   f"measured in the logs{est}" if w.reasoning_tokens else src("reasoning_multiplier")),
        Assumption("output tokens (low / expected / high)",
                   f"{count(w.output_tokens_low)} / {count(w.output_tokens)} / {count(w.output_tokens_high)}",
                   "set by you (--output-tokens)" if s.output_tokens is not None else
                   f"p50 / mean / p95 of the logged outputs{est}" if outputs_logged else
                   "UNKNOWN: the logs hold no outputs, so none are priced; set --output-tokens N"),
    )


def with_quality(strategies: tuple[StrategyCost, ...], quality: Mapping[str, QualityScore], logged_model: str,
                 ) -> tuple[StrategyCost, ...]:
    """Attach measured pass rates: by strategy id, or by model name (the logged setup for the logged model,
    "Switch to M" for M)."""
    by_model = {normalize_model(k): v for k, v in quality.items()} | {family(k): v for k, v in quality.items()}
    out = []
    for c in strategies:
        score = quality.get(c.id)
        if score is None and c.id == "as_logged":
            score = by_model.get(normalize_model(logged_model)) or by_model.get(family(logged_model))
        if score is None and c.id.startswith("switch_model:"):
            score = by_model.get(normalize_model(c.id.split(":", 1)[1]))
        out.append(replace(c, pass_rate=score.pass_rate, quality_n=score.n) if score is not None else c)
    return tuple(out)


def estimate(analysis: LogAnalysis, scenario: Scenario | None = None, catalog: Catalog | None = None,
             *, volume_source: str | None = None, quality: Mapping[str, QualityScore] | None = None) -> Estimate:
    """Cost every strategy for the measured workload, find break-evens and recommend one.

    Args:
        analysis: the result of `analyze_logs`.
        quality: measured pass rates (`fineadvisor.measure.quality.read_quality`), by strategy id or model.
        scenario: volume, horizon and assumptions (defaults: `Scenario()`).
        catalog: prices (default: `load_catalog()`).
        volume_source: how the volume was chosen, echoed with the assumptions (default: says whether it is
            the scenario's default or was set).

    Returns:
        An `Estimate`; raises `UnknownPriceError` when the model or a requested offer has no price.
    """
    try:
        return _estimate(analysis, scenario, catalog, volume_source, quality or {})
    except ArithmeticError as exc:  # decimal.Overflow / InvalidOperation: numbers no plan has
        raise FineAdvisorError(f"the scenario and prices give amounts too large to compute ({type(exc).__name__}); "
                               "check the volume, growth, labour and price figures") from None


def _estimate(analysis: LogAnalysis, scenario: Scenario | None, catalog: Catalog | None,
              volume_source: str | None, quality: Mapping[str, QualityScore]) -> Estimate:
    s = knowledge_rules(scenario or Scenario())
    batch_source = "set by you"
    if s.batch is None:
        sources = dict(analysis.profile.sources)
        batch_lines = sources.get("batch_input", 0) + sources.get("batch_output", 0)
        auto = batch_lines * 2 > analysis.profile.records
        s = s.model_copy(update={"batch": auto})
        batch_source = "the logs are Batch API lines" if auto else "default: the logs are not Batch API lines"
    if volume_source is None:
        volume_source = (default_volume_source() if s.requests_per_month == Scenario(start=s.start).requests_per_month
                         else "set by you")
    cat = catalog or load_catalog()
    model = s.model or analysis.model
    prices = cat.model_prices(model, on=s.start)
    w = replace(workload_from(analysis, s.output_tokens), model=prices.model)
    strategies, break_evens, rec, warnings = evaluate(w, prices, s, cat, quality)
    if analysis.profile.records_with_prompt < analysis.profile.records:
        missing = analysis.profile.records - analysis.profile.records_with_prompt
        warnings.append(f"{missing:,} records carry billed usage but no prompt (usage-only exports such as OpenRouter "
                        "generations or LiteLLM spend logs without stored prompts, or Batch API output lines without "
                        "their input file): they count in totals and costs from their billed usage, priced as dynamic "
                        f"input; the static/dynamic split comes from the {analysis.profile.records_with_prompt:,} "
                        "records with a prompt")
    if s.batch and (prices.batch_input_usd_per_mtok is None or prices.batch_output_usd_per_mtok is None):
        warnings.append(f"the Batch API is assumed, but no batch price is known for {prices.model}: it is priced at "
                        "its standard rates, not discounted (add batch_input_usd_per_mtok with --pricing FILE)")
    models = analysis.profile.models
    if len(models) > 1 and sum(n for _, n in models[1:]) >= Decimal("0.1") * sum(n for _, n in models):
        others = ", ".join(f"{m} ({n:,})" for m, n in models[1:4])
        warnings.append(f"the logs mix models: everything is priced as {model}, but {others} requests name "
                        "other models; estimate each model's logs separately (--model or split files)")
    outputs_logged = analysis.profile.output_tokens.count > 0
    if not outputs_logged and s.output_tokens is None:
        warnings.append("the logs hold no outputs, so the output length is unknown and every strategy is priced "
                        "without output tokens; give the length with --output-tokens N (in the app: Output tokens "
                        "per request)")
    if analysis.approximate:
        warnings.append("token counts are approximate for this model (see approximate_reasons)")
    gpu = s.self_host_gpu or (cat.open_models[s.self_host_model].gpu if s.self_host_model in cat.open_models else None)

    def again(w2: Workload, s2: Scenario) -> Recommendation:
        return evaluate(w2, prices, s2, cat, quality)[2]

    if analysis.sample is not None:
        rec = replace(rec, reasons=(*rec.reasons, across_sample(analysis, w, s, rec, again)))

    return Estimate(s, w, prices, model, strategies, strategies[0].id, break_evens, rec, sensitivity(w, s, rec, again),
                    assumptions(w, s, prices, volume_source, gpu, batch_source, outputs_logged,
                                analysis.sample is not None), tuple(warnings),
                    analysis, lifecycle_notice(prices, strategies[0], s),
                    make_plan(rec, strategies[0], w, s, break_evens, prices.lifecycle, _batch_baseline(w, prices, s, cat)))
