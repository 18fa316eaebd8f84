"""A plan, not a ranking: what to do now (no change of behaviour), what to test next, and what to watch.

    now        the cheapest strategy that keeps the logged answers (the logged setup, moved to its successor when its
               model shuts down; prompt caching), or the recommendation when it keeps them
    test next  the cheapest strategies that change the answers (zero-shot, RAG, fine-tuning, another model) and would
               save at least the materiality floor: evaluate each on logged examples before it replaces anything
    watch      the volumes at which a change would start to pay (break-evens within WATCH_VOLUME_FACTOR of today's
               volume) and the dates that change the answer (the logged model's shutdown, offers closing)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from fineadvisor.advise.breakeven import BreakEven
from fineadvisor.advise.catalog import Lifecycle
from fineadvisor.advise.costs import StrategyCost, Workload
from fineadvisor.advise.recommend import Ranked, Recommendation, clears_floor_from, material_floor
from fineadvisor.advise.scenario import DAYS_PER_MONTH, Scenario
from fineadvisor.advise.timeline import horizon_cost, months_between, payback
from fineadvisor.formatting import count, money, months

Stage = Literal["now", "test_next", "watch"]
EVAL_EXAMPLES = 200
"""Logged examples to evaluate a change of behaviour on (all of them when the logs hold fewer): an assumption, enough
to see a few-point drop in pass rate, stated with the plan."""
WATCH_VOLUME_FACTOR = 100
"""Break-even volumes up to this multiple of today's are worth watching; beyond it they are said to be out of reach."""
MAX_TESTS = 2


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of the plan: what to do, what it saves over the horizon against the logged setup, and why."""

    stage: Stage
    action: str
    strategy: str | None
    saving_usd: Decimal | None
    """Over the horizon, one-off costs included, against the logged setup (None for a watch item)."""
    payback_months: int | None
    reasons: tuple[str, ...]


def make_plan(rec: Recommendation, baseline: StrategyCost, w: Workload, s: Scenario,
              break_evens: Sequence[BreakEven], lifecycle: Lifecycle | None,
              batch_baseline: StrategyCost | None = None) -> tuple[PlanStep, ...]:
    """The now / test next / watch plan for one estimate (see the module docstring); `batch_baseline` is the logged
    setup under the Batch API, when the scenario does not assume it and the model has a batch price."""
    base_horizon = horizon_cost(baseline, s)
    eligible = [r for r in rec.ranking if r.eligible]
    keeps = [r for r in eligible if not r.cost.changes_behaviour and (
        r.cost.id == baseline.id or base_horizon - r.horizon_usd >= material_floor(base_horizon, s, False))]
    now = _now(rec, baseline, keeps, base_horizon, s, lifecycle)
    steps: list[PlanStep] = [now]
    floor = material_floor(base_horizon, s, True)
    now_horizon = base_horizon - (now.saving_usd or Decimal(0))
    # worth testing: a change of behaviour that beats what you do now by at least the floor
    tests = [r for r in eligible if r.cost.changes_behaviour and now_horizon - r.horizon_usd >= floor]
    steps += [_test(r, baseline, base_horizon, w, s) for r in tests[:MAX_TESTS]]
    steps += _watch(rec, baseline, eligible, break_evens, s, lifecycle, {r.cost.id for r in tests[:MAX_TESTS]})
    if batch_baseline is not None:
        batched = horizon_cost(batch_baseline, s)
        if base_horizon - batched >= material_floor(base_horizon, s, False):
            steps.append(PlanStep(
                "watch", f"if your latency allows answers within 24 hours: the Batch API would cost {money(batched)} "
                         f"over {months(s.horizon_months)}, {money(base_horizon - batched)} less, with the same answers "
                         "(--batch)", None, base_horizon - batched, None, ()))
    return tuple(steps)


def _now(rec: Recommendation, baseline: StrategyCost, keeps: list[Ranked], base_horizon: Decimal, s: Scenario,
         lifecycle: Lifecycle | None) -> PlanStep:
    chosen = next((r for r in rec.ranking if r.cost.id == rec.strategy), None)
    if chosen is None or chosen.cost.changes_behaviour:  # a change of behaviour is tested first, never done blind
        chosen = min(keeps, key=lambda r: r.horizon_usd) if keeps else next(
            r for r in rec.ranking if r.cost.id == baseline.id)
    moving = baseline.then is not None or (lifecycle is not None and lifecycle.successor is not None
                                           and months_between(s.start, lifecycle.available_until) <= 0)
    if chosen.cost.id == baseline.id:
        action = (f"keep the logged prompt and move it to {lifecycle.successor} when {lifecycle.id} shuts down on "
                  f"{lifecycle.available_until:%Y-%m-%d}" if moving and lifecycle is not None else
                  "keep the logged setup as it is")
    elif chosen.cost.early_move:
        action = (f"{chosen.cost.label[0].lower()}{chosen.cost.label[1:]}: the move the shutdown forces, made sooner "
                  "(run your evals on it first)")
    else:
        action = f"switch to {chosen.cost.label}: it keeps the logged answers"
    saving = base_horizon - chosen.horizon_usd
    reasons = [f"{money(chosen.horizon_usd)} over {months(s.horizon_months)}"
               + (f", {money(saving)} less than the logged setup" if saving > 0 else "")]
    if moving:
        cost = money(baseline.switch_usd) if baseline.switch_usd else "the move"
        reasons.append(f"{cost} of migration and evaluation is in every total: re-run your evals on the successor "
                       "before the date")
    pay = payback(baseline, chosen.cost, s) if chosen.cost.id != baseline.id else None
    return PlanStep("now", action, chosen.cost.id, saving if chosen.cost.id != baseline.id else Decimal(0),
                    pay.month if pay is not None and pay.kind != "never" else None, tuple(reasons))


def _test(r: Ranked, baseline: StrategyCost, base_horizon: Decimal, w: Workload, s: Scenario) -> PlanStep:
    trains = r.cost.kind in ("fine_tune", "self_hosted")
    if trains:  # hold out a fifth of the logged examples: evaluating on the training data measures nothing
        n = min(EVAL_EXAMPLES, max(1, w.examples // 5))
    else:
        n = min(EVAL_EXAMPLES, w.examples) if w.examples else EVAL_EXAMPLES
    saving = base_horizon - r.horizon_usd
    pay = payback(baseline, r.cost, s)
    reasons = [f"saves {money(saving)} over {months(s.horizon_months)} if its answers hold up, one-off costs included "
               f"({money(r.cost.one_off_usd)} up front)"]
    if pay.kind == "crosses" and pay.month is not None:
        reasons.append(f"pays back in month {pay.month}")
    reasons += [n_ for n_ in r.cost.notes if "quality" in n_ or "re-check" in n_]
    where = (f"{count(n)} held-out logged examples (train on the other {count(max(0, w.examples - n))})" if trains
             else f"{count(n)} logged examples")
    return PlanStep("test_next", f"evaluate {r.cost.label} on {where} against the logged answers",
                    r.cost.id, saving, pay.month if pay.kind != "never" else None, tuple(reasons))


def _watch(rec: Recommendation, baseline: StrategyCost, eligible: list[Ranked], break_evens: Sequence[BreakEven],
           s: Scenario, lifecycle: Lifecycle | None, tested: set[str]) -> list[PlanStep]:
    out: list[PlanStep] = []
    by_id = {r.cost.id: r for r in eligible}
    reach = s.requests_per_month * WATCH_VOLUME_FACTOR
    near = sorted((b for b in break_evens if b.b in by_id and b.b not in tested and b.b != rec.strategy
                   and b.kind == "crosses" and b.b_cheaper_above and b.requests_per_month is not None
                   and s.requests_per_month < b.requests_per_month <= reach),
                  key=lambda b: b.requests_per_month or Decimal(0))
    for b in near[:2]:
        r = by_id[b.b]
        volume = clears_floor_from(baseline, r.cost, s) if r.cost.changes_behaviour else b.requests_per_month
        volume = max(volume or Decimal(0), b.requests_per_month or Decimal(0))
        out.append(PlanStep("watch", f"revisit {r.cost.label} at about {count(volume)} requests/month "
                                     f"({count(volume / DAYS_PER_MONTH)} a day)", r.cost.id, None, None,
                            (f"from there it costs less than the logged setup over {months(s.horizon_months)}"
                             + (" by more than the materiality floor" if r.cost.changes_behaviour else ""),)))
    cheaper_now = [r for r in eligible if r.cost.id != baseline.id and r.horizon_usd < horizon_cost(baseline, s)]
    if not near and cheaper_now:
        out.append(PlanStep("watch", f"{len(cheaper_now)} alternative{'s' if len(cheaper_now) != 1 else ''} already "
                                     "cost less than the logged setup at today's volume (above: now / test next)",
                            None, None, None, ()))
    elif not near:
        out.append(PlanStep("watch", f"no alternative overtakes the logged setup below {count(reach)} requests/month "
                                     f"({WATCH_VOLUME_FACTOR}× today's volume)", None, None, None, ()))
    dates: list[tuple[date, str]] = []
    if lifecycle is not None and months_between(s.start, lifecycle.available_until) > 0:
        dates.append((lifecycle.available_until, f"{lifecycle.id} shuts down ({lifecycle.source})"))
    for r in eligible:
        if r.cost.new_jobs_until is not None and r.cost.new_jobs_until >= s.start:
            dates.append((r.cost.new_jobs_until, f"last day to start a job for {r.cost.label}"))
    for when, what in sorted(dates)[:3]:
        out.append(PlanStep("watch", f"{when:%Y-%m-%d}: {what}", None, None, None, ()))
    return out
