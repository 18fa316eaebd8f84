"""Summary statistics of token counts: mean, percentiles (linear interpolation, as numpy's default), max, total.

`distribution` sorts values held in memory; `distribution_of` gives the same result from values read block by
block (e.g. from temporary files), in memory bounded by the block size; `distribution_of_counts` gives it from an
exact histogram (value → how many records have it), the form in which counts are merged across chunks and machines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
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


Histogram = MutableMapping[int, int]
"""An exact integer histogram: token count → records with that count. Merged by addition (`add_counts`), so the
merge is associative and commutative and its size is the number of distinct counts, not of records."""


def weighted_value_at(sorted_values: Sequence[float] | npt.NDArray[Any],
                      cumulative_weights: Sequence[float] | npt.NDArray[Any], share: float) -> float:
    """The smallest value whose cumulative weight reaches `share` of the total (share clipped to [0, 1]): the
    weighted quantile a sample's estimates use."""
    import numpy as np

    total = cumulative_weights[-1]
    i = int(np.searchsorted(cumulative_weights, min(max(share, 0.0), 1.0) * total, side="left"))
    return float(sorted_values[min(i, len(sorted_values) - 1)])


def add_counts(into: Histogram, other: Mapping[int, int], shift: int = 0) -> None:
    """Add `other`'s records to `into`, each count moved by `shift` tokens (a part that grew by a known amount)."""
    get = into.get
    if shift:
        for value, n in other.items():
            into[value + shift] = get(value + shift, 0) + n
    else:
        for value, n in other.items():
            into[value] = get(value, 0) + n


def distribution_of_counts(counts: Mapping[int, int]) -> Distribution:
    """`distribution` of the values a histogram holds: the value at rank r is the first whose cumulative count
    exceeds r. Exact: the same `Distribution` as `distribution` of every value written out."""
    import numpy as np

    kept = {v: n for v, n in counts.items() if n}
    if not kept:
        return EMPTY
    values = np.fromiter(sorted(kept), dtype=np.int64, count=len(kept))
    n_of = np.fromiter((kept[v] for v in values.tolist()), dtype=np.int64, count=len(kept))
    cumulative = np.cumsum(n_of)
    n = int(cumulative[-1])
    total = sum(v * c for v, c in kept.items())  # Python ints: no overflow whatever the log
    ranks = sorted({r for q in QUANTILES for r in _ranks(n, q)})
    at = np.searchsorted(cumulative, np.asarray(ranks, dtype=np.int64), side="right")
    known = KnownRanks(n, {r: int(values[i]) for r, i in zip(ranks, at.tolist(), strict=True)})
    return Distribution(n, total / n, percentile(known, 0.5), percentile(known, 0.9), percentile(known, 0.95),
                        int(values[-1]), total)
