"""Rank strategies by cost over the horizon at the user's volume, and say why, in words a reviewer accepts.

Horizon cost: one_off + Σ_{k=1..H} (fixed_monthly + per_request × V_k), V_k = V_0 × (1 + growth)^(k − 1).
A strategy that cannot run the whole horizon (offer shuts down, no new jobs, too few training examples)
is ranked but not recommended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fineadvisor.breakeven import BreakEven, find_break_even
from fineadvisor.costs import StrategyCost, Workload, months_between
from fineadvisor.readiness import MIN_EXAMPLES, RECOMMENDED_EXAMPLES
from fineadvisor.scenario import Scenario, months

LONG_PREFIX_TOKENS = 1_000
MATERIAL_SHARE = Decimal("0.01")
"""An alternative must save at least this share of the logged setup's horizon cost to be recommended."""


@dataclass(frozen=True, slots=True)
class Ranked:
    """A strategy's place in the ranking."""

    cost: StrategyCost
    horizon_usd: Decimal
    monthly_usd: Decimal
    """At the current volume, one-offs excluded."""
    eligible: bool
    excluded_because: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The choice, what it saves against the logged setup, when it pays back, and why."""

    strategy: str
    label: str
    baseline: str
    monthly_savings_usd: Decimal
    horizon_savings_usd: Decimal
    payback_months: Decimal | None
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    ranking: tuple[Ranked, ...]


def month_costs(c: StrategyCost, s: Scenario) -> list[Decimal]:
    """Cost in months 1..H: fixed (retraining not amortised) + per_request × V_k, plus each retraining when it happens.

    Formula: V_k = V_0 × (1 + growth)^(k − 1); the first training is in the one-off cost and covers R months,
    so retrainings fall at the start of months R + 1, 2R + 1, … inside the horizon.
    """
    every = c.retrain_every_months
    steady = c.fixed_monthly_usd - (c.retrain_usd / every if every else 0)
    out: list[Decimal] = []
    volume = s.requests_per_month
    for k in range(1, s.horizon_months + 1):
        cost = steady + c.per_request_usd * volume
        if every and k > 1 and (k - 1) % every == 0:
            cost += c.retrain_usd
        out.append(cost)
        volume *= 1 + s.growth_per_month
    return out


def horizon_cost(c: StrategyCost, s: Scenario) -> Decimal:
    """Formula: one_off + Σ_k month_costs_k over the horizon (volume growing monthly, retraining when due)."""
    return c.one_off_usd + sum(month_costs(c, s), Decimal(0))


def exclusions(c: StrategyCost, w: Workload, s: Scenario) -> tuple[str, ...]:
    """Why a strategy cannot be recommended for this scenario (empty when it can)."""
    why: list[str] = []
    if c.kind in ("fine_tune", "self_hosted"):
        n = s.training_examples or w.examples
        if n < MIN_EXAMPLES:
            why.append(f"only {n} training examples; at least {MIN_EXAMPLES} are required")
    if c.new_jobs_until is not None and c.new_jobs_until < s.start:
        why.append(f"no new training jobs after {c.new_jobs_until:%Y-%m-%d}")
    if c.available_until is not None and months_between(s.start, c.available_until) < s.horizon_months:
        why.append(f"shuts down on {c.available_until:%Y-%m-%d}, inside your {s.horizon_months}-month horizon")
    return tuple(why)


def _money(x: Decimal) -> str:
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def recommend(costs: Sequence[StrategyCost], baseline: StrategyCost, w: Workload, s: Scenario,
              break_evens: Sequence[BreakEven]) -> Recommendation:
    """Pick the cheapest strategy over the horizon that can run the whole horizon, with reasons."""
    ranked = sorted(
        (Ranked(c, horizon_cost(c, s), c.monthly_usd(s.requests_per_month), not exclusions(c, w, s),
                exclusions(c, w, s)) for c in costs),
        key=lambda r: (not r.eligible, r.horizon_usd, r.cost.id),
    )
    best = ranked[0]
    base_monthly = baseline.monthly_usd(s.requests_per_month)
    base_horizon = horizon_cost(baseline, s)
    immaterial = None
    if best.cost.id != baseline.id and base_horizon - best.horizon_usd < base_horizon * MATERIAL_SHARE:
        immaterial = best
        best = next(r for r in ranked if r.cost.id == baseline.id)
    be = find_break_even(baseline, best.cost, s)
    reasons: list[str] = []
    warnings: list[str] = []
    if immaterial is not None:
        reasons.append(f"the cheapest alternative, {immaterial.cost.label}, would save only "
                       f"{_money(base_horizon - immaterial.horizon_usd)} over {months(s.horizon_months)} — under "
                       f"{MATERIAL_SHARE:.0%} of the {_money(base_horizon)} the logged setup costs, within the "
                       "precision of this estimate: not worth a change")
    elif best.cost.id == baseline.id:
        runner = next((r for r in ranked[1:] if r.eligible), None)
        reasons.append(f"keeping the logged setup is cheapest over {months(s.horizon_months)} "
                       f"({_money(base_horizon)})")
        if runner is not None:
            reasons.append(f"the next best, {runner.cost.label}, would cost {_money(runner.horizon_usd)} "
                           f"({_money(runner.horizon_usd - base_horizon)} more)")
    else:
        saving = base_monthly - best.monthly_usd
        reasons.append(f"cheapest over {months(s.horizon_months)}: {_money(best.horizon_usd)} against "
                       f"{_money(base_horizon)} for the logged setup ({_money(base_horizon - best.horizon_usd)} less)")
        if saving >= 0:
            reasons.append(f"saves {_money(saving)} a month at {s.requests_per_month:,.0f} requests/month "
                           f"({_money(best.cost.one_off_usd)} up front)")
        else:
            reasons.append(f"costs {_money(-saving)} more in the first month at {s.requests_per_month:,.0f} "
                           "requests/month, and less as the volume grows")
        if be.payback_kind == "crosses" and be.payback_months is not None:
            reasons.append(f"pays back its one-off costs in {be.payback_months:.1f} months")
        elif be.payback_kind == "immediately":
            reasons.append("pays off from the first month: no one-off cost to recover")
    reasons += _non_cost_reasons(best.cost, w, s)
    for r in ranked:
        if not r.eligible and r.horizon_usd < best.horizon_usd:
            warnings.append(f"{r.cost.label} would be cheaper ({_money(r.horizon_usd)}) but "
                            f"{'; '.join(r.excluded_because)}")
    labels = {c.id: c.label for c in costs}
    for b in break_evens:
        if not b.worth_it and b.b != best.cost.id:
            warnings.append(f"{labels.get(b.b, b.b)}: {b.reason}")
    return Recommendation(best.cost.id, best.cost.label, baseline.id, base_monthly - best.monthly_usd,
                          base_horizon - best.horizon_usd,
                          be.payback_months if be.payback_kind != "never" else None, tuple(reasons),
                          tuple(dict.fromkeys(warnings)), tuple(ranked))


def _non_cost_reasons(c: StrategyCost, w: Workload, s: Scenario) -> list[str]:
    out: list[str] = []
    share = w.static_tokens / w.input_tokens if w.input_tokens else Decimal(0)
    if w.static_tokens >= LONG_PREFIX_TOKENS and share >= Decimal("0.5"):
        out.append(f"{share:.0%} of every request is the same {w.static_tokens:,.0f}-token prefix")
    if c.kind in ("prompting", "rag"):
        out += [n for n in c.notes if "quality" in n]
    if c.kind in ("fine_tune", "self_hosted"):
        out += list(c.notes)
        n = s.training_examples or w.examples
        if n < RECOMMENDED_EXAMPLES[0]:
            out.append(f"only {n} training examples: gains usually need {RECOMMENDED_EXAMPLES[0]}–"
                       f"{RECOMMENDED_EXAMPLES[1]}; collect more before training")
        prompt_after = s.residual_prompt_tokens + w.dynamic_tokens
        out.append(f"the prompt shrinks from {w.input_tokens:,.0f} to {prompt_after:,.0f} tokens, "
                   "which also shortens time to first token")
        if s.knowledge_changes:
            out.append("but the facts it must know change often: a fine-tune must be retrained for each change, "
                       "retrieval (RAG) does not")
    if c.kind == "rag" and s.knowledge_changes:
        out.append("the facts change often: retrieval picks up changes without retraining")
    if c.kind == "caching":
        out.append("no change to prompts or models: quality stays as logged")
    if c.kind in ("caching", "prompting") and w.logged_cached_tokens and w.static_tokens:
        out.append(f"the logs already show {w.logged_cached_tokens / w.static_tokens:.0%} of the static prefix "
                   "read from the provider's cache")
    if c.available_until is not None:
        out.append(f"available until {c.available_until:%Y-%m-%d}")
    return out
