"""The price catalog: the bundled pricing/ rows are sourced, dated and consistent, and the loader is strict."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import pytest

from fineadvisor.advise.catalog import (
    BaseModelPrice,
    Catalog,
    CatalogError,
    EmbeddingPrice,
    FineTuneOffer,
    GpuPrice,
    OpenModel,
    UnknownPriceError,
    VectorStorePrice,
    default_pricing_dir,
    load_catalog,
    read_price_file,
)

PRICING = Path(__file__).resolve().parents[2] / "pricing"
COMPILED = date(2026, 11, 22)
"""The date the pricing research was compiled; no bundled row can have been checked after it (or after today)."""
NEWEST_ALLOWED = max(COMPILED, date.today())
KINDS = ("model", "offer", "embedding", "vector_store", "gpu", "open_model")
BUNDLED_FILES = {"fine_tuning.toml", "embeddings.toml", "vector_stores.toml", "gpus.toml", "open_models.toml",
                 "lifecycle.toml", "cache_rules.toml"}

AnyRow = BaseModelPrice | FineTuneOffer | EmbeddingPrice | VectorStorePrice | GpuPrice | OpenModel

CATALOG = load_catalog()
TABLES = {"model": CATALOG.models, "offer": CATALOG.offers, "embedding": CATALOG.embeddings,
          "vector_store": CATALOG.vector_stores, "gpu": CATALOG.gpus, "open_model": CATALOG.open_models}
ALL_ROWS = [pytest.param(row, id=f"{kind}:{row.id}") for kind in KINDS for row in TABLES[kind].values()]
OFFERS = [pytest.param(o, id=o.id) for o in CATALOG.offers.values()]
MARKED_UP = [pytest.param(o, id=o.id) for o in CATALOG.offers.values() if o.marks_up]
WITH_BATCH = [pytest.param(o, id=o.id) for o in CATALOG.offers.values()
              if o.batch_input_usd_per_mtok is not None or o.batch_output_usd_per_mtok is not None]

def _param_offer(offer: FineTuneOffer) -> object:
    return pytest.param(offer, id=offer.id)


# ---------------------------------------------------------------------------------------------------------------
# The bundled pricing/ directory
# ---------------------------------------------------------------------------------------------------------------

def test_catalog_loads_the_repository_pricing_dir() -> None:
    assert default_pricing_dir().resolve() == PRICING
    assert {Path(f).name for f in CATALOG.files} == BUNDLED_FILES


def test_every_kind_but_base_models_has_rows() -> None:
    assert not CATALOG.models, "base model prices come from genai-prices and must not be copied into pricing/"
    for kind in KINDS[1:]:
        assert TABLES[kind], f"pricing/ has no [[{kind}]] rows"


@pytest.mark.parametrize("row", ALL_ROWS)
def test_every_row_is_sourced_and_dated(row: AnyRow) -> None:
    assert row.source.strip(), "every row needs a source"
    assert isinstance(row.checked, date)
    assert row.checked <= NEWEST_ALLOWED, f"checked {row.checked} is in the future"


@pytest.mark.parametrize("kind", KINDS)
def test_ids_are_unique_within_a_kind_across_files(kind: str) -> None:
    ids = Counter(row.id for path in sorted(PRICING.glob("*.toml")) for row in getattr(read_price_file(path), kind))
    assert [i for i, n in ids.items() if n > 1] == []


# ---------------------------------------------------------------------------------------------------------------
# Fine-tuning offers
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("offer", MARKED_UP)
def test_marked_up_inference_is_never_below_the_base_price(offer: FineTuneOffer) -> None:
    base = CATALOG.model_prices(offer.base_model)
    assert offer.input_usd_per_mtok >= base.input_usd_per_mtok
    assert offer.output_usd_per_mtok >= base.output_usd_per_mtok
    if offer.cached_input_usd_per_mtok is not None:
        assert offer.cached_input_usd_per_mtok >= base.cached_input_usd_per_mtok


@pytest.mark.parametrize("offer", [_param_offer(o) for o in CATALOG.offers.values()
                                   if not o.marks_up and o.input_usd_per_mtok > 0])
def test_unmarked_per_token_inference_equals_the_base_price(offer: FineTuneOffer) -> None:
    """Azure and Vertex bill tuned models at the base rate: the copied numbers must still match genai-prices."""
    base = CATALOG.model_prices(offer.base_model)
    assert (offer.input_usd_per_mtok, offer.output_usd_per_mtok) == (base.input_usd_per_mtok,
                                                                     base.output_usd_per_mtok)


@pytest.mark.parametrize("offer", [_param_offer(o) for o in CATALOG.offers.values()])
def test_offer_base_model_is_known(offer: FineTuneOffer) -> None:
    if offer.base_model in CATALOG.open_models:
        return
    assert CATALOG.model_prices(offer.base_model).input_usd_per_mtok > 0


@pytest.mark.parametrize("offer", OFFERS)
def test_dedicated_hosting_offers_price_inference_by_the_hour(offer: FineTuneOffer) -> None:
    if offer.input_usd_per_mtok == 0 and offer.output_usd_per_mtok == 0:
        assert offer.hosting_usd_per_hour > 0, "free per-token inference needs an hourly hosting price"
        assert not offer.marks_up


@pytest.mark.parametrize("offer", WITH_BATCH)
def test_batch_prices_are_not_above_standard(offer: FineTuneOffer) -> None:
    assert offer.batch_input_usd_per_mtok is not None and offer.batch_output_usd_per_mtok is not None
    assert offer.batch_input_usd_per_mtok <= offer.input_usd_per_mtok
    assert offer.batch_output_usd_per_mtok <= offer.output_usd_per_mtok


@pytest.mark.parametrize("offer", OFFERS)
def test_every_offer_has_a_training_price(offer: FineTuneOffer) -> None:
    per_token = offer.training_usd_per_mtok is not None
    per_hour = offer.training_usd_per_hour is not None and offer.training_hours_per_mtok is not None
    assert per_token or per_hour


@pytest.mark.parametrize("offer", [pytest.param(o, id=o.id) for o in CATALOG.offers.values() if o.provider == "openai"])
def test_openai_offers_end_with_the_base_model(offer: FineTuneOffer) -> None:
    assert offer.new_jobs_until == date(2027, 1, 6)
    assert offer.available_until == date(2027, 1, 14)
    assert offer.max_tokens_per_example == 65536
    assert offer.marks_up


def test_openai_self_serve_offers_are_present() -> None:
    ids = {o.id for o in CATALOG.offers.values() if o.provider == "openai"}
    assert ids >= {"openai/gpt-4o-mini-2024-07-18", "openai/gpt-4.1-mini-2025-04-14", "openai/gpt-4.1-2025-04-14",
                   "openai/gpt-4o-2024-08-06"}


# Key figures copied from the research: if one changes, its source and checked date must change with it.
FIGURES = [
    ("offer", "openai/gpt-4o-mini-2024-07-18", "training_usd_per_mtok", Decimal("3.00")),
    ("offer", "openai/gpt-4o-mini-2024-07-18", "output_usd_per_mtok", Decimal("1.20")),
    ("offer", "openai/gpt-4o-2024-08-06", "batch_input_usd_per_mtok", Decimal("2.225")),
    ("offer", "openai/gpt-4.1-2025-04-14", "training_usd_per_mtok", Decimal("25.00")),
    ("offer", "openai/gpt-4.1-mini-2025-04-14", "input_usd_per_mtok", Decimal("0.80")),
    ("offer", "azure/gpt-4.1-mini", "hosting_usd_per_hour", Decimal("1.70")),
    ("offer", "azure/gpt-4.1", "training_usd_per_mtok", Decimal("2.00")),
    ("offer", "vertex/gemini-2.5-flash-lite", "training_usd_per_mtok", Decimal("1.50")),
    ("offer", "vertex/gemini-2.5-flash", "training_usd_per_mtok", Decimal("5.00")),
    ("offer", "vertex/gemini-2.5-pro", "training_usd_per_mtok", Decimal("25.00")),
    ("offer", "vertex/gemini-2.5-flash", "max_tokens_per_example", 131072),
    ("offer", "together/llama-3.1-8b", "hosting_usd_per_hour", Decimal("5.49")),
    ("offer", "fireworks/llama-3.1-70b", "training_usd_per_mtok", Decimal("3.00")),
    ("embedding", "text-embedding-3-small", "usd_per_mtok", Decimal("0.02")),
    ("embedding", "voyage-4", "usd_per_mtok", Decimal("0.06")),
    ("vector_store", "pinecone/standard", "minimum_usd_per_month", Decimal("50")),
    ("vector_store", "openai/file-search", "storage_usd_per_gb_month", Decimal("3.00")),
    ("vector_store", "openai/file-search", "usd_per_1k_queries", Decimal("2.50")),
    ("gpu", "modal/h100-80gb", "usd_per_hour", Decimal("3.949")),
    ("gpu", "modal/h100-80gb", "peak_bf16_tflops", Decimal("989")),
    ("gpu", "modal/a100-80gb", "peak_bf16_tflops", Decimal("312")),
    ("open_model", "llama-3.1-8b", "params_billion", Decimal("8.03")),
]


@pytest.mark.parametrize(("kind", "row_id", "field", "expected"), FIGURES)
def test_key_figures(kind: str, row_id: str, field: str, expected: object) -> None:
    value = getattr(TABLES[kind][row_id], field)
    assert value == expected
    if isinstance(expected, Decimal):
        assert isinstance(value, Decimal), "prices must load as Decimal, not float"


# ---------------------------------------------------------------------------------------------------------------
# GPUs and open models
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gpu", [pytest.param(g, id=g.id) for g in CATALOG.gpus.values()])
def test_gpu_rows(gpu: GpuPrice) -> None:
    assert gpu.peak_bf16_tflops > 0 and gpu.memory_gb > 0 and gpu.usd_per_hour > 0
    assert gpu.id == f"{gpu.provider}/{gpu.gpu}"
    if gpu.gpu.startswith("h100"):
        assert gpu.peak_bf16_tflops < 1500, "H100 peak must be the dense 989, not 1,979 with sparsity"


@pytest.mark.parametrize("model", [pytest.param(m, id=m.id) for m in CATALOG.open_models.values()])
def test_open_models_run_on_a_catalogued_gpu(model: OpenModel) -> None:
    assert model.gpu in CATALOG.gpus, f"{model.id} names gpu {model.gpu!r}, which is not a [[gpu]] id"


# ---------------------------------------------------------------------------------------------------------------
# Base model prices (genai-prices)
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("model", "inp", "out"), [
    ("gpt-4o-mini-2024-07-18", Decimal("0.15"), Decimal("0.60")),
    ("gpt-4.1-mini-2025-04-14", Decimal("0.40"), Decimal("1.60")),
])
def test_model_prices_come_from_genai_prices(model: str, inp: Decimal, out: Decimal) -> None:
    prices = CATALOG.model_prices(model)
    assert (prices.input_usd_per_mtok, prices.output_usd_per_mtok) == (inp, out)
    assert isinstance(prices.input_usd_per_mtok, Decimal)
    assert prices.source.startswith("genai-prices")


def test_unknown_model_price() -> None:
    with pytest.raises(UnknownPriceError, match="no-such-model-xyz"):
        CATALOG.model_prices("no-such-model-xyz")


def test_model_prices_include_the_batch_rate() -> None:
    """Batch = half of standard for gpt-4o-mini (0.15 / 0.60 → 0.075 / 0.30)."""
    prices = CATALOG.model_prices("gpt-4o-mini-2024-07-18")
    assert (prices.batch_input_usd_per_mtok, prices.batch_output_usd_per_mtok) == (Decimal("0.075"), Decimal("0.3"))


# ---------------------------------------------------------------------------------------------------------------
# The loader, on files written to tmp_path
# ---------------------------------------------------------------------------------------------------------------

OFFER_ROW = """\
[[offer]]
id = "openai/gpt-4o-mini-2024-07-18"
provider = "openai"
base_model = "gpt-4o-mini-2024-07-18"
training_usd_per_mtok = 1.00
input_usd_per_mtok = 0.30
output_usd_per_mtok = 1.20
source = "our negotiated contract"
checked = 2026-11-01
"""


def _write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "fragments"), [
    pytest.param(OFFER_ROW.replace('source = "our negotiated contract"\n', ""), ["offer.0.source", "Field required"],
                 id="missing-source"),
    pytest.param(OFFER_ROW.replace("checked = 2026-11-01\n", ""), ["offer.0.checked"], id="missing-checked"),
    pytest.param(OFFER_ROW.replace("output_usd_per_mtok", "ouput_usd_per_mtok"), ["ouput_usd_per_mtok"],
                 id="typo-field"),
    pytest.param(OFFER_ROW.replace("= 0.30", "= -0.30"), ["input_usd_per_mtok"], id="negative-price"),
    pytest.param(OFFER_ROW.replace("[[offer]]", "[[offers]]"), ["offers"], id="unknown-kind"),
    pytest.param(OFFER_ROW.replace('id = "openai', 'id = openai'), ["not valid TOML"], id="invalid-toml"),
])
def test_bad_price_files_name_the_file_and_field(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as err:
        load_catalog(extra=[path])
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such pricing file"):
        load_catalog(extra=[tmp_path / "absent.toml"])


def test_user_file_replaces_a_bundled_offer_by_id(tmp_path: Path) -> None:
    catalog = load_catalog(extra=[_write(tmp_path, OFFER_ROW)])
    offer = catalog.offer("openai/gpt-4o-mini-2024-07-18")
    assert offer.training_usd_per_mtok == Decimal("1.00")
    assert offer.source == "our negotiated contract"
    assert offer.available_until is None  # the whole row is replaced, not merged
    assert set(catalog.offers) == set(CATALOG.offers)
    assert catalog.files[-1] == str(tmp_path / "mine.toml")


def test_later_file_wins_and_new_ids_are_added(tmp_path: Path) -> None:
    first = _write(tmp_path, OFFER_ROW, "a.toml")
    second = _write(tmp_path, OFFER_ROW.replace("= 1.00", "= 2.00") + OFFER_ROW.replace(
        'id = "openai/gpt-4o-mini-2024-07-18"', 'id = "acme/private-tune"'), "b.toml")
    catalog = load_catalog(pricing_dir=tmp_path)
    assert catalog.files == (str(first), str(second))
    assert catalog.offer("openai/gpt-4o-mini-2024-07-18").training_usd_per_mtok == Decimal("2.00")
    assert set(catalog.offers) == {"openai/gpt-4o-mini-2024-07-18", "acme/private-tune"}


def test_integer_prices_load_as_decimal(tmp_path: Path) -> None:
    catalog = load_catalog(extra=[_write(tmp_path, OFFER_ROW.replace("= 1.00", "= 3"))])
    assert catalog.offer("openai/gpt-4o-mini-2024-07-18").training_usd_per_mtok == Decimal("3")
    assert isinstance(catalog.offer("openai/gpt-4o-mini-2024-07-18").training_usd_per_mtok, Decimal)


@pytest.mark.parametrize(("lookup", "missing", "suggestion"), [
    (Catalog.offer, "openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18"),
    (Catalog.gpu, "modal/h100", "modal/h100-80gb"),
    (Catalog.embedding, "text-embedding-3-smal", "text-embedding-3-small"),
])
def test_unknown_ids_suggest_close_ones(lookup: object, missing: str, suggestion: str) -> None:
    with pytest.raises(UnknownPriceError) as err:
        lookup(CATALOG, missing)  # type: ignore[operator]
    assert "Did you mean" in str(err.value)
    assert suggestion in str(err.value)


@pytest.mark.parametrize(("text", "fragments"), [
    pytest.param("", ["holds no price rows"], id="empty"),
    pytest.param("# only a comment\n", ["holds no price rows"], id="only-a-comment"),
    pytest.param(OFFER_ROW.replace("= 0.30", "= 9e999999"), ["input_usd_per_mtok", "less than or equal to 10000"],
                 id="overflowing-price"),
    pytest.param(OFFER_ROW.replace("= 0.30", "= 1e308"), ["input_usd_per_mtok"], id="absurd-price"),
    pytest.param(OFFER_ROW.replace("= 0.30", "= nan"), ["input_usd_per_mtok", "finite"], id="nan-price"),
    pytest.param(OFFER_ROW.replace("= 0.30", "= inf"), ["input_usd_per_mtok"], id="infinite-price"),
])
def test_implausible_and_empty_price_files_are_errors(tmp_path: Path, text: str, fragments: list[str]) -> None:
    """Prices over the documented bounds (MAX_USD_PER_MTOK etc.), NaN, infinities and empty files are refused
    with the file's name, never a decimal.Overflow or an absurd amount later."""
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as err:
        load_catalog(extra=[path])
    assert str(path) in str(err.value)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_a_price_file_is_read_at_most_its_bound(tmp_path: Path) -> None:
    """/dev/zero or a huge file: refused after MAX_PRICE_FILE_BYTES, never read whole."""
    from fineadvisor.advise.catalog import MAX_PRICE_FILE_BYTES

    with pytest.raises(CatalogError, match="is it the right file"):
        load_catalog(extra=[Path("/dev/zero")])
    big = _write(tmp_path, "#" * (MAX_PRICE_FILE_BYTES + 10))
    with pytest.raises(CatalogError, match="is it the right file"):
        load_catalog(extra=[big])


