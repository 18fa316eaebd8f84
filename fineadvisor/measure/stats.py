"""Summary statistics of token counts: mean, percentiles (linear interpolation, as numpy's default), max, total.

`distribution` sorts values held in memory; `distribution_of` gives the same result from values read block by
block (e.g. from temporary files), in memory bounded by the block size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fineadvisor.measure._fast.radix import KnownRanks, select_ranks

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
    lo, hi = _ranks(n, q)
    return float(sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo]))


def distribution(values: Sequence[int] | npt.NDArray[np.integer[Any]]) -> Distribution:
    """Summarise token counts (a sequence, an `array("q")` or an int64 numpy array)."""
    import numpy as np  # here, not at the top: counting workers import this module but never summarise

    if len(values) == 0:
        return EMPTY
    ordered = np.sort(np.asarray(values, dtype=np.int64))
    total = int(ordered.sum())
    n = len(ordered)
    return Distribution(n, total / n, percentile(ordered, 0.5), percentile(ordered, 0.9),
                        percentile(ordered, 0.95), int(ordered[-1]), total)


QUANTILES = (0.5, 0.9, 0.95)


def distribution_of(blocks: Callable[[], Iterable[npt.NDArray[Any]]]) -> Distribution:
    """`distribution` of the values that `blocks()` yields, block by block; `blocks` is called once per pass.

    One block is sorted as it is. Over several, a first pass takes count, total, min and max; then each
    pass of `_fast.radix.select_ranks` fixes the next 16 bits of the values at the ranks the percentiles
    need. Exact: the same `Distribution` as `distribution` of all the values at once.
    """
    import numpy as np

    first: npt.NDArray[Any] | None = None
    n = total = 0
    lowest = highest = 0
    for block in blocks():
        if not len(block):
            continue
        if first is None:
            first = block
        lo, hi = int(block.min()), int(block.max())
        lowest, highest = (lo, hi) if n == 0 else (min(lowest, lo), max(highest, hi))
        n += len(block)
        total += int(block.sum(dtype=np.int64))
    if n == 0:
        return EMPTY
    if first is not None and len(first) == n:  # one block: sort it
        return distribution(first)
    ranks = sorted({r for q in QUANTILES for r in _ranks(n, q)})
    values = KnownRanks(n, dict(zip(ranks, select_ranks(blocks, ranks, lowest, highest), strict=True)))
    return Distribution(n, total / n, percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.95),
                        highest, total)


def _ranks(n: int, q: float) -> tuple[int, int]:
    """The two 0-based ranks `percentile` reads for the q-th quantile of n values."""
    lo = math.floor((n - 1) * q)
    return lo, min(lo + 1, n - 1)
