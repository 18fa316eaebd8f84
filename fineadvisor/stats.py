"""Summary statistics of token counts: mean, percentiles (linear interpolation, as numpy's default), max, total."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Distribution:
    """How a per-record token count is spread over the records that have it."""

    count: int
    """Records measured."""
    mean: float
    p50: float
    p90: float
    p95: float
    max: int
    total: int

    def as_dict(self) -> dict[str, float | int]:
        """Plain dict for JSON output (means and percentiles rounded to 0.1 token)."""
        return {"count": self.count, "mean": round(self.mean, 1), "p50": round(self.p50, 1),
                "p90": round(self.p90, 1), "p95": round(self.p95, 1), "max": self.max, "total": self.total}


EMPTY = Distribution(0, 0.0, 0.0, 0.0, 0.0, 0, 0)


def percentile(sorted_values: Sequence[int], q: float) -> float:
    """The q-th quantile (0 ≤ q ≤ 1) of sorted values: x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), h = (n−1)q."""
    n = len(sorted_values)
    if n == 0:
        return 0.0
    h = (n - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return float(sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo]))


def distribution(values: Sequence[int]) -> Distribution:
    """Summarise a sequence of token counts."""
    if not values:
        return EMPTY
    ordered = sorted(values)
    total = sum(ordered)
    return Distribution(len(ordered), total / len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9),
                        percentile(ordered, 0.95), ordered[-1], total)