def test_a_model_row_applies_to_its_dated_snapshots(tmp_path: Path) -> None:
    """An override for gpt-4o-mini prices gpt-4o-mini-2024-07-18 too, and the source says which row it used."""
    row = ('[[model]]\nid = "gpt-4o-mini"\nprovider = "openai"\ninput_usd_per_mtok = 0.10\noutput_usd_per_mtok = 0.40\n'
           'source = "our negotiated contract"\nchecked = 2026-12-01\n')
    catalog = load_catalog(extra=[_write(tmp_path, row)])
    prices = catalog.model_prices("gpt-4o-mini-2024-07-18")
    assert (prices.input_usd_per_mtok, prices.output_usd_per_mtok) == (Decimal("0.10"), Decimal("0.40"))
    assert "'gpt-4o-mini'" in prices.source and "gpt-4o-mini-2024-07-18" in prices.source
    assert catalog.model_prices("gpt-4o-2024-08-06").input_usd_per_mtok != Decimal("0.10")  # another family


def test_uploaded_price_files_are_read_in_memory() -> None:
    catalog = load_catalog(uploaded=[("prices.toml", OFFER_ROW.encode())])
    assert catalog.offers["openai/gpt-4o-mini-2024-07-18"].source == "our negotiated contract"
    with pytest.raises(CatalogError, match=r"^upload\.toml: not valid TOML"):
        load_catalog(uploaded=[("upload.toml", b"id = ")])


