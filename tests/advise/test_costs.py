"""Strategy costs: hand-computed Decimal tables for every cost function, line items that add up, and properties.

The workload used throughout (per request): static prefix 2,000 tokens of which 600 are few-shot examples,
dynamic input 150 (query 100), output 80 / 100 / 200 (low / expected / high); 500 usable training examples.
Unless a row says otherwise the scenario is `Scenario()`: residual prompt 100 tokens, OpenAI's auto epochs
(500 examples → 3), retraining every 6 months, 16 h data prep + 8 h evaluation at $100/h, RAG with 5 × 800-token
chunks from a 2,000,000-token corpus (1536 dimensions, 10% re-indexed a month, 24 h to build).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fineadvisor.advise.catalog import EmbeddingPrice, FineTuneOffer, GpuPrice, ModelPrices, OpenModel, VectorStorePrice
from fineadvisor.advise.costs import (
    DEFAULT_HIT_RATE,
    StrategyCost,
    Workload,
    cost_as_logged,
    cost_fine_tune,
    cost_prompt_caching,
    cost_prompt_only,
    cost_rag,
    cost_self_hosted,
    cost_switch_model,
    hit_rate,
    logged_cache,
    scaled_hit_rate,
    training_tokens,
    usd,
)
from fineadvisor.advise.scenario import HOURS_PER_MONTH, Scenario

D = Decimal
SRC = {"source": "https://example.com/pricing", "checked": date(2026, 11, 1)}

W = Workload(static_tokens=D(2000), few_shot_tokens=D(600), dynamic_tokens=D(150), query_tokens=D(100),
             output_tokens_low=D(80), output_tokens=D(100), output_tokens_high=D(200), examples=500, templates=1)


def prices(model: str, inp: str, cached: str, write: str, out: str, batch_in: str | None = None,
           batch_out: str | None = None, min_cacheable: int = 1024, storage: str = "0") -> ModelPrices:
    return ModelPrices(model=model, provider="test", input_usd_per_mtok=D(inp), cached_input_usd_per_mtok=D(cached),
                       cache_write_usd_per_mtok=D(write), output_usd_per_mtok=D(out),
                       batch_input_usd_per_mtok=D(batch_in) if batch_in else None,
                       batch_output_usd_per_mtok=D(batch_out) if batch_out else None,
                       min_cacheable_tokens=min_cacheable, cache_storage_usd_per_mtok_hour=D(storage),
                       source="test prices", checked=date(2026, 11, 1),
                       cache_ttl_seconds=10**7)  # a cache that never expires: the stated hit rates apply as they are


# gpt-4o-mini-like: $0.15 in, $0.075 cached, no write premium, $0.60 out, batch half price
OPENAI = prices("gpt-4o-mini", "0.15", "0.075", "0.15", "0.60", "0.075", "0.30")
# Anthropic-like: cache reads at 10%, writes at 125% of input; no batch row
ANTHROPIC = prices("claude-like", "1.00", "0.10", "1.25", "5.00")
# Gemini-like explicit caching: storage charged per MTok-hour
GEMINI = prices("gemini-like", "1.25", "0.125", "1.25", "10", storage="4.50")

EMBED = EmbeddingPrice(id="emb-small", provider="test", usd_per_mtok=D("0.02"), **SRC)
STORE = VectorStorePrice(id="store-min50", provider="test", storage_usd_per_gb_month=D("0.33"),
                         usd_per_1k_queries=D("0.016"), minimum_usd_per_month=D(50), **SRC)
STORE_MIN10 = STORE.model_copy(update={"id": "store-min10", "minimum_usd_per_month": D(10)})
STORE_FREE = VectorStorePrice(id="store-free", provider="test", storage_usd_per_gb_month=D("0.33"), **SRC)

FT_COMMON = {"provider": "test", "base_model": "gpt-4o-mini-2024-07-18", **SRC}
# gpt-4o-mini's published fine-tuning offer
FT_OPENAI = FineTuneOffer(id="openai/gpt-4o-mini", training_usd_per_mtok=D("3.00"), input_usd_per_mtok=D("0.30"),
                          output_usd_per_mtok=D("1.20"), max_tokens_per_example=65536, **FT_COMMON)
FT_OPENAI_BATCH = FT_OPENAI.model_copy(update={"id": "openai/batch", "batch_input_usd_per_mtok": D("0.15"),
                                               "batch_output_usd_per_mtok": D("0.60")})
# Azure-like: no inference markup but $1.70/h hosting for every hour the deployment exists
FT_AZURE = FineTuneOffer(id="azure/gpt-4o-mini", training_usd_per_mtok=D("3.30"), input_usd_per_mtok=D("0.165"),
                         output_usd_per_mtok=D("0.66"), hosting_usd_per_hour=D("1.70"), **FT_COMMON)
# billed per training hour: $40/h at 0.5 h per million training tokens
FT_HOURLY = FineTuneOffer(id="hourly/model", training_usd_per_hour=D(40), training_hours_per_mtok=D("0.5"),
                          input_usd_per_mtok=D("0.20"), output_usd_per_mtok=D("0.80"), **FT_COMMON)
FT_MIN_JOB = FT_OPENAI.model_copy(update={"id": "min-job", "min_job_usd": D(25)})
FT_LIMIT_300 = FT_OPENAI.model_copy(update={"id": "limit-300", "max_tokens_per_example": 300})
FT_STORAGE = FT_OPENAI.model_copy(update={"id": "storage", "storage_usd_per_month": D(5)})

GPU = GpuPrice(id="test/gpu-1000", provider="test", gpu="X", usd_per_hour=D("3.60"), peak_bf16_tflops=D(1000),
               memory_gb=80, **SRC)
H100 = GpuPrice(id="test/h100", provider="test", gpu="H100 SXM", usd_per_hour=D("2.99"), peak_bf16_tflops=D(989),
                memory_gb=80, **SRC)
LLAMA = OpenModel(id="llama-8b", params_billion=D(8), serving_tokens_per_second_per_gpu=D(2000), gpu=GPU.id, **SRC)
LLAMA_2500 = LLAMA.model_copy(update={"serving_tokens_per_second_per_gpu": D(2500), "gpu": H100.id})

S = Scenario(start=date(2026, 11, 22))
NOCACHE = Scenario(start=date(2026, 11, 22), prompt_caching=False)  # alternatives priced without caching
BATCH = Scenario(start=date(2026, 11, 22), batch=True)
KEEP_SYSTEM = NOCACHE.model_copy(update={"rag_replaced_share": D(0)})  # RAG replaces only the few-shot examples
BATCH_KEEP_SYSTEM = BATCH.model_copy(update={"rag_replaced_share": D(0)})


def close(actual: Decimal, expected: Decimal) -> bool:
    """Equal to 20 decimal places relative (Decimal division keeps 28 significant digits)."""
    return abs(actual - expected) <= D("1e-20") * max(D(1), abs(expected))


Case = tuple[str, Callable[[], StrategyCost], Decimal, Decimal, Decimal, Decimal, Decimal]

# (name, cost, per request, low, high, fixed monthly, one-off)
CASES: list[Case] = [
    # ---------------------------------------------------------------- few-shot as logged
    ("as_logged", lambda: cost_as_logged(W, OPENAI, S),
     D("0.0003825"),  # (2,000 + 150) × 0.15 / 1e6 = 0.0003225; + 100 × 0.60 / 1e6 = 0.00006
     D("0.0003705"),  # 0.0003225 + 80 × 0.60 / 1e6 = 0.000048
     D("0.0004425"),  # 0.0003225 + 200 × 0.60 / 1e6 = 0.00012
     D(0), D(0)),
    ("as_logged batch", lambda: cost_as_logged(W, OPENAI, BATCH),
     D("0.00019125"),  # 2,150 × 0.075 / 1e6 = 0.00016125; + 100 × 0.30 / 1e6 = 0.00003
     D("0.00018525"),  # 0.00016125 + 80 × 0.30 / 1e6 = 0.000024
     D("0.00022125"),  # 0.00016125 + 200 × 0.30 / 1e6 = 0.00006
     D(0), D(0)),
    ("as_logged anthropic", lambda: cost_as_logged(W, ANTHROPIC, S),
     D("0.00265"),  # 2,150 × 1.00 / 1e6 = 0.00215; + 100 × 5 / 1e6 = 0.0005
     D("0.00255"),  # 0.00215 + 80 × 5 / 1e6 = 0.0004
     D("0.00315"),  # 0.00215 + 200 × 5 / 1e6 = 0.001
     D(0), D(0)),
    ("as_logged batch without batch prices", lambda: cost_as_logged(W, ANTHROPIC, BATCH),
     D("0.00265"), D("0.00255"), D("0.00315"), D(0), D(0)),  # no batch row: standard prices, as above
    ("as_logged with logged cache reads", lambda: cost_as_logged(replace(W, logged_cached_tokens=D(1000)), OPENAI, S),
     # uncached (2,150 − 1,000) × 0.15 / 1e6 = 0.0001725; cached 1,000 × 0.075 / 1e6 = 0.000075; output 0.00006
     D("0.0003075"),
     D("0.0002955"),  # 0.0002475 + 0.000048
     D("0.0003675"),  # 0.0002475 + 0.00012
     D(0), D(0)),
    ("as_logged with logged cache reads and writes",
     lambda: cost_as_logged(replace(W, logged_cached_tokens=D(1600), logged_cache_write_tokens=D(400)), ANTHROPIC, S),
     # uncached (2,150 − 1,600 − 400) × 1 / 1e6 = 0.00015; reads 1,600 × 0.10 / 1e6 = 0.00016;
     # writes 400 × 1.25 / 1e6 = 0.0005; output 100 × 5 / 1e6 = 0.0005
     D("0.00131"), D("0.00121"), D("0.00181"), D(0), D(0)),
    ("as_logged batch ignores logged caching",
     lambda: cost_as_logged(replace(W, logged_cached_tokens=D(1000)), OPENAI, BATCH),
     D("0.00019125"), D("0.00018525"), D("0.00022125"), D(0), D(0)),  # as "as_logged batch": no cached discount
    # ---------------------------------------------------------------- prompt only (few-shot removed)
    ("prompt_only cached", lambda: cost_prompt_only(W, OPENAI, S),
     # static without few-shot 1,400 ≥ 1,024 → cached at the default 0.8: 1,120 × 0.075 / 1e6 = 0.000084 reads,
     # 280 × 0.15 / 1e6 = 0.000042 writes; dynamic 150 × 0.15 / 1e6 = 0.0000225; output 100 × 0.60 / 1e6 = 0.00006
     D("0.0002085"),
     D("0.0001965"),  # 0.0001485 + 80 × 0.60 / 1e6
     D("0.0002685"),  # 0.0001485 + 200 × 0.60 / 1e6
     D(0), D(800)),  # one-off: evaluate the answers without the examples, 8 h × $100
    ("prompt_only", lambda: cost_prompt_only(W, OPENAI, NOCACHE),
     D("0.0002925"),  # (2,000 − 600 + 150) = 1,550 × 0.15 / 1e6 = 0.0002325; + 0.00006
     D("0.0002805"),  # 0.0002325 + 0.000048
     D("0.0003525"),  # 0.0002325 + 0.00012
     D(0), D(800)),  # one-off: evaluate the answers without the examples, 8 h × $100
    ("prompt_only batch", lambda: cost_prompt_only(W, OPENAI, BATCH),
     D("0.00014625"),  # 1,550 × 0.075 / 1e6 = 0.00011625; + 100 × 0.30 / 1e6 = 0.00003
     D("0.00014025"),  # 0.00011625 + 0.000024
     D("0.00017625"),  # 0.00011625 + 0.00006
     D(0), D(800)),  # one-off: evaluate the answers without the examples, 8 h × $100
    # ---------------------------------------------------------------- prompt caching
    ("caching default hit rate 0.8", lambda: cost_prompt_caching(W, OPENAI, S),
     # reads 2,000 × 0.8 × 0.075 / 1e6 = 0.00012; writes 2,000 × 0.2 × 0.15 / 1e6 = 0.00006;
     # uncached 150 × 0.15 / 1e6 = 0.0000225; output 0.00006 → 0.0002625
     D("0.0002625"),
     D("0.0002505"),  # 0.0002025 + 0.000048
     D("0.0003225"),  # 0.0002025 + 0.00012
     D(0), D(0)),
    ("caching measured hit rate 0.5", lambda: cost_prompt_caching(replace(W, measured_hit_rate=D("0.5")), OPENAI, S),
     # reads 1,000 × 0.075 / 1e6 = 0.000075; writes 1,000 × 0.15 / 1e6 = 0.00015; uncached 0.0000225; output 0.00006
     D("0.0003075"),
     D("0.0002955"),  # 0.0002475 + 0.000048
     D("0.0003675"),  # 0.0002475 + 0.00012
     D(0), D(0)),
    ("caching set hit rate 0.95 beats measured",
     lambda: cost_prompt_caching(replace(W, measured_hit_rate=D("0.5")), OPENAI, S.model_copy(
         update={"cache_hit_rate": D("0.95")})),
     # reads 1,900 × 0.075 / 1e6 = 0.0001425; writes 100 × 0.15 / 1e6 = 0.000015; uncached 0.0000225; output 0.00006
     D("0.00024"),
     D("0.000228"),  # 0.00018 + 0.000048
     D("0.0003"),  # 0.00018 + 0.00012
     D(0), D(0)),
    ("caching set hit rate 0", lambda: cost_prompt_caching(W, OPENAI, S.model_copy(update={"cache_hit_rate": D(0)})),
     # writes 2,000 × 0.15 / 1e6 = 0.0003; uncached 0.0000225; output 0.00006
     D("0.0003825"), D("0.0003705"), D("0.0004425"), D(0), D(0)),
    ("caching anthropic", lambda: cost_prompt_caching(W, ANTHROPIC, S),
     # reads 1,600 × 0.10 / 1e6 = 0.00016; writes 400 × 1.25 / 1e6 = 0.0005; uncached 150 × 1 / 1e6 = 0.00015;
     # output 100 × 5 / 1e6 = 0.0005
     D("0.00131"),
     D("0.00121"),  # 0.00081 + 80 × 5 / 1e6 = 0.0004
     D("0.00181"),  # 0.00081 + 200 × 5 / 1e6 = 0.001
     D(0), D(0)),
    ("caching below the minimum", lambda: cost_prompt_caching(W, replace(OPENAI, min_cacheable_tokens=4096), S),
     # 2,000 < 4,096: nothing cached; 2,150 × 0.15 / 1e6 = 0.0003225 + 0.00006
     D("0.0003825"), D("0.0003705"), D("0.0004425"), D(0), D(0)),
    ("caching with storage", lambda: cost_prompt_caching(replace(W, templates=3), GEMINI, S),
     # reads 1,600 × 0.125 / 1e6 = 0.0002; writes 400 × 1.25 / 1e6 = 0.0005; uncached 150 × 1.25 / 1e6 = 0.0001875;
     # output 100 × 10 / 1e6 = 0.001
     D("0.0018875"),
     D("0.0016875"),  # 0.0008875 + 80 × 10 / 1e6 = 0.0008
     D("0.0028875"),  # 0.0008875 + 200 × 10 / 1e6 = 0.002
     D("19.7235"),  # 2,000 tokens × 3 templates × 4.50 / 1e6 = 0.027 per hour × 730.5 h
     D(0)),
    ("caching with storage, below the minimum",
     lambda: cost_prompt_caching(replace(W, templates=3), replace(GEMINI, min_cacheable_tokens=4096), S),
     D("0.0036875"),  # 2,150 × 1.25 / 1e6 = 0.0026875 + 0.001; nothing cached → nothing stored
     D("0.0034875"),  # 0.0026875 + 0.0008
     D("0.0046875"),  # 0.0026875 + 0.002
     D(0), D(0)),
    ("caching under batch: batch rates, reads at the standard cached rate",
     lambda: cost_prompt_caching(W, OPENAI, BATCH),
     # reads 1,600 × min(0.075, 0.075) / 1e6 = 0.00012; writes 400 × 0.15 × (0.075 ÷ 0.15) / 1e6 = 0.00003;
     # uncached 150 × 0.075 / 1e6 = 0.00001125; output 100 × 0.30 / 1e6 = 0.00003
     D("0.00019125"),
     D("0.00018525"),  # 0.00016125 + 80 × 0.30 / 1e6
     D("0.00022125"),  # 0.00016125 + 200 × 0.30 / 1e6
     D(0), D(0)),
    ("caching under batch, anthropic: the discount stacks",
     lambda: cost_prompt_caching(W, replace(ANTHROPIC, batch_input_usd_per_mtok=D("0.50"),
                                            batch_output_usd_per_mtok=D("2.50"), batch_caching="stacks"), BATCH),
     # r = 0.50 ÷ 1.00: reads 1,600 × 0.10 × 0.5 / 1e6 = 0.00008; writes 400 × 1.25 × 0.5 / 1e6 = 0.00025;
     # uncached 150 × 0.50 / 1e6 = 0.000075; output 100 × 2.50 / 1e6 = 0.00025
     D("0.000655"),
     D("0.000605"),  # 0.000405 + 80 × 2.50 / 1e6
     D("0.000905"),  # 0.000405 + 200 × 2.50 / 1e6
     D(0), D(0)),
    ("caching in 128-token steps (openai)",
     lambda: cost_prompt_caching(replace(W, static_tokens=D(2050)), replace(OPENAI, cache_increment_tokens=128), S),
     # 2,050 → cacheable ⌊2,050 ÷ 128⌋ × 128 = 2,048; reads 2,048 × 0.8 × 0.075 / 1e6 = 0.00012288;
     # writes 2,048 × 0.2 × 0.15 / 1e6 = 0.00006144; uncached (2,050 + 150 − 2,048) = 152 × 0.15 / 1e6 = 0.0000228;
     # output 0.00006
     D("0.00026712"),
     D("0.00025512"),  # 0.00020712 + 0.000048
     D("0.00032712"),  # 0.00020712 + 0.00012
     D(0), D(0)),
    # ---------------------------------------------------------------- RAG
    ("rag", lambda: cost_rag(W, OPENAI, KEEP_SYSTEM, EMBED, STORE),
     # without few-shot 1,550 × 0.15 / 1e6 = 0.0002325; retrieved 5 × 800 = 4,000 × 0.15 / 1e6 = 0.0006;
     # query embedding 100 × 0.02 / 1e6 = 0.000002; output 0.00006; vector search 0.016 / 1,000 = 0.000016
     D("0.0009105"),
     D("0.0008985"),  # 0.0008505 + 0.000048
     D("0.0009705"),  # 0.0008505 + 0.00012
     # 2,000,000 / 800 = 2,500 chunks × 1,536 dims × 4 B × 1.5 = 0.02304 GB × 0.33 = 0.0076032 → max(50, …) = 50;
     # re-index 10% × 2,000,000 × 0.02 / 1e6 = 0.004
     D("50.004"),
     D("3200.04")),  # embed 2,000,000 × 0.02 / 1e6 = 0.04; build 24 h × $100; evaluate 8 h × $100
    ("rag big corpus above the minimum",
     lambda: cost_rag(W, OPENAI, KEEP_SYSTEM.model_copy(update={"rag_corpus_tokens": 1_000_000_000, "rag_chunk_tokens": 500,
                                                      "rag_embedding_dimensions": 3072}), EMBED, STORE_MIN10),
     # retrieved 5 × 500 = 2,500 × 0.15 / 1e6 = 0.000375; + 0.0002325 + 0.000002 + 0.00006 + 0.000016
     D("0.0006855"),
     D("0.0006735"),  # 0.0006255 + 0.000048
     D("0.0007455"),  # 0.0006255 + 0.00012
     # 1e9 / 500 = 2,000,000 chunks × 3,072 × 4 × 1.5 = 36.864 GB × 0.33 = 12.16512 > 10;
     # re-index 10% × 1e9 × 0.02 / 1e6 = 2
     D("14.16512"),
     D("3220")),  # 1e9 × 0.02 / 1e6 = 20 + 2,400 build + 800 evaluation
    ("rag batch", lambda: cost_rag(W, OPENAI, BATCH_KEEP_SYSTEM, EMBED, STORE),
     # 1,550 × 0.075 / 1e6 = 0.00011625; 4,000 × 0.075 / 1e6 = 0.0003; query 0.000002; output 100 × 0.30 / 1e6 =
     # 0.00003; search 0.000016
     D("0.00046425"),
     D("0.00045825"),  # 0.00043425 + 0.000024
     D("0.00049425"),  # 0.00043425 + 0.00006
     D("50.004"), D("3200.04")),
    ("rag store without minimum or query price", lambda: cost_rag(W, OPENAI, KEEP_SYSTEM, EMBED, STORE_FREE),
     D("0.0008945"),  # 0.0009105 − 0.000016
     D("0.0008825"), D("0.0009545"),
     D("0.0116032"),  # max(0, 0.0076032) + 0.004
     D("3200.04")),
    ("rag no chunks, no build hours",
     lambda: cost_rag(W, OPENAI, KEEP_SYSTEM.model_copy(update={"rag_chunks": 0, "rag_setup_hours": D(0)}), EMBED, STORE),
     D("0.0003105"),  # 0.0002325 + 0.000002 + 0.00006 + 0.000016
     D("0.0002985"), D("0.0003705"),
     D("50.004"), D("800.04")),  # embed 0.04 + evaluation 8 h × $100
    ("rag replacing half the system prompt", lambda: cost_rag(W, OPENAI, NOCACHE, EMBED, STORE),
     # kept (2,000 − 600) × (1 − 0.5) = 700 × 0.15 / 1e6 = 0.000105; dynamic 150 × 0.15 / 1e6 = 0.0000225;
     # retrieved 4,000 × 0.15 / 1e6 = 0.0006; query 0.000002; output 0.00006; search 0.000016
     D("0.0008055"),
     D("0.0007935"),  # 0.0007455 + 0.000048
     D("0.0008655"),  # 0.0007455 + 0.00012
     D("50.004"), D("3200.04")),
    # ---------------------------------------------------------------- managed fine-tuning
    # per example min(65,536, 100 + 150 + 100) = 350 tokens; 500 examples → 3 epochs; 3 × 500 × 350 = 525,000 tokens
    ("fine_tune openai", lambda: cost_fine_tune(W, FT_OPENAI, S),
     D("0.000195"),  # (100 + 150) × 0.30 / 1e6 = 0.000075; + 100 × 1.20 / 1e6 = 0.00012
     D("0.000171"),  # 0.000075 + 80 × 1.20 / 1e6 = 0.000096
     D("0.000315"),  # 0.000075 + 200 × 1.20 / 1e6 = 0.00024
     D("801.575") / 6,  # training 525,000 × 3.00 / 1e6 = 1.575; (1.575 + 8 h × $100) ÷ 6 months
     D("2401.575")),  # 1.575 + (16 + 8) h × $100
    ("fine_tune azure hosting", lambda: cost_fine_tune(W, FT_AZURE, S),
     D("0.00010725"),  # 250 × 0.165 / 1e6 = 0.00004125; + 100 × 0.66 / 1e6 = 0.000066
     D("0.00009405"),  # 0.00004125 + 80 × 0.66 / 1e6 = 0.0000528
     D("0.00017325"),  # 0.00004125 + 200 × 0.66 / 1e6 = 0.000132
     D("1241.85") + D("801.7325") / 6,  # hosting 1.70 × 730.5; training 525,000 × 3.30 / 1e6 = 1.7325, + 800, ÷ 6
     D("2401.7325")),
    ("fine_tune hourly training", lambda: cost_fine_tune(W, FT_HOURLY, S),
     D("0.00013"),  # 250 × 0.20 / 1e6 = 0.00005; + 100 × 0.80 / 1e6 = 0.00008
     D("0.000114"),  # 0.00005 + 0.000064
     D("0.00021"),  # 0.00005 + 0.00016
     D("810.5") / 6,  # 0.525 MTok × 0.5 h/MTok = 0.2625 h × $40 = 10.5; (10.5 + 800) ÷ 6
     D("2410.5")),
    ("fine_tune min job fee", lambda: cost_fine_tune(W, FT_MIN_JOB, S),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("137.5"),  # 1.575 < 25 → 25; (25 + 800) ÷ 6
     D("2425")),
    ("fine_tune per-example limit", lambda: cost_fine_tune(W, FT_LIMIT_300, S),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("801.35") / 6,  # 3 × 500 × min(300, 350) = 450,000 × 3 / 1e6 = 1.35
     D("2401.35")),
    ("fine_tune set epochs and examples",
     lambda: cost_fine_tune(W, FT_OPENAI, S.model_copy(update={"epochs": 2, "training_examples": 1000})),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("802.1") / 6,  # 2 × 1,000 × 350 = 700,000 × 3 / 1e6 = 2.1
     D("2402.1")),
    ("fine_tune auto epochs, 20 examples", lambda: cost_fine_tune(replace(W, examples=20), FT_OPENAI, S),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("800.105") / 6,  # 20 × 3 < 100 → min(25, 100 // 20) = 5 epochs; 5 × 20 × 350 = 35,000 × 3 / 1e6 = 0.105
     D("2400.105")),
    ("fine_tune auto epochs, 10,000 examples", lambda: cost_fine_tune(replace(W, examples=10_000), FT_OPENAI, S),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("821") / 6,  # 30,000 > 25,000 → 25,000 // 10,000 = 2 epochs; 2 × 10,000 × 350 = 7,000,000 × 3 / 1e6 = 21
     D("2421")),
    ("fine_tune validation share",
     lambda: cost_fine_tune(W, FT_OPENAI, S.model_copy(update={"validation_share": D("0.2")})),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("801.89") / 6,  # 525,000 × 1.2 = 630,000 × 3 / 1e6 = 1.89
     D("2401.89")),
    ("fine_tune retrain yearly", lambda: cost_fine_tune(W, FT_OPENAI, S.model_copy(update={"retrain_every_months": 12})),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("801.575") / 12,  # (1.575 + 800) ÷ 12
     D("2401.575")),
    ("fine_tune no residual prompt",
     lambda: cost_fine_tune(W, FT_OPENAI, S.model_copy(update={"residual_prompt_tokens": 0})),
     D("0.000165"),  # 150 × 0.30 / 1e6 = 0.000045 + 0.00012
     D("0.000141"),  # 0.000045 + 0.000096
     D("0.000285"),  # 0.000045 + 0.00024
     D("801.125") / 6,  # 3 × 500 × (0 + 150 + 100) = 375,000 × 3 / 1e6 = 1.125
     D("2401.125")),
    ("fine_tune model storage", lambda: cost_fine_tune(W, FT_STORAGE, S),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D(5) + D("801.575") / 6,  # $5 a month storage + retraining
     D("2401.575")),
    ("fine_tune labour rate", lambda: cost_fine_tune(W, FT_OPENAI, S.model_copy(update={"labour_usd_per_hour": D(50)})),
     D("0.000195"), D("0.000171"), D("0.000315"),
     D("401.575") / 6,  # (1.575 + 8 × 50) ÷ 6
     D("1201.575")),  # 1.575 + 24 × 50
    ("fine_tune batch", lambda: cost_fine_tune(W, FT_OPENAI_BATCH, BATCH),
     D("0.0000975"),  # 250 × 0.15 / 1e6 = 0.0000375; + 100 × 0.60 / 1e6 = 0.00006
     D("0.0000855"),  # 0.0000375 + 0.000048
     D("0.0001575"),  # 0.0000375 + 0.00012
     D("801.575") / 6, D("2401.575")),
    ("fine_tune batch without batch prices", lambda: cost_fine_tune(W, FT_OPENAI, BATCH),
     D("0.000195"), D("0.000171"), D("0.000315"), D("801.575") / 6, D("2401.575")),
    ("fine_tune batch prices unused without batch", lambda: cost_fine_tune(W, FT_OPENAI_BATCH, S),
     D("0.000195"), D("0.000171"), D("0.000315"), D("801.575") / 6, D("2401.575")),
    # ---------------------------------------------------------------- self-hosted LoRA
    # D = 3 × 500 × 350 = 525,000 tokens (no per-example limit); FLOPs = 4 × 8e9 × 525,000 = 1.68e16
    ("self_hosted", lambda: cost_self_hosted(W, LLAMA, GPU, S),
     D("0.00035"),  # (100 + 150 + 100) × 3.60 / (2,000 tok/s × 3,600) × 2 peak/avg = 350 × 1e-6
     D("0.00033"),  # 330 × 1e-6
     D("0.00045"),  # 450 × 1e-6
     # always-on 3.60 × 730.5 = 2,629.8; training 1.68e16 / (1,000e12 × 0.2) = 84 s = 84/3600 h + 1 h overhead
     # → × 3.60 = 3.684; retraining (3.684 + 800) ÷ 6
     D("2629.8") + 800 + D("803.684") / 6,  # + operations 8 h × $100 a month
     D("2403.684")),  # 3.684 + 24 h × $100
    ("self_hosted full fine-tune flops, MFU 0.4, no peak headroom",
     lambda: cost_self_hosted(W, LLAMA, GPU, S.model_copy(update={
         "lora_flops_per_param_token": D(6), "mfu": D("0.4"), "run_overhead_hours": D("0.5"), "peak_to_average": D(1)})),
     D("0.000175"),  # 350 × 3.60 / 7,200,000 × 1
     D("0.000165"),  # 330 × 0.5e-6
     D("0.000225"),  # 450 × 0.5e-6
     # 6 × 8e9 × 525,000 = 2.52e16 / (1,000e12 × 0.4) = 63 s = 0.0175 h + 0.5 h = 0.5175 h × 3.60 = 1.863
     D("2629.8") + 800 + D("801.863") / 6,
     D("2401.863")),
    ("self_hosted H100",
     lambda: cost_self_hosted(W, LLAMA_2500, H100, S),
     D(2093) / D(9_000_000),  # 350 × 2.99 / (2,500 × 3,600) × 2 = 2,093 / 9,000,000
     D("1973.4") / D(9_000_000),  # 330 × 2.99 × 2 = 1,973.4
     D(2691) / D(9_000_000),  # 450 × 2.99 × 2 = 2,691
     # always-on 2.99 × 730.5 = 2,184.195; training (1.68e16 / (989e12 × 0.2) / 3600 + 1) × 2.99
     D("2184.195") + 800 + ((D("1.68e16") / (D("989e12") * D("0.2")) / 3600 + 1) * D("2.99") + 800) / 6,
     (D("1.68e16") / (D("989e12") * D("0.2")) / 3600 + 1) * D("2.99") + 2400),
]


@pytest.mark.parametrize(("name", "make", "per_request", "low", "high", "monthly", "one_off"), CASES,
                         ids=[c[0] for c in CASES])
def test_strategy_costs(name: str, make: Callable[[], StrategyCost], per_request: Decimal, low: Decimal,
                        high: Decimal, monthly: Decimal, one_off: Decimal) -> None:
    """`monthly` in the table is the monthly equivalent: fixed costs + one retraining ÷ its interval (the timeline
    charges the retraining in the month it falls; here its size and interval are checked through this sum)."""
    c = make()
    retraining = c.retrain_usd / c.retrain_every_months if c.retrain_every_months else D(0)
    got = (c.per_request_usd, c.per_request_low_usd, c.per_request_high_usd, c.fixed_monthly_usd + retraining,
           c.one_off_usd)
    want = (per_request, low, high, monthly, one_off)
    assert all(close(g, e) for g, e in zip(got, want, strict=True)), (got, want)
    assert all(isinstance(x, Decimal) for x in got)


def _sums(c: StrategyCost) -> dict[str, Decimal]:
    out = {"per_request": D(0), "monthly": D(0), "one_off": D(0), "per_retraining": D(0)}
    for item in c.line_items:
        out[item.kind] += item.usd
    return out


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_line_items_add_up(make: Callable[[], StrategyCost]) -> None:
    c = make()
    sums = _sums(c)
    assert close(sums["per_request"], c.per_request_usd), (sums, c.per_request_usd)
    assert close(sums["monthly"], c.fixed_monthly_usd), (sums, c.fixed_monthly_usd)
    assert close(sums["one_off"], c.one_off_usd), (sums, c.one_off_usd)
    assert close(sums["per_retraining"], c.retrain_usd), (sums, c.retrain_usd)
    assert all(item.formula for item in c.line_items)


@pytest.mark.parametrize(
    ("w", "s", "expected"),
    [
        (W, S, DEFAULT_HIT_RATE),  # nothing measured, nothing set → 0.8
        (replace(W, measured_hit_rate=D("0.5")), S, D("0.5")),  # measured
        (replace(W, measured_hit_rate=D("0.5")), S.model_copy(update={"cache_hit_rate": D("0.95")}), D("0.95")),  # set
        (W, S.model_copy(update={"cache_hit_rate": D(0)}), D(0)),  # 0 set is 0, not "unset"
    ],
)
def test_hit_rate(w: Workload, s: Scenario, expected: Decimal) -> None:
    assert hit_rate(w, s) == expected


@pytest.mark.parametrize(
    ("tokens", "price", "expected"),
    [
        (2150, D("0.15"), D("0.0003225")),  # 2,150 × 0.15 / 1e6
        (D("1e6"), D("3.00"), D("3")),  # one million tokens at $3/MTok
        (0, D("100"), D(0)),
        (D("0.5"), D("2"), D("0.000001")),  # 0.5 × 2 / 1e6
    ],
)
def test_usd(tokens: Decimal | int, price: Decimal, expected: Decimal) -> None:
    assert usd(tokens, price) == expected


@pytest.mark.parametrize(
    ("w", "s", "limit", "expected"),
    [
        (W, S, 65536, (500, 3, D(525_000))),  # 3 × 500 × 350
        (W, S, 300, (500, 3, D(450_000))),  # 3 × 500 × 300
        (W, S, None, (500, 3, D(525_000))),
        (replace(W, examples=0), S, None, (1, 25, D(8750))),  # no usable examples → 1; 100 // 1 → min(25, 100) = 25
        (W, S.model_copy(update={"validation_share": D("0.1")}), None, (500, 3, D(577_500))),  # 525,000 × 1.1
    ],
)
def test_training_tokens(w: Workload, s: Scenario, limit: int | None, expected: tuple[int, int, Decimal]) -> None:
    assert training_tokens(w, s, limit) == expected


# ------------------------------------------------------------------ line items and notes, by name


def _item(c: StrategyCost, name: str) -> Decimal:
    matches = [i.usd for i in c.line_items if i.name == name]
    assert len(matches) == 1, [i.name for i in c.line_items]
    return matches[0]


def test_as_logged_line_formula() -> None:
    c = cost_as_logged(W, OPENAI, S)
    assert [(i.name, i.kind, i.usd, i.formula) for i in c.line_items] == [
        ("input", "per_request", D("0.0003225"), "2,150 tokens × $0.15/MTok"),
        ("output", "per_request", D("0.00006"), "100 tokens × $0.6/MTok"),
    ]
    assert c.id == "as_logged" and c.kind == "prompting"


def test_as_logged_caching_items() -> None:
    c = cost_as_logged(replace(W, logged_cached_tokens=D(1000), logged_cache_write_tokens=D(100)), OPENAI, S)
    assert (_item(c, "input"), _item(c, "cached input (as logged)"), _item(c, "cache writes (as logged)")) == (
        D("0.0001575"), D("0.000075"), D("0.000015"))  # 1,050 × 0.15 / 1e6; 1,000 × 0.075 / 1e6; 100 × 0.15 / 1e6
    batch = cost_as_logged(replace(W, logged_cached_tokens=D(1000)), OPENAI, BATCH)
    assert [i.name for i in batch.line_items] == ["input (batch)", "cached input (as logged) (batch)", "output"]
    # 1,150 × 0.075 / 1e6; 1,000 × min(0.075 cached, 0.075 batch) / 1e6: the logged caching is kept under batch
    assert (_item(batch, "input (batch)"), _item(batch, "cached input (as logged) (batch)")) == (
        D("0.00008625"), D("0.000075"))
    assert not batch.notes
    unpriced = cost_as_logged(W, ANTHROPIC, BATCH)  # no batch row: standard rates, and said so
    assert any("no Batch API price is known" in n for n in unpriced.notes)


def test_caching_items_and_notes() -> None:
    c = cost_prompt_caching(W, OPENAI, S)
    assert (_item(c, "cache reads"), _item(c, "cache writes (misses)"), _item(c, "uncached input")) == (
        D("0.00012"), D("0.00006"), D("0.0000225"))
    assert c.kind == "caching" and "80%" in c.label and not c.notes

    below = cost_prompt_caching(replace(W, templates=3), replace(GEMINI, min_cacheable_tokens=4096), S)
    assert not [i for i in below.line_items if i.name in ("cache reads", "cache storage")]
    assert any("below the 4,096-token minimum" in n for n in below.notes)

    stored = cost_prompt_caching(replace(W, templates=3), GEMINI, S)
    assert _item(stored, "cache storage") == D("19.7235")  # 2,000 × 3 × 4.50 / 1e6 × 730.5
    assert [i.kind for i in stored.line_items if i.name == "cache storage"] == ["monthly"]

    batch = cost_prompt_caching(W, OPENAI, BATCH)
    assert _item(batch, "cache reads (batch)") == D("0.00012")  # 1,600 × 0.075 / 1e6
    assert not batch.notes


def test_rag_items() -> None:
    c = cost_rag(W, OPENAI, S, EMBED, STORE)
    assert _item(c, "vector search (store-min50)") == D("0.000016")
    assert _item(c, "query embedding (emb-small)") == D("0.000002")
    assert _item(c, "vector store (store-min50)") == D(50)
    assert _item(c, "re-indexing") == D("0.004")
    assert _item(c, "embed the corpus") == D("0.04")
    assert _item(c, "build retrieval") == D(2400)
    free = cost_rag(W, OPENAI, S, EMBED, STORE_FREE)
    assert not [i for i in free.line_items if i.name.startswith("vector search")]
    assert _item(free, "vector store (store-free)") == D("0.0076032")


def test_fine_tune_items_and_notes() -> None:
    c = cost_fine_tune(W, FT_OPENAI, S)
    assert _item(c, "training") == D("1.575")
    assert _item(c, "prepare training data") == D(1600)
    assert _item(c, "evaluate the model") == D(800)
    assert [i.name for i in c.line_items if i.kind == "monthly"] == []  # no hosting, no storage
    assert [i.name for i in c.line_items if i.kind == "per_retraining"] == ["retraining"]
    assert (c.retrain_usd, c.retrain_every_months, c.fixed_monthly_usd) == (D("801.575"), 6, D(0))  # 1.575 + 800
    assert c.id == "fine_tune:openai/gpt-4o-mini" and c.kind == "fine_tune"

    azure = cost_fine_tune(W, FT_AZURE, S)
    assert _item(azure, "hosting") == D("1241.85")  # 1.70 × 730.5

    minimum = cost_fine_tune(W, FT_MIN_JOB, S)
    assert _item(minimum, "training") == D(25)
    assert "job minimum" in next(i.formula for i in minimum.line_items if i.name == "training")

    closing = cost_fine_tune(W, FT_OPENAI.model_copy(update={"available_until": date(2027, 1, 14),
                                                             "new_jobs_until": date(2027, 1, 6)}), S)
    assert (closing.available_until, closing.new_jobs_until) == (date(2027, 1, 14), date(2027, 1, 6))
    assert any("2027-01-14" in n for n in closing.notes) and any("2027-01-06" in n for n in closing.notes)

    assert "(batch)" in cost_fine_tune(W, FT_OPENAI_BATCH, BATCH).label


def test_self_hosted_items() -> None:
    c = cost_self_hosted(W, LLAMA, GPU, S)
    assert _item(c, "always-on replica") == D("2629.8")  # 3.60 × 730.5
    assert close(_item(c, "LoRA training"), D("3.684"))
    assert close(_item(c, "serving capacity"), D("0.00035"))
    assert "1.680e+16" in next(i.formula for i in c.line_items if i.name == "LoRA training")
    assert c.kind == "self_hosted" and c.id == "self_hosted:llama-8b@test/gpu-1000"


def test_monthly_usd_formula() -> None:
    c = cost_fine_tune(W, FT_AZURE, S)
    # fixed + per request × volume, retraining excluded: 1,241.85 + 0.00010725 × 1,000,000 = 1,241.85 + 107.25
    assert close(c.monthly_usd(D(1_000_000)), D("1241.85") + D("107.25"))
    assert c.monthly_usd(D(0)) == c.fixed_monthly_usd


def test_hours_per_month_used_for_hosting() -> None:
    assert D("730.5") == HOURS_PER_MONTH


# ------------------------------------------------------------------ properties

NONNEG = {"allow_nan": False, "allow_infinity": False, "places": 4}


def money(max_value: int = 100) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, **NONNEG)


def share() -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=1, **NONNEG)


@st.composite
def workloads(draw: st.DrawFn) -> Workload:
    static = draw(st.decimals(min_value=0, max_value=200_000, **NONNEG))
    few = draw(st.decimals(min_value=0, max_value=static, **NONNEG))
    dynamic = draw(st.decimals(min_value=0, max_value=50_000, **NONNEG))
    query = draw(st.decimals(min_value=0, max_value=dynamic, **NONNEG))
    cached = draw(st.decimals(min_value=0, max_value=static + dynamic, **NONNEG))
    written = draw(st.decimals(min_value=0, max_value=static + dynamic - cached, **NONNEG))
    low, mid, high = sorted(draw(st.lists(st.decimals(min_value=0, max_value=20_000, **NONNEG), min_size=3,
                                          max_size=3)))
    return Workload(static_tokens=static, few_shot_tokens=few, dynamic_tokens=dynamic, query_tokens=query,
                    output_tokens_low=low, output_tokens=mid, output_tokens_high=high,
                    examples=draw(st.integers(0, 100_000)), templates=draw(st.integers(1, 50)),
                    measured_hit_rate=draw(st.none() | share()), logged_cached_tokens=cached,
                    logged_cache_write_tokens=written)


@st.composite
def model_prices(draw: st.DrawFn) -> ModelPrices:
    batch = draw(st.booleans())
    return ModelPrices(model="m", provider="p", input_usd_per_mtok=draw(money()), cached_input_usd_per_mtok=draw(money()),
                       cache_write_usd_per_mtok=draw(money()), output_usd_per_mtok=draw(money()),
                       batch_input_usd_per_mtok=draw(money()) if batch else None,
                       batch_output_usd_per_mtok=draw(money()) if batch else None,
                       min_cacheable_tokens=draw(st.integers(0, 10_000)),
                       cache_storage_usd_per_mtok_hour=draw(st.sampled_from([D(0), D("4.5")]) | money(10)),
                       source="s", checked=date(2026, 1, 1))


@st.composite
def offers(draw: st.DrawFn) -> FineTuneOffer:
    hourly = draw(st.booleans())
    batch = draw(st.booleans())
    return FineTuneOffer(
        id="o", provider="p", base_model="b", **SRC,
        training_usd_per_mtok=None if hourly else draw(money()),
        training_usd_per_hour=draw(money(500)) if hourly else None,
        training_hours_per_mtok=draw(st.decimals(min_value=D("0.0001"), max_value=10, **NONNEG)) if hourly else None,
        input_usd_per_mtok=draw(money()), output_usd_per_mtok=draw(money()),
        batch_input_usd_per_mtok=draw(money()) if batch else None,
        batch_output_usd_per_mtok=draw(money()) if batch else None,
        hosting_usd_per_hour=draw(money(10)), min_job_usd=draw(money(100)), storage_usd_per_month=draw(money(10)),
        max_tokens_per_example=draw(st.none() | st.integers(1, 100_000)))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    return Scenario(
        start=date(2026, 11, 22), batch=draw(st.booleans()), cache_hit_rate=draw(st.none() | share()),
        rag_chunks=draw(st.integers(0, 20)), rag_chunk_tokens=draw(st.integers(1, 2000)),
        rag_corpus_tokens=draw(st.integers(0, 10**9)), rag_reindex_share_per_month=draw(share()),
        rag_embedding_dimensions=draw(st.integers(1, 4096)), rag_setup_hours=draw(money(200)),
        residual_prompt_tokens=draw(st.integers(0, 5000)), training_examples=draw(st.none() | st.integers(1, 10**6)),
        epochs=draw(st.none() | st.integers(1, 50)), validation_share=draw(share()),
        retrain_every_months=draw(st.integers(1, 36)), data_prep_hours=draw(money(200)), eval_hours=draw(money(200)),
        labour_usd_per_hour=draw(money(500)), mfu=draw(st.decimals(min_value=D("0.0001"), max_value=1, **NONNEG)),
        lora_flops_per_param_token=draw(st.decimals(min_value=D("0.0001"), max_value=10, **NONNEG)),
        run_overhead_hours=draw(money(10)), peak_to_average=draw(st.decimals(min_value=1, max_value=10, **NONNEG)))


@st.composite
def all_costs(draw: st.DrawFn) -> list[StrategyCost]:
    w, p, s, o = draw(workloads()), draw(model_prices()), draw(scenarios()), draw(offers())
    emb = EmbeddingPrice(id="e", provider="p", usd_per_mtok=draw(money()), **SRC)
    store = VectorStorePrice(id="v", provider="p", storage_usd_per_gb_month=draw(money()),
                             usd_per_1k_queries=draw(money()), minimum_usd_per_month=draw(money(500)), **SRC)
    gpu = GpuPrice(id="g", provider="p", gpu="G", usd_per_hour=draw(money(50)),
                   peak_bf16_tflops=draw(st.decimals(min_value=1, max_value=5000, **NONNEG)), memory_gb=80, **SRC)
    model = OpenModel(id="m", params_billion=draw(st.decimals(min_value=D("0.1"), max_value=500, **NONNEG)),
                      serving_tokens_per_second_per_gpu=draw(st.decimals(min_value=1, max_value=100_000, **NONNEG)),
                      gpu="g", **SRC)
    return [cost_as_logged(w, p, s), cost_prompt_only(w, p, s), cost_prompt_caching(w, p, s),
            cost_rag(w, p, s, emb, store), cost_fine_tune(w, o, s), cost_self_hosted(w, model, gpu, s)]


VOLUME = st.decimals(min_value=0, max_value=10**9, **NONNEG)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(all_costs(), VOLUME, VOLUME)
def test_monthly_cost_never_falls_as_volume_rises(costs: list[StrategyCost], v1: Decimal, v2: Decimal) -> None:
    lo, hi = sorted((v1, v2))
    for c in costs:
        assert c.monthly_usd(hi) >= c.monthly_usd(lo), c.id


@PROPERTY
@given(all_costs())
def test_no_cost_is_negative(costs: list[StrategyCost]) -> None:
    for c in costs:
        values = (c.per_request_usd, c.per_request_low_usd, c.per_request_high_usd, c.fixed_monthly_usd, c.one_off_usd)
        assert all(v.is_finite() and v >= 0 for v in values), (c.id, values)
        for item in c.line_items:
            assert item.usd.is_finite() and item.usd >= 0, (c.id, item)


@PROPERTY
@given(all_costs())
def test_low_expected_high_are_ordered(costs: list[StrategyCost]) -> None:
    for c in costs:
        assert c.per_request_low_usd <= c.per_request_usd <= c.per_request_high_usd, c.id


@PROPERTY
@given(all_costs())
def test_line_items_add_up_for_any_inputs(costs: list[StrategyCost]) -> None:
    for c in costs:
        sums = _sums(c)
        assert close(sums["per_request"], c.per_request_usd), c.id
        assert close(sums["monthly"], c.fixed_monthly_usd), c.id
        assert close(sums["one_off"], c.one_off_usd), c.id
        assert close(sums["per_retraining"], c.retrain_usd), c.id


def test_dedicated_endpoint_pays_for_capacity() -> None:
    """An hourly-hosted fine-tune with no per-token price needs more replicas as volume grows."""
    offer = FineTuneOffer(id="t/llama", provider="t", base_model="llama-x", source="test source row",
                          checked=date(2026, 11, 1), training_usd_per_mtok=D("0.48"), input_usd_per_mtok=D(0),
                          output_usd_per_mtok=D(0), hosting_usd_per_hour=D("5.49"), marks_up=False)
    model = OpenModel(id="llama-x", params_billion=D(8), serving_tokens_per_second_per_gpu=D(6000), gpu="g",
                      source="test source row", checked=date(2026, 11, 1))
    c = cost_fine_tune(W, offer, S, model)
    # (residual 100 + dynamic 150 + output 100) = 350 tokens × 2 peak/average ÷ (6,000 tokens/s × 3,600 s) × $5.49/h
    # = 3,843 ÷ 21,600,000
    assert close(c.per_request_usd, D(3843) / D(21_600_000))
    assert close(_item(c, "serving capacity (more replicas as volume grows)"), D(3843) / D(21_600_000))
    assert close(cost_fine_tune(W, offer, S).per_request_usd, D(0))  # without the model's throughput: hosting only


def test_a_replica_of_several_gpus() -> None:
    model = OpenModel(id="big", params_billion=D(70), serving_tokens_per_second_per_gpu=D(700), gpu="g",
                      gpus_per_replica=2, source="test source row", checked=date(2026, 11, 1))
    gpu = GpuPrice(id="g", provider="p", gpu="h100", usd_per_hour=D("3.60"), peak_bf16_tflops=D(989), memory_gb=80,
                   source="test source row", checked=date(2026, 11, 1))
    c = cost_self_hosted(W, model, gpu, S)
    assert _item(c, "always-on replica") == D("5259.6")  # 2 GPUs × $3.60/h × 730.5 h


# ---------------------------------------------------------------- batch never costs more than the same without it

_PRICE = st.decimals(min_value=D("0.001"), max_value=D(100), places=3, allow_nan=False, allow_infinity=False)
_SHARE = st.decimals(min_value=D("0.01"), max_value=D(1), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def batch_priced(draw: st.DrawFn) -> ModelPrices:
    """Prices with a batch row no dearer than list (as every provider's is), caching at any ratio, either rule."""
    inp, out = draw(_PRICE), draw(_PRICE)
    return replace(prices("m", str(inp), str(inp * draw(_SHARE)), str(inp * draw(st.sampled_from(
        [D(1), D("1.25"), D(2)]))), str(out), str(inp * draw(_SHARE)), str(out * draw(_SHARE)),
        min_cacheable=draw(st.sampled_from([0, 1024, 4096]))),
        batch_caching=draw(st.sampled_from(["stacks", "standard_cached"])),
        cache_increment_tokens=draw(st.sampled_from([1, 128])))


@settings(max_examples=300, deadline=None)
@given(batch_priced(), st.decimals(min_value=0, max_value=20_000, places=0), st.sampled_from([None, D("0.3")]),
       st.decimals(min_value=0, max_value=5_000, places=0))
def test_batch_never_costs_more_than_the_same_strategy_without_it(p: ModelPrices, static: Decimal,
                                                                   hit: Decimal | None, cached: Decimal) -> None:
    w = replace(W, static_tokens=static, few_shot_tokens=min(static, D(600)),
                logged_cached_tokens=min(cached, static + W.dynamic_tokens))
    standard = S.model_copy(update={"cache_hit_rate": hit})
    batch = standard.model_copy(update={"batch": True})
    for make in (lambda sc: cost_as_logged(w, p, sc), lambda sc: cost_prompt_caching(w, p, sc),
                 lambda sc: cost_prompt_only(w, p, sc), lambda sc: cost_rag(w, p, sc, EMBED, STORE)):
        with_batch, without = make(batch), make(standard)
        assert with_batch.per_request_usd <= without.per_request_usd
        assert with_batch.per_request_high_usd <= without.per_request_high_usd


@pytest.mark.parametrize(
    ("per_day", "templates", "ttl", "expected"),
    [
        # λ = 100 ÷ 86,400 s = 0.0011574/s; λ·300 = 0.34722; 1 − e^−0.34722 = 0.29335
        (100, 1, 300, "0.29335"),
        # 20,000 a day: λ·300 = 69.44: every request finds the prefix
        (20_000, 1, 300, "1.00000"),
        # 1,000 a day over 3 templates: λ = 0.0038580/s; λ·300 = 1.15741; 1 − e^−1.15741 = 0.68570
        (1_000, 3, 300, "0.68570"),
        # a 1-hour cache at 100 a day: λ·3,600 = 4.16667; 1 − e^−4.16667 = 0.98450
        (100, 1, 3600, "0.98450"),
    ],
)
def test_arrival_hit_rate(per_day: int, templates: int, ttl: int, expected: str) -> None:
    from fineadvisor.advise.costs import arrival_hit_rate

    got = arrival_hit_rate(D(per_day) * D("30.4375"), templates, ttl)
    assert abs(got - D(expected)) < D("0.00001")


def test_the_logged_hit_rate_is_capped_by_the_scenarios_traffic() -> None:
    # measured 0.8 at the logs' traffic; at 100 a day with a 300 s cache only 29.3% of requests can hit
    from fineadvisor.advise.costs import hit_rate

    p = replace(OPENAI, cache_ttl_seconds=300)
    w = replace(W, measured_hit_rate=D("0.8"), logged_cached_tokens=D(1600))
    low = Scenario.per_day(100, start=date(2026, 11, 22))
    assert abs(hit_rate(w, low, p) - D("0.29335")) < D("0.00001")
    assert hit_rate(w, low.model_copy(update={"cache_hit_rate": D("0.9")}), p) == D("0.9")  # set: used as is
    logged = cost_as_logged(w, p, low)
    # the logged 1,600 cached tokens scale to 1,600 × 0.29335 ÷ 0.8 = 586.7 at that traffic
    assert abs(_item(logged, "cached input (as logged)") - D("586.7") * D("0.075") / 1_000_000) < D("1e-9")
    assert any("hit rate" in n for n in logged.notes)


def test_switch_model_prices_the_logged_prompt_on_another_model() -> None:
    # the same 2,000 static + 150 dynamic tokens on the Anthropic-like model: static cached at 0.8 by its rules:
    # reads 1,600 × 0.10 / 1e6 = 0.00016; writes 400 × 1.25 / 1e6 = 0.0005; dynamic 150 × 1 / 1e6 = 0.00015;
    # output 100 × 5 / 1e6 = 0.0005 → 0.00131; one-off (8 h migration + 8 h evaluation) × $100 = 1,600
    from fineadvisor.advise.costs import cost_switch_model

    c = cost_switch_model(W, OPENAI, replace(ANTHROPIC, provider="anthropic"), S)
    assert (c.id, c.per_request_usd, c.one_off_usd) == ("switch_model:claude-like", D("0.00131"), D(1600))
    assert c.changes_behaviour and any("tokenizer" in n for n in c.notes)
    assert not replace(c, early_move=True).changes_behaviour


def test_self_hosting_is_sized_from_flops_bandwidth_and_memory() -> None:
    # 8e9 params on a 1,000-TFLOP/s, 2,000 GB/s, 80 GB GPU; W: prompt 100 + 150 = 250, output 100 → context 350
    # prefill = 1,000e12 × 0.4 ÷ (2 × 8e9) = 25,000 tokens/s; weights 16e9 B; KV 350 × 131,072 = 45,875,200 B;
    # batch = ⌊(0.9 × 80e9 − 16e9) ÷ 45,875,200⌋ = ⌊1,220.7⌋ → capped at 256;
    # decode step = (16e9 + 256 × 45,875,200) ÷ (2,000e9 × 0.6) = 27,744,051,200 ÷ 1.2e12 = 0.0231200427 s
    # → 256 ÷ 0.0231200427 = 11,072.64 tokens/s; seconds per request = 250 ÷ 25,000 + 100 ÷ 11,072.64
    # = 0.01 + 0.0090312667 = 0.0190312667
    from fineadvisor.advise.costs import serving

    gpu = GPU.model_copy(update={"memory_bandwidth_gb_s": D(2000)})
    model = LLAMA.model_copy(update={"kv_bytes_per_token": 131_072})
    sized = serving(W, model, gpu, S)
    assert sized is not None and sized.fits and sized.batch == 256
    assert sized.prefill_tokens_per_second == D(25_000)
    assert abs(sized.decode_tokens_per_second - D("11072.64")) < D("0.01")
    assert abs(sized.replica_seconds_per_request - D("0.0190312667")) < D("0.0000000001")
    c = cost_self_hosted(W, model, gpu, S)
    # per request = 0.0190312667 s × 2 peak/average × 3.60 / 3,600 $/s = 0.0000380625
    assert abs(c.per_request_usd - D("0.0000380625")) < D("1e-10")
    assert any("replica" in n and "busy" in n for n in c.notes) and c.unfit is None


def test_a_model_that_does_not_fit_its_gpus_is_not_recommendable() -> None:
    # 70e9 params = 140 GB of bf16 weights on one 24 GB GPU (0.9 × 24 = 21.6 GB usable)
    from fineadvisor.advise.recommend import exclusions

    small = GPU.model_copy(update={"memory_bandwidth_gb_s": D(300), "memory_gb": 24})
    big = LLAMA.model_copy(update={"params_billion": D(70), "kv_bytes_per_token": 327_680})
    c = cost_self_hosted(W, big, small, S)
    assert c.unfit is not None and "140 GB of weights" in c.unfit and "22 GB usable" in c.unfit
    assert any("140 GB of weights" in why for why in exclusions(c, W, S))


@pytest.mark.parametrize(("model", "reasoning"), [("o4-mini", True), ("gpt-5-mini", True), ("openai/o3", True),
                                                   ("claude-sonnet-4-5-thinking", True), ("gpt-6-luna", False),
                                                   ("gpt-4o-mini", False), ("gemini-3.8-flash", False)])
def test_reasoning_models_are_named_and_their_hidden_tokens_said(model: str, reasoning: bool) -> None:
    from fineadvisor.advise.costs import cost_switch_model, is_reasoning_model

    assert is_reasoning_model(model) is reasoning
    c = cost_switch_model(W, OPENAI, replace(OPENAI, model=model), S)
    assert any("reasoning tokens" in n for n in c.notes) is reasoning


# ---------------------------------------------------------------- the logs' caching at another traffic


@pytest.mark.parametrize(
    ("measured", "ratio", "expected"),
    [
        (D("0.84"), D(1), D("0.84")),  # at the logs' own traffic: as measured
        (D("0.84"), D(2), D("0.9744")),  # 1 − 0.16² = 1 − 0.0256
        (D("0.84"), D("0.5"), D("0.6")),  # 1 − 0.16^0.5 = 1 − 0.4
        (D("0.5"), D(10), 1 - D("0.5") ** 10),  # 1 − 1/1,024 = 0.9990234375
        (D(1), D("0.01"), D(1)),  # every request hit: stays so
        (D("0.3"), D(0), D(0)),  # no traffic, no hits
    ],
)
def test_scaled_hit_rate(measured: Decimal, ratio: Decimal, expected: Decimal) -> None:
    assert abs(scaled_hit_rate(measured, ratio) - expected) < D("1e-24")


# Anthropic-like logs: 84% of requests read a 1,500-token prefix (1,260 per request on average); the other 16% write
# it (240 per request): R = 1,260 ÷ 0.84 = 1,500 per hit, M = 240 ÷ 0.16 = 1,500 per miss.
CACHED_W = replace(W, logged_cached_tokens=D(1260), logged_cache_write_tokens=D(240), measured_hit_rate=D("0.84"))


@pytest.mark.parametrize(
    ("w", "s", "p", "expected"),
    [
        # at the logs' traffic (set): reads 1,500 × 0.84, writes 1,500 × 0.16 — exactly the logs
        (CACHED_W, S.model_copy(update={"logs_requests_per_month": S.requests_per_month}), ANTHROPIC, (D(1260), D(240))),
        # 100× the logs' traffic: h = 1 − 0.16^100 ≈ 1: reads ≈ 1,500, writes ≈ 0 (every miss wrote; now few miss)
        (CACHED_W, S.model_copy(update={"logs_requests_per_month": S.requests_per_month / 100}), ANTHROPIC,
         (D(1500) * (1 - D("0.16") ** 100), D(1500) * D("0.16") ** 100)),
        # hit rate set to 50%: reads 750, writes 750 (a miss writes the prefix again)
        (CACHED_W, S.model_copy(update={"cache_hit_rate": D("0.5")}), ANTHROPIC, (D(750), D(750))),
        # a target whose minimum (4,096) is above the 1,500-token prefix it would read: nothing cached
        (CACHED_W, S.model_copy(update={"cache_hit_rate": D("0.5")}), replace(ANTHROPIC, min_cacheable_tokens=4096),
         (D(0), D(0))),
        # ... unless it is the logged model itself: its billed reads stand
        (replace(CACHED_W, model="claude-like"), S.model_copy(update={"cache_hit_rate": D("0.5")}),
         replace(ANTHROPIC, min_cacheable_tokens=4096), (D(750), D(750))),
        # no hit rate measured (no per-record read counts): the logged means, unchanged
        (replace(CACHED_W, measured_hit_rate=None), S, ANTHROPIC, (D(1260), D(240))),
        # writes only, no reads (m = 0): writes as logged
        (replace(W, logged_cache_write_tokens=D(300), measured_hit_rate=D(0)), S, ANTHROPIC, (D(0), D(300))),
    ],
)
def test_logged_cache_moves_reads_and_writes_together(w: Workload, s: Scenario, p: ModelPrices,
                                                      expected: tuple[Decimal, Decimal]) -> None:
    got = logged_cache(w, p, s)
    assert all(abs(g - e) < D("1e-20") for g, e in zip(got, expected, strict=True)), got


def test_moving_early_is_priced_as_the_forced_migrations_second_leg() -> None:
    """The same prompt on the same successor has one price, whether the move is forced or early (the logs' caching
    on both), so the only difference is when it starts."""
    s = S.model_copy(update={"cache_hit_rate": D("0.5")})
    then = cost_as_logged(CACHED_W, ANTHROPIC, s)
    early = cost_switch_model(CACHED_W, ANTHROPIC, ANTHROPIC, s, cache_prefix=False)
    assert (early.per_request_usd, early.per_request_low_usd, early.per_request_high_usd) == (
        then.per_request_usd, then.per_request_low_usd, then.per_request_high_usd)


def test_the_minimum_note_names_the_minimum_only() -> None:
    """A target whose minimum is above the logged prefix says so; a 0% hit rate on a model that could cache it
    does not claim a minimum."""
    below = cost_as_logged(CACHED_W, replace(ANTHROPIC, min_cacheable_tokens=4096),
                           S.model_copy(update={"cache_hit_rate": D("0.5")}))
    assert any("below claude-like's 4,096-token minimum" in n for n in below.notes)
    cold = cost_as_logged(CACHED_W, ANTHROPIC, S.model_copy(update={"cache_hit_rate": D(0)}))
    assert not any("minimum" in n for n in cold.notes)
