"""Temporary-file streams: items come back in order across the file and the in-memory tail; nothing is left."""

from __future__ import annotations

import os
import tempfile
from array import array
from pathlib import Path

import numpy as np
import pytest

from fineadvisor.errors import TempSpaceError
from fineadvisor.spill import Spill


@pytest.mark.parametrize(
    ("written", "tail", "takes", "expected"),
    [
        ([], [], [3], [[]]),  # nothing at all: an empty block
        ([[1, 2, 3]], [], [2, 2, 2], [[1, 2], [3], []]),  # the file only; reads past the end are empty
        ([], [7, 8], [1, 5], [[7], [8]]),  # the in-memory tail only
        ([[1, 2], [3]], [4, 5], [2, 2, 1], [[1, 2], [3, 4], [5]]),  # a read across file and tail
        ([[1], [2], [3]], [4], [10], [[1, 2, 3, 4]]),  # three writes, one read
        ([[2**31 - 1, -(2**31)]], [0], [3], [[2**31 - 1, -(2**31), 0]]),  # the int32 extremes
    ],
)
def test_reader_gives_the_items_in_order(written: list[list[int]], tail: list[int], takes: list[int],
                                         expected: list[list[int]]) -> None:
    spill = Spill()
    for values in written:
        spill.write("x", array("i", values))
    reader = spill.reader("x", "i", array("i", tail))
    assert len(reader) == sum(map(len, written)) + len(tail)
    assert [reader.take(k).tolist() for k in takes] == expected
    spill.close()


def test_blocks_and_numpy_and_structured_rows() -> None:
    spill = Spill()
    spill.write("q", np.arange(5, dtype=np.uint64) + np.uint64(2**64 - 8))
    assert [b.tolist() for b in spill.reader("q", np.uint64).blocks(2)] == [
        [2**64 - 8, 2**64 - 7], [2**64 - 6, 2**64 - 5], [2**64 - 4]]
    rows = np.array([(1, 2), (3, 4)], dtype=[("a", "<u8"), ("b", "<i8")])
    spill.write("rows", rows)
    spill.write("rows", rows[::-1])
    back = spill.reader("rows", rows.dtype).take(10)
    assert back.tolist() == [(1, 2), (3, 4), (3, 4), (1, 2)]
    spill.close()


def test_files_have_no_name_and_close_frees_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is ever visible in the temporary directory (POSIX), and `close` releases every file."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    spill = Spill()
    for name in ("a", "b", "c"):
        spill.write(name, array("i", range(1000)))
    if os.name == "posix":
        assert list(tmp_path.iterdir()) == []
    spill.drop("a")
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) == fds + 2
    assert len(spill.reader("a", "i")) == 0 and len(spill.reader("b", "i")) == 1000
    spill.close()
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) == fds
    assert len(spill.reader("a", "i")) == 0  # closed: the stream is gone


def test_a_temporary_directory_that_cannot_be_written_is_explained(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no-such-dir"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    with pytest.raises(TempSpaceError, match=r"cannot write temporary data in .*no-such-dir.*set TMPDIR"):
        Spill().write("x", array("i", [1]))
