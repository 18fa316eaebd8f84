"""Percentiles match numpy's default (linear) method; empty input is a value, not an error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fineadvisor.stats import EMPTY, distribution, percentile


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
