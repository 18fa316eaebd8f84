"""Unit tests of fineadvisor.measure._fast.reuse: derived values come back only for a leading run of the very same objects."""

from __future__ import annotations

import pytest

from fineadvisor.measure._fast import reuse
from fineadvisor.measure._fast.reuse import LeadingReuse

A, B, C, D = (["a"], ["b"], ["c"], ["d"])  # distinct objects (equal copies are not the same object)


@pytest.mark.parametrize(("remembered", "items", "expected"), [
    ([A, B, C], [A, B, C], ["A", "B", "C"]),  # the whole run
    ([A, B, C], [A, B, D], ["A", "B"]),  # stops at the first different object
    ([A, B, C], [A, B], ["A", "B"]),  # shorter than the run
    ([A, B], [A, B, C, D], ["A", "B"]),  # longer than the run
    ([A, B, C], [B, C], []),  # a run is found by its first object only
    ([A, B, C], [["a"], B, C], []),  # an equal copy is not the same object
    ([A, B, C], [], []),
])
def test_match_returns_what_was_derived_for_the_shared_leading_objects(
        remembered: list[list[str]], items: list[list[str]], expected: list[str]) -> None:
    r: LeadingReuse[list[str], str] = LeadingReuse()
    names = {id(A): "A", id(B): "B", id(C): "C", id(D): "D"}
    r.remember(remembered, [names[id(x)] for x in remembered])
    assert r.match(items) == expected


def test_only_the_derived_prefix_is_remembered_and_kept_alive() -> None:
    r: LeadingReuse[list[str], int] = LeadingReuse()
    items = [["x"], ["y"], ["z"]]
    r.remember(items, [1, 2])  # derived only for the first two (e.g. the third had a format issue)
    assert r.match(items) == [1, 2]
    r.remember([["w"]], [])  # nothing derived: nothing remembered
    first = items[0]
    del items
    assert r.match([first, ["y"]]) == [1]  # the run still holds its objects, so ids cannot be reused


def test_the_table_is_bounded() -> None:
    r: LeadingReuse[list[int], int] = LeadingReuse()
    runs = [[[i]] for i in range(reuse.RUNS + 1)]
    for i, run in enumerate(runs):
        r.remember(run, [i])
    assert len(r._runs) <= reuse.RUNS
    assert r.match(runs[-1]) == [reuse.RUNS]


def test_a_partial_match_trims_the_run_to_its_shared_start() -> None:
    r: LeadingReuse[list[str], str] = LeadingReuse()
    r.remember([A, B, C], ["A", "B", "C"])
    assert r.match([A, B, D]) == ["A", "B"]  # C is line-specific: forgotten
    assert r.match([A, B, C]) == ["A", "B"]
    assert r.match([A]) == ["A"]
    assert r.match([A, C]) == ["A"]
