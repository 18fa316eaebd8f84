"""Duplicate counting in bounded memory equals the plain rule (`readiness.duplicate_counts`), in any blocks."""

from __future__ import annotations

from array import array
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.measure._fast import dedupe
from fineadvisor.measure._fast.dedupe import count_duplicates
from fineadvisor.measure.readiness import duplicate_counts


@pytest.mark.parametrize(("pairs", "expected"), [
    ([], (0, 0, 0)),
    ([(1, 1)], (0, 0, 0)),
    ([(1, 1), (1, 1), (1, 1)], (2, 0, 0)),  # one example and two exact copies
    ([(1, 1), (1, 2)], (0, 1, 2)),  # one prompt, two answers, two examples
    ([(1, 1), (2, 5), (1, 2), (1, 1), (3, 3)], (1, 1, 3)),  # prompt 1: answers 1, 2, 1 → 1 copy; 3 examples
    ([(2**64 - 1, 0), (2**64 - 1, 2**64 - 1)], (0, 1, 2)),  # full 64-bit hashes
])
def test_duplicate_and_contradiction_counts(pairs: list[tuple[int, int]], expected: tuple[int, int, int]) -> None:
    assert _count(pairs) == duplicate_counts(pairs) == expected  # the kernel and the plain rule


def _count(pairs: list[tuple[int, int]], block: int = 1 << 16) -> tuple[int, int, int]:
    """`count_duplicates` of (prompt, answer) pairs given `block` at a time."""
    p, a = array("Q", [p for p, _ in pairs]), array("Q", [a for _, a in pairs])
    blocks = [(np.frombuffer(p, np.uint64)[i:i + block], np.frombuffer(a, np.uint64)[i:i + block])
              for i in range(0, len(pairs), block)]
    return count_duplicates(blocks, len(pairs))


HASHES = st.sampled_from([0, 1, 2, 3, 5, 2**63, 2**64 - 2, 2**64 - 1])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(HASHES, st.integers(1, 4)), max_size=60), st.integers(1, 8), st.integers(1, 70))
def test_duplicates_match_theduplicate_counts(pairs: list[tuple[int, int]], block: int, in_memory: int) -> None:
    """In memory, or in parts in temporary files (few rows per part), in blocks of any size: the plain counts."""
    expected = duplicate_counts(pairs)
    assert _count(pairs) == expected
    with mock.patch.object(dedupe, "DEDUP_ROWS", in_memory):  # 60 rows over up to 64 parts
        assert _count(pairs, block) == expected


def test_parts_still_too_large_are_split_again() -> None:
    """1,000 examples, 8 rows counted in memory, 2 parts per split: parts are split again, level after level,
    until each fits; the counts are the plain ones (prompts come in twos; every 7th example has another answer)."""
    pairs = [(i // 2, 1 if i % 7 else 2) for i in range(1000)]
    expected = duplicate_counts(pairs)
    levels: list[int] = []
    real = dedupe._Parts.__init__

    def spy(self: Any, bits: int, dtype: Any, key: Any, level: int = 0) -> None:
        levels.append(level)
        real(self, bits, dtype, key, level)

    sizes: list[int] = []
    distinct = dedupe._distinct

    def counted(prompts: Any, answers: Any, counts: Any) -> Any:
        sizes.append(len(prompts))
        return distinct(prompts, answers, counts)

    with (mock.patch.object(dedupe, "DEDUP_ROWS", 8), mock.patch.object(dedupe, "MAX_PART_BITS", 1),
          mock.patch.object(dedupe._Parts, "__init__", spy), mock.patch.object(dedupe, "_distinct", counted)):
        assert _count(pairs, block=64) == expected
    assert max(levels) >= 6  # ~500 distinct rows ÷ 8 per part needs ≥ 6 halvings
    assert max(sizes) <= 64  # what is counted at once: a block of 64, or a part of ≤ 8 rows
