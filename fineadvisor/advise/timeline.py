"""The one model of cost over time: a strategy's month-by-month cash flow, and everything read from it.

A strategy started on `start` at V₀ requests a month, growing g a month, costs
    month 0:  its one-off cost (first training, data preparation, building retrieval …)
    month k:  fixed_monthly + per_request × V₀ × (1 + g)^(k − 1), plus one retraining at the start of months
              R + 1, 2R + 1, … (the first training is in the one-off cost and serves R months)
and nothing in a month that begins on or after its `available_until` (it no longer runs; months are 30.4375 days);
the month that date falls in is charged for the share of it before the date (a forced migration's month is split
between the two models the same way).
From these cash flows, and only from them:
    horizon cost   Σ months 0..H
    cumulative(m)  Σ months 0..m (the series the app charts)
    payback        the first month whose cumulative cost is at or below the baseline's (and the month
                   from which it stays there, when a retraining puts it behind again)
    break-even     the starting volume V₀* at which the two horizon costs are equal, over the months both run;
                   exact where the gap is affine in V₀ (every cost here is), else found by bisection
"Never" and "immediately" are values with a reason, never NaN or infinity.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from itertools import accumulate
from typing import Literal, NamedTuple

from fineadvisor.advise.costs import StrategyCost
from fineadvisor.advise.scenario import DAYS_PER_MONTH, Scenario

Kind = Literal["crosses", "never", "immediately"]
MAX_MONTHS = 120
"""How far payback is looked for beyond the horizon (ten years)."""
ZERO = Decimal(0)
PROBE = Decimal(1_000_000)
"""Volumes at which a gap is sampled to see whether it is affine in the volume."""
MAX_VOLUME = Decimal(10) ** 12
"""The largest monthly volume a break-even can be (the scenario's own upper bound): a crossing beyond it is none."""
_AFFINE_TOLERANCE = Decimal("1e-18")


def months_between(start: date, end: date) -> Decimal:
    """Months from start to end (30.4375-day months)."""
    return Decimal((end - start).days) / DAYS_PER_MONTH


def months_run(c: StrategyCost, s: Scenario, months: int) -> int:
    """How many of months 1..months the strategy runs: those that begin before its `available_until`."""
    return _months_before(c.available_until, s, months)


def cash_flow(c: StrategyCost, s: Scenario, months: int | None = None, volume: Decimal | None = None,
              end: date | None = None) -> tuple[Decimal, ...]:
    """Months 0..N (default N = the horizon) of what the strategy costs, at starting volume V₀ (default: the scenario's).

    Formula: month 0 = one_off; month k = fixed_monthly + per_request × V₀ × (1 + g)^(k − 1)
    + retrain_usd when k > 1 and (k − 1) mod R = 0; 0 for months it does not run (see `months_run`), and the share
    f of the month before `available_until` in the month that date falls in. A forced migration (`switch_at`, `then`)
    runs as `then` after `switch_at`: in the month the date falls in, f × this + (1 − f) × `then`, paying
    `switch_usd` in that month; f = the share of that month before the date.
    """
    n = s.horizon_months if months is None else months
    v = s.requests_per_month if volume is None else volume
    until = min((d for d in (c.available_until, end) if d is not None), default=None)
    runs = _months_before(until, s, n)
    stops = share_before(until, s, n)
    switch = _months_before(c.switch_at, s, n) if c.then is not None else n
    split = share_before(c.switch_at, s, n) if c.then is not None else Decimal(1)
    every = c.retrain_every_months
    out = [c.one_off_usd]
    for k in range(1, n + 1):
        if k > runs:
            out.append(ZERO)
            continue
        then = c.then.fixed_monthly_usd + c.then.per_request_usd * v if c.then is not None else ZERO
        if k > switch and c.then is not None:
            cost = then + (c.switch_usd if k == switch + 1 and split == 1 else ZERO)
        else:
            cost = c.fixed_monthly_usd + c.per_request_usd * v
            if every and k > 1 and (k - 1) % every == 0:
                cost += c.retrain_usd
            if k == switch and split < 1 and c.then is not None:
                cost = cost * split + then * (1 - split) + c.switch_usd
        if k == runs and stops < 1:
            cost *= stops
        out.append(cost)
        v *= 1 + s.growth_per_month
    return tuple(out)


def share_before(end: date | None, s: Scenario, months: int | None = None) -> Decimal:
    """The share of the month `end` falls in that lies before it (1: no end, it falls on a month's boundary, or
    after the first `months` months — default the horizon)."""
    n = s.horizon_months if months is None else months
    if end is None or end <= s.start or months_between(s.start, end) >= n:
        return Decimal(1)
    part = months_between(s.start, end) % 1
    return part if part else Decimal(1)


def _months_before(end: date | None, s: Scenario, months: int) -> int:
    """How many of months 1..months begin before `end` (all of them when there is no end)."""
    if end is None:
        return months
    return max(0, min(months, math.ceil(months_between(s.start, end))))


def switch_month(c: StrategyCost, s: Scenario) -> int | None:
    """The first month (1-based) a forced migration runs on its successor, in part or whole, within the horizon
    (None: it does not)."""
    if c.then is None:
        return None
    before = _months_before(c.switch_at, s, s.horizon_months)
    first = before if share_before(c.switch_at, s) < 1 else before + 1
    return first if 1 <= first <= s.horizon_months else None


def cumulative(c: StrategyCost, s: Scenario, months: int | None = None, volume: Decimal | None = None,
               end: date | None = None) -> tuple[Decimal, ...]:
    """Cumulative cost at the end of months 0..N: the running sum of `cash_flow`."""
    return tuple(accumulate(cash_flow(c, s, months, volume, end)))


def horizon_cost(c: StrategyCost, s: Scenario, volume: Decimal | None = None, months: int | None = None,
                 end: date | None = None) -> Decimal:
    """Formula: Σ cash_flow months 0..H (one-off, every month's fixed and per-request costs, retraining when due)."""
    return sum(cash_flow(c, s, months, volume, end), ZERO)


def shared_end(a: StrategyCost, b: StrategyCost) -> date | None:
    """The earlier of two strategies' end dates: where a comparison of the two stops (None: neither ends)."""
    return min((d for d in (a.available_until, b.available_until) if d is not None), default=None)


def average_monthly(c: StrategyCost, s: Scenario, volume: Decimal) -> Decimal:
    """What the strategy costs per month it runs within the horizon, one-offs included: horizon cost ÷ months run."""
    runs = months_run(c, s, s.horizon_months)
    return horizon_cost(c, s, volume) / runs if runs else c.one_off_usd


class Payback(NamedTuple):
    """When moving from a to b has paid for itself, read from the two cumulative series."""

    kind: Kind
    month: int | None
    """The first month m ≥ 1 whose cumulative cost of b is at or below a's (0: immediately; None: never)."""
    stays_from: int | None
    """The first month from which b stays at or below a through every month looked at: later than `month` when a
    retraining puts b behind again for a while (None: never)."""


def payback(a: StrategyCost, b: StrategyCost, s: Scenario) -> Payback:
    """When moving from a to b pays for itself at the scenario's volume and growth.

    Formula: month = the first m in 1..MAX_MONTHS, while both run, with cumulative_b(m) ≤ cumulative_a(m);
    ("immediately", 0) when that is month 1 and b costs no more up front; ("never", None) when there is none.
    """
    end = shared_end(a, b)
    ca, cb = cumulative(a, s, MAX_MONTHS, end=end), cumulative(b, s, MAX_MONTHS, end=end)
    last = min(months_run(a, s, MAX_MONTHS), months_run(b, s, MAX_MONTHS))
    ahead = [cb[m] <= ca[m] for m in range(last + 1)]
    first = next((m for m in range(1, last + 1) if ahead[m]), None)
    if first is None:
        return Payback("never", None, None)
    stays = first
    for m in range(last, first - 1, -1):
        if not ahead[m]:
            stays = m + 1
            break
    stays_from = stays if stays <= last else None
    if first == 1 and b.one_off_usd <= a.one_off_usd:
        return Payback("immediately", 0, 0 if stays_from == 1 else stays_from)
    return Payback("crosses", first, stays_from)


def months_compared(a: StrategyCost, b: StrategyCost, s: Scenario) -> int:
    """The months of the horizon both strategies run: what a break-even volume compares."""
    return min(months_run(a, s, s.horizon_months), months_run(b, s, s.horizon_months))


def break_even(a: StrategyCost, b: StrategyCost, s: Scenario) -> tuple[Kind, Decimal | None, bool | None]:
    """The starting volume at which a and b cost the same over the months both run within the horizon.

    Returns (kind, V₀*, b cheaper above V₀*): "crosses" with the volume; "immediately" when b is cheaper at every
    volume; "never" when it is cheaper at none (or the two never run together).
    """
    months = months_compared(a, b, s)
    if months == 0:
        return "never", None, None

    end = shared_end(a, b)

    def gap(volume: Decimal) -> Decimal:
        return horizon_cost(b, s, volume, months, end) - horizon_cost(a, s, volume, months, end)

    return solve_volume(gap)


def solve_volume(gap: Callable[[Decimal], Decimal]) -> tuple[Kind, Decimal | None, bool | None]:
    """Where gap(V) = cost_b(V) − cost_a(V) changes sign for V > 0: (kind, V*, b cheaper above V*).

    Formula, when the gap is affine (g(2P) − 2g(P) + g(0) = 0): V* = −g(0) ÷ slope, slope = (g(P) − g(0)) ÷ P.
    Otherwise the gap is sampled at 1, 10, …, 10¹² and the first sign change is bisected to 1 part in 10⁹.
    """
    g0, g1, g2 = gap(ZERO), gap(PROBE), gap(2 * PROBE)
    scale = abs(g0) + abs(g1) + abs(g2)
    if abs(g2 - 2 * g1 + g0) <= _AFFINE_TOLERANCE * scale:
        slope = (g1 - g0) / PROBE
        if slope == 0:
            return ("immediately" if g0 < 0 else "never"), None, None
        volume = -g0 / slope
        if volume <= 0:
            return ("immediately" if slope < 0 else "never"), None, None
        if volume > MAX_VOLUME:  # beyond any volume a scenario can have (and where rounding noise lands a 0 slope)
            return ("immediately" if g0 < 0 else "never"), None, None
        return "crosses", volume, slope < 0
    return _bisect(gap, g0)


def _bisect(gap: Callable[[Decimal], Decimal], g0: Decimal) -> tuple[Kind, Decimal | None, bool | None]:
    """The first sign change of a gap that is not affine, by sampling decades then bisection."""
    lo, g_lo = ZERO, g0
    hi = Decimal(1)
    while hi <= MAX_VOLUME:
        g_hi = gap(hi)
        if (g_lo < 0) != (g_hi < 0):
            for _ in range(200):
                if hi - lo <= hi * Decimal("1e-9"):
                    break
                mid = (lo + hi) / 2
                g_mid = gap(mid)
                if (g_lo < 0) == (g_mid < 0):
                    lo, g_lo = mid, g_mid
                else:
                    hi = mid
            return "crosses", (lo + hi) / 2, g0 >= 0
        lo, g_lo, hi = hi, g_hi, hi * 10
    return ("immediately" if g0 < 0 else "never"), None, None
