"""Values the advise tests build: strategy costs and scenarios by hand, and Hypothesis strategies of them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from fineadvisor.advise.costs import StrategyCost
from fineadvisor.advise.scenario import Scenario

D = Decimal
START = date(2026, 11, 22)
SHUTDOWN = date(2027, 1, 14)  # 53 days after START: months 1 and 2 begin before it (day 0, day 30.4375)


def sc(id: str, per_request: str | Decimal, fixed: str | Decimal = "0", one_off: str | Decimal = "0",
       available_until: date | None = None, retrain: str = "0", every: int | None = None) -> StrategyCost:
    pr = D(per_request)
    return StrategyCost(id, id, pr, pr, pr, D(fixed), D(one_off), (), available_until=available_until,
                        retrain_usd=D(retrain), retrain_every_months=every)


def scenario(volume: str | int | Decimal = 100_000, growth: str = "0", horizon: int = 12, start: date = START) -> Scenario:
    return Scenario(requests_per_month=D(volume), growth_per_month=D(growth), horizon_months=horizon, start=start)


DEC = {"allow_nan": False, "allow_infinity": False, "places": 4}
KINDS = {"crosses", "never", "immediately"}


@st.composite
def costs(draw: st.DrawFn, id: str) -> StrategyCost:
    pr = draw(st.decimals(min_value=0, max_value=10, **DEC))
    available = draw(st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2036, 12, 31)))
    every = draw(st.none() | st.integers(1, 24))
    retrain = draw(st.decimals(min_value=0, max_value=100_000, **DEC)) if every else D(0)
    return StrategyCost(id, id, pr, pr, pr, draw(st.decimals(min_value=0, max_value=100_000, **DEC)),
                        draw(st.decimals(min_value=0, max_value=1_000_000, **DEC)), (), available_until=available,
                        retrain_usd=retrain, retrain_every_months=every)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    return Scenario(requests_per_month=draw(st.decimals(min_value=0, max_value=10**9, **DEC)),
                    growth_per_month=draw(st.decimals(min_value=D("-0.99"), max_value=D("0.5"), **DEC)),
                    horizon_months=draw(st.integers(1, 120)),
                    start=draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))))
