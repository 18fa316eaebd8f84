"""fineadvisor.advise.plan: now (no change of behaviour), test next (changes worth evaluating), watch."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from fineadvisor.advise.breakeven import find_break_even
from fineadvisor.advise.costs import StrategyCost
from fineadvisor.advise.plan import EVAL_EXAMPLES, make_plan
from fineadvisor.advise.recommend import recommend
from tests.advise.test_recommend import SHUTDOWN, W, sc, scenario

D = Decimal


def plan(costs: list[StrategyCost], volume: int = 200_000) -> list[tuple[str, str | None]]:
    s = scenario(volume)
    bes = [find_break_even(costs[0], c, s) for c in costs[1:]]
    rec = recommend(costs, costs[0], W, s, bes)
    return [(p.stage, p.strategy) for p in make_plan(rec, costs[0], W, s, bes, None)]


BASE = sc("as_logged", "0.004")  # 200,000 × 0.004 = 800 a month, 9,600 over 12 months


@pytest.mark.parametrize(
    ("alternatives", "expected"),
    [
        # nothing cheaper: keep; watch says no alternative overtakes it below 100× the volume
        ([sc("rag", "0.005", kind="rag")], [("now", "as_logged"), ("watch", None)]),
        # caching keeps the answers and saves 12 × 200,000 × 0.001 = 2,400: do it now
        ([sc("prompt_caching", "0.003", kind="caching")], [("now", "prompt_caching"), ("watch", None)]),
        # zero-shot saves 12 × 200 = 2,400 ≥ the $1,000 floor but changes the answers: keep now, test it next
        ([sc("prompt_only", "0.003")], [("now", "as_logged"), ("test_next", "prompt_only"), ("watch", None)]),
        # both: caching now, the fine-tune (9,600 − (2,500 + 12 × 200) = 4,700 saved) tested next
        ([sc("prompt_caching", "0.0035", kind="caching"), sc("fine_tune:x", "0.001", "0", "2500", kind="fine_tune")],
         [("now", "prompt_caching"), ("test_next", "fine_tune:x"), ("watch", None)]),
    ],
)
def test_plan_stages(alternatives: list[StrategyCost], expected: list[tuple[str, str | None]]) -> None:
    assert plan([BASE, *alternatives]) == expected


def test_a_change_that_pays_only_at_a_higher_volume_is_watched() -> None:
    # fine-tune: 2,500 up front, 0.001 a request: equal totals at 2,500 ÷ (12 × 0.003) = 69,444 requests/month; at
    # 20,000 a month it saves nothing, so it is watched (at the volume it would also clear the $1,000 floor:
    # 12 × 0.003 × V − 2,500 ≥ 1,000 → V ≥ 97,222)
    ft = sc("fine_tune:x", "0.001", "0", "2500", kind="fine_tune")
    s = scenario(20_000)
    bes = [find_break_even(BASE, ft, s)]
    rec = recommend([BASE, ft], BASE, W, s, bes)
    steps = make_plan(rec, BASE, W, s, bes, None)
    watch = [p for p in steps if p.stage == "watch"]
    assert watch and watch[0].strategy == "fine_tune:x" and "97,222 requests/month" in watch[0].action


def test_test_next_says_how_many_examples_and_the_saving() -> None:
    s = scenario()
    alt = sc("prompt_only", "0.003")
    bes = [find_break_even(BASE, alt, s)]
    rec = recommend([BASE, alt], BASE, W, s, bes)
    step = next(p for p in make_plan(rec, BASE, W, s, bes, None) if p.stage == "test_next")
    assert f"on {min(EVAL_EXAMPLES, W.examples)} logged examples" in step.action
    assert step.saving_usd == D(2400) and "saves $2,400" in step.reasons[0]


def test_a_forced_migration_is_the_first_step() -> None:
    from fineadvisor.advise.catalog import Lifecycle

    life = Lifecycle(id="old-model", provider="p", available_until=SHUTDOWN, successor="new-model",
                     source="https://example.com/deprecations", checked=SHUTDOWN)
    base = replace(BASE, switch_at=SHUTDOWN, then=sc("as_logged", "0.002"), switch_usd=D(1600))
    s = scenario()
    rec = recommend([base], base, W, s, [])
    steps = make_plan(rec, base, W, s, [], life)
    assert steps[0].stage == "now" and "move it to new-model when old-model shuts down on 2027-01-14" in steps[0].action
    assert any(p.stage == "watch" and p.action.startswith("2027-01-14: old-model shuts down") for p in steps)


def test_the_batch_api_is_offered_when_latency_allows_and_it_clears_the_floor() -> None:
    # logged 9,600 over 12 months; under batch 200,000 × 0.002 × 12 = 4,800: 4,800 less ≥ 5% (480)
    s = scenario()
    rec = recommend([BASE], BASE, W, s, [])
    steps = make_plan(rec, BASE, W, s, [], None, sc("as_logged", "0.002"))
    batch = [p for p in steps if "Batch API" in p.action]
    assert batch and batch[0].stage == "watch" and batch[0].saving_usd == D(4800)
    assert "$4,800" in batch[0].action
    # 0.0039 a request saves only 12 × 200,000 × 0.0001 = 240 < 480: not said
    assert not [p for p in make_plan(rec, BASE, W, s, [], None, sc("as_logged", "0.0039")) if "Batch" in p.action]
