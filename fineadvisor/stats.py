"""Summary statistics of token counts: mean, percentiles (linear interpolation, as numpy's default), max, total."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


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


def percentile(sorted_values: Sequence[int] | npt.NDArray[np.int64], q: float) -> float:
    """The q-th quantile (0 ≤ q ≤ 1) of sorted values: x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), h = (n−1)q."""
    n = len(sorted_values)
    if n == 0:
        return 0.0
    h = (n - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return float(sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo]))


def distribution(values: Sequence[int] | npt.NDArray[np.int64]) -> Distribution:
    """Summarise token counts (a sequence, an `array("q")` or an int64 numpy array)."""
    import numpy as np  # here, not at the top: counting workers import this module but never summarise

    if len(values) == 0:
        return EMPTY
    ordered = np.sort(np.asarray(values, dtype=np.int64))
    total = int(ordered.sum())
    n = len(ordered)
    return Distribution(n, total / n, percentile(ordered, 0.5), percentile(ordered, 0.9),
                        percentile(ordered, 0.95), int(ordered[-1]), total)