def test_a_family_row_leaves_a_snapshot_with_its_own_price(tmp_path: Path) -> None:
    """genai-prices prices gpt-4o-2024-05-13 at $5 / $15, unlike gpt-4o: a user row for gpt-4o does not reprice
    that snapshot (and says so), but does reprice gpt-4o-2024-08-06, which genai-prices prices as gpt-4o."""
    row = ('[[model]]\nid = "gpt-4o"\nprovider = "openai"\ninput_usd_per_mtok = 2.0\noutput_usd_per_mtok = 8\n'
           'source = "our negotiated contract"\nchecked = 2026-12-01\n')
    catalog = load_catalog(extra=[_write(tmp_path, row)])
    old = catalog.model_prices("gpt-4o-2024-05-13", on=date(2026, 12, 3))
    assert (old.input_usd_per_mtok, old.output_usd_per_mtok) == (Decimal(5), Decimal(15))
    assert "is not applied" in old.source
    new = catalog.model_prices("gpt-4o-2024-08-06", on=date(2026, 12, 3))
    assert (new.input_usd_per_mtok, new.output_usd_per_mtok) == (Decimal("2.0"), Decimal(8))


# ---------------------------------------------------------------- lifecycles


@pytest.mark.parametrize(
    ("model", "until", "successor", "tier"),
    [
        ("gpt-4o-mini-2024-07-18", date(2027, 1, 14), "gpt-6-luna", "primary"),  # OpenAI's deprecations page
        ("ft:gpt-4o-mini-2024-07-18:acme::x1", date(2027, 1, 14), "gpt-6-luna", "primary"),  # its fine-tunes with it
        ("openai/gpt-4o-mini-2024-07-18", date(2027, 1, 14), "gpt-6-luna", "primary"),  # a provider prefix
        ("gpt-4o-mini", date(2027, 1, 14), "gpt-6-luna", "database"),  # the alias: litellm's date
        ("o4-mini", date(2026, 10, 23), "gpt-6-luna", "primary"),  # already retired
        ("gemini-2.0-flash", date(2026, 10, 15), "gemini-3.8-flash", "database"),  # genai-prices: deprecated
        ("gpt-6-luna", None, None, None),  # no end date known
    ],
)
def test_lifecycle_of_a_model(model: str, until: date | None, successor: str | None, tier: str | None) -> None:
    life = load_catalog().model_prices(model).lifecycle
    got = (life.available_until, life.successor, life.tier) if life is not None else (None, None, None)
    assert got == (until, successor, tier)


