"""The one model of cost over time: cash flows by hand, and properties tying horizon cost, payback and break-even
to the same cumulative series."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fineadvisor.advise.costs import StrategyCost
from fineadvisor.advise.scenario import Scenario
from fineadvisor.advise.timeline import (
    MAX_MONTHS,
    average_monthly,
    break_even,
    cash_flow,
    cumulative,
    horizon_cost,
    months_compared,
    months_run,
    payback,
    share_before,
    shared_end,
    solve_volume,
)
from tests.advise.builders import KINDS, SHUTDOWN, START, D, costs, sc, scenario, scenarios

# ---------------------------------------------------------------- cash flow


@pytest.mark.parametrize(
    ("c", "s", "expected"),
    [
        # month 0 = one-off 50; each month 10 + 0.001 × 1,000 = 11
        (sc("x", "0.001", "10", "50"), scenario(1_000, horizon=3), (50, 11, 11, 11)),
        # volume doubles: 0.001 × 1,000, 2,000, 4,000 = 1, 2, 4
        (sc("x", "0.001"), scenario(1_000, growth="1", horizon=3), (0, 1, 2, 4)),
        # retraining 100 every 2 months: at the start of months 3 and 5 (the first training is the one-off)
        (sc("x", "0", "1", "40", retrain="100", every=2), scenario(0, horizon=5), (40, 1, 1, 101, 1, 101)),
        # shuts down 53 days in: month 1 runs, month 2 (from day 30.4375) for its 22.5625 days before the date:
        # 5 × (53 ÷ 30.4375 − 1) = 5 × 0.741273… = 3.706365…; month 3 not at all
        (sc("x", "0", "5", "7", available_until=SHUTDOWN), scenario(0, horizon=4),
         (7, 5, 5 * (D(53) / D("30.4375") - 1), 0, 0)),
        # volume falls by half each month
        (sc("x", "0.01"), scenario(400, growth="-0.5", horizon=3), (0, 4, 2, 1)),
    ],
)
def test_cash_flow(c: StrategyCost, s: Scenario, expected: tuple[int, ...]) -> None:
    assert cash_flow(c, s) == tuple(D(x) for x in expected)


@pytest.mark.parametrize(
    ("until", "start", "months", "expected"),
    [
        (None, START, 12, 12),
        (SHUTDOWN, START, 12, 2),  # 53 / 30.4375 = 1.74 → months beginning on day 0 and day 30.4
        (SHUTDOWN, START, 1, 1),
        (date(2026, 12, 22), START, 12, 1),  # 30 days: only month 1 begins before it
        (date(2026, 12, 23), START, 12, 2),  # 31 days > 30.4375: month 2 begins before it too
        (START, START, 12, 0),  # stops the day it would start
        (date(2026, 1, 1), START, 12, 0),  # already shut down
    ],
)
def test_months_run(until: date | None, start: date, months: int, expected: int) -> None:
    assert months_run(sc("x", "0", available_until=until), scenario(start=start), months) == expected


def test_horizon_cumulative_and_average_read_the_same_cash_flow() -> None:
    c, s = sc("x", "0.001", "10", "50", retrain="30", every=2), scenario(1_000, horizon=4)
    # 50 | 11, 11, 41, 11 → cumulative 50, 61, 72, 113, 124
    assert cumulative(c, s) == tuple(D(x) for x in (50, 61, 72, 113, 124))
    assert horizon_cost(c, s) == D(124)
    assert average_monthly(c, s, D(1_000)) == D(31)  # 124 ÷ 4 months


# ---------------------------------------------------------------- break-even volume


@pytest.mark.parametrize(
    ("a", "b", "horizon", "kind", "volume", "above"),
    [
        # equal horizon totals: fixed_a·H + one_off_a + pr_a·V·H = fixed_b·H + one_off_b + pr_b·V·H
        (sc("a", "0.004"), sc("b", "0.001", "100", "2500"), 12,
         "crosses", (D(1200) + D(2500)) / (D("0.003") * 12), True),  # 3,700 ÷ 0.036 = 102,777.77…
        (sc("a", "0.004"), sc("b", "0.001", "100", "2500"), 24,
         "crosses", (D(2400) + D(2500)) / (D("0.003") * 24), True),  # 4,900 ÷ 0.072 = 68,055.55…
        (sc("a", "0.003", "50", "600"), sc("b", "0.001", "200", "1200"), 12,
         "crosses", D(100_000), True),  # (2,400 + 1,200 − 600 − 600) ÷ 0.024 = 100,000
        (sc("a", "0.001", "300"), sc("b", "0.003", "100"), 12,
         "crosses", D(100_000), False),  # (1,200 − 3,600) ÷ (0.012 − 0.036): b cheaper below
        (sc("a", "0.002"), sc("b", "0.002", "10"), 12, "never", None, None),  # equal slopes, b dearer fixed
        (sc("a", "0.002", "10"), sc("b", "0.002", "10"), 12, "never", None, None),  # the same costs
        (sc("a", "0.001"), sc("b", "0.002", "10"), 12, "never", None, None),  # b dearer per request and fixed
        (sc("a", "0.001"), sc("b", "0.002", "0", "120"), 12, "never", None, None),  # … and one-off
        (sc("a", "0.002", "10"), sc("b", "0.001"), 12, "immediately", None, None),  # b cheaper in both
        (sc("a", "0.002", "10"), sc("b", "0.002", "5"), 12, "immediately", None, None),  # equal slopes, b cheaper
        (sc("a", "0.002", "10"), sc("b", "0.001", "10"), 12, "immediately", None, None),  # V* = 0
        (sc("a", "0.004", "0", "1200"), sc("b", "0.001", "100"), 12, "immediately", None, None),  # 1,200 = 100 × 12
        # retraining 600 every 6 months: one retraining (month 7) inside 12 months, not two amortised
        (sc("a", "0.004"), sc("b", "0.001", "100", "2500", retrain="600", every=6), 12,
         "crosses", (D(1200) + D(2500) + D(600)) / (D("0.003") * 12), True),  # 4,300 ÷ 0.036 = 119,444.4…
    ],
)
def test_break_even(a: StrategyCost, b: StrategyCost, horizon: int, kind: str, volume: Decimal | None,
                    above: bool | None) -> None:
    got = break_even(a, b, scenario(horizon=horizon))
    assert got[0] == kind and got[2] == above
    if volume is None:
        assert got[1] is None
    else:
        assert got[1] is not None and abs(got[1] - volume) <= volume * D("1e-24")


def test_break_even_compares_the_months_both_run() -> None:
    """b stops 53 days in (t = 53 ÷ 30.4375 = 1.741273 months): the volume at which a and b cost the same over
    those t months, a stopped there too: 2,500 + 100·t = 0.003·V·t → V = (2,500 + 100·t) ÷ (0.003·t) ≈ 511,910.38."""
    a, b = sc("a", "0.004"), sc("b", "0.001", "100", "2500", available_until=SHUTDOWN)
    s = scenario()
    assert months_compared(a, b, s) == 2
    kind, volume, above = break_even(a, b, s)
    assert (kind, above) == ("crosses", True) and volume is not None
    t = D(53) / D("30.4375")
    assert abs(volume - (2500 + 100 * t) / (D("0.003") * t)) < D("1e-18")


def test_a_strategy_that_never_runs_never_breaks_even() -> None:
    b = sc("b", "0", available_until=date(2026, 1, 1))
    assert break_even(sc("a", "0.004"), b, scenario()) == ("never", None, None)


@pytest.mark.parametrize(
    ("gap", "kind", "volume", "above"),
    [
        # not affine: b's cost grows like √V, a's like V: 100 + 2√V − V/10 = 0 at √V = 10 + √1,100, V ≈ 1,863.32;
        # b costs more at V = 0, so it is cheaper above
        (lambda v: 100 + 2 * v.sqrt() - v / 10, "crosses", D("1863.32"), True),
        # b saves a fixed 1% of a quadratic cost: never a sign change, b cheaper everywhere
        (lambda v: -(v * v) / 100 - 1, "immediately", None, None),
        (lambda v: (v * v) / 100 + 1, "never", None, None),
    ],
)
def test_solve_volume_bisects_what_is_not_affine(gap: object, kind: str, volume: Decimal | None,
                                                 above: bool | None) -> None:
    got_kind, got_volume, got_above = solve_volume(gap)  # type: ignore[arg-type]
    assert (got_kind, got_above) == (kind, above)
    if volume is None:
        assert got_volume is None
    else:
        assert got_volume is not None and abs(got_volume - volume) < D("0.01")


# ---------------------------------------------------------------- payback


@pytest.mark.parametrize(
    ("a", "b", "s", "kind", "month", "stays"),
    [
        # a: 0.004 × 100,000 = 400/month; b: 100 + 100 = 200/month; cum_a = 400m, cum_b = 2,500 + 200m
        (sc("a", "0.004"), sc("b", "0.001", "100", "2500"), scenario(), "crosses", 13, 13),  # m ≥ 12.5
        (sc("a", "0.004"), sc("b", "0.001", "100", "3000"), scenario(), "crosses", 15, 15),  # m ≥ 15
        (sc("a", "0.004"), sc("b", "0.001", "100", "50"), scenario(), "crosses", 1, 1),  # 400 ≥ 250
        (sc("a", "0.004", "0", "500"), sc("b", "0.001", "100", "3000"), scenario(), "crosses", 13, 13),  # 2,500/200
        (sc("a", "0.004"), sc("b", "0.001", "100"), scenario(), "immediately", 0, 0),  # nothing up front, saves
        (sc("a", "0.004", "0", "100"), sc("b", "0.004"), scenario(), "immediately", 0, 0),  # b cheaper up front
        (sc("a", "0.001"), sc("b", "0.004", "0", "10"), scenario(), "never", None, None),  # b dearer each month
        (sc("a", "0.004"), sc("b", "0.004", "0", "10"), scenario(), "never", None, None),  # b saves nothing
        (sc("a", "0.00001"), sc("b", "0", "0", "1000"), scenario(), "never", None, None),  # 1,000 months > 120
        (sc("a", "0.0001"), sc("b", "0", "0", "1200"), scenario(), "crosses", 120, 120),  # 10/month: exactly 120
        # doubling volume: savings 10, 20, 40, 80 → cumulative 10, 30, 70, 150 ≥ 100 in month 4
        (sc("a", "0.0001"), sc("b", "0", "0", "100"), scenario(growth="1"), "crosses", 4, 4),
        # +50% a month: cumulative savings after 6 months 207.8125 < 250, after 7 321.72
        (sc("a", "0.0001"), sc("b", "0", "0", "250"), scenario(growth="0.5"), "crosses", 7, 7),
        # halving volume: savings 10, 5, 2.5, … add up to less than 20: 25 is never repaid, 15 is in month 2
        (sc("a", "0.0001"), sc("b", "0", "0", "25"), scenario(growth="-0.5"), "never", None, None),
        (sc("a", "0.0001"), sc("b", "0", "0", "15"), scenario(growth="-0.5"), "crosses", 2, 2),
        # a 0.002 × V, b 100 + 0.001 × V at V = 50k, 100k, 200k: cum_a 100, 300, 700; cum_b 150, 350, 650
        (sc("a", "0.002"), sc("b", "0.001", "100"), scenario(50_000, growth="1"), "crosses", 3, 3),
        # b $100 cheaper up front and $30 a month against a's 0.001 × 20,000, 50,000: cum 30 ≤ 120 in month 1
        (sc("a", "0.001", "0", "100"), sc("b", "0", "30"), scenario(20_000, growth="1.5"), "immediately", 0, 0),
        # saw-tooth: b saves 100 a month, 250 up front, retrains for 250 every 3 months (months 4, 7, 10, …):
        # lead = cum_a − cum_b = 100m − 250 − 250·⌊(m − 1)/3⌋ = −150, −50, +50, −100, 0, +100, −50, +50, …, 0 (m 10):
        # first at or below in month 3, behind for the last time in month 7, so ahead for good from month 8
        (sc("a", "0.001"), sc("b", "0", "0", "250", retrain="250", every=3), scenario(), "crosses", 3, 8),
    ],
)
def test_payback(a: StrategyCost, b: StrategyCost, s: Scenario, kind: str, month: int | None,
                 stays: int | None) -> None:
    assert payback(a, b, s) == (kind, month, stays)


def test_the_saw_tooth_case_by_hand() -> None:
    """The table's last row written out: the months in which b is at or below a."""
    a, b = sc("a", "0.001"), sc("b", "0", "0", "250", retrain="250", every=3)
    ca, cb = cumulative(a, scenario(), 14), cumulative(b, scenario(), 14)
    assert [ca[m] - cb[m] for m in range(1, 15)] == [100 * m - 250 - 250 * ((m - 1) // 3) for m in range(1, 15)]
    assert [m for m in range(1, 15) if cb[m] <= ca[m]] == [3, 5, 6, 8, 9, 10, 11, 12, 13, 14]


# ---------------------------------------------------------------- properties

PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(costs("a"), costs("b"), scenarios())
@example(sc("a", "0.004"), sc("b", "0.001", "100", "2500", retrain="600", every=6), scenario())
def test_horizon_costs_agree_at_every_break_even_volume(a: StrategyCost, b: StrategyCost, s: Scenario) -> None:
    """At a reported break-even volume the two totals over the compared months agree within 0.1%; on the stated
    side b is cheaper, on the other it is not."""
    kind, volume, above = break_even(a, b, s)
    assert kind in KINDS
    if kind != "crosses":
        assert volume is None and above is None
        return
    assert volume is not None and volume.is_finite() and volume > 0
    months, end = months_compared(a, b, s), shared_end(a, b)
    ca, cb = horizon_cost(a, s, volume, months, end), horizon_cost(b, s, volume, months, end)
    assert abs(ca - cb) <= D("0.001") * max(abs(ca), abs(cb)), (ca, cb)
    far, near = volume * 2, volume / 2
    b_wins_far = horizon_cost(b, s, far, months, end) < horizon_cost(a, s, far, months, end)
    b_wins_near = horizon_cost(b, s, near, months, end) < horizon_cost(a, s, near, months, end)
    assert (b_wins_far, b_wins_near) == ((True, False) if above else (False, True))


@PROPERTY
@given(costs("a"), costs("b"), scenarios())
def test_payback_agrees_with_the_cumulative_series(a: StrategyCost, b: StrategyCost, s: Scenario) -> None:
    """The reported month is the first whose cumulative cost of b is at or below a's; `stays_from` is the first
    from which it always is; "never" means no month (while both run) has it."""
    kind, month, stays = payback(a, b, s)
    assert kind in KINDS
    end = shared_end(a, b)  # both compared up to the earlier end date (its month split at the date)
    ca, cb = cumulative(a, s, MAX_MONTHS, end=end), cumulative(b, s, MAX_MONTHS, end=end)
    last = min(months_run(a, s, MAX_MONTHS), months_run(b, s, MAX_MONTHS))
    ahead = [cb[m] <= ca[m] for m in range(last + 1)]
    if kind == "never":
        assert month is None and stays is None and not any(ahead[1:])
        return
    assert month is not None
    first = 1 if kind == "immediately" else month
    assert ahead[first] and not any(ahead[1:first])
    if kind == "immediately":
        assert month == 0 and b.one_off_usd <= a.one_off_usd
    if stays is not None:
        stays = max(stays, 1)  # 0: ahead for good from the first month
        assert stays >= first and all(ahead[stays:])
        assert stays == 1 or not ahead[stays - 1]
    else:
        assert not ahead[last]


@PROPERTY
@given(costs("a"), scenarios())
def test_a_strategy_never_breaks_even_with_itself(a: StrategyCost, s: Scenario) -> None:
    assert break_even(a, a, s) == ("never", None, None)


@PROPERTY
@given(costs("a"), scenarios())
def test_cumulative_ends_at_the_horizon_cost(a: StrategyCost, s: Scenario) -> None:
    series = cumulative(a, s)
    assert len(series) == s.horizon_months + 1 and series[0] == a.one_off_usd
    assert series[-1] == horizon_cost(a, s)
    assert all(later >= earlier for earlier, later in pairwise(series))


# ---------------------------------------------------------------- forced migration


F = D(53) / D("30.4375") - 1
"""The share of month 2 that lies before SHUTDOWN (53 days after START)."""


def migrating(per_request: str, fixed: str, then_per_request: str, then_fixed: str, switch: str,
              until: date = SHUTDOWN) -> StrategyCost:
    from dataclasses import replace

    return replace(sc("x", per_request, fixed), switch_at=until, then=sc("y", then_per_request, then_fixed),
                   switch_usd=D(switch))


@pytest.mark.parametrize(
    ("c", "s", "expected"),
    [
        # 2027-01-14 falls in month 2, f = 53 ÷ 30.4375 − 1 = 0.741273… of it before the date: month 1 on the old
        # model, 5 + 0.01 × 1,000 = 15; month 2: 15·f + 3·(1 − f) + the move 100 = 103 + 12·f = 111.895…; from month 3
        # on the successor: 1 + 0.002 × 1,000 = 3
        (migrating("0.01", "5", "0.002", "1", "100"), scenario(1_000, horizon=5), (0, 15, 103 + 12 * F, 3, 3, 3)),
        # growth carries over the switch: volumes 1,000, 2,000, 4,000 → 10; then 20·f + 4·(1 − f) + 100 = 104 + 16·f;
        # then 0.002 × 4,000 = 8
        (migrating("0.01", "0", "0.002", "0", "100"), scenario(1_000, growth="1", horizon=3), (0, 10, 104 + 16 * F, 8)),
        # already shut down at the start: every month on the successor, the move in month 1
        (migrating("0.01", "5", "0.002", "1", "100", until=date(2026, 1, 1)), scenario(1_000, horizon=2),
         (0, 103, 3)),
        # the shutdown after the horizon: never switches
        (migrating("0.01", "5", "0.002", "1", "100", until=date(2030, 1, 1)), scenario(1_000, horizon=2), (0, 15, 15)),
    ],
)
def test_cash_flow_of_a_forced_migration(c: StrategyCost, s: Scenario, expected: tuple[int, ...]) -> None:
    assert cash_flow(c, s) == tuple(D(x) for x in expected)


@PROPERTY
@given(costs("a"), scenarios())
def test_a_strategy_is_never_costed_past_its_end_date(a: StrategyCost, s: Scenario) -> None:
    # every month that begins on or after `available_until` costs nothing
    flow = cash_flow(a, s)
    runs = months_run(a, s, s.horizon_months)
    assert all(x == 0 for x in flow[runs + 1:])
    if a.available_until is not None:
        from fineadvisor.advise.timeline import months_between

        assert runs <= max(0, math.ceil(months_between(s.start, a.available_until)))


@PROPERTY
@given(costs("a"), costs("b"), scenarios(), st.dates(min_value=date(2026, 1, 1), max_value=date(2036, 12, 31)),
       st.decimals(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False, places=2))
def test_a_forced_migration_costs_its_successor_after_the_switch(a: StrategyCost, b: StrategyCost, s: Scenario,
                                                                 until: date, switch: Decimal) -> None:
    from dataclasses import replace

    from fineadvisor.advise.timeline import switch_month

    a, b = replace(a, available_until=None), replace(b, available_until=None, retrain_every_months=None)
    m = replace(a, switch_at=until, then=b, switch_usd=switch)
    flow, own, then = cash_flow(m, s), cash_flow(a, s), cash_flow(b, s)
    k = switch_month(m, s)
    first = k if k is not None else s.horizon_months + 1
    assert flow[:first] == own[:first]  # its own costs until the switch
    assert flow[first + 1:] == then[first + 1:]  # then exactly the successor's, month by month
    if k is not None:  # the month of the switch split at the date, and the move once
        f = share_before(until, s)
        assert flow[k] == (own[k] * f + then[k] * (1 - f) if f < 1 else then[k]) + switch
