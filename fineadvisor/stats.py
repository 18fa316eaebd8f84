"""Summary statistics of token counts: mean, percentiles (linear interpolation, as numpy's default), max, total.

`distribution` sorts values held in memory; `distribution_of` gives the same result from values read block by
block (e.g. from temporary files), in memory bounded by the block size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
DIGIT_BITS = 16
"""Bits of the values fixed per pass of the radix selection (a 65,536-entry histogram per wanted rank)."""


def distribution_of(blocks: Callable[[], Iterable[npt.NDArray[Any]]]) -> Distribution:
    """`distribution` of the values that `blocks()` yields, block by block; `blocks` is called once per pass.

    One block is sorted as it is. Over several, a first pass takes count, total, min and max; then each
    pass fixes the next 16 bits (from the top) of the values at the ranks the percentiles need: it counts,
    per rank, the values whose higher bits match the rank's so far, and the rank's digit is where the
    running count passes the rank. Exact, and 1 + ⌈bits(max − min) / 16⌉ passes over the values.
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
    found = dict(zip(ranks, _select(blocks, ranks, lowest, highest), strict=True))
    values = _Known(n, found)
    return Distribution(n, total / n, percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.95),
                        highest, total)


def _ranks(n: int, q: float) -> tuple[int, int]:
    """The two 0-based ranks `percentile` reads for the q-th quantile of n values."""
    lo = math.floor((n - 1) * q)
    return lo, min(lo + 1, n - 1)


def _select(blocks: Callable[[], Iterable[npt.NDArray[Any]]], ranks: list[int], lowest: int,
            highest: int) -> list[int]:
    """The values at `ranks` (0-based, in sorted order) of the values `blocks()` yields (radix selection)."""
    import numpy as np

    size = 1 << DIGIT_BITS
    prefix = [0] * len(ranks)  # per rank: the top bits of (value − lowest) fixed so far
    rest = list(ranks)  # per rank: its rank among the values that share its prefix
    span_bits = (highest - lowest).bit_length()
    for shift in range(DIGIT_BITS * ((span_bits - 1) // DIGIT_BITS), -1, -DIGIT_BITS) if span_bits else ():
        wanted = sorted(set(prefix))
        counts = {p: np.zeros(size, dtype=np.int64) for p in wanted}
        for block in blocks():
            offset = block.astype(np.int64) - lowest  # in [0, highest − lowest]
            high = offset >> (shift + DIGIT_BITS)
            for p in wanted:
                digits = (offset[high == p] >> shift) & (size - 1)
                counts[p] += np.bincount(digits, minlength=size)
        running = {p: np.cumsum(c) for p, c in counts.items()}
        for i, p in enumerate(prefix):
            digit = int(np.searchsorted(running[p], rest[i], side="right"))
            rest[i] -= int(running[p][digit - 1]) if digit else 0
            prefix[i] = (p << DIGIT_BITS) | digit
    return [lowest + p for p in prefix]


class _Known(Sequence[int]):
    """n sorted values of which only some ranks are known: enough for `percentile`."""

    def __init__(self, n: int, values: dict[int, int]) -> None:
        self._n, self._values = n, values

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> int:  # type: ignore[override]
        return self._values[i]  # a Python int: int + float rounds as numpy's int64 + float64 does
