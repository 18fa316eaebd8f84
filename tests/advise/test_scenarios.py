"""A table of scenarios, end to end (log → analyze_logs → estimate → plan), each with the plan worked out by hand.

Every number below is computed from first principles in the row's comment, BEFORE running the code, from:

Logs (written here; billed usage on every line, prompt_tokens = the counted prompt, so input per request is exact):
    a request = system message (3 + 1 + W words of "hello") [+ one few-shot pair, 8 + u + a tokens]
                + a user turn (3 + 1 + one number + words) + 3 reply-priming tokens
    static = system (+ few-shot); dynamic = the user turn + 3; output = the billed completion_tokens.
    SHORT  static   500, dynamic 100, output 100 (20 records)        MEDIUM static 2,000, dynamic 100, output 100
    LONG   static 5,120 (= 40 × 128), dynamic 80, output 100          LONG_FS  LONG, 1,000 of its static a few-shot pair
    HEAVY  static 2,048, dynamic 80, output 1,000 (40 records)        BIG_FS   LONG, 4,096 of its static few-shot
Prices (USD per MTok; [[model]] rows, so nothing comes from genai-prices):
    gpt-test    openai     in 1.00  cached 0.10  write 1.00  out 4.00   batch 0.50 / 2.00  (1,024 min, 128 step, std)
    gpt-old     openai     in 2.00  cached 0.20  write 2.00  out 8.00   batch 1.00 / 4.00  retires 2027-01-14 → gpt-test
    claude-test anthropic  in 3.00  cached 0.30  write 3.75  out 15.00  batch 1.50 / 7.50  (1,024 min, step 1, stacks)
    gemini-test google     in 0.50  cached 0.05  write 0.50  out 2.00   batch 0.25 / 1.00  (2,048 min, std),
                           cache storage 1.00 per MTok-hour → 5,120 tokens × 730.5 h = $3.74016 a month
    ft-test   (tunes gpt-test) training 4.00, in 2.00, out 8.00        ft-cheap  training 4.00, in 1.00, out 4.00
    RAG (only where named): embedding 0.02/MTok, store max($50, GB × 0.33) a month, no query fee
Defaults: labour $100/h; evaluation 8 h ($800), migration 8 h, data prep 16 h, RAG build 24 h; residual prompt 100;
retraining every 6 months (months 7, 13, …); 40 examples → 3 epochs; hit rate 0.8 capped by 1 − e^(−λ·300 s):
    100/day → λT = 100 × 300 ÷ 86,400 = 0.347222, hit = 1 − 0.706648 = 0.293352; 1,000/day → 0.968952 (0.8 applies).
Volumes: a day × 30.4375 a month: 100 → 3,043.75; 1,000 → 30,437.5; 20,000 → 608,750; 200,000 → 6,087,500;
1,000,000 → 30,437,500. Start 2026-12-03 (42 days before 2027-01-14: months 1–2 begin before it) unless said.
Materiality: a change must save 5% of the logged setup's horizon cost; a change of behaviour max($1,000, 5%).
Expected plan from first principles: now = the cheapest strategy that keeps the logged answers (logged setup,
caching, an early move to the successor) among those that clear the 5% floor, else the logged setup; test next =
the (at most two) cheapest eligible changes of behaviour that clear max($1,000, 5%), cheapest first.

Per-request costs in µ$ (millionths of a dollar), for h = 0.8 unless said:
    gpt-test LONG  as logged 5,200 × 1 + 100 × 4 = 5,600; caching 5,120 × (0.8 × 0.1 + 0.2 × 1) = 1,433.6 + 80 + 400
                   = 1,913.6
    zero-shot LONG_FS  static 4,120 → cached 4,096 (32 × 128) × 0.28 = 1,146.88 + 24 past the step + 80 + 400 = 1,650.88
    ft-test LONG_FS  (100 + 80) × 2 + 100 × 8 = 1,160; training 3 × 40 × (100 + 80 + 100) = 33,600 tokens × 4 = $0.1344,
                   one-off $0.1344 + 24 h × $100 = $2,400.1344, retraining $800.1344
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fineadvisor import analyze_logs
from fineadvisor.advise.catalog import (
    BaseModelPrice,
    CacheRule,
    Catalog,
    EmbeddingPrice,
    FineTuneOffer,
    Lifecycle,
    VectorStorePrice,
)
from fineadvisor.advise.estimate import Estimate, estimate, workload_from
from fineadvisor.advise.scenario import Scenario
from fineadvisor.measure.analysis import LogAnalysis

D = Decimal
START = date(2026, 12, 3)
AFTER = date(2027, 2, 1)
SRC = {"source": "test fixture: round prices", "checked": date(2026, 12, 1)}
CENT = D("0.01")


# ---------------------------------------------------------------- logs


@dataclass(frozen=True)
class Log:
    """A generated log: token counts per request, exact by construction (see the module docstring)."""

    static: int
    dynamic: int
    output: int = 100
    few_shot: int = 0
    records: int = 20
    cached: int = 0
    """Billed cached_tokens on a line that reads the cache."""
    miss_every: int = 0
    """Every n-th line (i % n == 0) reads nothing from the cache (0: every line reads `cached`)."""


SHORT = Log(500, 100)
MEDIUM = Log(2000, 100)
LONG = Log(5120, 80)
LONG_40 = Log(5120, 80, records=40)
LONG_CACHED = Log(5120, 80, cached=5120, miss_every=5)  # 16 of 20 lines read 5,120: mean 4,096, hit 0.8
LONG_PARTIAL = Log(5120, 80, cached=1024)  # every line reads the first 1,024 tokens from the cache
LONG_FS = Log(5120, 80, few_shot=1000, records=40)
FEW = Log(5120, 80, few_shot=1000, records=8)
BIG_FS = Log(5120, 80, few_shot=4096)
HEAVY = Log(2048, 80, output=1000, records=40)


def lines(log: Log, model: str) -> list[dict[str, Any]]:
    out = []
    for i in range(log.records):
        messages = [{"role": "system", "content": " ".join(["hello"] * (log.static - log.few_shot - 4))}]
        if log.few_shot:
            u = (log.few_shot - 8) // 2
            messages += [{"role": "user", "content": " ".join(["apple"] * u)},
                         {"role": "assistant", "content": " ".join(["pear"] * (log.few_shot - 8 - u))}]
        # 3 + 1 + (one number token + dynamic − 8 words) + 3 priming = dynamic
        messages.append({"role": "user", "content": " ".join([str(100 + i), *["hello"] * (log.dynamic - 8)])})
        usage: dict[str, Any] = {"prompt_tokens": log.static + log.dynamic, "completion_tokens": log.output}
        if log.cached:
            hit = not (log.miss_every and i % log.miss_every == 0)
            usage["prompt_tokens_details"] = {"cached_tokens": log.cached if hit else 0}
        out.append({"request": {"model": model, "messages": messages},
                    "response": {"choices": [{"message": {"role": "assistant", "content": f"answer {i} ok"}}],
                                 "usage": usage}})
    return out


# ---------------------------------------------------------------- prices


def model(id: str, provider: str, inp: str, cached: str, out: str, batch_in: str, batch_out: str,
          write: str | None = None, storage: str = "0") -> BaseModelPrice:
    return BaseModelPrice(id=id, provider=provider, input_usd_per_mtok=D(inp), cached_input_usd_per_mtok=D(cached),
                          cache_write_usd_per_mtok=D(write) if write else None, output_usd_per_mtok=D(out),
                          batch_input_usd_per_mtok=D(batch_in), batch_output_usd_per_mtok=D(batch_out),
                          cache_storage_usd_per_mtok_hour=D(storage), **SRC)  # type: ignore[arg-type]


MODELS = [
    model("gpt-test", "openai", "1.00", "0.10", "4.00", "0.50", "2.00"),
    model("gpt-old", "openai", "2.00", "0.20", "8.00", "1.00", "4.00"),
    model("claude-test", "anthropic", "3.00", "0.30", "15.00", "1.50", "7.50", write="3.75"),
    model("gemini-test", "google", "0.50", "0.05", "2.00", "0.25", "1.00", storage="1.00"),
]
RULES = [
    CacheRule(id="openai", provider="openai", min_cacheable_tokens=1024, increment_tokens=128,
              batch_caching="standard_cached", **SRC),  # type: ignore[arg-type]
    CacheRule(id="anthropic", provider="anthropic", min_cacheable_tokens=1024, batch_caching="stacks",
              **SRC),  # type: ignore[arg-type]
    CacheRule(id="google", provider="google", min_cacheable_tokens=2048, batch_caching="standard_cached",
              **SRC),  # type: ignore[arg-type]
]
RETIRING = Lifecycle(id="gpt-old", provider="openai", available_until=date(2027, 1, 14), successor="gpt-test",
                     **SRC)  # type: ignore[arg-type]


def offer(id: str, inp: str, out: str) -> FineTuneOffer:
    return FineTuneOffer(id=id, provider="openai", base_model="gpt-test", training_usd_per_mtok=D("4.00"),
                         input_usd_per_mtok=D(inp), output_usd_per_mtok=D(out), max_tokens_per_example=65536,
                         marks_up=inp != "1.00", **SRC)  # type: ignore[arg-type]


def catalog(*offers: FineTuneOffer, rag: bool = False) -> Catalog:
    defaults = Scenario()
    extra: dict[str, Any] = {}
    if rag:
        extra = {"embeddings": {defaults.rag_embedding: EmbeddingPrice(id=defaults.rag_embedding, provider="openai",
                                                                      usd_per_mtok=D("0.02"), **SRC)},
                 "vector_stores": {defaults.rag_vector_store: VectorStorePrice(
                     id=defaults.rag_vector_store, provider="test", storage_usd_per_gb_month=D("0.33"),
                     minimum_usd_per_month=D(50), **SRC)}}  # type: ignore[arg-type]
    return Catalog(models={m.id: m for m in MODELS}, cache_rules={r.id: r for r in RULES},
                   lifecycles={RETIRING.id: RETIRING}, offers={o.id: o for o in offers}, **extra)


CATALOGS = {
    "base": catalog(),  # no fine-tune, no RAG, no self-hosting: caching, zero-shot and model moves only
    "ft": catalog(offer("ft-test", "2.00", "8.00")),
    "ft+rag": catalog(offer("ft-test", "2.00", "8.00"), rag=True),
    "ft-cheap": catalog(offer("ft-cheap", "1.00", "4.00")),
}


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    model: str
    log: Log
    per_day: int
    now: str
    now_saving: str
    """USD over the horizon against the logged setup, to the cent."""
    tests: tuple[tuple[str, str], ...] = ()
    """(strategy, saving over the horizon) of each test_next step, in order."""
    catalog: str = "base"
    watch: str | None = None
    """A substring one watch step's action must contain."""
    fields: tuple[tuple[str, Any], ...] = ()