def test_every_lifecycle_row_is_sourced_and_its_successor_priced_and_open() -> None:
    cat = load_catalog()
    assert len(cat.lifecycles) >= 30
    for row in cat.lifecycles.values():
        assert row.source and row.checked <= date(2026, 12, 3), row.id
        if row.successor is not None:
            succ = cat.model_prices(row.successor, on=row.available_until)  # raises if it cannot be priced
            assert succ.lifecycle is None or succ.lifecycle.available_until > date(2027, 12, 31), row.id


def test_genai_prices_deprecated_flag_is_read_when_no_row_names_the_model() -> None:
    from dataclasses import replace

    life = replace(load_catalog(), lifecycles={}).model_prices("gemini-2.0-flash").lifecycle
    assert life is not None and life.tier == "database" and "deprecated" in life.source
    assert replace(load_catalog(), lifecycles={}).model_prices("gpt-4o-mini").lifecycle is None


@pytest.mark.parametrize(
    ("model", "prices"),
    [
        # fine-tuned inference: 0.30 / 0.15 cached / 1.20, batch 0.15 (2× the base's 0.15 / 0.075 / 0.60)
        ("ft:gpt-4o-mini-2024-07-18:acme::x1", ("0.30", "0.15", "1.20", "0.15")),
        ("openai/ft:gpt-4o-mini-2024-07-18:acme:support:x2", ("0.30", "0.15", "1.20", "0.15")),
        ("ft:gpt-4.1-2025-04-14:acme::y", ("3.00", "0.75", "12.00", "1.50")),
        ("gpt-4o-mini-2024-07-18", ("0.15", "0.075", "0.6", "0.075")),  # the base itself: base rates
    ],
)
def test_fine_tuned_logs_are_priced_at_fine_tuned_rates(model: str, prices: tuple[str, ...]) -> None:
    p = load_catalog().model_prices(model)
    assert (p.input_usd_per_mtok, p.cached_input_usd_per_mtok, p.output_usd_per_mtok,
            p.batch_input_usd_per_mtok) == tuple(Decimal(x) for x in prices)
    assert p.lifecycle is not None and p.lifecycle.available_until == date(2027, 1, 14)


def test_the_installed_genai_prices_is_the_pinned_release_the_rows_cite() -> None:
    """pricing/ was checked against one genai-prices release: pyproject pins it, it is installed, every row cites it."""
    pyproject = (PRICING.parent / "pyproject.toml").read_text(encoding="utf-8")
    pinned = re.search(r'"genai-prices==([0-9.]+)"', pyproject)
    assert pinned, "genai-prices must be pinned with == in pyproject.toml"
    assert version("genai-prices") == pinned.group(1)
    cited = {m for f in PRICING.glob("*.toml") for m in re.findall(r"genai-prices (\d+\.\d+\.\d+)", f.read_text("utf-8"))}
    assert cited == {pinned.group(1)}
