"""Exact order statistics of values read block by block (e.g. from temporary files), in bounded memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

DIGIT_BITS = 16
"""Bits of the values fixed per pass of the radix selection (a 65,536-entry histogram per wanted rank)."""


def select_ranks(blocks: Callable[[], Iterable[npt.NDArray[Any]]], ranks: list[int], lowest: int,
            highest: int) -> list[int]:
    """`sorted(all values)[r]` for each r in `ranks` (the plain rule), from values `blocks()` yields, block by block.

    Radix selection on (value − lowest), 16 bits a pass from the top: per rank, count the values whose higher bits
    match the rank's so far; the rank's next digit is where the running count passes the rank. Memory: one
    65,536-entry histogram per wanted rank; 1 + ⌈bits(highest − lowest) / 16⌉ passes over the values.
    """
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


class KnownRanks(Sequence[int]):
    """n sorted values of which only some ranks are known: enough for `percentile`."""

    def __init__(self, n: int, values: dict[int, int]) -> None:
        self._n, self._values = n, values

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> int:  # type: ignore[override]
        return self._values[i]  # a Python int: int + float rounds as numpy's int64 + float64 does
