"""The price catalog: base model prices from genai-prices, plus the sourced rows in `pricing/` it lacks.

The only reader of `pricing/`. Every row carries its source and the date it was checked; a user file
(`--pricing FILE`, same format) overrides rows by id or adds new ones. Money is `Decimal`, in USD.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fineadvisor.errors import CatalogError, UnknownPriceError
from fineadvisor.model_names import family, normalize_model

MAX_USD_PER_MTOK = Decimal(10_000)
"""The highest per-million-token price believed (the priciest model in 2026 is well under $1,000/MTok)."""
MAX_USD_PER_HOUR = Decimal(10_000)
"""The highest hourly price believed (an 8-GPU node rents for well under $100/h)."""
MAX_USD = Decimal(10_000_000)
"""The highest fixed amount believed (a job minimum, a monthly fee)."""
MAX_PRICE_FILE_BYTES = 1024 * 1024
"""A price file larger than this (1 MiB; the bundled ones are under 25 KB) is refused unread."""

Usd = Annotated[Decimal, Field(ge=0, le=MAX_USD, allow_inf_nan=False)]
UsdPerMtok = Annotated[Decimal, Field(ge=0, le=MAX_USD_PER_MTOK, allow_inf_nan=False)]
UsdPerHour = Annotated[Decimal, Field(ge=0, le=MAX_USD_PER_HOUR, allow_inf_nan=False)]


Tier = Literal["primary", "database", "third_party"]
"""How far a row's source can be trusted: the provider's own page, a maintained database (genai-prices, litellm), or
a third party."""
PRICE_BAND = {"primary": Decimal(0), "database": Decimal("0.05"), "third_party": Decimal("0.25")}
"""How far a price from a source of each tier may be off, either way (an assumption: a provider's own page is the
bill; a maintained database lags it by a few percent; a third party may be a quarter off)."""


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    source: str = Field(min_length=8, description="URL or document the figures come from")
    checked: date = Field(description="The date the figures were checked against the source")
    notes: str = ""
    tier: Tier = Field(default="primary", description="The tier of `source` (see Tier)")

    def summary(self) -> str:
        """The row's figures in one line (every field but id, source, checked and notes)."""
        skip = {"id", "source", "checked", "notes"}
        parts = [f"{k}={v}" for k, v in self.model_dump().items() if k not in skip and v not in (None, "", 0)]
        return ", ".join(parts)


class BaseModelPrice(_Row):
    """Per-token prices of a hosted model, USD per million tokens (rows here override genai-prices)."""

    provider: str
    input_usd_per_mtok: UsdPerMtok
    cached_input_usd_per_mtok: UsdPerMtok | None = None
    cache_write_usd_per_mtok: UsdPerMtok | None = None
    output_usd_per_mtok: UsdPerMtok
    batch_input_usd_per_mtok: UsdPerMtok | None = None
    batch_output_usd_per_mtok: UsdPerMtok | None = None
    min_cacheable_tokens: int | None = Field(default=None, ge=0)
    """Default: the provider's `[[cache_rule]]` for the model."""
    cache_storage_usd_per_mtok_hour: UsdPerMtok = Decimal(0)


