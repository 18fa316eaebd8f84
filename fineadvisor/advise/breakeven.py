"""Break-even between two strategies: the volume where they cost the same, and when a switch pays back at yours.

Both are read from `advise.timeline`'s cash flows, the same ones the ranking totals and the app charts:
    break-even volume  the starting volume at which the two strategies' costs over the months both run within the
                       horizon are equal (one-offs, fixed costs, retraining when due, per-request costs growing)
    payback            the first month whose cumulative cost of b is at or below a's, at your volume
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fineadvisor.advise.costs import BASELINE, StrategyCost
from fineadvisor.advise.scenario import Scenario
from fineadvisor.advise.timeline import (
    MAX_MONTHS,
    Kind,
    break_even,
    months_between,
    months_compared,
    months_run,
    payback,
)
from fineadvisor.formatting import count, months, quantity, signed_percent

MAX_PAYBACK_MONTHS = MAX_MONTHS


def definition(s: Scenario, months_compared: int) -> str:
    """What `BreakEven.requests_per_month` means, in words (stated in the JSON)."""
    growth = f", growing {signed_percent(s.growth_per_month, 1)} a month" if s.growth_per_month else ""
    return (f"the starting volume (requests/month{growth}) at which both strategies cost the same in total over "
            f"{months(months_compared)} from {s.start:%Y-%m-%d}: one-off costs, fixed monthly costs, retraining in the "
            "months it falls, and per-request costs")


@dataclass(frozen=True, slots=True)
class BreakEven:
    """When switching from strategy `a` to `b` pays off: a volume, a payback month, and why."""

    a: str
    b: str
    kind: Kind
    """crosses: b is cheaper above (or below) `requests_per_month`; never / immediately: at every volume."""
    requests_per_month: Decimal | None
    b_cheaper_above: bool | None
    """True when b is cheaper above the break-even volume, False when below; None without a crossing."""
    payback_months: Decimal | None
    """The first month whose cumulative cost of b is at or below a's at the scenario's volume (0: immediately)."""
    payback_kind: Kind
    reason: str
    payback_stays_from: Decimal | None = None
    """The first month from which b's cumulative cost stays at or below a's (later than `payback_months` when a
    retraining puts b behind again for a while; None when it never stays)."""
    worth_it: bool = True
    """False when b stops being available before it pays back."""
    amortised_over_months: int = 0
    """The months the break-even volume compares: the horizon, or fewer when either strategy stops inside it."""
    definition: str = ""


def find_break_even(a: StrategyCost, b: StrategyCost, s: Scenario) -> BreakEven:
    """Compare switching from `a` (usually the logged setup) to `b`, in volume and in time."""
    if a.id == b.id:
        return BreakEven(a.id, b.id, "never", None, None, None, "never", "a strategy does not break even with itself")
    compared = months_compared(a, b, s)
    kind, volume, above = break_even(a, b, s)
    pkind, paid, stays = payback(a, b, s)
    name_a = "the logged setup" if a.id == BASELINE else a.id
    over = months(compared)
    if kind == "crosses":
        assert volume is not None
        side = "above" if above else "below"
        reason = f"cheaper {side} {count(volume)} requests/month (equal totals over {over})"
    elif kind == "immediately":
        reason = f"cheaper than {name_a} at every volume over {over}"
    elif compared == 0:
        reason = f"not available on {s.start:%Y-%m-%d}"
    else:
        reason = (f"never cheaper than {name_a} over {over}: it costs more per request, or saves too little per "
                  "request to repay its fixed costs")
    if pkind == "crosses":
        assert paid is not None
        reason += f"; at your volume it pays back in month {paid}"
        if stays != paid:
            reason += (f" (a retraining puts it behind again; ahead for good from month {stays})" if stays else
                       " (a retraining puts it behind again)")
    elif pkind == "never" and months_run(b, s, MAX_PAYBACK_MONTHS) == MAX_PAYBACK_MONTHS:
        reason += f"; at your volume it does not pay back within {MAX_PAYBACK_MONTHS} months"
    worth_it = True
    if b.available_until is not None:
        left = months_between(s.start, b.available_until)
        if left <= 0:
            worth_it, reason = False, reason + f"; it is no longer available ({b.available_until:%Y-%m-%d})"
        elif pkind == "never":
            worth_it = False
            reason += (f"; it shuts down on {b.available_until:%Y-%m-%d} ({quantity(left)} months from "
                       f"{s.start:%Y-%m-%d}), before it pays back: not worth it")
    return BreakEven(a.id, b.id, kind, volume, above, None if paid is None else Decimal(paid), pkind, reason,
                     None if stays is None else Decimal(stays), worth_it, compared, definition(s, compared))
