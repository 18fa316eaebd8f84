"""Break-even volume and payback time: hand-computed tables, shutdown dates, and properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fineadvisor.breakeven import MAX_PAYBACK_MONTHS, amortised_monthly, break_even_volume, find_break_even, payback_months
from fineadvisor.costs import StrategyCost
from fineadvisor.scenario import Scenario

D = Decimal
START = date(2026, 11, 22)
SHUTDOWN = date(2027, 1, 14)  # 53 days after START = 1.74 months of 30.4375 days


def sc(id: str, per_request: str | Decimal, fixed: str | Decimal = "0", one_off: str | Decimal = "0",
       available_until: date | None = None) -> StrategyCost:
    pr = D(per_request)
    return StrategyCost(id, id, pr, pr, pr, D(fixed), D(one_off), (), available_until=available_until)


def scenario(volume: str | int | Decimal = 100_000, growth: str = "0", horizon: int = 12, start: date = START) -> Scenario:
    return Scenario(requests_per_month=D(volume), growth_per_month=D(growth), horizon_months=horizon, start=start)


# ---------------------------------------------------------------- break-even volume


@pytest.mark.parametrize(
    ("a", "b", "horizon", "kind", "volume", "above"),
    [
        # (fixed_b + one_off_b/H − fixed_a − one_off_a/H) ÷ (per_request_a − per_request_b)
        (sc("a", "0.004"), sc("b", "0.001", "100", "2500"), 12,
         "crosses", (D(100) + D(2500) / 12) / D("0.003"), True),  # (100 + 208.33…) / 0.003 = 102,777.77…
        (sc("a", "0.004"), sc("b", "0.001", "100", "2500"), 24,
         "crosses", (D(100) + D(2500) / 24) / D("0.003"), True),  # (100 + 104.166…) / 0.003 = 68,055.55…
        (sc("a", "0.003", "50", "600"), sc("b", "0.001", "200", "1200"), 12,
         "crosses", D(100_000), True),  # (200 + 100 − 50 − 50) / 0.002 = 100,000
        (sc("a", "0.001", "300"), sc("b", "0.003", "100"), 12,
         "crosses", D(100_000), False),  # (100 − 300) / (0.001 − 0.003) = 100,000; b cheaper below
        (sc("a", "0.002"), sc("b", "0.002", "10"), 12, "never", None, None),  # equal slopes, b dearer fixed
        (sc("a", "0.002", "10"), sc("b", "0.002", "10"), 12, "never", None, None),  # the same costs
        (sc("a", "0.001"), sc("b", "0.002", "10"), 12, "never", None, None),  # b dearer per request and fixed
        (sc("a", "0.001"), sc("b", "0.002", "0", "120"), 12, "never", None, None),  # … and one-off
        (sc("a", "0.002", "10"), sc("b", "0.001"), 12, "immediately", None, None),  # b cheaper in both
        (sc("a", "0.002", "10"), sc("b", "0.002", "5"), 12, "immediately", None, None),  # equal slopes, b cheaper fixed
        (sc("a", "0.002", "10"), sc("b", "0.001", "10"), 12, "immediately", None, None),  # V* = 0
        (sc("a", "0.004", "0", "1200"), sc("b", "0.001", "100"), 12, "immediately", None, None),  # 1200/12 = 100
    ],
)
def test_break_even_volume(a: StrategyCost, b: StrategyCost, horizon: int, kind: str, volume: Decimal | None,
                           above: bool | None) -> None:
    assert break_even_volume(a, b, horizon) == (kind, volume, above)


def test_crossing_volume_is_where_costs_meet() -> None:
    a, b = sc("a", "0.004"), sc("b", "0.001", "100", "2500")
    _, volume, _ = break_even_volume(a, b, 12)
    assert volume is not None
    assert abs(amortised_monthly(a, volume, 12) - amortised_monthly(b, volume, 12)) < D("1e-20")
    # 0.004 × 102,777.78 = 411.11 = 100 + 2500/12 + 0.001 × 102,777.78
    assert amortised_monthly(b, volume * 2, 12) < amortised_monthly(a, volume * 2, 12)
    assert amortised_monthly(b, volume / 2, 12) > amortised_monthly(a, volume / 2, 12)


@pytest.mark.parametrize(
    ("c", "volume", "horizon", "expected"),
    [
        (sc("b", "0.001", "100", "2500"), D(100_000), 12, D(100) + D(2500) / 12 + D(100)),  # 100 + 208.33 + 100
        (sc("b", "0.001", "100", "2400"), D(0), 24, D(200)),  # 100 + 2400/24
    ],
)
def test_amortised_monthly(c: StrategyCost, volume: Decimal, horizon: int, expected: Decimal) -> None:
    assert amortised_monthly(c, volume, horizon) == expected


# ---------------------------------------------------------------- payback


@pytest.mark.parametrize(
    ("a", "b", "s", "kind", "months"),
    [
        # a: 0.004 × 100,000 = 400/month; b: 100 + 0.001 × 100,000 = 200/month → saves 200/month
        (sc("a", "0.004"), sc("b", "0.001", "100", "2500"), scenario(), "crosses", D("12.5")),  # 2,500 / 200
        (sc("a", "0.004"), sc("b", "0.001", "100", "3000"), scenario(), "crosses", D(15)),  # 3,000 / 200
        (sc("a", "0.004"), sc("b", "0.001", "100", "50"), scenario(), "crosses", D("0.25")),  # 50 / 200
        (sc("a", "0.004", "0", "500"), sc("b", "0.001", "100", "3000"), scenario(), "crosses",
         D("12.5")),  # (3,000 − 500) / 200
        (sc("a", "0.004"), sc("b", "0.001", "100"), scenario(), "immediately", D(0)),  # nothing up front, saves
        (sc("a", "0.004", "0", "100"), sc("b", "0.004"), scenario(), "immediately", D(0)),  # b cheaper up front
        (sc("a", "0.001"), sc("b", "0.004", "0", "10"), scenario(), "never", None),  # b dearer each month
        (sc("a", "0.004"), sc("b", "0.004", "0", "10"), scenario(), "never", None),  # b saves nothing
        # saves 1/month: 1,000 up front takes 1,000 months > 120
        (sc("a", "0.00001"), sc("b", "0", "0", "1000"), scenario(), "never", None),
        # saves 10/month: 1,200 up front is repaid exactly at month 120: 119 + (1,200 − 1,190) / 10
        (sc("a", "0.0001"), sc("b", "0", "0", "1200"), scenario(), "crosses", D(120)),
        # doubling volume: savings 10, 20, 40, 80 (cumulative 10, 30, 70, 150) → 3 + (100 − 70) / 80 = 3.375
        (sc("a", "0.0001"), sc("b", "0", "0", "100"), scenario(growth="1"), "crosses", D("3.375")),
        # +50% a month: savings 10, 15, 22.5, 33.75, 50.625, 75.9375, 113.90625 (cumulative … 207.8125 after 6)
        # → 6 + (250 − 207.8125) / 113.90625 = 6 + 10/27
        (sc("a", "0.0001"), sc("b", "0", "0", "250"), scenario(growth="0.5"), "crosses",
         D(6) + D("42.1875") / D("113.90625")),
        # halving volume: savings 10, 5, 2.5, … add up to less than 20, so 25 is never repaid;
        # 15 is repaid in month 2: 1 + (15 − 10) / 5
        (sc("a", "0.0001"), sc("b", "0", "0", "25"), scenario(growth="-0.5"), "never", None),
        (sc("a", "0.0001"), sc("b", "0", "0", "15"), scenario(growth="-0.5"), "crosses", D(2)),
        # losing at first, winning as volume doubles: a 0.002 × V, b 100 + 0.001 × V, V = 50k, 100k, 200k
        # savings −50, 0, +100; cumulative −50, −50, +50 ≥ 0 in month 3: 2 + (0 − (−50)) / 100 = 2.5
        (sc("a", "0.002"), sc("b", "0.001", "100"), scenario(50_000, growth="1"), "crosses", D("2.5")),
        # b is $100 cheaper up front (upfront = 0 − 100 = −100) and dearer by $10 in month 1 only:
        # a 0.001 × V, b $30/month, V = 20,000 then 50,000 (+150%): savings −10, +20, …; cumulative −10, +10, …
        # Σ_{k ≤ m} ≥ −100 already holds at m = 0 (b is never behind: 100 − 10 = 90 > 0) → immediately, 0 months
        (sc("a", "0.001", "0", "100"), sc("b", "0", "30"), scenario(20_000, growth="1.5"), "immediately", D(0)),
    ],
)
def test_payback_months(a: StrategyCost, b: StrategyCost, s: Scenario, kind: str, months: Decimal | None) -> None:
    assert payback_months(a, b, s) == (kind, months)


# ---------------------------------------------------------------- find_break_even: reasons and shutdowns


def test_a_strategy_against_itself_never_breaks_even() -> None:
    a = sc("few_shot", "0.004")
    be = find_break_even(a, a, scenario())
    assert (be.kind, be.requests_per_month, be.b_cheaper_above, be.payback_months, be.payback_kind) == (
        "never", None, None, None, "never")
    assert "itself" in be.reason


def test_find_break_even_crosses_with_payback() -> None:
    be = find_break_even(sc("a", "0.004"), sc("b", "0.001", "100", "2500"), scenario())
    assert (be.a, be.b, be.kind, be.b_cheaper_above, be.payback_kind, be.payback_months, be.worth_it) == (
        "a", "b", "crosses", True, "crosses", D("12.5"), True)
    assert be.requests_per_month == (D(100) + D(2500) / 12) / D("0.003")
    assert "cheaper above 102,778 requests/month" in be.reason
    assert "pays back in 12.5 months" in be.reason


@pytest.mark.parametrize(
    ("a", "b", "kind", "words"),
    [
        (sc("a", "0.002", "10"), sc("b", "0.001"), "immediately", "every volume"),
        (sc("a", "0.001"), sc("b", "0.002", "10"), "never", "never"),
        (sc("a", "0.001", "300"), sc("b", "0.003", "100"), "crosses", "cheaper below 100,000 requests/month"),
    ],
)
def test_find_break_even_reasons(a: StrategyCost, b: StrategyCost, kind: str, words: str) -> None:
    be = find_break_even(a, b, scenario())
    assert be.kind == kind and words in be.reason


def test_shutdown_before_payback_is_not_worth_it() -> None:
    """Payback 12.5 months; the offer stops serving 1.7 months after the start."""
    b = sc("ft", "0.001", "100", "2500", available_until=SHUTDOWN)
    be = find_break_even(sc("a", "0.004"), b, scenario())
    assert (be.payback_kind, be.payback_months, be.worth_it) == ("crosses", D("12.5"), False)
    assert "shuts down on 2027-01-14" in be.reason and "before it pays back" in be.reason
    assert "1.7 months from 2026-11-22" in be.reason  # 53 days ÷ 30.4375


def test_shutdown_after_payback_is_worth_it() -> None:
    b = sc("ft", "0.001", "100", "100", available_until=SHUTDOWN)  # payback 100 / 200 = 0.5 months < 1.74
    be = find_break_even(sc("a", "0.004"), b, scenario())
    assert (be.payback_months, be.worth_it) == (D("0.5"), True)
    assert "shuts down" not in be.reason


def test_no_payback_with_a_shutdown_is_not_worth_it() -> None:
    b = sc("ft", "0.005", "0", "10", available_until=SHUTDOWN)
    be = find_break_even(sc("a", "0.004"), b, scenario())
    assert (be.payback_kind, be.worth_it) == ("never", False)
    assert "2027-01-14" in be.reason


def test_already_shut_down() -> None:
    b = sc("ft", "0.001", available_until=SHUTDOWN)
    be = find_break_even(sc("a", "0.004"), b, scenario(start=date(2027, 2, 1)))
    assert not be.worth_it
    assert "no longer available (2027-01-14)" in be.reason


def test_open_ended_twin_is_worth_it() -> None:
    closing = sc("ft-closing", "0.001", "100", "2500", available_until=SHUTDOWN)
    open_ended = sc("ft-open", "0.001", "100", "2500")
    a = sc("a", "0.004")
    assert not find_break_even(a, closing, scenario()).worth_it
    assert find_break_even(a, open_ended, scenario()).worth_it


# ---------------------------------------------------------------- properties

DEC = {"allow_nan": False, "allow_infinity": False, "places": 4}
KINDS = {"crosses", "never", "immediately"}


@st.composite
def costs(draw: st.DrawFn, id: str) -> StrategyCost:
    pr = draw(st.decimals(min_value=0, max_value=10, **DEC))
    available = draw(st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)))
    return StrategyCost(id, id, pr, pr, pr, draw(st.decimals(min_value=0, max_value=100_000, **DEC)),
                        draw(st.decimals(min_value=0, max_value=1_000_000, **DEC)), (), available_until=available)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    return Scenario(requests_per_month=draw(st.decimals(min_value=0, max_value=10**9, **DEC)),
                    growth_per_month=draw(st.decimals(min_value=D("-0.99"), max_value=10, **DEC)),
                    horizon_months=draw(st.integers(1, 120)),
                    start=draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))))


PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(costs("a"), costs("b"), st.integers(1, 120))
def test_costs_are_equal_at_the_break_even_volume(a: StrategyCost, b: StrategyCost, horizon: int) -> None:
    kind, volume, above = break_even_volume(a, b, horizon)
    assert kind in KINDS
    if kind != "crosses":
        assert volume is None and above is None
        return
    assert volume is not None and volume.is_finite() and volume > 0
    ca, cb = amortised_monthly(a, volume, horizon), amortised_monthly(b, volume, horizon)
    assert abs(ca - cb) <= D("1e-15") * max(abs(ca), abs(cb)), (ca, cb)
    # on the stated side b is cheaper, on the other it is dearer
    far, near = volume * 2, volume / 2
    cheaper_far = amortised_monthly(b, far, horizon) < amortised_monthly(a, far, horizon)
    cheaper_near = amortised_monthly(b, near, horizon) < amortised_monthly(a, near, horizon)
    assert (cheaper_far, cheaper_near) == ((True, False) if above else (False, True))


@PROPERTY
@given(costs("a"), scenarios())
def test_a_strategy_never_breaks_even_with_itself(a: StrategyCost, s: Scenario) -> None:
    assert break_even_volume(a, a, s.horizon_months) == ("never", None, None)
    be = find_break_even(a, a, s)
    assert (be.kind, be.requests_per_month, be.payback_months) == ("never", None, None)
    assert be.reason


@PROPERTY
@given(costs("a"), costs("b"), scenarios())
def test_find_break_even_is_finite_and_well_kinded(a: StrategyCost, b: StrategyCost, s: Scenario) -> None:
    be = find_break_even(a, b, s)
    assert be.kind in KINDS and be.payback_kind in KINDS
    for value in (be.requests_per_month, be.payback_months):
        assert value is None or (isinstance(value, Decimal) and value.is_finite()), be
    if be.requests_per_month is not None:
        assert be.requests_per_month > 0
    assert (be.requests_per_month is None) == (be.kind != "crosses")
    assert (be.payback_months is None) == (be.payback_kind == "never")
    assert "nan" not in be.reason.lower() and "infinity" not in be.reason.lower()
    if b.available_until is None:
        assert be.worth_it


@PROPERTY
@given(costs("a"), costs("b"), scenarios())
def test_payback_is_finite(a: StrategyCost, b: StrategyCost, s: Scenario) -> None:
    kind, months = payback_months(a, b, s)
    assert kind in KINDS
    assert months is None or months.is_finite()
    assert (months is None) == (kind == "never")


@PROPERTY
@given(costs("a"), costs("b"), scenarios())
@example(sc("a", "0.001", "0", "100"), sc("b", "0", "30"), scenario(20_000, growth="1.5"))  # the table's −3.5 case
def test_payback_months_are_between_0_and_the_cap(a: StrategyCost, b: StrategyCost, s: Scenario) -> None:
    """A payback time is never negative (nor beyond the 120 months searched)."""
    _, months = payback_months(a, b, s)
    assert months is None or 0 <= months <= MAX_PAYBACK_MONTHS, months
