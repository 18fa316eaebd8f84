"""Percentiles match numpy's default (linear) method; empty input is a value, not an error; blocks give the same."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.measure.stats import EMPTY, distribution, distribution_of, percentile


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([26, 28, 45, 111, 8032], 0.1, 26.8),  # TV4 "p5" (really 10th pct): 26 + 0.4 × (28 − 26)
        ([26, 28, 45, 111, 8032], 0.9, 4863.6),  # TV4: 111 + 0.6 × (8032 − 111)
        ([26, 28, 45, 111, 8032], 0.5, 45.0),
        ([7], 0.95, 7.0),
        ([], 0.5, 0.0),
    ],
)
def test_percentile(values: list[int], q: float, expected: float) -> None:
    assert percentile(sorted(values), q) == pytest.approx(expected)


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=200), st.sampled_from([0.1, 0.5, 0.9, 0.95]))
def test_percentile_equals_numpy(values: list[int], q: float) -> None:
    assert percentile(sorted(values), q) == pytest.approx(float(np.quantile(values, q)))


def test_distribution() -> None:
    d = distribution([45, 111, 26, 28, 8032])  # TV4 example lengths
    assert (d.count, d.mean, d.p50, d.max, d.total) == (5, 1648.4, 45.0, 8032, 8242)
    assert distribution([]) == EMPTY


VALUES = st.one_of(st.lists(st.integers(0, 20), max_size=300),  # many ties
                   st.lists(st.integers(0, 2**31 - 1), max_size=300),  # any per-record token count
                   st.lists(st.integers(-(2**40), 2**53), max_size=300))  # negatives and 53-bit values


@settings(max_examples=300, deadline=None)
@given(VALUES, st.lists(st.integers(0, 300), max_size=6))
def test_blocks_give_the_same_distribution(values: list[int], cuts: list[int]) -> None:
    """Radix selection over blocks (cut anywhere, empty blocks too) = sorting all values at once."""
    blocks = np.split(np.array(values, dtype=np.int64), sorted(min(c, len(values)) for c in cuts))
    assert distribution_of(lambda: blocks) == distribution(values)


@pytest.mark.parametrize(
    ("blocks", "passes"),
    [
        ([[5, 1, 3]], 1),  # one block: sorted as it is, one read
        ([[5, 1], [3]], 2),  # span 4 < 2¹⁶: one read for count/total/min/max, one radix pass
        ([[70_000, 1], [3]], 3),  # span 69,999 needs 17 bits: two radix passes of 16 bits
        ([[2**31 - 1, 0], [7]], 3),  # any int32 token count: at most two radix passes
        ([[2**40, 0], [7]], 4),  # 41 bits: three passes
        ([[9, 9], [9]], 1),  # all equal: the first read settles it
        ([[], []], 1),  # no values
    ],
)
def test_passes_over_the_blocks(blocks: list[list[int]], passes: int) -> None:
    calls = []

    def read() -> list[np.ndarray]:
        calls.append(1)
        return [np.array(b, dtype=np.int64) for b in blocks]

    flat = [v for b in blocks for v in b]
    assert distribution_of(read) == distribution(flat)
    assert len(calls) == passes


@pytest.mark.parametrize(("values", "weights", "share", "expected"), [
    ([100, 10_000], [99.0, 1.0], 0.5, 100.0),  # cumulative 99, 100: 99 ≥ 50 at the first value
    ([100, 10_000], [99.0, 1.0], 0.995, 10_000.0),  # 99 < 99.5 ≤ 100: the second
    ([1, 2, 3, 4], [1.0, 1.0, 1.0, 1.0], 0.5, 2.0),  # cumulative 1, 2, 3, 4: 2 ≥ 2 at the second
    ([1, 2, 3, 4], [1.0, 1.0, 1.0, 1.0], 1.7, 4.0),  # a share past 1 is 1: the largest
    ([1, 2, 3, 4], [1.0, 1.0, 1.0, 1.0], -0.2, 1.0),  # a share below 0 is 0: the smallest
])
def test_weighted_value_at(values: list[int], weights: list[float], share: float, expected: float) -> None:
    from itertools import accumulate

    from fineadvisor.measure.stats import weighted_value_at

    assert weighted_value_at(values, list(accumulate(weights)), share) == expected
