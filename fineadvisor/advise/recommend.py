"""Rank strategies by cost over the horizon at the user's volume, and say why, in words a reviewer accepts.

Horizon cost is `advise.timeline.horizon_cost`: one-off + every month's fixed and per-request costs at the growing
volume + each retraining in the month it falls. A strategy that cannot run the whole horizon (offer shuts down, no
new jobs, too few training examples) is ranked but not recommended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fineadvisor.advise.breakeven import BreakEven, find_break_even
from fineadvisor.advise.costs import StrategyCost, Workload
from fineadvisor.advise.scenario import DAYS_PER_MONTH, Scenario
from fineadvisor.advise.timeline import cumulative, horizon_cost, months_between, months_run, solve_volume
from fineadvisor.fine_tuning_rules import MIN_EXAMPLES, RECOMMENDED_EXAMPLES
from fineadvisor.formatting import count, money, months, percent

LONG_PREFIX_TOKENS = 1_000


def material_floor(base_horizon_usd: Decimal, s: Scenario, changes_behaviour: bool = True) -> Decimal:
    """The least a change must save over the horizon to be recommended.

    Formula: floor = min_saving_share × the logged setup's horizon cost, and for a change of behaviour (which must be
    evaluated, and may lose quality) at least min_saving_usd: max(min_saving_usd, that share)."""
    relative = s.min_saving_share * base_horizon_usd
    return max(s.min_saving_usd, relative) if changes_behaviour else relative


def clears_floor_from(baseline: StrategyCost, alternative: StrategyCost, s: Scenario) -> Decimal | None:
    """The monthly volume from which `alternative` saves at least the materiality floor (None: at none)."""
    def gap(volume: Decimal) -> Decimal:
        base = horizon_cost(baseline, s, volume)
        return horizon_cost(alternative, s, volume) + material_floor(base, s, alternative.changes_behaviour) - base

    kind, volume, cheaper_above = solve_volume(gap)
    if kind == "immediately":
        return Decimal(0)
    return volume if kind == "crosses" and cheaper_above else None


@dataclass(frozen=True, slots=True)
class Ranked:
    """A strategy's place in the ranking."""

    cost: StrategyCost
    horizon_usd: Decimal
    monthly_usd: Decimal
    """At the current volume, one-offs excluded."""
    eligible: bool
    excluded_because: tuple[str, ...] = ()
    months_run: int = 0
    """Months of the horizon the strategy runs (fewer than the horizon when it shuts down inside it)."""


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


def exclusions(c: StrategyCost, w: Workload, s: Scenario) -> tuple[str, ...]:
    """Why a strategy cannot be recommended for this scenario (empty when it can)."""
    why: list[str] = []
    if c.kind in ("fine_tune", "self_hosted"):
        n = s.training_examples or w.examples
        if n < MIN_EXAMPLES:
            why.append(f"only {n} training examples; at least {MIN_EXAMPLES} are required")
    if c.new_jobs_until is not None and c.new_jobs_until < s.start:
        why.append(f"no new training jobs after {c.new_jobs_until:%Y-%m-%d}")
    if c.unfit:
        why.append(c.unfit)
    if s.min_quality is not None and c.pass_rate is not None and c.pass_rate < s.min_quality:
        why.append(f"its measured pass rate {percent(c.pass_rate)} (n = {c.quality_n:,}) is below your minimum "
                   f"{percent(s.min_quality)}")
    if c.available_until is not None and months_between(s.start, c.available_until) < s.horizon_months:
        why.append(f"shuts down on {c.available_until:%Y-%m-%d}, inside your {s.horizon_months}-month horizon")
    return tuple(why)


