"""Cost of each strategy, in Decimal USD: per request, fixed per month, and one-off, with line items.

Every function is pure: a `Workload` (token means from the logs), prices and a `Scenario` in, a
`StrategyCost` out. Tokens become dollars in one place, `usd()`: tokens × USD per million ÷ 1,000,000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from fineadvisor.advise.catalog import (
    EmbeddingPrice,
    FineTuneOffer,
    GpuPrice,
    ModelPrices,
    OpenModel,
    VectorStorePrice,
)
from fineadvisor.advise.scenario import DAYS_PER_MONTH, HOURS_PER_MONTH, Scenario
from fineadvisor.fine_tuning_rules import default_epochs
from fineadvisor.formatting import percent, quantity, unit_price

BASELINE = "as_logged"
"""The id of the logged setup, the strategy every other is compared with."""
MILLION = Decimal(1_000_000)
ZERO = Decimal(0)
DEFAULT_HIT_RATE = Decimal("0.8")
BYTES_PER_DIMENSION = 4
INDEX_OVERHEAD = Decimal("1.5")
"""Vector index size ÷ raw float32 vectors (HNSW graph and metadata); an assumption."""


def usd(tokens: Decimal | int, usd_per_mtok: Decimal) -> Decimal:
    """Formula: usd = tokens × usd_per_mtok ÷ 1,000,000."""
    return Decimal(tokens) * usd_per_mtok / MILLION


@dataclass(frozen=True, slots=True)
class Workload:
    """Per-request token means measured from the logs (calibrated to billed usage), and training data size."""

    static_tokens: Decimal
    """System/developer messages + tool schemas + few-shot examples."""
    few_shot_tokens: Decimal
    dynamic_tokens: Decimal
    """Conversation history + final turn (+ reply priming)."""
    query_tokens: Decimal
    output_tokens_low: Decimal
    output_tokens: Decimal
    output_tokens_high: Decimal
    examples: int
    """Usable training examples in the logs."""
    templates: int
    few_shot_examples: int = 0
    """Distinct few-shot examples found in the logged prompts."""
    measured_hit_rate: Decimal | None = None
    logged_cached_tokens: Decimal = Decimal(0)
    """Prompt tokens per request the logs show read from the provider's cache (billed at the cached rate)."""
    logged_cache_write_tokens: Decimal = Decimal(0)
    """Prompt tokens per request the logs show written to the cache (billed at the write rate)."""
    calibration: Decimal = Decimal(1)
    """Billed ÷ counted prompt tokens (1 when the logs carry no usage)."""
    calibrated: bool = False
    """True when `calibration` was measured from billed usage in the logs."""
    reasoning_tokens: Decimal = Decimal(0)
    """Hidden reasoning tokens per request the logs show billed (part of the output)."""
    model: str | None = None
    """The model the logs ran on: its billed cache reads stand even where a minimum-prefix rule says otherwise."""

    @property
    def input_tokens(self) -> Decimal:
        """Formula: input = static + dynamic."""
        return self.static_tokens + self.dynamic_tokens


BEHAVIOUR_CHANGING = frozenset({"rag", "fine_tune", "self_hosted"})
"""Kinds of strategy whose answers differ from the logged setup's (as do zero-shot and another model): they must
be evaluated before they replace it."""


@dataclass(frozen=True, slots=True)
class LineItem:
    """One term of a strategy's cost, with the arithmetic behind it."""

    name: str
    kind: Literal["per_request", "monthly", "one_off", "per_retraining", "at_switch"]
    usd: Decimal
    formula: str


@dataclass(frozen=True, slots=True)
class StrategyCost:
    """What a strategy costs: per request (low / expected / high output), fixed per month, one-off, per retraining.

    `advise.timeline` turns these into the month-by-month cash flow every total, chart and break-even reads.
    """

    id: str
    label: str
    per_request_usd: Decimal
    per_request_low_usd: Decimal
    per_request_high_usd: Decimal
    fixed_monthly_usd: Decimal
    one_off_usd: Decimal
    line_items: tuple[LineItem, ...]
    available_until: date | None = None
    new_jobs_until: date | None = None
    notes: tuple[str, ...] = ()
    kind: Literal["prompting", "caching", "rag", "fine_tune", "self_hosted"] = "prompting"
    retrain_usd: Decimal = ZERO
    """Cost of one retraining (training + evaluation), charged in the month it happens (not in `fixed_monthly_usd`)."""
    retrain_every_months: int | None = None
    switch_at: date | None = None
    """A forced migration: the model this strategy runs on stops serving on this date, and from the first month that
    begins on or after it the strategy runs as `then` (its successor), paying `switch_usd` once."""
    then: StrategyCost | None = None
    price_tier: str = "primary"
    """The tier of its price source (primary / database / third_party): how far its total may be off."""
    unfit: str | None = None
    """Why it cannot run as sized (e.g. the model does not fit the GPU's memory): not recommendable."""
    pass_rate: Decimal | None = None
    """The pass rate you measured for it (`--quality`), if any."""
    quality_n: int = 0
    """How many answers that pass rate rests on."""
    early_move: bool = False
    """A move to the model the logged setup must move to anyway, only sooner: no change of behaviour beyond the
    baseline's own."""
    switch_usd: Decimal = ZERO
    """One-off cost of moving to `then` (migration and evaluation labour), in the first month on the successor."""

    @property
    def changes_behaviour(self) -> bool:
        """Whether its answers may differ from the logged setup's (caching and batch keep them; dropping the examples,
        retrieval, fine-tuning and another model do not)."""
        if self.early_move:
            return False
        return self.kind in BEHAVIOUR_CHANGING or self.id == "prompt_only" or self.id.startswith("switch_model:")

    @property
    def usd_per_success(self) -> Decimal | None:
        """Formula: per_request ÷ pass rate (None without a measured pass rate, or when it is 0)."""
        return self.per_request_usd / self.pass_rate if self.pass_rate else None

    def monthly_usd(self, requests_per_month: Decimal) -> Decimal:
        """Formula: monthly_usd = fixed_monthly_usd + per_request_usd × requests_per_month (one-offs and retraining
        excluded: the running cost of a month without a retraining)."""
        return self.fixed_monthly_usd + self.per_request_usd * requests_per_month


