"""Break-even between two strategies in words: reasons, shutdown dates, the definition, and properties (the
numbers themselves are `timeline`'s, tested in test_timeline.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings

from fineadvisor.advise.breakeven import MAX_PAYBACK_MONTHS, find_break_even
from fineadvisor.advise.costs import StrategyCost
from fineadvisor.advise.scenario import Scenario
from tests.advise.builders import KINDS, SHUTDOWN, D, costs, sc, scenario, scenarios

# ---------------------------------------------------------------- find_break_even: reasons and shutdowns


def test_a_strategy_against_itself_never_breaks_even() -> None:
    a = sc("as_logged", "0.004")
    be = find_break_even(a, a, scenario())
    assert (be.kind, be.requests_per_month, be.b_cheaper_above, be.payback_months, be.payback_kind) == (
        "never", None, None, None, "never")
    assert "itself" in be.reason


def test_find_break_even_crosses_with_payback() -> None:
    be = find_break_even(sc("a", "0.004"), sc("b", "0.001", "100", "2500"), scenario())
    assert (be.a, be.b, be.kind, be.b_cheaper_above, be.payback_kind, be.payback_months, be.worth_it) == (
        "a", "b", "crosses", True, "crosses", D(13), True)  # 400m ≥ 2,500 + 200m from m = 12.5
    assert be.requests_per_month == (D(1200) + D(2500)) / (D("0.003") * 12)  # equal 12-month totals
    assert "cheaper above 102,778 requests/month (equal totals over 12 months)" in be.reason
    assert "pays back in month 13" in be.reason
    assert (be.amortised_over_months, be.payback_stays_from) == (12, D(13))
    assert be.definition.startswith("the starting volume (requests/month) at which both strategies cost the same")


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
    """Payback would be in month 13; the offer stops serving 1.7 months after the start."""
    b = sc("ft", "0.001", "100", "2500", available_until=SHUTDOWN)
    be = find_break_even(sc("a", "0.004"), b, scenario())
    assert (be.payback_kind, be.payback_months, be.worth_it) == ("never", None, False)
    assert be.amortised_over_months == 2  # the months both run
    assert "shuts down on 2027-01-14" in be.reason and "before it pays back" in be.reason
    assert "1.7 months from 2026-11-22" in be.reason  # 53 days ÷ 30.4375


def test_shutdown_after_payback_is_worth_it() -> None:
    b = sc("ft", "0.001", "100", "100", available_until=SHUTDOWN)  # 400 ≥ 100 + 200 in month 1, before it stops
    be = find_break_even(sc("a", "0.004"), b, scenario())
    assert (be.payback_months, be.worth_it) == (D(1), True)
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

PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(costs("a"), scenarios())
def test_a_strategy_never_breaks_even_with_itself(a: StrategyCost, s: Scenario) -> None:
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
@example(sc("a", "0.001", "0", "100"), sc("b", "0", "30"), scenario(20_000, growth="1.5"))
def test_payback_months_are_whole_months_between_0_and_the_cap(a: StrategyCost, b: StrategyCost, s: Scenario) -> None:
    be = find_break_even(a, b, s)
    for months in (be.payback_months, be.payback_stays_from):
        assert months is None or (months == months.to_integral_value() and 0 <= months <= MAX_PAYBACK_MONTHS)
    assert be.definition and 0 <= be.amortised_over_months <= s.horizon_months