def case(model: str, log: Log, per_day: int, now: str, now_saving: str, tests: tuple[tuple[str, str], ...] = (),
         catalog: str = "base", watch: str | None = None, **fields: Any) -> Case:
    return Case(model, log, per_day, now, now_saving, tests, catalog, watch, tuple(fields.items()))


CASES = [
    # --- OpenAI-like, short prefix (500 < 1,024: nothing cacheable): caching costs exactly what the logs cost, so
    # nothing saves anything at any volume. 600 × 1 + 100 × 4 = 1,000 µ$ a request.
    # 100/day: 3,043.75 × 12 × 0.001 = $36.525; caching the same; the logged setup (ties rank by id).
    pytest.param(case("gpt-test", SHORT, 100, "as_logged", "0", watch="no alternative overtakes"),
                 id="openai-short-100/day-nothing-cacheable"),
    # 1,000/day: $365.25 both.
    pytest.param(case("gpt-test", SHORT, 1_000, "as_logged", "0"), id="openai-short-1k/day"),
    # 20,000/day: $7,305 both.
    pytest.param(case("gpt-test", SHORT, 20_000, "as_logged", "0"), id="openai-short-20k/day"),
    # 1,000,000/day: $365,250 both: volume does not make a sub-minimum prefix cacheable.
    pytest.param(case("gpt-test", SHORT, 1_000_000, "as_logged", "0", watch="no alternative overtakes"),
                 id="openai-short-1M/day"),
    # --- OpenAI-like, long prefix (5,120 = 40 × 128 steps, all cacheable).
    # 100/day, hit 0.293352 (arrival): caching 5,120 × (0.293352 × 0.1 + 0.706648 × 1) = 5,120 × 0.7359832 = 3,768.23
    # + 80 + 400 = 4,248.235 µ$. Logged 5,600 × 36,525 = $204.54; caching 4,248.235 × 36,525 = $155.1668; saves
    # $49.3732 ≥ 5% ($10.227): caching now.
    pytest.param(case("gpt-test", LONG, 100, "prompt_caching", "49.3732"), id="openai-long-100/day-arrival-hit-29%"),
    # 1,000/day (hit 0.8): 365,250 requests; logged $2,045.40, caching 1,913.6 µ$ → $698.9424; saves $1,346.4576.
    pytest.param(case("gpt-test", LONG, 1_000, "prompt_caching", "1346.4576"), id="openai-long-1k/day"),
    # 20,000/day: 7,305,000 requests; logged $40,908, caching $13,978.848; saves $26,929.152 (65.8%).
    pytest.param(case("gpt-test", LONG, 20_000, "prompt_caching", "26929.152"), id="openai-long-20k/day"),
    # 200,000/day: 73,050,000 requests; logged $409,080, caching $139,788.48; saves $269,291.52.
    pytest.param(case("gpt-test", LONG, 200_000, "prompt_caching", "269291.52"), id="openai-long-200k/day"),
    # 1,000,000/day: 365,250,000 requests; logged $2,045,400, caching $698,942.40; saves $1,346,457.60.
    pytest.param(case("gpt-test", LONG, 1_000_000, "prompt_caching", "1346457.60"), id="openai-long-1M/day"),
    # batch: input 0.50, output 2.00, read min(0.10, 0.50) = 0.10 (standard cached), write 1.00 × 0.5 = 0.50.
    # Logged 5,200 × 0.5 + 100 × 2 = 2,800 µ$ → $20,454; caching 5,120 × (0.8 × 0.1 + 0.2 × 0.5) = 921.6 + 40 + 200
    # = 1,161.6 µ$ → $8,485.488; saves $11,968.512 ≥ $1,022.70.
    pytest.param(case("gpt-test", LONG, 20_000, "prompt_caching", "11968.512", batch=True),
                 id="openai-long-20k/day-batch"),
    # growth 5% a month over 36 months: requests 608,750 × (1.05³⁶ − 1) ÷ 0.05 = 608,750 × 95.836323 = 58,340,361.7;
    # logged × 0.0056 = $326,706.02, caching × 0.0019136 = $111,640.12; saves $215,065.91.
    pytest.param(case("gpt-test", LONG, 20_000, "prompt_caching", "215065.9085", growth_per_month=D("0.05"),
                      horizon_months=36), id="openai-long-20k/day-growth-5%-36-months"),
    # logged caching: 16 of 20 lines read 5,120 → 4,096 a request, hit 4,096 ÷ 5,120 = 0.8 (= the cap at 20k/day).
    # As logged (5,200 − 4,096) × 1 + 4,096 × 0.1 + 400 = 1,913.6 µ$: exactly what caching would cost; nothing to do.
    pytest.param(case("gpt-test", LONG_CACHED, 20_000, "as_logged", "0"), id="openai-long-20k/day-logged-caching"),
    # the same logs at 100/day: the logs' reads scale to the 0.293352 cap, so the logged setup costs what caching
    # would ($155.17); the two are equal up to rounding, far under the 5% floor: keep the logged setup.
    pytest.param(case("gpt-test", LONG_CACHED, 100, "as_logged", "0"),
                 id="openai-long-100/day-logged-caching-capped-by-traffic"),
    # medium prefix 2,000: OpenAI caches 1,920 (15 × 128). Caching 1,920 × 0.28 = 537.6 + 80 + 100 + 400 = 1,117.6 µ$
    # → $8,164.068; logged 2,500 µ$ → $18,262.50; saves $10,098.432.
    pytest.param(case("gpt-test", MEDIUM, 20_000, "prompt_caching", "10098.432"), id="openai-2000-prefix-128-steps"),
    # another model, --consider gemini-test (a change of behaviour): 5,120 × (0.8 × 0.05 + 0.2 × 0.5) = 716.8 + 80 × 0.5
    # + 100 × 2 = 956.8 µ$ × 7,305,000 = $6,989.424, + cache storage $3.74016 × 12 = $44.88192, + move (8 + 8) h ×
    # $100 = $1,600 → $8,634.306; saves $40,908 − $8,634.306 = $32,273.694 ≥ $2,045.40: test it. Now: caching.
    pytest.param(case("gpt-test", LONG, 20_000, "prompt_caching", "26929.152", (("switch_model:gemini-test", "32273.6941"),),
               consider_models=("gemini-test",)),
                 id="openai-long-20k/day-consider-gemini"),
    # --- Anthropic-like (reads 0.1×, writes 1.25×).
    # short prefix 500 < 1,024: nothing to cache. 600 × 3 + 100 × 15 = 3,300 µ$ × 365,250 = $1,205.325 both.
    pytest.param(case("claude-test", SHORT, 1_000, "as_logged", "0"), id="anthropic-short-1k/day"),
    # 100/day, hit 0.293352: 5,120 × (0.293352 × 0.3 + 0.706648 × 3.75) = 5,120 × 2.737943 = 14,018.27 + 240 + 1,500
    # = 15,758.24 µ$ vs 17,100: × 36,525 → $575.5695 vs $624.5775; saves $49.008 ≥ $31.229 (writes at 1.25× still
    # pay: break-even hit 0.75 ÷ 3.45 = 0.217).
    pytest.param(case("claude-test", LONG, 100, "prompt_caching", "49.008"), id="anthropic-long-100/day-writes-1.25x"),
    # 20,000/day: 5,120 × (0.24 + 0.75) = 5,068.8 + 240 + 1,500 = 6,808.8 µ$; logged $124,915.50, caching
    # $49,738.284; saves $75,177.216.
    pytest.param(case("claude-test", LONG, 20_000, "prompt_caching", "75177.216"), id="anthropic-long-20k/day"),
    # batch stacks: in 1.5, out 7.5, read 0.3 × 0.5 = 0.15, write 3.75 × 0.5 = 1.875. Logged 5,200 × 1.5 + 750 =
    # 8,550 µ$ → $62,457.75; caching 5,120 × (0.12 + 0.375) = 2,534.4 + 120 + 750 = 3,404.4 µ$ → $24,869.142; saves
    # $37,588.608.
    pytest.param(case("claude-test", LONG, 20_000, "prompt_caching", "37588.608", batch=True),
                 id="anthropic-long-20k/day-batch-stacks"),
    # 200,000/day over 36 months: 219,150,000 requests; logged × 0.0171 = $3,747,465, caching × 0.0068088 =
    # $1,492,148.52; saves $2,255,316.48.
    pytest.param(case("claude-test", LONG, 200_000, "prompt_caching", "2255316.48", horizon_months=36),
                 id="anthropic-long-200k/day-36-months"),
    # the logs cache only the first 1,024 tokens (an early cache breakpoint), on EVERY line: 100% of requests hit.
    # At 20,000/day the cap is 1 − e^(−69.4) ≈ 1. As logged: 4,176 × 3 + 1,024 × 0.3 + 1,500 = 14,335.2 µ$ →
    # $104,718.636. Caching all 5,120 at hit ≈ 1: 5,120 × 0.3 + 240 + 1,500 = 3,276 µ$ → $23,931.18; saves
    # $80,787.456. The code reads the hit rate as cached ÷ static = 1,024 ÷ 5,120 = 0.2, so caching the whole prefix
    # costs 5,120 × (0.2 × 0.3 + 0.8 × 3.75) = 15,667.2 µ$, more than the logs, and it keeps the logged setup.
    pytest.param(case("claude-test", LONG_PARTIAL, 20_000, "prompt_caching", "80787.456"),
                 id="anthropic-long-20k/day-logged-partial-caching"),
    # a 4,096-token few-shot pair (system 1,024), 100/day, 36 months = 109,575 requests, hit 0.293352.
    #   logged 17,100 µ$ → $1,873.7325; floor 5% = $93.687.
    #   caching 15,758.24 µ$ → $1,726.7086: saves $147.0239 ≥ $93.69 (no behaviour change: only the 5% floor).
    #   zero-shot: static 1,024 cached: 1,024 × 2.737943 = 2,803.65 + 240 + 1,500 = 4,543.65 µ$ → $497.87 + $800
    #   evaluation = $1,297.87: saves $575.86 < $1,000 → not worth testing.
    # First principles: zero-shot is out; of what is left, caching clears its floor: now = caching.
    pytest.param(case("claude-test", BIG_FS, 100, "prompt_caching", "147.0239", horizon_months=36),
                 id="anthropic-big-few-shot-100/day-36-months-immaterial-zero-shot"),
    # --- Gemini-like (2,048 minimum; cache storage charged).
    # prefix 2,000 < 2,048: nothing cacheable (OpenAI would cache 1,920). 2,100 × 0.5 + 200 = 1,250 µ$ → $9,131.25.
    pytest.param(case("gemini-test", MEDIUM, 20_000, "as_logged", "0"), id="gemini-2000-prefix-below-2048-minimum"),
    # 100/day: caching saves 5,120 × 0.293352 × 0.45 = 675.88 µ$ × 3,043.75 = $2.0572 a month, less than the $3.74016
    # storage: caching $122.4653 > logged 2,800 µ$ × 36,525 = $102.27. Keep the logged setup.
    pytest.param(case("gemini-test", LONG, 100, "as_logged", "0"), id="gemini-long-100/day-storage-beats-saving"),
    # 1,000/day: caching 5,120 × (0.04 + 0.1) = 716.8 + 40 + 200 = 956.8 µ$ × 365,250 = $349.4712 + $44.88192
    # storage = $394.3531; logged $1,022.70; saves $628.3469 ≥ $51.135.
    pytest.param(case("gemini-test", LONG, 1_000, "prompt_caching", "628.3469"), id="gemini-long-1k/day"),
    # batch, standard cached: in 0.25, out 1.0, read min(0.05, 0.25) = 0.05, write 0.5 × 0.5 = 0.25. Logged 5,200 ×
    # 0.25 + 100 = 1,400 µ$ → $10,227; caching 5,120 × (0.04 + 0.05) = 460.8 + 20 + 100 = 580.8 µ$ → $4,242.744 +
    # $44.88192 = $4,287.6259; saves $5,939.3741.
    pytest.param(case("gemini-test", LONG, 20_000, "prompt_caching", "5939.3741", batch=True),
                 id="gemini-long-20k/day-batch"),
    # The plan's rule: a change of behaviour is worth testing when it beats the "now" step (not only the logged
    # setup) by the floor, max($1,000, 5% of the logged setup's horizon cost).
    # --- fine-tuning (ft-test), LONG_FS (40 examples), 20,000/day, 12 months = 7,305,000 requests.
    #   logged $40,908; caching $13,978.848 (saves $26,929.152); floor max($1,000, $2,045.40) = $2,045.40.
    #   zero-shot 1,650.88 µ$ → $12,059.678 + $800 = $12,859.678: saves $28,048.3216.
    #   ft-test 1,160 µ$ → $8,473.80 + $2,400.1344 + one retraining (month 7) $800.1344 = $11,674.0688: saves
    #   $29,233.9312. Now caching ($13,978.848); the fine-tune beats it by $2,304.78 ≥ $2,045.40: test it; zero-shot
    #   beats it by only $1,119.17 < $2,045.40: not worth testing.
    pytest.param(case("gpt-test", LONG_FS, 20_000, "prompt_caching", "26929.152",
                      (("fine_tune:ft-test", "29233.9312"),), catalog="ft"),
                 id="fine-tune-few-shot-20k/day"),
    # 100/day: caching saves $49.3732 (as openai-long-100/day); zero-shot's $800 and the fine-tune's $2,400 + $800
    # are never repaid (zero-shot $928.52, fine-tune $3,242.64 against $204.54): nothing to test.
    pytest.param(case("gpt-test", LONG_FS, 100, "prompt_caching", "49.3732", catalog="ft"),
                 id="fine-tune-few-shot-100/day-not-repaid"),
    # 1,000,000/day: 365,250,000 requests; caching saves $1,346,457.60; ft-test 1,160 µ$ → $423,690 + $3,200.2688 =
    # $426,890.2688 (saves $1,618,509.7312); zero-shot $602,983.92 + $800 (saves $1,441,616.08).
    pytest.param(case("gpt-test", LONG_FS, 1_000_000, "prompt_caching", "1346457.60",
                      (("fine_tune:ft-test", "1618509.7312"),), catalog="ft"),
                 id="fine-tune-few-shot-1M/day"),
    # 8 examples (< 10): the fine-tune would save $29,233.99 but cannot be trained; zero-shot is the only test.
    pytest.param(case("gpt-test", FEW, 20_000, "prompt_caching", "26929.152", (),
                      catalog="ft"), id="fine-tune-too-few-examples-8"),
    # 36 months: 21,915,000 requests; logged $122,724; caching $41,936.544 (saves $80,787.456); zero-shot $36,179.035
    # + $800 (saves $85,744.9648); ft-test $25,421.40 + $2,400.1344 + 5 retrainings (months 7, 13, 19, 25, 31)
    # × $800.1344 = $31,822.2064 (saves $90,901.7936).
    pytest.param(case("gpt-test", LONG_FS, 20_000, "prompt_caching", "80787.456",
                      (("fine_tune:ft-test", "90901.7936"),), catalog="ft",
                      horizon_months=36), id="fine-tune-few-shot-20k/day-36-months"),
    # knowledge changes (retrain monthly, corpus re-embedded monthly), RAG with 2 × 500-token chunks:
    #   ft-test: $8,473.80 + $2,400.1344 + 11 retrainings (months 2–12) × $800.1344 = $19,675.4128 (saves $21,232.59).
    #   RAG: kept (5,120 − 1,000) × 0.5 = 2,060 → 2,048 cached × 0.28 = 573.44 + 12 + 80 + 1,000 retrieved + 80 × 0.02
    #   embedding (1.6) + 400 = 2,067.04 µ$ → $15,099.7272; store max($50, 4,000 chunks × 1,536 × 4 B × 1.5 =
    #   0.0369 GB × 0.33) = $50 + re-embedding 2M × 0.02 = $0.04 → $600.48; one-off $0.04 + $2,400 + $800 →
    #   $18,900.2472 (saves $22,007.75).
    #   zero-shot $12,859.678 (saves $28,048.32), caching $13,978.848.
    # First principles: only zero-shot is worth testing: RAG ($18,900) and the fine-tune ($19,675) clear the floor
    # against the logged setup but cost more than caching, the "now" step, which needs no evaluation.
    pytest.param(case("gpt-test", LONG_FS, 20_000, "prompt_caching", "26929.152", (),
               catalog="ft+rag", knowledge_changes=True, rag_chunks=2, rag_chunk_tokens=500),
                 id="knowledge-changes-rag-and-monthly-retraining"),
    # ft-cheap (1.00 / 4.00), HEAVY (output 1,000 tokens), hit rate set to 0.1, 20,000/day:
    #   logged 2,128 + 4,000 = 6,128 µ$ → $44,765.04; floor 5% = $2,238.252.
    #   caching 2,048 × (0.1 × 0.1 + 0.9 × 1) = 1,863.68 + 80 + 4,000 = 5,943.68 µ$ → $43,418.5824: saves $1,346.4576,
    #   3.0% < 5%: not worth making.
    #   ft-cheap 180 + 4,000 = 4,180 µ$ → $30,534.90; training 3 × 40 × 1,180 = 141,600 × 4 = $0.5664 → + $2,400.5664
    #   + $800.5664 = $33,736.0328: saves $11,029.0072 ≥ $2,238.25: test it. Now: keep the logged setup.
    pytest.param(case("gpt-test", HEAVY, 20_000, "as_logged", "0", (("fine_tune:ft-cheap", "11029.0072"),),
               catalog="ft-cheap", cache_hit_rate=D("0.1")), id="fine-tune-material-caching-below-5%-floor"),
    # --- the logged model retires on 2027-01-14 (successor gpt-test, same prices as above; gpt-old costs twice).
    # short, 20,000/day, start 2026-12-03: gpt-old (2,000 µ$) for the 42 days to 2027-01-14 (month 2 split there),
    # gpt-test (1,000 µ$) after, + $1,600 in month 2: logged = 840,000 × 2,000 µ$ + 6,465,000 × 1,000 µ$ + $1,600 =
    # $1,680 + $6,465 + $1,600 = $9,745. Moving now: 7,305,000 × 1,000 µ$ + $1,600 = $8,905: saves 840,000 × 1,000 µ$
    # = $840 ≥ 5% ($487.25), and keeps the logged prompt (the move is forced anyway): move now.
    pytest.param(case("gpt-old", SHORT, 20_000, "switch_model:gpt-test", "840", watch="2027-01-14"),
                 id="retiring-short-20k/day-start-before-2027-01-14"),
    # start 2027-02-01, after the shutdown: every strategy runs on gpt-test from month 1 with $1,600 up front:
    # $8,905 each; keep the logged prompt (on the successor). No date to watch.
    pytest.param(case("gpt-old", SHORT, 20_000, "as_logged", "0", start=AFTER),
                 id="retiring-short-20k/day-start-after-2027-01-14"),
    # long, before: 840,000 requests on gpt-old to 2027-01-14, 6,465,000 on gpt-test after. Logged 11,200 µ$ then
    # 5,600 µ$; caching 5,120 × (0.16 + 0.4) = 2,867.2 + 160 + 800 = 3,827.2 µ$ then 1,913.6 µ$ (both + $1,600):
    # saves 840,000 × 7,372.8 µ$ + 6,465,000 × 3,686.4 µ$ = $6,193.152 + $23,832.576 = $30,025.728. Moving now is the
    # forced migration's second leg, sooner, priced the same way (the logs show no caching, so none): 7,305,000 ×
    # 5,600 µ$ + $1,600 = $42,508 — dearer than caching. Now: caching (it moves with the model on 2027-01-14).
    pytest.param(case("gpt-old", LONG, 20_000, "prompt_caching", "30025.728", watch="2027-01-14"),
                 id="retiring-long-20k/day-start-before-2027-01-14"),
    # long, after: logged $40,908 + $1,600 = $42,508; caching = move = $13,978.848 + $1,600 = $15,578.848 (a tie, by
    # id: prompt_caching); saves $26,929.152.
    pytest.param(case("gpt-old", LONG, 20_000, "prompt_caching", "26929.152", start=AFTER),
                 id="retiring-long-20k/day-start-after-2027-01-14"),
    # short, 100/day, before: logged 2 × $6.0875 + 10 × $3.04375 + $1,600 = $1,642.6125; move now $36.525 + $1,600 =
    # $1,636.525: saves $6.09 < 5% ($82.13): keep the prompt and move on the date.
    pytest.param(case("gpt-old", SHORT, 100, "as_logged", "0", watch="2027-01-14"),
                 id="retiring-short-100/day-early-move-immaterial"),
]


