"""Numbers for people, one way everywhere: money, unit prices, tokens, counts, percentages and months.

Used by the advice's reasons, the reports' tables, the charts and the app, so that one amount reads the same in
each. Money keeps its significant digits: an amount under a dollar shows three ("$0.000263", "$0.0123", "$0.50"),
never "$0.00" for a fraction of a cent. Pure functions; Decimal in, str out (floats are accepted where a chart
has them).
"""

from __future__ import annotations

from decimal import Decimal

Number = Decimal | float | int

_UNITS = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))
SIGNIFICANT_BELOW_ONE = 3
"""Significant digits of an amount under one dollar."""


def _dec(x: Number) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def _fixed(a: Decimal, decimals: int) -> str:
    """a with `decimals` decimals, half to even, thousands separated; any size (no context precision involved)."""
    return format(a, f",.{decimals}f")


def _rounded(a: Decimal, decimals: int) -> Decimal:
    return Decimal(format(a, f".{decimals}f"))


def _below_one(a: Decimal) -> str:
    """0 < a < 1 with three significant digits, at least two decimals: 0.000263, 0.0123, 0.50."""
    decimals = max(2, SIGNIFICANT_BELOW_ONE - 1 - a.adjusted())
    text = _fixed(a, decimals)
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"{whole}.{frac}"


def money(x: Number) -> str:
    """USD for people: "$0.000263", "$0.50", "$12.34", "$1,919"; "-$5.00"; "$0.00" for zero.

    Under $1: three significant digits; $1 to $999.99: cents; from $1,000: whole dollars.
    """
    d = _dec(x)
    if not d.is_finite():
        return f"${d}"
    sign, a = ("-" if d < 0 else ""), abs(d)
    if a == 0:
        return "$0.00"
    if a < 1:
        text = _below_one(a)
        return f"{sign}${text}"
    if _rounded(a, 2) < 1000:
        return f"{sign}${_fixed(a, 2)}"
    return f"{sign}${_fixed(a, 0)}"


def _scaled(a: Decimal, significant: int) -> str:
    """a ≥ 1,000 with a unit suffix: "1.2k", "34.5M" (significant=2: one decimal below 100 of the unit) or "1.05M",
    "12.3k" (significant=3). Rounding that reaches 1,000 of a unit moves to the next unit."""
    for i, (div, unit) in enumerate(_UNITS):
        if a < div and i < len(_UNITS) - 1:
            continue
        v = a / div

        def digits(value: Decimal) -> int:
            return (2 if value < 10 else 1 if value < 100 else 0) if significant == 3 else (1 if value < 100 else 0)

        text = _fixed(v, digits(v))
        text = _fixed(v, digits(Decimal(text.replace(",", ""))))  # 99.96 → "100.0" → "100"
        if Decimal(text.replace(",", "")) >= 1000 and i > 0:  # 999.96k → 1.0M
            prev_div, prev_unit = _UNITS[i - 1]
            return f"{_fixed(a / prev_div, 2 if significant == 3 else 1)}{prev_unit}"
        return f"{text}{unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def money_compact(x: Number) -> str:
    """USD in little room (chart labels, metrics): `money` below $1,000, then "$1.2k", "$3.4M", "$2.5B"."""
    d = _dec(x)
    if not d.is_finite():
        return f"${d}"
    sign, a = ("-" if d < 0 else ""), abs(d)
    if _rounded(a, 2) < 1000:
        return money(d)
    return f"{sign}${_scaled(a, 2)}"


def unit_price(usd: Decimal) -> str:
    """A unit price with every digit its source gives: "$0.15", "$1.7", "$0.000025"."""
    return f"${usd.normalize():f}"


def count(n: Number) -> str:
    """A count of things: "950", "1,328,427" (whole numbers, thousands separated)."""
    return _fixed(_dec(n), 0)


def quantity(x: Number) -> str:
    """A measured amount such as a mean token count: "2,831", "100.5" (one decimal below 100 when not whole)."""
    d = _dec(x)
    return count(d) if d == d.to_integral_value() or abs(d) >= 100 else _fixed(d, 1)


def count_compact(n: Number) -> str:
    """A count to three significant digits: "950", "12.3k", "1.05M"."""
    d = _dec(n)
    sign, a = ("-" if d < 0 else ""), abs(d)
    if _rounded(a, 0) < 1000:
        return f"{sign}{_fixed(a, 0)}"
    return sign + _scaled(a, 3)


def tokens(n: Number) -> str:
    """Tokens: "1 token", "2,831 tokens"."""
    text = count(n)
    return f"{text} token" if text == "1" else f"{text} tokens"


def tokens_compact(n: Number) -> str:
    """Tokens in little room: "950 tokens", "1.2k tokens", "3.4M tokens"."""
    d = _dec(n)
    a = abs(d)
    if _rounded(a, 0) < 1000:
        return tokens(d)
    return f"{'-' if d < 0 else ''}{_scaled(a, 2)} tokens"


def percent(share: Number, decimals: int = 0) -> str:
    """A share 0..1 as a percentage: percent(0.81) = "81%", percent(0.96, 1) = "96.0%"."""
    return f"{_fixed(_dec(share) * 100, decimals)}%"


def signed_percent(share: Number, decimals: int = 0) -> str:
    """A change as a signed percentage: "+118%", "-5%", "+0%"."""
    d = _dec(share)
    text = percent(abs(d), decimals)
    return ("-" if d < 0 and text.strip("0.%") else "+") + text


def months(n: Number) -> str:
    """'1 month', '12 months', '1.5 months'."""
    d = _dec(n)
    text = count(d) if d == d.to_integral_value() else _fixed(d, 1)
    return f"{text} month" if text == "1" else f"{text} months"
