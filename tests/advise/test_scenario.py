"""Scenario: stated defaults, per-day volumes, and validation of what comes in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from fineadvisor.advise.scenario import DAYS_PER_MONTH, HOURS_PER_MONTH, Scenario


def test_month_constants() -> None:
    assert Decimal("365.25") / 12 == DAYS_PER_MONTH  # 30.4375
    assert HOURS_PER_MONTH == 24 * DAYS_PER_MONTH  # 730.5


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("requests_per_month", Decimal("30437.5")),  # 1,000 a day × 30.4375 days
        ("growth_per_month", Decimal(0)),
        ("horizon_months", 12),
        ("batch", None),  # None: decided from the logs (Batch API lines → yes)
        ("model", None),
        ("cache_hit_rate", None),  # None → measured from the logs, else 0.8
        ("rag_chunks", 5),
        ("rag_chunk_tokens", 800),
        ("rag_corpus_tokens", 2_000_000),
        ("rag_reindex_share_per_month", Decimal("0.1")),
        ("rag_embedding_dimensions", 1536),
        ("rag_setup_hours", Decimal(24)),
        ("fine_tune_offers", ()),
        ("residual_prompt_tokens", 100),
        ("training_examples", None),
        ("epochs", None),
        ("validation_share", Decimal(0)),
        ("retrain_every_months", 6),
        ("data_prep_hours", Decimal(16)),
        ("eval_hours", Decimal(8)),
        ("labour_usd_per_hour", Decimal(100)),
        ("knowledge_changes", False),
        ("self_host_gpu", None),
        ("mfu", Decimal("0.2")),
        ("lora_flops_per_param_token", Decimal(4)),
        ("run_overhead_hours", Decimal(1)),
        ("peak_to_average", Decimal(2)),
    ],
)
def test_defaults(field: str, expected: object) -> None:
    assert getattr(Scenario(), field) == expected


def test_default_volume_is_exact_decimal() -> None:
    volume = Scenario().requests_per_month
    assert isinstance(volume, Decimal)
    assert volume == 1_000 * Decimal("30.4375")


@pytest.mark.parametrize("field", ["rag_embedding", "rag_vector_store", "self_host_model"])
def test_catalog_id_defaults_are_set(field: str) -> None:
    """Catalog ids have a default (which one follows the bundled pricing/ rows, so it is not pinned here)."""
    assert isinstance(getattr(Scenario(), field), str) and getattr(Scenario(), field)


def test_start_defaults_to_today() -> None:
    assert Scenario().start == date.today()


@pytest.mark.parametrize(
    ("per_day", "per_month"),
    [
        (20_000, Decimal("608750")),  # 20,000 × 30.4375
        (1_000, Decimal("30437.5")),  # 1,000 × 30.4375
        (0, Decimal(0)),
        (Decimal("2.5"), Decimal("76.09375")),  # 2.5 × 30.4375
    ],
)
def test_per_day(per_day: int | Decimal, per_month: Decimal) -> None:
    s = Scenario.per_day(per_day)
    assert s.requests_per_month == per_month
    assert isinstance(s.requests_per_month, Decimal)


def test_per_day_passes_other_fields() -> None:
    s = Scenario.per_day(20_000, start=date(2026, 11, 22), horizon_months=24, batch=True)
    assert (s.requests_per_month, s.start, s.horizon_months, s.batch) == (Decimal(608750), date(2026, 11, 22), 24, True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"requests_per_month": Decimal(-1)}, "requests_per_month"),
        ({"requests_per_month": -0.01}, "requests_per_month"),
        ({"cache_hit_rate": Decimal("1.01")}, "cache_hit_rate"),
        ({"cache_hit_rate": Decimal("-0.1")}, "cache_hit_rate"),
        ({"growth_per_month": Decimal("-1.5")}, "growth_per_month"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"horizon_months": 121}, "horizon_months"),
        ({"rag_chunk_tokens": 0}, "rag_chunk_tokens"),
        ({"rag_reindex_share_per_month": Decimal(2)}, "rag_reindex_share_per_month"),
        ({"epochs": 0}, "epochs"),
        ({"training_examples": 0}, "training_examples"),
        ({"mfu": Decimal(0)}, "mfu"),
        ({"mfu": Decimal("1.5")}, "mfu"),
        ({"peak_to_average": Decimal("0.5")}, "peak_to_average"),
        ({"labour_usd_per_hour": Decimal(-100)}, "labour_usd_per_hour"),
        ({"retrain_every_months": 0}, "retrain_every_months"),
        ({"requests_per_day": 1000}, "requests_per_day"),  # unknown field: extra="forbid"
        ({"cache_hitrate": Decimal("0.5")}, "cache_hitrate"),  # a typo is an error, not ignored
    ],
)
def test_validation_errors(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Scenario(**fields)  # type: ignore[arg-type]


def test_unknown_field_is_reported_as_extra() -> None:
    with pytest.raises(ValidationError) as info:
        Scenario(requests_per_day=1000)  # type: ignore[call-arg]
    assert [e["type"] for e in info.value.errors()] == ["extra_forbidden"]


def test_negative_per_day_is_rejected() -> None:
    with pytest.raises(ValidationError, match="requests_per_month"):
        Scenario.per_day(-1)


@pytest.mark.parametrize("rate", [Decimal(0), Decimal("0.5"), Decimal(1)])
def test_hit_rate_bounds_are_inclusive(rate: Decimal) -> None:
    assert Scenario(cache_hit_rate=rate).cache_hit_rate == rate


def test_frozen() -> None:
    s = Scenario()
    with pytest.raises(ValidationError):
        s.horizon_months = 24  # type: ignore[misc]