class FineTuneOffer(_Row):
    """A managed fine-tuning offer: training price, fine-tuned inference price, fixed fees and availability."""

    provider: str
    base_model: str
    method: Literal["sft", "lora", "dpo", "rft"] = "sft"
    training_usd_per_mtok: UsdPerMtok | None = None
    training_usd_per_hour: UsdPerHour | None = None
    training_hours_per_mtok: Annotated[Decimal, Field(ge=Decimal('1e-6'), le=10_000, allow_inf_nan=False)] | None = None
    """For hourly-billed training: wall-clock hours per million training tokens (an assumption, sourced)."""
    input_usd_per_mtok: UsdPerMtok
    cached_input_usd_per_mtok: UsdPerMtok | None = None
    output_usd_per_mtok: UsdPerMtok
    batch_input_usd_per_mtok: UsdPerMtok | None = None
    batch_output_usd_per_mtok: UsdPerMtok | None = None
    hosting_usd_per_hour: UsdPerHour = Decimal(0)
    """Charged for every hour a fine-tuned deployment exists, used or not."""
    min_job_usd: Usd = Decimal(0)
    storage_usd_per_month: Usd = Decimal(0)
    max_tokens_per_example: int | None = Field(default=None, gt=0)
    new_jobs_until: date | None = None
    available_until: date | None = None
    """The fine-tuned model stops serving on this date."""
    marks_up: bool = True
    """The provider charges more for fine-tuned inference than for the base model."""

    @model_validator(mode="after")
    def _has_training_price(self) -> FineTuneOffer:
        if self.training_usd_per_mtok is None and (self.training_usd_per_hour is None
                                                   or self.training_hours_per_mtok is None):
            raise ValueError("needs training_usd_per_mtok, or training_usd_per_hour with training_hours_per_mtok")
        return self


class EmbeddingPrice(_Row):
    """An embedding model for RAG."""

    provider: str
    usd_per_mtok: UsdPerMtok
    batch_usd_per_mtok: UsdPerMtok | None = None


class VectorStorePrice(_Row):
    """A vector store for RAG: storage, queries and a monthly minimum."""

    provider: str
    storage_usd_per_gb_month: Usd
    usd_per_1k_queries: Usd = Decimal(0)
    minimum_usd_per_month: Usd = Decimal(0)


class GpuPrice(_Row):
    """An on-demand GPU for self-hosted training and serving."""

    provider: str
    gpu: str
    usd_per_hour: UsdPerHour
    peak_bf16_tflops: Annotated[Decimal, Field(ge=Decimal('0.1'), le=1_000_000, allow_inf_nan=False)]
    """Peak dense BF16 throughput (not the with-sparsity figure)."""
    memory_gb: int = Field(gt=0)
    memory_bandwidth_gb_s: Annotated[Decimal, Field(gt=0, le=1_000_000, allow_inf_nan=False)] | None = None
    """Memory bandwidth: what bounds decoding speed (None: the open model's throughput figure is used)."""


class OpenModel(_Row):
    """An open-weights model that can be LoRA-tuned and self-hosted."""

    params_billion: Annotated[Decimal, Field(ge=Decimal('0.001'), le=100_000, allow_inf_nan=False)]
    serving_tokens_per_second_per_gpu: Annotated[Decimal, Field(ge=1, le=10_000_000, allow_inf_nan=False)]
    """Sustained generated+prefilled tokens per second one GPU serves (an assumption, sourced)."""
    gpu: str
    """The catalog `gpu` id it is served and trained on by default."""
    gpus_per_replica: int = Field(default=1, ge=1)
    """GPUs one serving replica needs (its weights must fit)."""
    kv_bytes_per_token: int | None = Field(default=None, gt=0, le=10**9)
    """KV-cache bytes one token of context holds (2 × layers × KV heads × head dim × bytes per value)."""


class Lifecycle(_Row):
    """When a hosted model (or an offer of it) stops serving, and what its provider recommends instead."""

    provider: str
    aliases: list[str] = []
    """Family aliases that resolve to this model and retire with it."""
    available_until: date
    """The model stops serving on this date (requests fail from this day)."""
    new_jobs_until: date | None = None
    """The last day new fine-tuning jobs can start on this base."""
    successor: str | None = None
    """The provider's recommended replacement (a model id the catalog can price)."""
    earliest: bool = False
    """`available_until` is only a "no earlier than" date: at risk from then on, not known to stop."""


BatchCaching = Literal["stacks", "standard_cached"]


class CacheRule(_Row):
    """A provider's prompt-caching rule for some models: minimum prefix, billing step, and caching under batch."""

    provider: str
    models: list[str] = []
    """Model-id prefixes it applies to (empty: the provider's default); the longest matching prefix wins."""
    min_cacheable_tokens: int = Field(ge=0, le=10**7)
    increment_tokens: int = Field(default=1, ge=1, le=10**6)
    ttl_seconds: int = Field(default=300, ge=1, le=10**7)
    """How long a cached prefix lives after its last use."""
    batch_caching: BatchCaching


