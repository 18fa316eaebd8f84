"""One way to write each number: money, tokens, counts, percentages, months (tables of input → text)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fineadvisor.formatting import (
    count,
    count_compact,
    money,
    money_compact,
    months,
    percent,
    quantity,
    signed_percent,
    tokens,
    tokens_compact,
    unit_price,
)

D = Decimal


@pytest.mark.parametrize(("x", "text"), [
    (0, "$0.00"),
    (D("0.000263"), "$0.000263"),  # three significant digits under $1: 2.63e-4
    (D("0.00042"), "$0.00042"),  # the case: not "$0.00"; trailing zero of 0.000420 dropped
    (D("0.0002634999"), "$0.000263"),  # rounded to three significant digits
    (D("0.000000123"), "$0.000000123"),
    (D("0.009999"), "$0.01"),  # 0.0100 → at least two decimals
    (D("0.0123"), "$0.0123"),
    (D("0.5"), "$0.50"),
    (D("0.263"), "$0.263"),
    (D("12.34"), "$12.34"),
    (12.344, "$12.34"),  # a float from a chart: via its shortest repr
    (D("150"), "$150.00"),  # the case: the same in reasons and tables
    (D("999.99"), "$999.99"),
    (D("999.996"), "$1,000"),  # rounds to 1,000.00: whole dollars from there
    (D("1919.4"), "$1,919"),
    (D("1919.5"), "$1,920"),  # half to even: 1,919.5 → 1,920
    (D("2918.5"), "$2,918"),  # half to even: 2,918.5 → 2,918
    (D("158163.2"), "$158,163"),
    (-5, "-$5.00"),
    (D("-0.00042"), "-$0.00042"),
    (D("-1234"), "-$1,234"),
])
def test_money(x: Decimal | float, text: str) -> None:
    assert money(x) == text


@pytest.mark.parametrize(("x", "text"), [
    (0, "$0.00"),
    (D("0.00049"), "$0.00049"),
    (D("999.99"), "$999.99"),
    (D("999.996"), "$1.0k"),  # 999.996 rounds to 1,000.00 → the k unit
    (1234, "$1.2k"),
    (D("12345.67"), "$12.3k"),
    (99_960, "$100k"),  # 99.96k → "100.0" → "100"
    (123_456, "$123k"),
    (3_400_000, "$3.4M"),
    (999_999, "$1.0M"),  # 1,000.0k → 1.0M
    (2.5e9, "$2.5B"),
    (-5, "-$5.00"),
    (D("-1234"), "-$1.2k"),
])
def test_money_compact(x: Decimal | float, text: str) -> None:
    assert money_compact(x) == text


@pytest.mark.parametrize(("x", "text"), [
    (D("0.15"), "$0.15"), (D("1.70"), "$1.7"), (D("0.000025"), "$0.000025"), (D(100), "$100"), (D("2.5E+1"), "$25"),
])
def test_unit_price(x: Decimal, text: str) -> None:
    assert unit_price(x) == text


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (950, "950"), (D("2947.5"), "2,948"), (2946.5, "2,946"), (1_328_427, "1,328,427"),
    (D("608750.0000"), "608,750"),
])
def test_count(n: Decimal | float | int, text: str) -> None:
    assert count(n) == text  # whole numbers, half to even (2,947.5 → 2,948; 2,946.5 → 2,946)


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (950, "950"), (1234, "1.23k"), (12_345, "12.3k"), (1_244_658.87, "1.24M"), (999_999, "1.00M"),
    (995_656, "996k"),
])
def test_count_compact(n: float, text: str) -> None:
    assert count_compact(n) == text


@pytest.mark.parametrize(("x", "text"), [
    (D(100), "100"), (D("100.5"), "100"), (D("99.5"), "99.5"), (D(24), "24"), (D("2831.2"), "2,831"),
])
def test_quantity(x: Decimal, text: str) -> None:
    assert quantity(x) == text  # one decimal below 100 when not whole; 100.5 → 100 (half to even)


@pytest.mark.parametrize(("n", "text"), [
    (0, "0 tokens"), (1, "1 token"), (D("100.5275"), "101 tokens"), (2831, "2,831 tokens"),
])
def test_tokens(n: Decimal | int, text: str) -> None:
    assert tokens(n) == text


@pytest.mark.parametrize(("n", "text"), [
    (0, "0 tokens"), (1, "1 token"), (100.5275, "101 tokens"), (950, "950 tokens"), (999.6, "1.0k tokens"),
    (1234, "1.2k tokens"), (12_345, "12.3k tokens"), (123_456, "123k tokens"), (999_960, "1.0M tokens"),
    (3_400_000, "3.4M tokens"),
])
def test_tokens_compact(n: float, text: str) -> None:
    assert tokens_compact(n) == text


@pytest.mark.parametrize(("share", "decimals", "text"), [
    (D("0.81"), 0, "81%"), (D("0.8104"), 0, "81%"), (0.96048, 1, "96.0%"), (D(0), 0, "0%"), (D("0.01"), 0, "1%"),
    (D("1.18"), 0, "118%"),
])
def test_percent(share: Decimal | float, decimals: int, text: str) -> None:
    assert percent(share, decimals) == text


@pytest.mark.parametrize(("share", "decimals", "text"), [
    (D("1.18"), 0, "+118%"), (D("-0.05"), 0, "-5%"), (D(0), 0, "+0%"), (D(0), 1, "+0.0%"), (D("0.2"), 0, "+20%"),
    (D("-0.001"), 0, "+0%"),  # rounds to zero: no minus sign on "0%"
])
def test_signed_percent(share: Decimal, decimals: int, text: str) -> None:
    assert signed_percent(share, decimals) == text


@pytest.mark.parametrize(("n", "text"), [(1, "1 month"), (12, "12 months"), (D("1.5"), "1.5 months"), (0, "0 months")])
def test_months(n: Decimal | int, text: str) -> None:
    assert months(n) == text


@given(st.decimals(min_value=D("-1e12"), max_value=D("1e12"), allow_nan=False, allow_infinity=False, places=8))
def test_money_never_hides_a_nonzero_amount(x: Decimal) -> None:
    """A nonzero amount never prints as zero, and the text reads back within its shown precision."""
    text = money(x)
    shown = D(text.replace("$", "").replace(",", ""))
    if x:
        assert shown != 0
        assert abs(shown - x) <= abs(x) * D("0.005") + D("0.5") * (abs(x) >= 1000)
    assert (x < 0 and shown != 0) == text.startswith("-")
