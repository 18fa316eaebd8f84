"""Temporary-file streams: items come back in order across the file and the in-memory tail; nothing is left."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from array import array
from pathlib import Path

import numpy as np
import pytest

from fineadvisor.errors import TempSpaceError
from fineadvisor.measure._fast.spill import Spill


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


@pytest.mark.skipif(sys.platform != "linux", reason="limits file sizes with RLIMIT_FSIZE")
@pytest.mark.parametrize("kind", ["array", "numpy"])
def test_a_full_disk_is_reported_by_the_write_that_hits_it(kind: str) -> None:
    """With room for ~2.5 writes: the third write raises TempSpaceError, never a later read, and nothing that
    was reported written is missing (numpy's own `tofile` would lose the last buffered bytes silently)."""
    code = f"""
import resource
from array import array
import numpy as np
from fineadvisor.errors import TempSpaceError
from fineadvisor.measure._fast.spill import Spill
resource.setrlimit(resource.RLIMIT_FSIZE, (7000, resource.RLIM_INFINITY))
spill, written = Spill(), 0
try:
    for _ in range(5):
        spill.write("x", array("i", range(700)) if {kind!r} == "array" else np.arange(700, dtype=np.int32))
        written += 700
except TempSpaceError as exc:
    print("error after", written, "|", exc)
reader = spill.reader("x", "i")
print("read back", len(reader), reader.take(written).tolist() == list(range(700)) * (written // 700))
spill.close()
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    error, read = out.stdout.splitlines()
    # Two whole writes fit: 2 × 700 items × 4 bytes = 5,600 of the 7,000 bytes allowed; the third does not.
    assert error.startswith("error after 1400 |") and "free some space there or set TMPDIR" in error
    assert read == "read back 1400 True"


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "free some space there or set TMPDIR to a directory with room"),
        (errno.EFBIG, "free some space there or set TMPDIR to a directory with room"),
        (errno.EMFILE, "raise the limit on open files"),
        (errno.EACCES, "set TMPDIR to a directory you can write to"),
        (errno.EROFS, "set TMPDIR to a directory you can write to"),
    ],
)
def test_the_advice_fits_the_fault(code: int, advice: str) -> None:
    message = str(TempSpaceError("/scratch", OSError(code, os.strerror(code))))
    assert message.startswith(f"cannot write temporary data in /scratch: {os.strerror(code)}. ")
    assert message.split("deleted when it ends); ")[1].startswith(advice)