def _requests(items: list[tuple[str, Decimal, Decimal]], output_price: Decimal, w: Workload,
              ) -> tuple[Decimal, Decimal, Decimal, list[LineItem]]:
    """Per-request cost of input items (name, tokens, $/MTok) plus output at low / expected / high lengths."""
    lines: list[LineItem] = []
    input_usd = ZERO
    for name, tokens, price in items:
        if tokens == 0:
            continue
        cost = usd(tokens, price)
        input_usd += cost
        lines.append(LineItem(name, "per_request", cost, f"{quantity(tokens)} tokens × {unit_price(price)}/MTok"))
    out = usd(w.output_tokens, output_price)
    lines.append(LineItem("output", "per_request", out,
                          f"{quantity(w.output_tokens)} tokens × {unit_price(output_price)}/MTok"))
    return (input_usd + out, input_usd + usd(w.output_tokens_low, output_price),
            input_usd + usd(w.output_tokens_high, output_price), lines)


def _prices(p: ModelPrices, batch: bool) -> tuple[Decimal, Decimal, str]:
    if batch and p.batch_input_usd_per_mtok is not None and p.batch_output_usd_per_mtok is not None:
        return p.batch_input_usd_per_mtok, p.batch_output_usd_per_mtok, " (batch)"
    return p.input_usd_per_mtok, p.output_usd_per_mtok, ""


def no_batch_price(p: ModelPrices, s: Scenario) -> tuple[str, ...]:
    """The note a strategy carries when batch is asked for and the model has no batch price (never list price
    silently)."""
    if s.batch and (p.batch_input_usd_per_mtok is None or p.batch_output_usd_per_mtok is None):
        return (f"no Batch API price is known for {p.model}: priced at its standard rates, not discounted",)
    return ()


def cache_prices(p: ModelPrices, batch: bool) -> tuple[Decimal, Decimal]:
    """(cache read, cache write) USD per MTok, under the Batch API by the provider's rule.

    Formula, with r = batch input ÷ input: "stacks" (Anthropic, Gemini 3.x) read = cached × r, write = write × r;
    "standard_cached" (OpenAI, Gemini 2.5) read = min(cached, batch input), write = write × r. Without batch (or
    without a batch price): the standard cached and write prices."""
    if not batch or p.batch_input_usd_per_mtok is None or p.batch_output_usd_per_mtok is None or not p.input_usd_per_mtok:
        return p.cached_input_usd_per_mtok, p.cache_write_usd_per_mtok
    r = p.batch_input_usd_per_mtok / p.input_usd_per_mtok
    write = p.cache_write_usd_per_mtok * r
    if p.batch_caching == "stacks":
        return p.cached_input_usd_per_mtok * r, write
    return min(p.cached_input_usd_per_mtok, p.batch_input_usd_per_mtok), write