# ---------------------------------------------------------------- running them

Analyses = Callable[[Log, str], LogAnalysis]


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Analyses:
    """Each (log, model) written and measured once per module."""
    directory = tmp_path_factory.mktemp("scenarios")
    done: dict[tuple[Log, str], LogAnalysis] = {}

    def get(log: Log, model: str) -> LogAnalysis:
        if (log, model) not in done:
            path = directory / f"log{len(done)}.jsonl"
            path.write_text("".join(json.dumps(line) + "\n" for line in lines(log, model)))
            done[log, model] = analyze_logs([str(path)])
        return done[log, model]

    return get


def run(c: Case, analysis: Analyses) -> Estimate:
    s = Scenario.per_day(c.per_day, **{"start": START, **dict(c.fields)})
    return estimate(analysis(c.log, c.model), s, CATALOGS[c.catalog])


@pytest.mark.parametrize("log", [SHORT, MEDIUM, LONG, LONG_CACHED, LONG_PARTIAL, LONG_FS, FEW, BIG_FS, HEAVY],
                         ids=lambda log: f"{log.static}-{log.few_shot}-{log.dynamic}-{log.output}-{log.records}")
def test_the_logs_measure_what_the_arithmetic_assumes(log: Log, analysis: Analyses) -> None:
    w = workload_from(analysis(log, "gpt-test"))
    assert (w.static_tokens, w.few_shot_tokens, w.dynamic_tokens, w.output_tokens) == (
        log.static, log.few_shot, log.dynamic, log.output)
    assert w.calibration == 1 and w.templates == 1 and w.examples == log.records
    hits = log.records - (len(range(0, log.records, log.miss_every)) if log.miss_every else 0)
    assert w.logged_cached_tokens == D(log.cached * hits) / log.records


