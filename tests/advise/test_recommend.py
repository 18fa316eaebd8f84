"""Ranking and recommendation: horizon cost, exclusions, the choice, its savings, reasons and warnings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.advise.breakeven import find_break_even
from fineadvisor.advise.costs import StrategyCost, Workload
from fineadvisor.advise.recommend import Recommendation, exclusions, horizon_cost, recommend
from fineadvisor.advise.scenario import Scenario
from tests.advise.builders import costs as any_cost
from tests.advise.builders import scenarios as any_scenario

D = Decimal
START = date(2026, 11, 22)
SHUTDOWN = date(2027, 1, 14)  # 53 days after START: 1.74 months

Kind = Literal["prompting", "caching", "rag", "fine_tune", "self_hosted"]

W = Workload(static_tokens=D(2000), few_shot_tokens=D(600), dynamic_tokens=D(150), query_tokens=D(100),
             output_tokens_low=D(80), output_tokens=D(100), output_tokens_high=D(200), examples=500, templates=1)


def sc(id: str, per_request: str, fixed: str = "0", one_off: str = "0", kind: Kind = "prompting",
       available_until: date | None = None, new_jobs_until: date | None = None) -> StrategyCost:
    pr = D(per_request)
    return StrategyCost(id, f"label of {id}", pr, pr, pr, D(fixed), D(one_off), (), available_until=available_until,
                        new_jobs_until=new_jobs_until, kind=kind)


def scenario(volume: int = 200_000, growth: str = "0", horizon: int = 12, **fields: object) -> Scenario:
    return Scenario(requests_per_month=D(volume), growth_per_month=D(growth), horizon_months=horizon, start=START,
                    **fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------- horizon cost


@pytest.mark.parametrize(
    ("c", "s", "expected"),
    [
        # no growth: one_off + H × (fixed + per_request × V)
        (sc("ft", "0.001", "100", "2500"), scenario(), D(2500) + 12 * (D(100) + D(200))),  # 2,500 + 12 × 300 = 6,100
        (sc("ft", "0.001", "100", "2500"), scenario(horizon=1), D(2800)),  # 2,500 + 300
        (sc("as_logged", "0.004"), scenario(), D(9600)),  # 12 × 0.004 × 200,000 = 12 × 800
        (sc("zero", "0"), scenario(), D(0)),
        (sc("ft", "0.001", "100", "2500"), scenario(volume=0), D(3700)),  # 2,500 + 12 × 100
        # growth 10% over H = 3: volumes 200,000, 220,000, 242,000 → per request 200 + 220 + 242 = 662;
        # fixed 3 × 100 = 300; one-off 2,500 → 3,462
        (sc("ft", "0.001", "100", "2500"), scenario(growth="0.1", horizon=3), D(3462)),
        # growth 100%: 1,000 × (1 + 2 + 4) × 0.01 = 70; + 3 × 5 + 1 = 86
        (sc("x", "0.01", "5", "1"), scenario(volume=1000, growth="1", horizon=3), D(86)),
        # shrinking 50%: 1,000, 500, 250 × 0.01 = 17.5
        (sc("x", "0.01"), scenario(volume=1000, growth="-0.5", horizon=3), D("17.5")),
    ],
)
def test_horizon_cost(c: StrategyCost, s: Scenario, expected: Decimal) -> None:
    assert horizon_cost(c, s) == expected


# ---------------------------------------------------------------- exclusions


def _with_examples(n: int) -> Workload:
    return replace(W, examples=n)


@pytest.mark.parametrize(
    ("kind", "examples", "set_examples", "excluded"),
    [
        ("fine_tune", 9, None, True),  # < 10
        ("fine_tune", 10, None, False),  # the minimum is allowed
        ("self_hosted", 0, None, True),
        ("fine_tune", 9, 50, False),  # the scenario's training_examples wins over the logs
        ("prompting", 0, None, False),  # no training: examples do not matter
        ("caching", 0, None, False),
        ("rag", 0, None, False),
    ],
)
def test_too_few_examples(kind: Kind, examples: int, set_examples: int | None, excluded: bool) -> None:
    why = exclusions(sc("x", "0.001", kind=kind), _with_examples(examples),
                     scenario(training_examples=set_examples))
    assert bool(why) == excluded
    if excluded:
        assert why == (f"only {examples} training examples; at least 10 are required",)


@pytest.mark.parametrize(
    ("new_jobs_until", "available_until", "horizon", "words"),
    [
        (date(2026, 11, 21), None, 12, ["no new training jobs after 2026-11-21"]),  # a day before the start
        (date(2026, 11, 22), None, 12, []),  # jobs still accepted on the start day
        (None, SHUTDOWN, 12, ["shuts down on 2027-01-14, inside your 12-month horizon"]),  # 1.74 < 12 months
        (None, SHUTDOWN, 1, []),  # 1.74 months ≥ a 1-month horizon
        (None, date(2028, 1, 1), 12, []),  # 405 days = 13.3 months ≥ 12
        (date(2026, 1, 1), SHUTDOWN, 12, ["no new training jobs after 2026-01-01", "shuts down on 2027-01-14"]),
    ],
)
def test_availability_exclusions(new_jobs_until: date | None, available_until: date | None, horizon: int,
                                 words: list[str]) -> None:
    c = sc("ft", "0.001", kind="fine_tune", available_until=available_until, new_jobs_until=new_jobs_until)
    why = exclusions(c, W, scenario(horizon=horizon))
    assert len(why) == len(words)
    for reason, word in zip(why, words, strict=True):
        assert word in reason


# ---------------------------------------------------------------- recommend

# At 200,000 requests/month over 12 months:
#   as_logged 0.004 × 200,000 = 800/month                       → 12 × 800 = 9,600
#   caching   0.003 × 200,000 = 600/month                       → 7,200
#   ft        100 + 0.001 × 200,000 = 300/month, 2,500 one-off  → 2,500 + 3,600 = 6,100
#   closing   100 + 0.0005 × 200,000 = 200/month, 2,500 one-off, shuts down in t = 53 ÷ 30.4375 = 1.741 months:
#             runs month 1 and 0.741 of month 2 → 2,500 + 200 × t = 2,848.25
BASE = sc("as_logged", "0.004")
CACHING = sc("prompt_caching", "0.003", kind="caching")
FT = sc("fine_tune:open", "0.001", "100", "2500", kind="fine_tune")
CLOSING = sc("fine_tune:closing", "0.0005", "100", "2500", kind="fine_tune", available_until=SHUTDOWN)
ALL = [BASE, CACHING, FT, CLOSING]


def _recommend(costs: list[StrategyCost], s: Scenario) -> Recommendation:
    return recommend(costs, costs[0], W, s, [find_break_even(costs[0], c, s) for c in costs[1:]])


def test_recommends_the_cheapest_eligible_strategy() -> None:
    rec = _recommend(ALL, scenario())
    assert (rec.strategy, rec.label, rec.baseline) == ("fine_tune:open", "label of fine_tune:open", "as_logged")
    assert rec.monthly_savings_usd == D(500)  # 800 − 300
    assert rec.horizon_savings_usd == D(3500)  # 9,600 − 6,100
    assert rec.payback_months == D(5)  # 800m ≥ 2,500 + 300m from m = 5
    assert [r.cost.id for r in rec.ranking] == ["fine_tune:open", "prompt_caching", "as_logged", "fine_tune:closing"]
    assert [r.horizon_usd for r in rec.ranking] == [D(6100), D(7200), D(9600), 2500 + 200 * (D(53) / D("30.4375"))]
    assert [r.months_run for r in rec.ranking] == [12, 12, 12, 2]
    assert [r.monthly_usd for r in rec.ranking] == [D(300), D(600), D(800), D(200)]
    assert [r.eligible for r in rec.ranking] == [True, True, True, False]


def test_reasons_mention_cost() -> None:
    rec = _recommend(ALL, scenario())
    text = " | ".join(rec.reasons)
    assert "$6,100" in text and "$9,600" in text and "$3,500" in text  # horizon costs and the difference
    assert "$500" in text and "200,000 requests/month" in text  # monthly saving at the volume
    assert "$2,500" in text  # up front
    assert "month 5" in text  # payback


def test_excluded_cheaper_strategy_is_a_warning() -> None:
    rec = _recommend(ALL, scenario())
    closing = [w for w in rec.warnings if "label of fine_tune:closing" in w or "fine_tune:closing" in w]
    assert closing, rec.warnings
    # like for like: over the 1.74 months it runs, 2,500 + 1.741 × 200 = 2,848 against 2,500 + 1.741 × 300 = 3,022
    assert any("over the 1.7 months it runs ($2,848 against $3,022)" in w and "2027-01-14" in w for w in closing)


def test_excluded_dearer_strategy_is_not_a_cheaper_warning() -> None:
    dear_closing = sc("fine_tune:closing", "0.003", "100", "2500", kind="fine_tune", available_until=SHUTDOWN)
    rec = _recommend([BASE, CACHING, FT, dear_closing], scenario())
    assert rec.strategy == "fine_tune:open"
    assert not any("would be cheaper" in w for w in rec.warnings)


def test_keeping_the_logged_setup() -> None:
    """At 10,000 requests/month: as_logged 12 × 40 = 480; ft 2,500 + 12 × (100 + 10) = 3,820."""
    rec = _recommend([BASE, FT], scenario(volume=10_000))
    assert rec.strategy == "as_logged"
    assert (rec.monthly_savings_usd, rec.horizon_savings_usd) == (D(0), D(0))
    assert "logged setup" in rec.reasons[0] and "$480" in rec.reasons[0]
    assert any("$3,820" in r for r in rec.reasons)  # the next best and what it would cost


def test_no_one_off_pays_off_from_the_first_month() -> None:
    rec = _recommend([BASE, CACHING], scenario())
    assert rec.strategy == "prompt_caching"
    assert rec.monthly_savings_usd == D(200)  # 800 − 600
    assert rec.payback_months == D(0)


def test_too_few_examples_cannot_be_recommended() -> None:
    few = replace(W, examples=5)
    s = scenario()
    costs = [BASE, CACHING, FT]
    rec = recommend(costs, BASE, few, s, [find_break_even(BASE, c, s) for c in costs[1:]])
    assert rec.strategy == "prompt_caching"
    ft = next(r for r in rec.ranking if r.cost.id == "fine_tune:open")
    assert not ft.eligible and "only 5 training examples" in ft.excluded_because[0]
    assert any("would be cheaper" in w and "only 5 training examples" in w for w in rec.warnings)


def test_ties_break_by_id() -> None:
    twin = sc("fine_tune:another", "0.001", "100", "2500", kind="fine_tune")
    rec = _recommend([BASE, FT, twin], scenario())
    assert rec.strategy == "fine_tune:another"  # same horizon cost: ids in order


def test_growth_changes_the_choice() -> None:
    assert _recommend([BASE, FT], scenario(volume=20_000)).strategy == "as_logged"  # 12 × 80 = 960 vs 2,500 + 12 × 120
    rec = _recommend([BASE, FT], scenario(volume=20_000, growth="0.5"))
    # Σ_{k<12} 1.5^k = (1.5^12 − 1) / 0.5 = 257.49267578125 → 20,000 × that = 5,149,853.515625 requests
    # as_logged 0.004 × 5,149,853.515625 = 20,599.4140625; ft 2,500 + 12 × 100 + 0.001 × 5,149,853.515625 = 8,849.853515625
    assert rec.strategy == "fine_tune:open"
    assert {r.cost.id: r.horizon_usd for r in rec.ranking} == {"as_logged": D("20599.4140625"),
                                                               "fine_tune:open": D("8849.853515625")}


# ---------------------------------------------------------------- the cost of change: the materiality floor


@pytest.mark.parametrize(
    ("alternative", "expected", "why"),
    [
        # logged setup 0.004 × 200,000 = 800 a month → 9,600 over 12 months; floors: 5% = 480 (any change), and
        # max(1,000, 480) = 1,000 for a change of behaviour
        (sc("prompt_caching", "0.0037", kind="caching"), "prompt_caching", None),  # saves 12 × 60 = 720 ≥ 480
        (sc("prompt_caching", "0.0038", kind="caching"), "prompt_caching", None),  # saves 12 × 40 = 480: at the floor
        (sc("prompt_caching", "0.00381", kind="caching"), "as_logged", "under the $480.00 such a change"),  # 456 < 480
        (sc("rag", "0.0037", kind="rag"), "as_logged", "(the larger of $1,000 and 5% of the $9,600"),  # 720 < 1,000
        (sc("rag", "0.0035", kind="rag"), "rag", None),  # saves 12 × 100 = 1,200 ≥ 1,000
        (sc("fine_tune:x", "0.001", "0", "2500", kind="fine_tune"), "fine_tune:x", None),  # 9,600 − 4,900 = 4,700
    ],
)
def test_a_change_must_clear_the_materiality_floor(alternative: StrategyCost, expected: str, why: str | None) -> None:
    base = sc("as_logged", "0.004")
    rec = _recommend([base, alternative], scenario())
    assert rec.strategy == expected
    if why is not None and expected == "as_logged":
        assert any(why in r for r in rec.reasons), rec.reasons


def test_keeping_the_logged_setup_names_the_volume_where_the_change_clears_the_floor() -> None:
    # rag saves 0.0003 a request: 12 × 0.0003 × V ≥ max(1,000, 5% × 12 × 0.004 × V) → V ≥ 1,000 ÷ 0.0036 = 277,778
    from fineadvisor.advise.recommend import clears_floor_from

    base, rag = sc("as_logged", "0.004"), sc("rag", "0.0037", kind="rag")
    volume = clears_floor_from(base, rag, scenario())
    assert volume is not None and abs(volume - D(1000) / D("0.0036")) < D("0.01")
    rec = _recommend([base, rag], scenario())
    assert any("that changes at about 277,778 requests/month" in r for r in rec.reasons), rec.reasons


@pytest.mark.parametrize(
    ("kind", "id", "changes"),
    [("prompting", "as_logged", False), ("caching", "prompt_caching", False), ("prompting", "prompt_only", True),
     ("rag", "rag", True), ("fine_tune", "fine_tune:x", True), ("self_hosted", "self_hosted:x", True)],
)
def test_which_strategies_change_behaviour(kind: Kind, id: str, changes: bool) -> None:
    assert sc(id, "0", kind=kind).changes_behaviour is changes


@pytest.mark.parametrize(
    ("base_tier", "alt_tier", "holds"),
    [
        # logged 9,600 vs fine-tune 6,100: with primary prices (±0) the choice holds
        ("primary", "primary", True),
        # the fine-tune's prices from a third party (±25%): 6,100 × 1.25 = 7,625 ≤ caching 7,200 × (1 − 0)? no →
        # caching (primary) could be cheaper: 7,200 < 7,625
        ("primary", "third_party", False),
        # a database (±5%): 6,100 × 1.05 = 6,405 ≤ 7,200 × 0.95 = 6,840 → holds
        ("primary", "database", True),
    ],
)
def test_the_answer_says_whether_the_choice_holds_across_the_price_bands(base_tier: str, alt_tier: str,
                                                                       holds: bool) -> None:
    costs = [replace(c, price_tier=alt_tier if c.id == "fine_tune:open" else base_tier) for c in ALL]
    rec = _recommend(costs, scenario())
    assert rec.strategy == "fine_tune:open"
    said = [r for r in rec.reasons if "price bands" in r]
    assert said and (("holds" in said[0]) is holds), said


# ---------------------------------------------------------------- a recommended change repays its cost of change

@settings(max_examples=300, deadline=None)
@given(any_cost("as_logged"), st.lists(any_cost("x"), min_size=1, max_size=4), any_scenario(),
       st.sampled_from(["prompting", "caching", "rag", "fine_tune"]))
def test_a_recommended_change_always_repays_its_cost_of_change_within_the_horizon(
        base: StrategyCost, others: list[StrategyCost], s: Scenario, kind: Kind) -> None:
    # horizon totals include every one-off (training, evaluation, migration): a recommended change saves at least
    # the materiality floor over the horizon, so it has repaid its one-off costs by the end of it
    from fineadvisor.advise.recommend import material_floor

    alts = [replace(c, id=f"{kind}:{i}", kind=kind) for i, c in enumerate(others)]
    rec = recommend([base, *alts], base, W, s, [find_break_even(base, c, s) for c in alts])
    if rec.strategy != base.id:
        chosen = next(c for c in alts if c.id == rec.strategy)
        saving = horizon_cost(base, s) - horizon_cost(chosen, s)
        assert saving >= material_floor(horizon_cost(base, s), s, chosen.changes_behaviour) >= 0
        assert saving >= 0 and rec.horizon_savings_usd == saving