def cacheable(tokens: Decimal, p: ModelPrices) -> Decimal:
    """The part of a static prefix the provider can cache: 0 below its minimum, else rounded down to its billing step
    (OpenAI: 128 tokens). Formula: ⌊tokens ÷ step⌋ × step when tokens ≥ minimum, else 0."""
    if tokens < p.min_cacheable_tokens:
        return ZERO
    step = p.cache_increment_tokens
    return (tokens // step) * step if step > 1 else tokens


def logged_cache(w: Workload, p: ModelPrices, s: Scenario) -> tuple[Decimal, Decimal]:
    """Per-request (cache reads, cache writes) of the logs' own caching, on model `p` at the scenario's hit rate.

    Formula: reads = R × h, writes = M × (1 − h), with R = logged reads ÷ m (the prefix one hit reads), M = logged
    writes ÷ (1 − m) (what one miss writes; the logged writes when m = 1), m the logs' hit rate, h = `hit_rate`;
    reads 0 (and the prefix written at most) when R is below `p`'s minimum cacheable prefix."""
    cached, written, m = w.logged_cached_tokens, w.logged_cache_write_tokens, w.measured_hit_rate
    if m == 0:
        return ZERO, written
    if not cached or m is None:  # no reads, or no hit rate to move them with: as logged
        return cached, written
    h = hit_rate(w, s, p)
    read = min(cached / m, w.input_tokens)
    write = written / (1 - m) if m < 1 else written
    if _below_minimum(w, p):
        return ZERO, ZERO
    return read * h, min(write * (1 - h) if m < 1 else write, max(ZERO, w.input_tokens - read * h))


def _below_minimum(w: Workload, p: ModelPrices) -> bool:
    """Whether the prefix the logs read from the cache (per hit) is below `p`'s minimum cacheable length (never for
    the logged model itself: its billed reads stand)."""
    m = w.measured_hit_rate
    return bool(w.logged_cached_tokens and m and p.model != w.model
                and min(w.logged_cached_tokens / m, w.input_tokens) < p.min_cacheable_tokens)


def logs_cache(w: Workload) -> bool:
    """Whether the logs show the provider's prompt cache in use (reads or writes billed)."""
    return bool(w.logged_cached_tokens or w.logged_cache_write_tokens)


def _logged_prompt(w: Workload, p: ModelPrices, s: Scenario, tag: str, inp: Decimal, cache_prefix: bool = False,
                   ) -> tuple[list[tuple[str, Decimal, Decimal]], tuple[str, ...]]:
    """Input items of the logged prompt on model `p`: the logs' caching at the scenario's hit rate; with no caching
    in the logs, the static prefix cached at the hit rate when `cache_prefix` (and caching is considered)."""
    if not logs_cache(w):
        if cache_prefix and s.prompt_caching and cacheable(w.static_tokens, p):
            return ([*_static(w.static_tokens, w, p, s, inp, tag), (f"dynamic input{tag}", w.dynamic_tokens, inp)],
                    ("the logs show no prompt caching: its static prefix is priced cached on the new model",))
        return [(f"input{tag}", w.input_tokens, inp)], ()
    cached, written = logged_cache(w, p, s)
    read_price, write_price = cache_prices(p, bool(s.batch))
    notes: tuple[str, ...] = ()
    h = hit_rate(w, s, p)
    if w.measured_hit_rate is not None and h != w.measured_hit_rate:
        notes = (f"the logs' caching at a {percent(h)} hit rate (measured {percent(w.measured_hit_rate)}) for your "
                 "traffic",)
    if _below_minimum(w, p):
        notes = (f"the logged cached prefix is below {p.model}'s {p.min_cacheable_tokens:,}-token minimum: nothing "
                 "is cached", )
    return [(f"input{tag}", w.input_tokens - cached - written, inp),
            (f"cached input (as logged){tag}", cached, read_price),
            (f"cache writes (as logged){tag}", written, write_price)], notes


def cost_as_logged(w: Workload, p: ModelPrices, s: Scenario) -> StrategyCost:
    """The logged setup as it is (with its few-shot examples, if any, and the prompt caching the logs show).

    Formula: per_request = (input − cached − written) × input_price + cached × cached_price
    + written × write_price + output × output_price (cached / written: `logged_cache`, the logs' caching at the
    scenario's hit rate).
    """
    inp, out, tag = _prices(p, bool(s.batch))
    items, notes = _logged_prompt(w, p, s, tag, inp)
    total, low, high, lines = _requests(items, out, w)
    examples = (f", {w.few_shot_examples} few-shot example{'s' if w.few_shot_examples != 1 else ''}"
                if w.few_shot_examples else "")
    return StrategyCost(BASELINE, f"As logged ({p.model}{tag}{examples})", total, low, high, ZERO, ZERO, tuple(lines),
                        notes=(*no_batch_price(p, s), *notes))


def _static(tokens: Decimal, w: Workload, p: ModelPrices, s: Scenario, price: Decimal, tag: str,
            ) -> list[tuple[str, Decimal, Decimal]]:
    """Input items for a static prompt part: its cacheable part cached at the hit rate when caching is considered."""
    part = cacheable(tokens, p) if s.prompt_caching else ZERO
    if part:
        h = hit_rate(w, s, p)
        read, write = cache_prices(p, bool(s.batch))
        items = [(f"static prompt, cache reads{tag}", part * h, read),
                 (f"static prompt, cache writes{tag}", part * (1 - h), write)]
        return items + ([(f"static prompt, past the last cached step{tag}", tokens - part, price)] if tokens > part
                        else [])
    return [(f"static prompt{tag}", tokens, price)]


def cost_prompt_only(w: Workload, p: ModelPrices, s: Scenario) -> StrategyCost:
    """The logged prompt without its few-shot examples (its static part cached like the logged setup's could be).

    Formula: per_request = static_without_few_shot × (hit × cached + (1 − hit) × write price, when cacheable;
    else input price) + dynamic × input + output.
    """
    inp, out, tag = _prices(p, bool(s.batch))
    items = [*_static(w.static_tokens - w.few_shot_tokens, w, p, s, inp, tag),
             (f"dynamic input{tag}", w.dynamic_tokens, inp)]
    total, low, high, lines = _requests(items, out, w)
    evaluation = _evaluation(s, "without the examples")
    return StrategyCost("prompt_only", f"Zero-shot: prompt without the examples ({p.model}{tag})", total, low, high,
                        ZERO, evaluation.usd, (*lines, evaluation),
                        notes=("quality without the examples is not measured here; test it on your evals",
                               *no_batch_price(p, s)))


def _evaluation(s: Scenario, what: str) -> LineItem:
    """The one-off evaluation a behaviour change needs before it replaces the logged setup."""
    return LineItem(f"evaluate the answers {what}", "one_off", s.eval_hours * s.labour_usd_per_hour,
                    f"{quantity(s.eval_hours)} h × {unit_price(s.labour_usd_per_hour)}/h")


def cost_switch_model(w: Workload, logged: ModelPrices, p: ModelPrices, s: Scenario,
                      cache_prefix: bool = True) -> StrategyCost:
    """The logged prompt, as it is, on another model `p` (no fine-tune), from the start.

    Formula: per_request = the logged prompt's input on `p` (`_logged_prompt`: the logs' caching at the hit rate;
    with none in the logs and `cache_prefix`, the static prefix cached by `p`'s rule) + output; monthly = cache
    storage where charged; one-off = (migration + evaluation hours) × labour rate. Without `cache_prefix` the input
    is priced exactly as `cost_as_logged` prices it on `p` (a forced migration's successor)."""
    inp, out, tag = _prices(p, bool(s.batch))
    items, cache_notes = _logged_prompt(w, p, s, tag, inp, cache_prefix)
    thinks = is_reasoning_model(p.model) and not w.reasoning_tokens
    if thinks:  # the logged answers carry no reasoning: the target adds its own hidden tokens to every output
        items.append((f"hidden reasoning ({s.reasoning_multiplier} × the output, an assumption){tag}",
                      w.output_tokens * s.reasoning_multiplier, out))
    total, low, high, lines = _requests(items, out, w)
    part = cacheable(w.static_tokens, p) if cache_prefix and s.prompt_caching and not logs_cache(w) else ZERO
    storage = usd(part * w.templates, p.cache_storage_usd_per_mtok_hour) * HOURS_PER_MONTH if part else ZERO
    if storage:
        lines.append(LineItem("cache storage", "monthly", storage,
                              f"{quantity(part)} tokens × {w.templates} templates × "
                              f"{unit_price(p.cache_storage_usd_per_mtok_hour)}/MTok-hour × {HOURS_PER_MONTH} h"))
    hours = s.migration_hours + s.eval_hours
    move = LineItem(f"move the prompt to {p.model}", "one_off", hours * s.labour_usd_per_hour,
                    f"({quantity(s.migration_hours)} h migration + {quantity(s.eval_hours)} h evaluation) × "
                    f"{unit_price(s.labour_usd_per_hour)}/h")
    notes = ["another model answers differently: evaluate it on your logged examples before switching",
             *cache_notes, *no_batch_price(p, s)]
    if p.provider != logged.provider:
        notes.append(f"tokens counted with {logged.model}'s tokenizer: approximate for {p.provider}'s model")
    if thinks:
        notes.append(f"{p.model} is a reasoning model: its hidden reasoning tokens are billed as output and are not in "
                     f"these logs, so {s.reasoning_multiplier} per output token are assumed (--reasoning-multiplier); "
                     "measure them on a pilot")
    return StrategyCost(f"switch_model:{p.model}", f"Switch to {p.model} now, same prompt{tag}", total, low, high,
                        storage, move.usd, (*lines, move), notes=tuple(notes))


REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5", "deepseek-r1", "qwq")
"""Model-name prefixes of reasoning models (they bill hidden reasoning tokens as output)."""


def is_reasoning_model(model: str) -> bool:
    """Whether a model thinks before it answers (by name; `-thinking` variants too)."""
    name = model.lower().rsplit("/", 1)[-1]
    return name.startswith(REASONING_PREFIXES) or "thinking" in name or "reasoning" in name


def hit_rate(w: Workload, s: Scenario, p: ModelPrices | None = None) -> Decimal:
    """The cache hit rate used: the scenario's; else the one measured in the logs moved to the scenario's traffic
    (`scaled_hit_rate`) when the logs' traffic is known; else the logs' (or 0.8), capped by what the scenario's
    traffic allows (`arrival_hit_rate`) when the prices say how long the provider keeps a cache."""
    if s.cache_hit_rate is not None:
        return s.cache_hit_rate
    m = w.measured_hit_rate
    if m is not None and s.logs_requests_per_month:
        return scaled_hit_rate(m, s.requests_per_month / s.logs_requests_per_month)
    base = m if m is not None else DEFAULT_HIT_RATE
    return base if p is None else min(base, arrival_hit_rate(s.requests_per_month, w.templates, p.cache_ttl_seconds))


def scaled_hit_rate(measured: Decimal, traffic_ratio: Decimal) -> Decimal:
    """The logs' hit rate at `traffic_ratio` × the logs' traffic, by the arrival model (same templates and TTL).

    Formula: 1 − h = e^(−λ·T/k) at every rate λ, so h' = 1 − (1 − m)^(λ' ÷ λ)."""
    if measured >= 1 or not traffic_ratio:
        return measured if traffic_ratio else ZERO
    return 1 - (1 - measured) ** traffic_ratio


def arrival_hit_rate(requests_per_month: Decimal, templates: int, ttl_seconds: int) -> Decimal:
    """The share of requests that find their prefix still cached, with Poisson arrivals spread evenly over templates.

    Formula: hit = 1 − e^(−λ·T), λ = requests per month ÷ (30.4375 × 86,400 s) ÷ templates, T = the cache's TTL.
    """
    rate = requests_per_month / (DAYS_PER_MONTH * 86_400) / max(1, templates)
    return 1 - (-(rate * ttl_seconds)).exp()


def cost_prompt_caching(w: Workload, p: ModelPrices, s: Scenario) -> StrategyCost:
    """Cache the static prefix.

    Formula: per_request = cacheable × (hit × cached_price + (1 − hit) × write_price)
    + (input − cacheable) × input_price + output; cacheable = static if static ≥ the provider's minimum, else 0;
    monthly storage = storage_price × cacheable × templates × hours per month (where charged).
    """
    h = hit_rate(w, s, p)
    notes: list[str] = list(no_batch_price(p, s))
    part = cacheable(w.static_tokens, p)
    if not part:
        notes.append(f"static prefix ({quantity(w.static_tokens)} tokens) is below the {p.min_cacheable_tokens:,}-token "
                     "minimum the provider caches: nothing to cache")
    if w.logged_cached_tokens:
        notes.append("the logs show caching already in use: compare with the logged setup, not with no caching")
    inp, out, tag = _prices(p, bool(s.batch))
    read, write = cache_prices(p, bool(s.batch))
    items = [(f"cache reads{tag}", part * h, read),
             (f"cache writes (misses){tag}", part * (1 - h), write),
             (f"uncached input{tag}", w.input_tokens - part, inp)]
    total, low, high, lines = _requests(items, out, w)
    fixed = ZERO
    if p.cache_storage_usd_per_mtok_hour and part:
        fixed = usd(part * w.templates, p.cache_storage_usd_per_mtok_hour) * HOURS_PER_MONTH
        lines.append(LineItem("cache storage", "monthly", fixed,
                              f"{quantity(part)} tokens × {w.templates} templates × "
                              f"{unit_price(p.cache_storage_usd_per_mtok_hour)}/MTok-hour × {HOURS_PER_MONTH} h"))
    return StrategyCost("prompt_caching", f"Prompt caching of the static prefix (hit rate {percent(h)})", total, low,
                        high, fixed, ZERO, tuple(lines), notes=tuple(notes), kind="caching")


def cost_rag(w: Workload, p: ModelPrices, s: Scenario, embedding: EmbeddingPrice,
             store: VectorStorePrice) -> StrategyCost:
    """Retrieve k chunks instead of the few-shot block and the reference part of the system prompt.

    Formula: per_request = (static − few-shot) × (1 − replaced share) (cached like prompt-only)
    + (dynamic + k × chunk) × input_price
    + query × embed_price + store_query_price + output; monthly = max(store minimum, index GB × GB price)
    + reindex share × corpus × embed_price; one-off = corpus × embed_price + setup hours × labour rate.
    """
    inp, out, tag = _prices(p, bool(s.batch))
    retrieved = Decimal(s.rag_chunks * s.rag_chunk_tokens)
    kept = (w.static_tokens - w.few_shot_tokens) * (1 - s.rag_replaced_share)
    items = [*_static(kept, w, p, s, inp, tag),
             (f"dynamic input{tag}", w.dynamic_tokens, inp),
             (f"retrieved context ({s.rag_chunks} × {s.rag_chunk_tokens} tokens)", retrieved, inp),
             (f"query embedding ({embedding.id})", w.query_tokens, embedding.usd_per_mtok)]
    total, low, high, lines = _requests(items, out, w)
    query_usd = store.usd_per_1k_queries / 1000
    if query_usd:
        lines.append(LineItem(f"vector search ({store.id})", "per_request", query_usd,
                              f"{unit_price(store.usd_per_1k_queries)} per 1,000 queries"))
    chunks = Decimal(s.rag_corpus_tokens) / s.rag_chunk_tokens
    index_gb = chunks * s.rag_embedding_dimensions * BYTES_PER_DIMENSION * INDEX_OVERHEAD / Decimal(10**9)
    storage = max(store.minimum_usd_per_month, index_gb * store.storage_usd_per_gb_month)
    reindex = usd(Decimal(s.rag_corpus_tokens) * s.rag_reindex_share_per_month, embedding.usd_per_mtok)
    embed_once = usd(s.rag_corpus_tokens, embedding.usd_per_mtok)
    setup = s.rag_setup_hours * s.labour_usd_per_hour
    lines += [
        LineItem(f"vector store ({store.id})", "monthly", storage,
                 f"max(minimum {unit_price(store.minimum_usd_per_month)}, {index_gb:.3f} GB × "
                 f"{unit_price(store.storage_usd_per_gb_month)}/GB-month)"),
        LineItem("re-indexing", "monthly", reindex,
                 f"{percent(s.rag_reindex_share_per_month)} × {s.rag_corpus_tokens:,} tokens × "
                 f"{unit_price(embedding.usd_per_mtok)}/MTok"),
        LineItem("embed the corpus", "one_off", embed_once,
                 f"{s.rag_corpus_tokens:,} tokens × {unit_price(embedding.usd_per_mtok)}/MTok"),
        LineItem("build retrieval", "one_off", setup,
                 f"{quantity(s.rag_setup_hours)} h × {unit_price(s.labour_usd_per_hour)}/h"),
        _evaluation(s, "with retrieval"),
    ]
    replaced = f"the examples and {percent(s.rag_replaced_share)} of the system prompt" if s.rag_replaced_share else \
        "the examples"
    return StrategyCost("rag", f"RAG: {s.rag_chunks} retrieved chunks instead of {replaced} ({p.model}{tag})",
                        total + query_usd, low + query_usd, high + query_usd, storage + reindex,
                        embed_once + setup + s.eval_hours * s.labour_usd_per_hour, tuple(lines), kind="rag",
                        notes=(f"assumes a {s.rag_corpus_tokens:,}-token knowledge base; set --rag-corpus-tokens",
                               *no_batch_price(p, s)))


def forced_migration(c: StrategyCost, then: StrategyCost, until: date, model: str, s: Scenario) -> StrategyCost:
    """`c` until its model stops serving on `until`, then `then` (the same strategy on the successor `model`), paying
    the migration once. Formula: switch_usd = (migration hours + evaluation hours) × labour rate."""
    hours = s.migration_hours + s.eval_hours
    switch = hours * s.labour_usd_per_hour
    labour = (f"({quantity(s.migration_hours)} h migration + {quantity(s.eval_hours)} h evaluation) × "
              f"{unit_price(s.labour_usd_per_hour)}/h")
    if until <= s.start:  # already shut down: the strategy runs on the successor from the start
        move = LineItem(f"move to {model} (the logged model shut down on {until:%Y-%m-%d})", "one_off", switch, labour)
        named = then.label if model in then.label else f"{then.label} on {model}"
        return replace(then, id=c.id, label=f"{named}, the logged model having shut down on {until:%Y-%m-%d}",
                       one_off_usd=then.one_off_usd + switch, line_items=(*then.line_items, move),
                       notes=(*then.notes, f"the logged model shut down on {until:%Y-%m-%d}: this runs on {model}"))
    item = LineItem(f"move to {model} when the model shuts down ({until:%Y-%m-%d})", "at_switch", switch,
                    f"{labour}, in the first month on {model}")
    later = tuple(LineItem(f"{li.name}, on {model} from {until:%Y-%m-%d}", li.kind, li.usd, li.formula)
                  for li in then.line_items if li.kind in ("per_request", "monthly"))
    return replace(c, label=f"{c.label} until {until:%Y-%m-%d}, then {model}", switch_at=until, then=then,
                   switch_usd=switch, line_items=(*c.line_items, item, *later),
                   notes=(*c.notes, f"the model shuts down on {until:%Y-%m-%d}: from then on this runs on {model}"))


def training_tokens(w: Workload, s: Scenario, max_tokens_per_example: int | None) -> tuple[int, int, Decimal]:
    """(examples, epochs, billable tokens). Formula: epochs × examples × min(limit, residual + dynamic + output)."""
    n = s.training_examples or max(w.examples, 1)
    epochs = s.epochs or default_epochs(n)
    per_example = Decimal(s.residual_prompt_tokens) + w.dynamic_tokens + w.output_tokens
    if max_tokens_per_example is not None:
        per_example = min(per_example, Decimal(max_tokens_per_example))
    return n, epochs, epochs * n * per_example * (1 + s.validation_share)


def _labour_lines(s: Scenario) -> tuple[Decimal, list[LineItem]]:
    prep = s.data_prep_hours * s.labour_usd_per_hour
    evals = s.eval_hours * s.labour_usd_per_hour
    return prep + evals, [
        LineItem("prepare training data", "one_off", prep,
                 f"{quantity(s.data_prep_hours)} h × {unit_price(s.labour_usd_per_hour)}/h"),
        LineItem("evaluate the model", "one_off", evals,
                 f"{quantity(s.eval_hours)} h × {unit_price(s.labour_usd_per_hour)}/h"),
    ]


def cost_fine_tune(w: Workload, offer: FineTuneOffer, s: Scenario, serving: OpenModel | None = None) -> StrategyCost:
    """A managed fine-tune: a short residual prompt at the fine-tuned price, training, retraining, hosting.

    Formula: per_request = (residual + dynamic) × ft_input + output × ft_output;
    training = max(min_job, billable tokens × training price) (or hours × hourly price);
    monthly = hosting/h × hours per month + storage; per retraining = training + evaluation, every R months
    (charged by `advise.timeline` in the months it falls); one-off = training + (data preparation + evaluation)
    hours × labour rate.
    A dedicated endpoint (hourly hosting, no per-token price) serves `serving`'s tokens/s per GPU: beyond one
    replica, capacity costs (residual + dynamic + output) × peak ÷ average ÷ (tokens/s × 3600) × hosting/h.
    """
    inp, out = offer.input_usd_per_mtok, offer.output_usd_per_mtok
    tag = ""
    if s.batch and offer.batch_input_usd_per_mtok is not None and offer.batch_output_usd_per_mtok is not None:
        inp, out, tag = offer.batch_input_usd_per_mtok, offer.batch_output_usd_per_mtok, " (batch)"
    items = [(f"residual prompt{tag}", Decimal(s.residual_prompt_tokens), inp),
             (f"dynamic input{tag}", w.dynamic_tokens, inp)]
    total, low, high, lines = _requests(items, out, w)
    if serving is not None and offer.hosting_usd_per_hour and not inp and not out:
        replica_tps = serving.serving_tokens_per_second_per_gpu * serving.gpus_per_replica
        per_token = offer.hosting_usd_per_hour / (replica_tps * 3600) * s.peak_to_average
        base = Decimal(s.residual_prompt_tokens) + w.dynamic_tokens
        capacity = (base + w.output_tokens) * per_token
        total, low, high = total + capacity, low + (base + w.output_tokens_low) * per_token, high + (
            base + w.output_tokens_high) * per_token
        lines.append(LineItem("serving capacity (more replicas as volume grows)", "per_request", capacity,
                              f"{quantity(base + w.output_tokens)} tokens × {s.peak_to_average} peak/average ÷ "
                              f"{quantity(replica_tps)} tokens/s per replica × {unit_price(offer.hosting_usd_per_hour)}/h"))
    n, epochs, tokens = training_tokens(w, s, offer.max_tokens_per_example)
    if offer.training_usd_per_mtok is not None:
        train = usd(tokens, offer.training_usd_per_mtok)
        formula = (f"{epochs} epochs × {n:,} examples of the short prompt (residual + dynamic + output) → "
                   f"{quantity(tokens)} tokens × {unit_price(offer.training_usd_per_mtok)}/MTok")
    else:
        assert offer.training_usd_per_hour is not None and offer.training_hours_per_mtok is not None
        hours = tokens / MILLION * offer.training_hours_per_mtok
        train = hours * offer.training_usd_per_hour
        formula = f"{quantity(tokens)} tokens → {hours:.2f} h × {unit_price(offer.training_usd_per_hour)}/h"
    if train < offer.min_job_usd:
        train, formula = offer.min_job_usd, f"{formula}, raised to the {unit_price(offer.min_job_usd)} job minimum"
    labour, labour_lines = _labour_lines(s)
    lines.append(LineItem("training", "one_off", train, formula))
    lines += labour_lines
    retrain = train + s.eval_hours * s.labour_usd_per_hour
    hosting = offer.hosting_usd_per_hour * HOURS_PER_MONTH
    lines.append(LineItem("retraining", "per_retraining", retrain,
                          f"training + evaluation, every {s.retrain_every_months} months"))
    if hosting:
        lines.append(LineItem("hosting", "monthly", hosting,
                              f"{unit_price(offer.hosting_usd_per_hour)}/h × {HOURS_PER_MONTH} h, used or not"))
    if offer.storage_usd_per_month:
        lines.append(LineItem("model storage", "monthly", offer.storage_usd_per_month, "per model per month"))
    notes = []
    if offer.available_until:
        notes.append(f"the fine-tuned model stops serving on {offer.available_until:%Y-%m-%d}")
    if offer.new_jobs_until:
        notes.append(f"new training jobs only until {offer.new_jobs_until:%Y-%m-%d}")
    return StrategyCost(f"fine_tune:{offer.id}", f"Fine-tune {offer.id}{tag}", total, low, high,
                        hosting + offer.storage_usd_per_month, train + labour, tuple(lines),
                        available_until=offer.available_until, new_jobs_until=offer.new_jobs_until,
                        notes=tuple(notes), kind="fine_tune", retrain_usd=retrain,
                        retrain_every_months=s.retrain_every_months)


MEMORY_HEADROOM = Decimal("0.9")
"""Share of a GPU's memory usable for weights and KV cache (the rest: activations, the runtime)."""
MAX_DECODE_BATCH = 256
"""Concurrent sequences one replica decodes at most (vLLM's default max_num_seqs)."""


@dataclass(frozen=True, slots=True)
class Serving:
    """How one replica of an open model on a GPU serves the logged requests."""

    prefill_tokens_per_second: Decimal
    decode_tokens_per_second: Decimal
    batch: int
    """Sequences decoded together (as many as the KV cache of the logged context allows, at most 256)."""
    replica_seconds_per_request: Decimal
    fits: bool
    why: str


def serving(w: Workload, model: OpenModel, gpu: GpuPrice, s: Scenario) -> Serving | None:
    """Prefill and decode throughput of one replica, and its seconds per logged request (None: no bandwidth or KV
    figures in the catalog, so the model's own throughput figure is used).

    Formula: prefill = GPUs × peak FLOP/s × serving MFU ÷ (2 × params); weights = 2 bytes × params;
    batch = ⌊(0.9 × replica memory − weights) ÷ (context × KV bytes per token)⌋, in 1..256;
    decode = batch ÷ ((weights + batch × context × KV bytes) ÷ (GPUs × bandwidth × decode share));
    seconds per request = prompt ÷ prefill + output ÷ decode.
    """
    if gpu.memory_bandwidth_gb_s is None or model.kv_bytes_per_token is None:
        return None
    gpus = model.gpus_per_replica
    params = model.params_billion * Decimal(10**9)
    weights = 2 * params
    prompt = Decimal(s.residual_prompt_tokens) + w.dynamic_tokens
    context = prompt + w.output_tokens
    memory = MEMORY_HEADROOM * gpus * gpu.memory_gb * Decimal(10**9)
    kv_per_sequence = context * model.kv_bytes_per_token
    room = memory - weights
    fits = room >= kv_per_sequence
    why = "" if fits else (f"{model.id} needs {weights / 10**9:.0f} GB of weights + {kv_per_sequence / 10**9:.2f} GB of "
                           f"KV cache per request, over the {memory / 10**9:.0f} GB usable on {gpus} × {gpu.gpu}")
    batch = max(1, min(MAX_DECODE_BATCH, int(room / kv_per_sequence) if fits and kv_per_sequence else 1))
    prefill = gpus * gpu.peak_bf16_tflops * Decimal(10**12) * s.serving_mfu / (2 * params)
    step = (weights + batch * kv_per_sequence) / (gpus * gpu.memory_bandwidth_gb_s * Decimal(10**9)
                                                 * s.decode_bandwidth_share)
    decode = batch / step
    seconds = prompt / prefill + w.output_tokens / decode
    return Serving(prefill, decode, batch, seconds, fits, why)


def cost_self_hosted(w: Workload, model: OpenModel, gpu: GpuPrice, s: Scenario) -> StrategyCost:
    """LoRA-tune an open model and serve it on dedicated GPUs.

    Formula: training hours = flops_per_param_token × params × billable tokens ÷ (peak FLOP/s × MFU) ÷ 3600
    + overhead; serving = one always-on replica per month + per request: replica seconds (`serving`: prefill and
    decode) × peak-to-average × the replica's $/s (more replicas as the volume grows) + operations hours × labour
    a month. Without bandwidth and KV figures: (residual + dynamic + output) tokens ÷ the model's tokens/s figure.
    """
    n, epochs, tokens = training_tokens(w, s, None)
    params = model.params_billion * Decimal(10**9)
    flops = s.lora_flops_per_param_token * params * tokens
    hours = flops / (gpu.peak_bf16_tflops * Decimal(10**12) * s.mfu) / 3600 + s.run_overhead_hours
    train = hours * gpu.usd_per_hour
    labour, labour_lines = _labour_lines(s)
    per_request_tokens = Decimal(s.residual_prompt_tokens) + w.dynamic_tokens
    replica_usd_per_second = gpu.usd_per_hour * model.gpus_per_replica / 3600
    sized = serving(w, model, gpu, s)
    notes = [f"{n:,} examples × {epochs} epochs"]
    if sized is not None:
        def serve(out_tokens: Decimal) -> Decimal:
            seconds = per_request_tokens / sized.prefill_tokens_per_second + out_tokens / sized.decode_tokens_per_second
            return seconds * s.peak_to_average * replica_usd_per_second

        rps = s.requests_per_month / (DAYS_PER_MONTH * 86_400)
        busy = rps * sized.replica_seconds_per_request
        replicas = max(1, math.ceil(busy * s.peak_to_average))
        capacity_formula = (
            f"prefill {quantity(per_request_tokens)} tokens ÷ {quantity(sized.prefill_tokens_per_second)} tokens/s + "
            f"decode {quantity(w.output_tokens)} ÷ {quantity(sized.decode_tokens_per_second)} tokens/s (batch "
            f"{sized.batch}) = {sized.replica_seconds_per_request:.4f} replica-s × {s.peak_to_average} peak/average × "
            f"{unit_price(gpu.usd_per_hour * model.gpus_per_replica)}/replica-h")
        notes.append(f"at your volume: {replicas} replica{'s' if replicas != 1 else ''} of {model.gpus_per_replica} × "
                     f"{gpu.gpu} at peak, {percent(min(Decimal(1), busy / replicas))} busy on average")
        if not sized.fits:
            notes.append(sized.why)
    else:
        usd_per_token = gpu.usd_per_hour / (model.serving_tokens_per_second_per_gpu * 3600) * s.peak_to_average

        def serve(out_tokens: Decimal) -> Decimal:
            return (per_request_tokens + out_tokens) * usd_per_token

        capacity_formula = (f"{quantity(per_request_tokens + w.output_tokens)} tokens × {s.peak_to_average} peak/average "
                            f"÷ {quantity(model.serving_tokens_per_second_per_gpu)} tokens/s × "
                            f"{unit_price(gpu.usd_per_hour)}/h")
        notes.append("serving throughput is the catalog row's figure (no bandwidth or KV-cache size to size it)")

    floor = gpu.usd_per_hour * model.gpus_per_replica * HOURS_PER_MONTH
    ops = s.ops_hours_per_month * s.labour_usd_per_hour
    retrain = train + s.eval_hours * s.labour_usd_per_hour
    lines = [
        LineItem("serving capacity", "per_request", serve(w.output_tokens), capacity_formula),
        LineItem("always-on replica", "monthly", floor,
                 f"{model.gpus_per_replica} × {gpu.id} × {HOURS_PER_MONTH} h × {unit_price(gpu.usd_per_hour)}/h"),
        LineItem("operations", "monthly", ops,
                 f"{quantity(s.ops_hours_per_month)} h × {unit_price(s.labour_usd_per_hour)}/h"),
        LineItem("LoRA training", "one_off", train,
                 f"{s.lora_flops_per_param_token}·N·D = {flops:.3e} FLOPs ÷ ({quantity(gpu.peak_bf16_tflops)} TFLOP/s × "
                 f"MFU {s.mfu}) + {s.run_overhead_hours} h overhead = {hours:.2f} h × {unit_price(gpu.usd_per_hour)}/h"),
        *labour_lines,
        LineItem("retraining", "per_retraining", retrain,
                 f"training + evaluation, every {s.retrain_every_months} months"),
    ]
    return StrategyCost(f"self_hosted:{model.id}@{gpu.id}", f"Self-hosted LoRA {model.id} on {gpu.id}",
                        serve(w.output_tokens), serve(w.output_tokens_low), serve(w.output_tokens_high),
                        floor + ops, train + labour, tuple(lines), kind="self_hosted",
                        notes=tuple(notes), retrain_usd=retrain, retrain_every_months=s.retrain_every_months,
                        unfit=None if sized is None or sized.fits else sized.why)