def recommend(costs: Sequence[StrategyCost], baseline: StrategyCost, w: Workload, s: Scenario,
              break_evens: Sequence[BreakEven]) -> Recommendation:
    """Pick the cheapest strategy over the horizon that can run the whole horizon, with reasons."""
    ranked = sorted(
        (Ranked(c, horizon_cost(c, s), c.monthly_usd(s.requests_per_month), not exclusions(c, w, s),
                exclusions(c, w, s), months_run(c, s, s.horizon_months)) for c in costs),
        key=lambda r: (not r.eligible, r.horizon_usd, r.cost.id),
    )
    best = ranked[0]
    base_monthly = baseline.monthly_usd(s.requests_per_month)
    base_horizon = horizon_cost(baseline, s)
    immaterial = None
    floor = material_floor(base_horizon, s, best.cost.changes_behaviour)
    if best.cost.id != baseline.id and base_horizon - best.horizon_usd < floor:
        immaterial = best
        # the next cheapest change that clears its own floor (a cheap change of behaviour may fall short of the
        # $1,000 a caching change need not clear), else the logged setup
        best = next((r for r in ranked if r.eligible and r.cost.id != baseline.id
                     and base_horizon - r.horizon_usd >= material_floor(base_horizon, s, r.cost.changes_behaviour)),
                    next(r for r in ranked if r.cost.id == baseline.id))
    be = find_break_even(baseline, best.cost, s)
    reasons: list[str] = []
    warnings: list[str] = []
    if immaterial is not None:
        change = "a behaviour change that must be evaluated" if immaterial.cost.changes_behaviour else "a change"
        reasons.append(f"the cheapest alternative, {immaterial.cost.label}, would save only "
                       f"{money(base_horizon - immaterial.horizon_usd)} over {months(s.horizon_months)}, its one-off "
                       f"costs included — under the {money(floor)} such a change must save to be worth making ("
                       + (f"the larger of {money(s.min_saving_usd)} and " if immaterial.cost.changes_behaviour else "")
                       + f"{percent(s.min_saving_share)} of the {money(base_horizon)} the logged setup costs; "
                       f"--min-saving-usd, --min-saving-share): it is {change}, not worth it")
        from_volume = clears_floor_from(baseline, immaterial.cost, s)
        if from_volume is not None and from_volume > s.requests_per_month:
            reasons.append(f"that changes at about {count(from_volume)} requests/month "
                           f"({count(from_volume / DAYS_PER_MONTH)} a day), where it would save {money(floor)} or more")
    elif best.cost.id == baseline.id:
        runner = next((r for r in ranked[1:] if r.eligible), None)
        reasons.append(f"keeping the logged setup is cheapest over {months(s.horizon_months)} "
                       f"({money(base_horizon)})")
        if runner is not None:
            reasons.append(f"the next best, {runner.cost.label}, would cost {money(runner.horizon_usd)} "
                           f"({money(runner.horizon_usd - base_horizon)} more)")
    else:
        saving = base_monthly - best.monthly_usd
        reasons.append(f"cheapest over {months(s.horizon_months)}: {money(best.horizon_usd)} against "
                       f"{money(base_horizon)} for the logged setup ({money(base_horizon - best.horizon_usd)} less)")
        if saving >= 0:
            reasons.append(f"saves {money(saving)} a month at {count(s.requests_per_month)} requests/month "
                           f"({money(best.cost.one_off_usd)} up front)")
        else:
            reasons.append(f"costs {money(-saving)} more in the first month at {count(s.requests_per_month)} "
                           "requests/month, and less as the volume grows")
        if be.payback_kind == "crosses" and be.payback_months is not None:
            reasons.append(f"pays back its one-off costs in month {be.payback_months}, the first whose cumulative "
                           "cost is at or below the logged setup's"
                           + (f" (ahead for good from month {be.payback_stays_from})"
                              if be.payback_stays_from not in (None, be.payback_months) else ""))
        elif be.payback_kind == "immediately":
            reasons.append("pays off from the first month: no one-off cost to recover")
    reasons.append(_holds_across_bands(best, [r for r in ranked if r.eligible and r.cost.id != best.cost.id]))
    reasons += _non_cost_reasons(best.cost, w, s)
    for r in ranked:
        if r.eligible or not r.months_run:
            continue
        # like for like: over the months it runs, against the chosen strategy over the same months
        own = cumulative(r.cost, s)[r.months_run]
        chosen = cumulative(best.cost, s, end=r.cost.available_until)[r.months_run]
        if own < chosen:
            ran = min(Decimal(r.months_run), months_between(s.start, r.cost.available_until)) \
                if r.cost.available_until else Decimal(r.months_run)
            over = "" if r.months_run == s.horizon_months else f" over the {months(ran)} it runs"
            warnings.append(f"{r.cost.label} would be cheaper{over} ({money(own)} against {money(chosen)}) but "
                            f"{'; '.join(r.excluded_because)}")
    labels = {c.id: c.label for c in costs}
    for b in break_evens:
        if not b.worth_it and b.b != best.cost.id:
            warnings.append(f"{labels.get(b.b, b.b)}: {b.reason}")
    return Recommendation(best.cost.id, best.cost.label, baseline.id, base_monthly - best.monthly_usd,
                          base_horizon - best.horizon_usd,
                          be.payback_months if be.payback_kind != "never" else None, tuple(reasons),
                          tuple(dict.fromkeys(warnings)), tuple(ranked))