class PriceFile(BaseModel):
    """One TOML file in `pricing/` (or a user's --pricing file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: list[BaseModelPrice] = []
    offer: list[FineTuneOffer] = []
    embedding: list[EmbeddingPrice] = []
    vector_store: list[VectorStorePrice] = []
    gpu: list[GpuPrice] = []
    open_model: list[OpenModel] = []
    lifecycle: list[Lifecycle] = []
    cache_rule: list[CacheRule] = []


@dataclass(frozen=True, slots=True)
class ModelPrices:
    """Resolved per-token prices of a base model, USD per million tokens, with where they came from."""

    model: str
    provider: str
    input_usd_per_mtok: Decimal
    cached_input_usd_per_mtok: Decimal
    cache_write_usd_per_mtok: Decimal
    output_usd_per_mtok: Decimal
    batch_input_usd_per_mtok: Decimal | None
    batch_output_usd_per_mtok: Decimal | None
    min_cacheable_tokens: int
    cache_storage_usd_per_mtok_hour: Decimal
    source: str
    checked: date
    lifecycle: Lifecycle | None = None
    """When the model stops serving and its successor (None: no end date known)."""
    cache_increment_tokens: int = 1
    """Cache hits are billed in steps of this many tokens (OpenAI: 128)."""
    batch_caching: BatchCaching = "standard_cached"
    """How the Batch API combines with caching (see `CacheRule`)."""
    cache_ttl_seconds: int = 300
    """How long a cached prefix lives after its last use (the arrival model's TTL)."""
    cache_rule: str = ""
    """The `[[cache_rule]]` applied, with its source."""
    tier: Tier = "database"
    """The tier of the price source: genai-prices is a maintained database; a `[[model]]` row says its own."""


_NOT_CHAT = ("image", "audio", "tts", "embedding", "realtime", "transcribe", "search")
"""Name parts of models that are not general chat models (their successors are not a line-up to switch a prompt to)."""

_R = TypeVar("_R", bound=_Row)
_KINDS = ("model", "offer", "embedding", "vector_store", "gpu", "open_model", "lifecycle", "cache_rule")


@dataclass(frozen=True)
class Catalog:
    """Every price fineadvisor knows, by kind and id."""

    models: dict[str, BaseModelPrice] = field(default_factory=dict)
    offers: dict[str, FineTuneOffer] = field(default_factory=dict)
    embeddings: dict[str, EmbeddingPrice] = field(default_factory=dict)
    vector_stores: dict[str, VectorStorePrice] = field(default_factory=dict)
    gpus: dict[str, GpuPrice] = field(default_factory=dict)
    open_models: dict[str, OpenModel] = field(default_factory=dict)
    lifecycles: dict[str, Lifecycle] = field(default_factory=dict)
    cache_rules: dict[str, CacheRule] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def tables(self) -> tuple[tuple[str, tuple[_Row, ...]], ...]:
        """Every row, by kind, for listing."""
        return (("offer", tuple(self.offers.values())), ("embedding", tuple(self.embeddings.values())),
                ("vector_store", tuple(self.vector_stores.values())), ("gpu", tuple(self.gpus.values())),
                ("open_model", tuple(self.open_models.values())), ("model", tuple(self.models.values())),
                ("lifecycle", tuple(self.lifecycles.values())), ("cache_rule", tuple(self.cache_rules.values())))

    def cache_rule_for(self, provider: str, model: str) -> CacheRule | None:
        """The caching rule of a model: its provider's row with the longest matching model prefix, else the
        provider's default row (None: no rule known for the provider)."""
        base = normalize_model(model)
        best: tuple[int, CacheRule] | None = None
        for rule in self.cache_rules.values():
            if rule.provider != provider:
                continue
            length = max((len(p) for p in rule.models if base.startswith(p.lower())), default=-1 if rule.models else 0)
            if length >= 0 and (best is None or length > best[0]):
                best = (length, rule)
        return best[1] if best is not None else None

    def _with_cache_rule(self, prices: ModelPrices, explicit_min: int | None = None) -> ModelPrices:
        rule = self.cache_rule_for(prices.provider, prices.model)
        if rule is None:
            return prices if explicit_min is None else replace(prices, min_cacheable_tokens=explicit_min)
        return replace(prices, min_cacheable_tokens=explicit_min if explicit_min is not None else rule.min_cacheable_tokens,
                       cache_increment_tokens=rule.increment_tokens, batch_caching=rule.batch_caching,
                       cache_ttl_seconds=rule.ttl_seconds,
                       cache_rule=f"{rule.id} ({rule.source}, checked {rule.checked}; {rule.tier})")

    def lifecycle_of(self, model: str) -> Lifecycle | None:
        """The lifecycle row of a model: by its id as given, normalised, or as an alias of a row (None: no end date
        known here; genai-prices' `deprecated` flag is merged in by `model_prices`)."""
        base = normalize_model(model)
        for key in (model, base):
            if key in self.lifecycles:
                return self.lifecycles[key]
        return next((row for row in self.lifecycles.values() if base in row.aliases or model in row.aliases), None)

    def current_models(self, provider: str) -> tuple[str, ...]:
        """The models a provider's retirement notices point to (their successors), that have no end date themselves:
        its current line-up, as the lifecycle rows name it."""
        named = dict.fromkeys(r.successor for r in self.lifecycles.values()
                              if r.provider == provider and r.successor and "/" not in r.id
                              and not any(k in r.id for k in _NOT_CHAT))
        return tuple(m for m in named if m is not None and self.lifecycle_of(m) is None)

    def offer(self, offer_id: str) -> FineTuneOffer:
        """The fine-tuning offer `offer_id`, or an error that suggests close ids."""
        return _get(self.offers, offer_id, "fine-tuning offer", "fineadvisor prices offer")

    def embedding(self, model_id: str) -> EmbeddingPrice:
        """The embedding model `model_id`."""
        return _get(self.embeddings, model_id, "embedding model", "fineadvisor prices embedding")

    def vector_store(self, store_id: str) -> VectorStorePrice:
        """The vector store `store_id`."""
        return _get(self.vector_stores, store_id, "vector store", "fineadvisor prices vector_store")

    def gpu(self, gpu_id: str) -> GpuPrice:
        """The GPU `gpu_id`."""
        return _get(self.gpus, gpu_id, "GPU", "fineadvisor prices gpu")

    def open_model(self, model_id: str) -> OpenModel:
        """The open-weights model `model_id`."""
        return _get(self.open_models, model_id, "open model", "fineadvisor prices open_model")

    def model_prices(self, model: str, on: date | None = None) -> ModelPrices:
        """Per-token prices of a base model on a date (a `pricing/` row if one matches, else genai-prices), with its
        lifecycle: a `pricing/lifecycle.toml` row, else genai-prices' `deprecated` flag."""
        tuned = self._fine_tuned_prices(model)
        if tuned is not None:
            return self._with_cache_rule(tuned)
        row_min = next((r.min_cacheable_tokens for r in (self.models.get(normalize_model(model)), self.models.get(model))
                        if r is not None), None)
        prices = self._with_cache_rule(self._model_prices(model, on), row_min)
        row = self.lifecycle_of(model) or self.lifecycle_of(prices.model)
        if row is None and _deprecated_in_genai_prices(normalize_model(model)):
            row = Lifecycle(id=prices.model, provider=prices.provider, available_until=_GENAI_PRICES_CHECKED,
                            tier="database", checked=_GENAI_PRICES_CHECKED,
                            source=f"genai-prices {_genai_prices_version()} marks it deprecated (shut down by the "
                                   "date its data was checked)")
        return replace(prices, lifecycle=row) if row is not None else prices

    def _fine_tuned_prices(self, model: str) -> ModelPrices | None:
        """A fine-tuned model's own inference prices (`ft:gpt-4o-mini-2024-07-18:org::id` bills the fine-tuned rates,
        twice the base's): from the managed offer that tunes its base, with that offer's end dates."""
        lowered = model.strip().lower()
        for prefix in ("openai/", "azure/"):
            lowered = lowered.removeprefix(prefix)
        if not lowered.startswith("ft:"):
            return None
        base = normalize_model(model)
        offer = next((o for o in self.offers.values() if o.provider == "openai" and normalize_model(o.base_model) == base),
                     None)
        if offer is None:
            return None
        life = None
        if offer.available_until is not None:
            base_life = self.lifecycle_of(base)
            life = Lifecycle(id=model, provider=offer.provider, available_until=offer.available_until,
                             new_jobs_until=offer.new_jobs_until,
                             successor=base_life.successor if base_life is not None else None,
                             tier=base_life.tier if base_life is not None else "primary", source=offer.source,
                             checked=offer.checked, notes="the fine-tuned model stops serving with its offer")
        return ModelPrices(
            model=model, provider=offer.provider, input_usd_per_mtok=offer.input_usd_per_mtok,
            cached_input_usd_per_mtok=(offer.cached_input_usd_per_mtok if offer.cached_input_usd_per_mtok is not None
                                       else offer.input_usd_per_mtok),
            cache_write_usd_per_mtok=offer.input_usd_per_mtok, output_usd_per_mtok=offer.output_usd_per_mtok,
            batch_input_usd_per_mtok=offer.batch_input_usd_per_mtok,
            batch_output_usd_per_mtok=offer.batch_output_usd_per_mtok,
            min_cacheable_tokens=_MIN_CACHEABLE.get(offer.provider, 1024), cache_storage_usd_per_mtok_hour=Decimal(0),
            source=f"fine-tuned inference rates of the [[offer]] {offer.id!r}: {offer.source}", checked=offer.checked,
            lifecycle=life, tier=offer.tier)

    def _model_prices(self, model: str, on: date | None = None) -> ModelPrices:
        base = normalize_model(model)
        row = self.models.get(base) or self.models.get(model)
        if row is not None:
            return _from_row(row)
        row = self.models.get(family(base))
        if row is not None:  # a row for gpt-4o-mini applies to gpt-4o-mini-2024-07-18 too, and says so …
            own = _snapshot_price(model, base, on)
            if own is None:
                return replace(_from_row(row), source=f"{row.source} (the [[model]] row {row.id!r}, for its "
                                                      f"snapshot {base})")
            # … unless genai-prices prices that snapshot differently from its family (gpt-4o-2024-05-13)
            return replace(own, source=f"{own.source}; your [[model]] row {row.id!r} is not applied: this snapshot "
                                       "has its own price (add a row with its exact id to override it)")
        return _from_genai_prices(model, base, on)


def _genai_prices_version() -> str:
    from genai_prices import __version__

    return str(__version__)


def _deprecated_in_genai_prices(base: str) -> bool:
    """Whether genai-prices flags the model it matches for `base` as deprecated."""
    from genai_prices import data_snapshot

    try:
        _, info = data_snapshot.get_snapshot().find_provider_model(base, None, None, None)
    except LookupError:
        return False
    return bool(getattr(info, "deprecated", False))


def _snapshot_price(model: str, base: str, on: date | None) -> ModelPrices | None:
    """genai-prices' price of a dated snapshot when it differs from its family's (None when the same, or unknown)."""
    try:
        own = _from_genai_prices(model, base, on)
        parent = _from_genai_prices(family(base), family(base), on)
    except UnknownPriceError:
        return None
    same = (own.input_usd_per_mtok, own.output_usd_per_mtok) == (parent.input_usd_per_mtok, parent.output_usd_per_mtok)
    return None if same else own


def _get(table: Mapping[str, _R], key: str, kind: str, hint: str) -> _R:
    if key in table:
        return table[key]
    close = difflib.get_close_matches(key, list(table), n=3, cutoff=0.5)
    did_you_mean = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownPriceError(f"no {kind} {key!r} in the price catalog.{did_you_mean} "
                            f"`{hint}` lists them; add your own with --pricing FILE.")


def _from_row(row: BaseModelPrice) -> ModelPrices:
    return ModelPrices(
        model=row.id, provider=row.provider, input_usd_per_mtok=row.input_usd_per_mtok,
        cached_input_usd_per_mtok=(row.cached_input_usd_per_mtok if row.cached_input_usd_per_mtok is not None
                                   else row.input_usd_per_mtok),
        cache_write_usd_per_mtok=(row.cache_write_usd_per_mtok if row.cache_write_usd_per_mtok is not None
                                  else row.input_usd_per_mtok),
        output_usd_per_mtok=row.output_usd_per_mtok, batch_input_usd_per_mtok=row.batch_input_usd_per_mtok,
        batch_output_usd_per_mtok=row.batch_output_usd_per_mtok,
        min_cacheable_tokens=row.min_cacheable_tokens if row.min_cacheable_tokens is not None else 1024,
        cache_storage_usd_per_mtok_hour=row.cache_storage_usd_per_mtok_hour, source=row.source,
        checked=row.checked, tier=row.tier,
    )


_GENAI_PRICES_CHECKED = date(2026, 11, 4)
"""The latest verification date inside the bundled genai-prices data (see its data.py comments)."""
_MIN_CACHEABLE = {"anthropic": 1024, "openai": 1024, "google": 1024}


def _genai_price(price: Any, name: str) -> Decimal | None:
    """A flat price, or the base rate of a tiered one (prompts below its first threshold, e.g. 200k tokens)."""
    value = getattr(price, name, None)
    if isinstance(value, Decimal):
        return value
    base = getattr(value, "base", None)
    return base if isinstance(base, Decimal) else None


def _from_genai_prices(model: str, base: str, on: date | None) -> ModelPrices:
    from genai_prices import __version__ as gp_version
    from genai_prices import data_snapshot

    when = datetime.combine(on or date.today(), datetime.min.time(), tzinfo=UTC)
    snapshot = data_snapshot.get_snapshot()
    try:
        provider, info = snapshot.find_provider_model(base, None, None, None)
    except LookupError:
        names = sorted({m.id for p in snapshot.providers for m in p.models})
        close = difflib.get_close_matches(base, names, n=3, cutoff=0.6)
        did_you_mean = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownPriceError(
            f"no price for model {model!r} (neither genai-prices {gp_version} nor pricing/ has it).{did_you_mean} "
            "Pass --model with a priced model, or add a [[model]] row with --pricing FILE.") from None
    price = info.get_prices(when)
    batch = info.get_prices(when, {"processing": "batch"}) if info.price_variants else None
    inp = _genai_price(price, "input_mtok")
    out = _genai_price(price, "output_mtok")
    if inp is None or out is None:
        raise UnknownPriceError(f"genai-prices has no per-token input and output price for {model!r}; "
                                "add a [[model]] row with --pricing FILE")
    cached = _genai_price(price, "cache_read_mtok")
    write = _genai_price(price, "cache_write_mtok")
    batch_in = _genai_price(batch, "input_mtok") if batch is not None else None
    batch_out = _genai_price(batch, "output_mtok") if batch is not None else None
    if batch_in == inp:
        batch_in = batch_out = None  # no batch variant really applied
    tiered = not isinstance(getattr(price, "input_mtok", None), Decimal)
    source = f"genai-prices {gp_version} ({provider.id} / {info.id}{', base tier' if tiered else ''})"
    return ModelPrices(
        model=info.id, provider=provider.id, input_usd_per_mtok=inp,
        cached_input_usd_per_mtok=cached if cached is not None else inp,
        cache_write_usd_per_mtok=write if write is not None else inp,
        output_usd_per_mtok=out, batch_input_usd_per_mtok=batch_in, batch_output_usd_per_mtok=batch_out,
        min_cacheable_tokens=_MIN_CACHEABLE.get(provider.id, 1024), cache_storage_usd_per_mtok_hour=Decimal(0),
        source=source, checked=_GENAI_PRICES_CHECKED,
    )


def default_pricing_dir() -> Path:
    """The bundled `pricing/` directory (inside the wheel as fineadvisor/pricing, or the checkout's)."""
    here = Path(__file__).resolve().parent.parent  # the fineadvisor package
    for candidate in (here / "pricing", here.parent / "pricing"):
        if candidate.is_dir():
            return candidate
    raise CatalogError(f"the bundled pricing/ directory is missing next to {here}; reinstall fineadvisor")


def read_price_file(path: Path) -> PriceFile:
    """Parse and validate one TOML price file (at most MAX_PRICE_FILE_BYTES are read)."""
    if path.is_dir():
        raise CatalogError(f"{path}: is a directory, not a TOML price file")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_PRICE_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such pricing file") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return read_price_bytes(str(path), data)


def read_price_bytes(name: str, data: bytes) -> PriceFile:
    """Parse and validate one TOML price file's bytes; `name` says which file in every message."""
    if len(data) > MAX_PRICE_FILE_BYTES:
        raise CatalogError(f"{name}: over {MAX_PRICE_FILE_BYTES // 1024} KiB, far larger than any price file "
                           "(the bundled ones are under 25 KB); is it the right file?")
    try:
        raw = tomllib.loads(data.decode("utf-8"), parse_float=Decimal)
    except UnicodeDecodeError:
        raise CatalogError(f"{name}: not UTF-8 text; save the price file as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{name}: not valid TOML: {exc}") from None
    except RecursionError:
        raise CatalogError(f"{name}: not valid TOML: nested too deeply") from None
    if set(raw) <= set(_KINDS) and not any(raw.get(kind) for kind in _KINDS):  # unknown tables: pydantic says
        raise CatalogError(f"{name}: holds no price rows (" + ", ".join(f"[[{k}]]" for k in _KINDS)
                           + "); see pricing/README.md for the format")
    try:
        return PriceFile.model_validate(_decimals(raw))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors()[:5])
        raise CatalogError(f"{name}: {problems} (see pricing/README.md for the format)") from None