def test_the_catalog_is_only_what_the_table_says() -> None:
    cat = CATALOGS["base"]
    for m in ("gpt-test", "claude-test", "gemini-test"):
        assert cat.model_prices(m, on=START).lifecycle is None
    old = cat.model_prices("gpt-old", on=START)
    assert old.lifecycle is not None and old.lifecycle.successor == "gpt-test"
    assert (old.min_cacheable_tokens, old.cache_increment_tokens) == (1024, 128)
    gem = cat.model_prices("gemini-test", on=START)
    assert (gem.min_cacheable_tokens, gem.cache_increment_tokens, gem.batch_caching) == (2048, 1, "standard_cached")
    assert cat.model_prices("claude-test", on=START).batch_caching == "stacks"


def test_there_are_at_least_30_scenarios() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("c", CASES)
def test_scenario_plan(c: Case, analysis: Analyses) -> None:
    e = run(c, analysis)
    now = [p for p in e.plan if p.stage == "now"]
    tests = [p for p in e.plan if p.stage == "test_next"]
    assert len(now) == 1
    got = (now[0].strategy, [(p.strategy) for p in tests])
    assert got == (c.now, [t for t, _ in c.tests])
    assert now[0].saving_usd is not None and abs(now[0].saving_usd - D(c.now_saving)) <= CENT
    for step, (_, saving) in zip(tests, c.tests, strict=True):
        assert step.saving_usd is not None and abs(step.saving_usd - D(saving)) <= CENT, (step.strategy, step.saving_usd)
    if c.watch is not None:
        assert any(c.watch in p.action for p in e.plan if p.stage == "watch"), [p.action for p in e.plan]