def price_band(c: StrategyCost) -> Decimal:
    """How far a strategy's total may be off, either way, by the tier of its price source (`PRICE_BAND`)."""
    from fineadvisor.advise.catalog import PRICE_BAND

    return PRICE_BAND.get(c.price_tier, PRICE_BAND["third_party"])


def _holds_across_bands(best: Ranked, others: Sequence[Ranked]) -> str:
    """Whether the choice stays cheapest when every price is moved within its source's band.

    Formula: it holds when best × (1 + band_best) ≤ other × (1 − band_other) for every other eligible strategy."""
    high = best.horizon_usd * (1 + price_band(best.cost))
    rivals = [r for r in others if r.horizon_usd * (1 - price_band(r.cost)) < high]
    bands = f"prices within ±{percent(price_band(best.cost))} for {best.cost.price_tier.replace('_', '-')} sources"
    if not rivals:
        return f"the choice holds across the price bands ({bands}; ±5% for databases, ±25% for third parties)"
    names = ", ".join(f"{r.cost.label} ({r.cost.price_tier.replace('_', '-')} prices, "
                      f"±{percent(price_band(r.cost))})" for r in rivals[:2])
    return f"within the price bands it is not certain: {names} could cost less; check those prices on your invoice"


def _non_cost_reasons(c: StrategyCost, w: Workload, s: Scenario) -> list[str]:
    out: list[str] = []
    share = w.static_tokens / w.input_tokens if w.input_tokens else Decimal(0)
    if w.static_tokens >= LONG_PREFIX_TOKENS and share >= Decimal("0.5"):
        out.append(f"{percent(share)} of every request is the same {count(w.static_tokens)}-token prefix")
    if c.kind in ("prompting", "rag"):
        out += [n for n in c.notes if "quality" in n]
    if c.kind in ("fine_tune", "self_hosted"):
        out += list(c.notes)
        n = s.training_examples or w.examples
        if n < RECOMMENDED_EXAMPLES[0]:
            out.append(f"only {n} training examples: gains usually need {RECOMMENDED_EXAMPLES[0]}–"
                       f"{RECOMMENDED_EXAMPLES[1]}; collect more before training")
        prompt_after = s.residual_prompt_tokens + w.dynamic_tokens
        out.append(f"the prompt shrinks from {count(w.input_tokens)} to {count(prompt_after)} tokens, "
                   "which also shortens time to first token")
        if s.knowledge_changes:
            out.append("but the facts it must know change often: a fine-tune must be retrained for each change, "
                       "retrieval (RAG) does not")
    if c.kind == "rag" and s.knowledge_changes:
        out.append("the facts change often: retrieval picks up changes without retraining")
    if c.kind == "caching":
        out.append("no change to prompts or models: quality stays as logged")
    if c.kind in ("caching", "prompting") and w.logged_cached_tokens and w.static_tokens:
        out.append(f"the logs already show {percent(w.logged_cached_tokens / w.static_tokens)} of the static prefix "
                   "read from the provider's cache")
    if c.available_until is not None:
        out.append(f"available until {c.available_until:%Y-%m-%d}")
    return out
