"""The user's scenario and every assumption the cost models use: validated where it comes in, echoed in output."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fineadvisor.advise.constants import (
    DAYS_PER_MONTH,
    DEFAULT_HIT_RATE,
    DEFAULT_REQUESTS_PER_DAY,
    HOURS_PER_MONTH,
    default_volume_source,
)

NonNegative = Annotated[Decimal, Field(ge=0, le=10**9, allow_inf_nan=False)]
"""Hours and USD amounts: at most a billion (beyond any plan; keeps every product computable)."""
Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]

__all__ = ["DAYS_PER_MONTH", "DEFAULT_HIT_RATE", "DEFAULT_REQUESTS_PER_DAY", "HOURS_PER_MONTH", "NonNegative", "Scenario",
           "Share", "default_of", "default_volume_source", "today"]


def today() -> date:
    """Today's date (one seam, so that tests and reproducible reports can fix the date)."""
    return date.today()


class Scenario(BaseModel):
    """Volume, horizon and the assumptions behind every strategy; each field has a stated, settable default."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # built on first use: a fast start

    requests_per_month: Annotated[Decimal, Field(ge=0, le=10**12)] = Field(
        default=DEFAULT_REQUESTS_PER_DAY * DAYS_PER_MONTH,
        description=f"Requests per month now (default {DEFAULT_REQUESTS_PER_DAY:,} a day).")
    growth_per_month: Annotated[Decimal, Field(gt=-1, le=10)] = Field(
        default=Decimal(0), description="Monthly growth of the volume, e.g. 0.05 for +5% a month.")
    horizon_months: int = Field(default=12, ge=1, le=120, description="Months over which strategies are compared.")
    start: date = Field(default_factory=lambda: today(), description="When the chosen strategy would start.")
    batch: bool | None = Field(default=None, description="Latency allows the 24-hour Batch API (about half price); "
                                                          "default: yes when the logs are Batch API lines.")
    model: str | None = Field(default=None, description="The model the logged setup uses (default: from logs).")
    output_tokens: int | None = Field(
        default=None, ge=0, le=10**6,
        description="Output tokens per request (default: measured from the logs' outputs; a log without outputs "
                    "is priced with none, and the answer says so).")

    min_quality: Share | None = Field(
        default=None, description="Exclude a strategy whose measured pass rate (--quality) is below this share.")
    reasoning_multiplier: Annotated[Decimal, Field(ge=0, le=1000, allow_inf_nan=False)] = Field(
        default=Decimal(2), description="Hidden reasoning tokens per visible output token assumed for a reasoning "
                                        "model when the logs show none (an assumption: measure it on a pilot).")
    consider_models: tuple[str, ...] = Field(
        default=(), description="Other models to price the logged prompt on, as is (default: only the logged "
                                "model's successor, when one is known).")

    # prompt caching
    prompt_caching: bool = Field(default=True, description="Consider prompt caching of the static prefix.")
    cache_hit_rate: Share | None = Field(
        default=None, description="Share of requests whose static prefix is read from the cache "
                                  f"(default: measured from the logs' cached tokens, else {DEFAULT_HIT_RATE}).")
    logs_requests_per_month: Annotated[Decimal, Field(gt=0, le=10**12)] | None = Field(
        default=None, description="The traffic the logs were captured at: the logs' cache hit rate then follows "
                                  "your volume by the arrival model, up or down (default: unknown — the logs' rate, "
                                  "capped by what your traffic allows).")

    # RAG
    rag_chunks: int = Field(default=5, ge=0, le=100, description="Chunks retrieved per request (k).")
    rag_chunk_tokens: int = Field(default=800, ge=1, le=10**7, description="Tokens per chunk (OpenAI file search default).")
    rag_corpus_tokens: int = Field(default=2_000_000, ge=0, le=10**15, description="Tokens in the knowledge base to embed.")
    rag_reindex_share_per_month: Share = Field(default=Decimal("0.1"),
                                               description="Share of the corpus re-embedded each month.")
    rag_embedding: str = Field(default="text-embedding-3-small", description="Embedding model id.")
    rag_embedding_dimensions: int = Field(default=1536, ge=1, le=100_000)
    rag_vector_store: str = Field(default="pinecone/standard", description="Vector store id.")
    rag_setup_hours: NonNegative = Field(default=Decimal(24), description="Engineering hours to build retrieval.")
    rag_replaced_share: Share = Field(
        default=Decimal("0.5"), description="Share of the system prompt (beyond the few-shot examples, which RAG "
                                            "always replaces) that is reference knowledge, moved into the retrieved "
                                            "corpus; the rest (instructions, tools) stays in every prompt.")

    # fine-tuning (managed and self-hosted)
    fine_tune_offers: tuple[str, ...] = Field(default=(), description="Offer ids to compare (default: all open).")
    residual_prompt_tokens: int = Field(default=100, ge=0, le=10**7,
                                        description="Prompt tokens still sent after fine-tuning (short instruction).")
    training_examples: int | None = Field(default=None, ge=1, le=10**9,
                                          description="Training examples (default: the logs' usable examples).")
    epochs: int | None = Field(default=None, ge=1, le=50, description="Epochs (default: OpenAI's auto rule).")
    validation_share: Share = Field(default=Decimal(0), description="Extra validation tokens, as a share of training.")
    retrain_every_months: int = Field(default=6, ge=1, le=1200, description="How often the model is retrained.")
    data_prep_hours: NonNegative = Field(default=Decimal(16), description="Hours to clean and curate training data.")
    eval_hours: NonNegative = Field(default=Decimal(8), description="Hours to evaluate each trained model.")
    migration_hours: NonNegative = Field(
        default=Decimal(8), description="Hours to move a prompt to another model (port, re-test, deploy), on top of "
                                        "the evaluation hours, when the logged model shuts down.")
    labour_usd_per_hour: NonNegative = Field(default=Decimal(100), description="Cost of an engineering hour.")
    min_saving_usd: NonNegative = Field(
        default=Decimal(1000), description="A change of behaviour (zero-shot, RAG, fine-tuning, another model) is "
                                           "recommended only when it saves at least this much over the horizon "
                                           "(and at least min_saving_share of the logged setup's cost).")
    min_saving_share: Share = Field(
        default=Decimal("0.05"), description="Any change is recommended only when it saves at least this share of "
                                             "what the logged setup costs over the horizon: smaller savings are "
                                             "within the precision of an estimate.")
    knowledge_changes: bool = Field(default=False,
                                    description="The facts the model must know change often: a fine-tune is retrained "
                                                "for each change (monthly, unless --retrain-every-months is set) and "
                                                "the RAG corpus re-embedded monthly (unless its share is set).")

    # self-hosted LoRA
    self_host_model: str = Field(default="llama-3.1-8b", description="Open model id to LoRA-tune and serve.")
    self_host_gpu: str | None = Field(default=None, description="GPU id (default: the open model's).")
    mfu: Annotated[Decimal, Field(gt=0, le=1)] = Field(default=Decimal("0.2"),
                                                       description="Model FLOPs utilisation of LoRA training.")
    lora_flops_per_param_token: Annotated[Decimal, Field(gt=0, le=100)] = Field(
        default=Decimal(4), description="Training FLOPs per parameter per token: 4 for LoRA, 6 for full.")
    run_overhead_hours: NonNegative = Field(default=Decimal(1),
                                            description="GPU hours per training run beyond the FLOPs estimate.")
    peak_to_average: Annotated[Decimal, Field(ge=1, le=1000)] = Field(default=Decimal(2),
                                                             description="Serving capacity ÷ average load.")
    serving_mfu: Annotated[Decimal, Field(gt=0, le=1)] = Field(
        default=Decimal("0.4"), description="Share of the GPUs' peak FLOPs prefill (reading the prompt) achieves.")
    decode_bandwidth_share: Annotated[Decimal, Field(gt=0, le=1)] = Field(
        default=Decimal("0.6"), description="Share of the memory bandwidth decoding (writing the answer) achieves.")
    ops_hours_per_month: NonNegative = Field(default=Decimal(8),
                                             description="Engineering hours a month to run self-hosted serving.")

    @classmethod
    def per_day(cls, requests_per_day: Decimal | int, **fields: object) -> Scenario:
        """A scenario whose volume is given per day."""
        return cls(requests_per_month=Decimal(requests_per_day) * DAYS_PER_MONTH, **fields)  # type: ignore[arg-type]


def default_of(field: str) -> object:
    """The default of a `Scenario` field, as `Scenario()` has it (what the CLI's help and the app show), read from
    the field itself, so that the model's validator is not built for it."""
    return Scenario.model_fields[field].get_default(call_default_factory=True)