@pytest.mark.parametrize(
    ("per_day", "logs_per_day", "total"),
    [
        # LONG_CACHED on gpt-test: 16 of 20 lines read 5,120 (m = 0.8, R = 4,096 ÷ 0.8 = 5,120 per hit).
        # 20,000/day from logs captured at 2,000/day: h = 1 − 0.2¹⁰ = 0.9999998976; reads 5,119.99948 at 0.10,
        # the other 80.00052 input tokens at 1.00, + 100 × 4: 992.00047186 µ$ × 7,305,000 = $7,246.5634469
        # (without the logs' traffic, h stays 0.8: 1,913.6 µ$ → $13,978.848)
        (20_000, 2_000, "7246.563446931456"),
        (20_000, None, "13978.848"),
        # 100/day from logs at 1,000/day: h = 1 − 0.2^0.1 = 0.1486601; reads 761.1396 at 0.10, 4,438.8604 at 1.00,
        # + 400: 4,914.97436 µ$ × 36,525 = $179.5194386 (without: h = min(0.8, 0.293352): 1,501.962 reads →
        # 3,698.038 + 150.196 + 400 = 4,248.234 µ$ → $155.1667)
        (100, 1_000, "179.5194386076901983939195664"),
    ],
)
def test_the_logged_caching_follows_the_logs_traffic(per_day: int, logs_per_day: int | None, total: str,
                                                     analysis: Analyses) -> None:
    from fineadvisor.advise.timeline import horizon_cost

    fields: dict[str, Any] = {"start": START}
    if logs_per_day is not None:
        fields["logs_requests_per_month"] = Decimal(logs_per_day) * Decimal("30.4375")
    e = estimate(analysis(LONG_CACHED, "gpt-test"), Scenario.per_day(per_day, **fields), CATALOGS["base"])
    baseline = next(c for c in e.strategies if c.id == e.baseline)
    assert abs(horizon_cost(baseline, e.scenario) - D(total)) <= D("0.000001")