def _decimals(value: Any) -> Any:
    """TOML integers in price fields become Decimal too (a price written `3` is `Decimal('3')`)."""
    if isinstance(value, dict):
        return {k: (Decimal(v) if isinstance(v, int) and not isinstance(v, bool) and "usd" in k else _decimals(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def load_catalog(extra: Sequence[Path] = (), pricing_dir: Path | None = None,
                 uploaded: Sequence[tuple[str, bytes]] = ()) -> Catalog:
    """Load every `*.toml` in the pricing directory, then the user's files, then `uploaded` (name, bytes) price
    files held in memory; later rows override earlier ones by id."""
    directory = pricing_dir or default_pricing_dir()
    paths = sorted(directory.glob("*.toml")) + [Path(p) for p in extra]
    tables: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
    files = [read_price_file(path) for path in paths] + [read_price_bytes(name, data) for name, data in uploaded]
    for parsed in files:
        for kind in _KINDS:
            rows: Iterable[_Row] = getattr(parsed, kind)
            for row in rows:
                tables[kind][row.id] = row
    return Catalog(models=tables["model"], offers=tables["offer"], embeddings=tables["embedding"],
                   vector_stores=tables["vector_store"], gpus=tables["gpu"], open_models=tables["open_model"],
                   lifecycles=tables["lifecycle"], cache_rules=tables["cache_rule"],
                   files=(*(str(p) for p in paths), *(name for name, _ in uploaded)))
