"""Break-even between two strategies: the volume where they cost the same, and the payback time at yours.

Monthly cost for comparing volumes amortises one-off costs over the horizon:
    cost(V) = fixed_monthly + one_off ÷ horizon_months + per_request × V
Break-even volume: V* = (cost_b(0) − cost_a(0)) ÷ (per_request_a − per_request_b).
Payback: the (fractional) month after which Σ_{k ≤ m} [monthly_a(V_k) − monthly_b(V_k)] stays ≥ one_off_b − one_off_a,
with V_k = V_0 × (1 + growth)^(k − 1). "never" and "immediately" are values with a reason, never NaN or infinity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from fineadvisor.costs import StrategyCost, months_between
from fineadvisor.scenario import Scenario, months

MAX_PAYBACK_MONTHS = 120
Kind = Literal["crosses", "never", "immediately"]


@dataclass(frozen=True, slots=True)
class BreakEven:
    """When switching from strategy `a` to `b` pays off: a volume, a payback time, and why."""

    a: str
    b: str
    kind: Kind
    """crosses: b is cheaper above (or below) `requests_per_month`; never / immediately: at every volume."""
    requests_per_month: Decimal | None
    b_cheaper_above: bool | None
    """True when b is cheaper above the break-even volume, False when below; None without a crossing."""
    payback_months: Decimal | None
    """Months until switching from a to b has paid for its one-off costs at the scenario's volume and growth."""
    payback_kind: Kind
    reason: str
    worth_it: bool = True
    """False when b stops being available before it pays back."""


def amortised_monthly(c: StrategyCost, volume: Decimal, horizon_months: int) -> Decimal:
    """Formula: fixed_monthly + one_off ÷ horizon + per_request × volume."""
    return c.fixed_monthly_usd + c.one_off_usd / horizon_months + c.per_request_usd * volume


def break_even_volume(a: StrategyCost, b: StrategyCost, horizon_months: int) -> tuple[Kind, Decimal | None, bool | None]:
    """Where amortised monthly costs are equal: (kind, V*, b cheaper above V*)."""
    fixed_a = amortised_monthly(a, Decimal(0), horizon_months)
    fixed_b = amortised_monthly(b, Decimal(0), horizon_months)
    slope = a.per_request_usd - b.per_request_usd  # what b saves per request
    if slope == 0:
        return ("immediately" if fixed_b < fixed_a else "never"), None, None
    volume = (fixed_b - fixed_a) / slope
    if volume <= 0:
        # b is cheaper at every positive volume when it saves per request and costs no more fixed
        return ("immediately" if slope > 0 else "never"), None, None
    return "crosses", volume, slope > 0


def payback_months(a: StrategyCost, b: StrategyCost, s: Scenario) -> tuple[Kind, Decimal | None]:
    """The time after which moving from a to b is never behind again: cumulative savings ≥ b's extra one-off.

    Formula: with S(m) = Σ_{k ≤ m} [monthly_a(V_k) − monthly_b(V_k)] and U = one_off_b − one_off_a, payback is
    m + (U − S(m)) ÷ saving_{m+1} for the last month-end m with S(m) < U (linear within the month);
    0 ("immediately") when S never drops below U; "never" when it is still below after MAX_PAYBACK_MONTHS.
    """
    upfront = b.one_off_usd - a.one_off_usd
    volume = s.requests_per_month
    cumulative = [Decimal(0)]
    savings: list[Decimal] = []
    last_below = 0 if upfront > 0 else None
    for month in range(1, MAX_PAYBACK_MONTHS + 1):
        saving = a.monthly_usd(volume) - b.monthly_usd(volume)
        savings.append(saving)
        cumulative.append(cumulative[-1] + saving)
        if cumulative[-1] < upfront:
            last_below = month
        volume *= 1 + s.growth_per_month
    if last_below is None:
        return "immediately", Decimal(0)
    if last_below == MAX_PAYBACK_MONTHS:
        return "never", None
    return "crosses", last_below + (upfront - cumulative[last_below]) / savings[last_below]


def find_break_even(a: StrategyCost, b: StrategyCost, s: Scenario) -> BreakEven:
    """Compare switching from `a` (usually the logged setup) to `b`, in volume and in time."""
    if a.id == b.id:
        return BreakEven(a.id, b.id, "never", None, None, None, "never", "a strategy does not break even with itself")
    kind, volume, above = break_even_volume(a, b, s.horizon_months)
    pkind, paid = payback_months(a, b, s)
    name_a = "the logged setup" if a.id == "few_shot" else a.id
    if kind == "crosses":
        assert volume is not None
        side = "above" if above else "below"
        reason = f"cheaper {side} {volume:,.0f} requests/month (one-off costs spread over {months(s.horizon_months)})"
    elif kind == "immediately":
        reason = f"cheaper than {name_a} at every volume"
    else:
        reason = (f"never cheaper than {name_a}: it costs more per request, or saves too little per request to "
                  "repay its fixed costs")
    if pkind == "crosses":
        assert paid is not None
        reason += f"; at your volume it pays back in {paid:.1f} months"
    elif pkind == "never":
        reason += f"; at your volume it does not pay back within {MAX_PAYBACK_MONTHS} months"
    worth_it = True
    if b.available_until is not None:
        left = months_between(s.start, b.available_until)
        if left <= 0:
            worth_it, reason = False, reason + f"; it is no longer available ({b.available_until:%Y-%m-%d})"
        elif pkind == "never" or (paid is not None and paid > left):
            worth_it = False
            reason += (f"; it shuts down on {b.available_until:%Y-%m-%d} ({left:.1f} months from "
                       f"{s.start:%Y-%m-%d}), before it pays back: not worth it")
    return BreakEven(a.id, b.id, kind, volume, above, paid, pkind, reason, worth_it)
