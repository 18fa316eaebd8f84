"""Duplicate and contradiction counts of any number of training examples, in bounded memory.

The plain rule, over (prompt hash, answer hash) pairs, is `fineadvisor.measure.readiness.duplicate_counts`;
`count_duplicates` gives the same three numbers with at most `DEDUP_ROWS` rows in memory at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from typing import TYPE_CHECKING, Any

from fineadvisor.measure._fast.spill import Spill

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

BLOCK = 1 << 16
"""Rows read back from a temporary file at a time."""
DEDUP_ROWS = 1 << 20
"""Examples whose duplicates are counted in memory at once; more are counted part by part (see `count_duplicates`)."""
MAX_PART_BITS = 6
"""At most 64 parts per round and level: whatever the log's size, ~210 temporary files are open at the most
(both rounds and one level of re-splitting, 64 each, and the builders' 16)."""
_MIX = 0x9E3779B97F4A7C15
"""2⁶⁴ ÷ the golden ratio, odd: multiplying by it (mod 2⁶⁴) spreads keys over the top bits."""

_ROW = [("prompt", "<u8"), ("answer", "<u8"), ("count", "<i8")]
"""A distinct (prompt, answer) of a block of examples, with how many examples have it."""
_PROMPT_ROW = [("prompt", "<u8"), ("answers", "<i8"), ("count", "<i8")]
"""A prompt with how many distinct answers and examples it has (in one part of the examples)."""


def count_duplicates(blocks: Iterable[tuple[npt.NDArray[Any], npt.NDArray[Any]]], n: int
                ) -> tuple[int, int, int]:
    """`readiness.duplicate_counts` of n (prompt hash, answer hash) pairs given in blocks, in bounded memory.

    Up to `DEDUP_ROWS` examples are counted in memory. Beyond, in bounded memory, in two rounds over P parts
    (P = the power of two ≥ 2n ÷ DEDUP_ROWS, at most 2**MAX_PART_BITS), each in a temporary file:
    1. each block's distinct (prompt, answer, count) rows go to a part chosen by a hash of (prompt, answer), so
       every copy of an example lands in one part: there, duplicates = Σ count − distinct rows;
    2. each part's (prompt, distinct answers, examples) rows go to a part chosen by a hash of the prompt: there,
       a prompt with two or more answers in total is contradictory.
    A part still over DEDUP_ROWS rows is split again by the next bits of its hash (see `_Parts`).
    """
    import numpy as np

    bits = min(MAX_PART_BITS, math.ceil(math.log2(2 * n / DEDUP_ROWS))) if n > DEDUP_ROWS else 0
    first = _Parts(bits, np.dtype(_ROW), lambda rows: rows["prompt"] ^ (rows["answer"] * np.uint64(_MIX)))
    second = _Parts(bits, np.dtype(_PROMPT_ROW), lambda rows: rows["prompt"])
    try:
        for prompts, answers in blocks:
            first.add(_distinct(prompts, answers, np.ones(len(prompts), dtype=np.int64)))
        duplicates = 0
        with closing(first.each()) as parts:  # on an error, the part being split again is closed at once
            for rows in parts:
                rows = _distinct(rows["prompt"], rows["answer"], rows["count"])
                duplicates += int(rows["count"].sum()) - len(rows)
                second.add(_per_prompt(rows["prompt"], np.ones(len(rows), dtype=np.int64), rows["count"]))
        prompts_with_several = examples = 0
        with closing(second.each()) as parts:
            for rows in parts:
                per_prompt = _per_prompt(rows["prompt"], rows["answers"], rows["count"])
                several = per_prompt["answers"] > 1
                prompts_with_several += int(np.count_nonzero(several))
                examples += int(per_prompt["count"][several].sum())
    finally:
        first.close()
        second.close()
    return duplicates, prompts_with_several, examples


def _distinct(prompts: npt.NDArray[np.uint64], answers: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64]
              ) -> npt.NDArray[np.void]:
    """The distinct (prompt, answer) rows, sorted, each with the sum of its counts."""
    import numpy as np

    order = np.lexsort((answers, prompts))
    p, a, c = prompts[order], answers[order], counts[order]
    starts = np.flatnonzero(np.concatenate(([True], (p[1:] != p[:-1]) | (a[1:] != a[:-1])))) if len(p) else order
    rows = np.empty(len(starts), dtype=_ROW)
    rows["prompt"], rows["answer"] = p[starts], a[starts]
    rows["count"] = np.add.reduceat(c, starts) if len(starts) else c
    return rows


def _per_prompt(prompts: npt.NDArray[np.uint64], answers: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]
                ) -> npt.NDArray[np.void]:
    """One row per distinct prompt, with the sums of its answers and counts."""
    import numpy as np

    order = np.argsort(prompts, kind="stable")
    p = prompts[order]
    starts = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1]))) if len(p) else order
    rows = np.empty(len(starts), dtype=_PROMPT_ROW)
    rows["prompt"] = p[starts]
    rows["answers"] = np.add.reduceat(answers[order], starts) if len(starts) else answers
    rows["count"] = np.add.reduceat(counts[order], starts) if len(starts) else counts
    return rows


class _Parts:
    """Rows split into 2**bits parts by a 64-bit hash of their key: in memory when bits is 0, else in temporary
    files. Level L uses bits L·bits … (L+1)·bits − 1 (from the top) of the hash, so a part that is still too
    large is split again at level L + 1; rows with the same key always stay together."""

    def __init__(self, bits: int, dtype: np.dtype[np.void],
                 key: Callable[[npt.NDArray[Any]], npt.NDArray[np.uint64]], level: int = 0) -> None:
        self._bits, self._dtype, self._key, self._level = bits, dtype, key, level
        self._memory: list[npt.NDArray[Any]] = []
        self._spill = Spill()

    def add(self, rows: npt.NDArray[Any]) -> None:
        """File `rows` under their parts."""
        import numpy as np

        if not self._bits:
            self._memory.append(rows)
            return
        hashed = self._key(rows) * np.uint64(_MIX)  # Fibonacci hashing: spreads even small keys over the top bits
        part = (hashed >> np.uint64(64 - self._bits * (self._level + 1))) & np.uint64((1 << self._bits) - 1)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange((1 << self._bits) + 1, dtype=np.uint64))
        for i in range(1 << self._bits):
            if bounds[i] < bounds[i + 1]:
                self._spill.write(str(i), rows[order[bounds[i]:bounds[i + 1]]])

    def each(self) -> Generator[npt.NDArray[Any], None, None]:
        """Each part's rows, one part at a time (a part over DEDUP_ROWS rows comes as its own parts)."""
        import numpy as np

        if not self._bits:
            yield np.concatenate(self._memory) if self._memory else np.empty(0, dtype=self._dtype)
            return
        for i in range(1 << self._bits):
            reader = self._spill.reader(str(i), self._dtype)
            if len(reader) <= DEDUP_ROWS or self._bits * (self._level + 2) > 64:
                yield reader.take(len(reader))
            else:
                smaller = _Parts(self._bits, self._dtype, self._key, self._level + 1)
                try:
                    for rows in reader.blocks(BLOCK):
                        smaller.add(rows)
                    yield from smaller.each()
                finally:
                    smaller.close()
            self._spill.drop(str(i))

    def close(self) -> None:
        self._spill.close()
