"""What would change the choice: which input, moved how far, makes another strategy the recommendation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from fineadvisor.advise.costs import Workload, hit_rate
from fineadvisor.advise.recommend import Recommendation
from fineadvisor.advise.scenario import Scenario
from fineadvisor.advise.timeline import break_even
from fineadvisor.formatting import count, months, percent, signed_percent, unit_price

Evaluate = Callable[[Workload, Scenario], Recommendation]
"""Re-prices every strategy for a changed workload or scenario and gives the new recommendation."""


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """How far one input must move before the recommendation changes."""

    input: str
    current: str
    flips_at: str | None
    to: str | None
    note: str


def volume_sensitivity(rec: Recommendation, s: Scenario) -> Sensitivity:
    """The nearest starting volume at which another eligible strategy costs as much over the horizon as the chosen one.

    Each candidate volume is `timeline.break_even` of the chosen strategy against the other: the same cash flows
    (one-off, fixed months, retraining when due, per-request costs growing) that rank them.
    """
    best = next(r for r in rec.ranking if r.cost.id == rec.strategy).cost
    nearest: tuple[Decimal, Decimal, str] | None = None  # (distance, volume, id)
    for r in rec.ranking:
        if not r.eligible or r.cost.id == best.id:
            continue
        kind, volume, _ = break_even(best, r.cost, s)
        if kind != "crosses" or volume is None:
            continue
        distance = abs(volume / s.requests_per_month - 1) if s.requests_per_month else volume
        if nearest is None or distance < nearest[0]:
            nearest = (distance, volume, r.cost.id)
    current = count(s.requests_per_month)
    if nearest is None:
        return Sensitivity("requests per month", current, None, None,
                           "no other eligible strategy overtakes it at any volume")
    _, volume, other = nearest
    change = (volume / s.requests_per_month - 1) if s.requests_per_month else Decimal(0)
    return Sensitivity("requests per month", current, count(volume), other,
                       f"requests per month {current} → {count(volume)} ({signed_percent(change)}): {other} "
                       f"costs the same over the {s.horizon_months}-month horizon")


def sensitivity(w: Workload, s: Scenario, rec: Recommendation, evaluate: Evaluate) -> tuple[Sensitivity, ...]:
    """Which input, moved how far, changes the recommendation (volume solved on the cash flows, the rest by
    recomputing with `evaluate` at a few values)."""
    out = [volume_sensitivity(rec, s)]
    h = hit_rate(w, s)

    def scaled(m: Decimal) -> Workload:
        return replace(w, output_tokens=w.output_tokens * m, output_tokens_low=w.output_tokens_low * m,
                       output_tokens_high=w.output_tokens_high * m)

    def with_(**update: object) -> Scenario:
        return s.model_copy(update=update)

    def absolute(n: int) -> Workload:
        return replace(w, output_tokens=Decimal(n), output_tokens_low=Decimal(n), output_tokens_high=Decimal(n))

    outputs = ([(f"×{m}", scaled(m), s) for m in (Decimal("0.5"), Decimal(2), Decimal(4))] if w.output_tokens
               else [(f"{n} tokens", absolute(n), s) for n in (50, 200, 1000)])  # none known: try lengths
    scans: list[tuple[str, str, Sequence[tuple[str, Workload, Scenario]]]] = [
        ("output tokens per request", count(w.output_tokens), outputs),
        ("cache hit rate", percent(h),
         [(percent(v), w, with_(cache_hit_rate=v)) for v in (Decimal("0.5"), Decimal("0.95")) if v != h]),
        ("residual prompt after fine-tuning", f"{s.residual_prompt_tokens} tokens",
         [(f"{v} tokens", w, with_(residual_prompt_tokens=v)) for v in (0, 500, 1000)]),
        ("horizon", months(s.horizon_months),
         [(months(v), w, with_(horizon_months=v)) for v in (6, 24, 36) if v != s.horizon_months]),
        ("monthly growth", signed_percent(s.growth_per_month),
         [(signed_percent(v), w, with_(growth_per_month=v)) for v in (Decimal("0.05"), Decimal("0.2"))]),
        ("labour rate", f"{unit_price(s.labour_usd_per_hour)}/h",
         [(f"{unit_price(v)}/h", w, with_(labour_usd_per_hour=v)) for v in (Decimal(50), Decimal(200))]),
    ]
    for name, current, variants in scans:
        flip = None
        for label, w2, s2 in variants:
            rec2 = evaluate(w2, s2)
            if rec2.strategy != rec.strategy:
                flip = (label, rec2.strategy)
                break
        if flip:
            out.append(Sensitivity(name, current, flip[0], flip[1],
                                   f"{name} {current} → {flip[0]}: the choice becomes {flip[1]}"))
        else:
            tried = ", ".join(label for label, _, _ in variants)
            out.append(Sensitivity(name, current, None, None, f"no change across {tried}"))
    return tuple(out)
