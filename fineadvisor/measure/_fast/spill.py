"""Per-record numbers of large logs, moved out of memory into temporary files and read back in blocks.

The files come from `tempfile.TemporaryFile` (in $TMPDIR, else the system's temporary directory). On POSIX
they are unlinked as they are created (on Linux they never have a name), so nothing is left behind even if
the process is killed; they are never the user's files. Memory stays bounded by what is still in memory and
one block being read.
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from fineadvisor.errors import TempSpaceError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class Spill:
    """Named append-only streams of fixed-size items, each in its own anonymous temporary file."""

    def __init__(self) -> None:
        self._files: dict[str, IO[bytes]] = {}
        self._bytes: dict[str, int] = {}

    def write(self, name: str, values: array[int] | npt.NDArray[np.generic]) -> None:
        """Append `values` (an `array` or a numpy array) to the stream `name`."""
        if not len(values):
            return
        try:
            f = self._files.get(name)
            if f is None:
                # Unbuffered: every byte that `write` reports is in the file, and a full disk is reported by
                # the write that hits it, not by a later read or close.
                f = self._files[name] = tempfile.TemporaryFile(prefix="fineadvisor-", buffering=0)  # noqa: SIM115
            data = memoryview(values)  # type: ignore[arg-type]  # ndarrays have the buffer protocol
            rest = data.cast("B") if data.c_contiguous else memoryview(data.tobytes())
            f.seek(self._bytes.get(name, 0))
            while rest:
                rest = rest[f.write(rest) or 0:]
            self._bytes[name] = f.tell()
        except OSError as exc:
            raise TempSpaceError(temp_dir_name(), exc) from exc

    def reader(self, name: str, dtype: npt.DTypeLike, tail: object = b"") -> Reader:
        """A sequential reader of the stream `name`: its written items, then the items of `tail` (a buffer)."""
        return Reader(self._files.get(name), self._bytes.get(name, 0), dtype, tail)

    def drop(self, name: str) -> None:
        """Close (and so delete) the file of one stream."""
        f = self._files.pop(name, None)
        self._bytes.pop(name, None)
        if f is not None:
            f.close()

    def close(self) -> None:
        """Close (and so delete) every file."""
        for f in self._files.values():
            f.close()
        self._files.clear()
        self._bytes.clear()


class SpillingArrays:
    """Mixin for a builder whose per-record numbers are `array` attributes: moves them to temporary files
    (`_move_out`) and reads each back whole, file part first (`_reader`)."""

    _spill: Spill | None = None
    _closed = False

    def _move_out(self, names: Iterable[str]) -> None:
        """Append the arrays named `names` to their streams, and replace them with empty arrays."""
        self._check_open()
        if self._spill is None:
            self._spill = Spill()
        for name in names:
            values = getattr(self, name)
            self._spill.write(name, values)
            setattr(self, name, array(values.typecode))

    def _reader(self, name: str) -> Reader:
        """All the values of one array, in order: those moved to its temporary file, then those in memory."""
        self._check_open()
        values = getattr(self, name)
        return (self._spill or Spill()).reader(name, values.typecode, values)

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"{type(self).__name__} is closed: its temporary files are deleted")

    def close(self) -> None:
        """Delete the temporary files; the builder cannot be merged into or summarised after this."""
        self._closed = True
        if self._spill is not None:
            self._spill.close()


class Reader:
    """Reads items in order: first from a file (up to `file_bytes`), then from an in-memory buffer."""

    def __init__(self, file: IO[bytes] | None, file_bytes: int, dtype: npt.DTypeLike, tail: object) -> None:
        import numpy as np

        self._file = file
        self._dtype = np.dtype(dtype)
        self._file_items = file_bytes // self._dtype.itemsize
        self._tail = np.frombuffer(tail, dtype=self._dtype)  # type: ignore[call-overload]
        self._pos = 0

    def __len__(self) -> int:
        return self._file_items + len(self._tail)

    def take(self, k: int) -> npt.NDArray[Any]:
        """The next `k` items (fewer at the end)."""
        import numpy as np

        start, stop = self._pos, min(self._pos + k, len(self))
        self._pos = stop
        parts = [self._tail[:0]]
        if start < self._file_items:
            assert self._file is not None
            size = self._dtype.itemsize
            data = bytearray((min(stop, self._file_items) - start) * size)
            self._file.seek(start * size)
            done = 0
            while done < len(data):  # an unbuffered read may return less than asked
                got = self._file.readinto(memoryview(data)[done:])  # type: ignore[attr-defined]
                if not got:
                    raise OSError(f"temporary file ended {len(data) - done} bytes early")
                done += got
            parts.append(np.frombuffer(data, dtype=self._dtype))
        if stop > self._file_items:
            parts.append(self._tail[max(start - self._file_items, 0):stop - self._file_items])
        return parts[-1] if len(parts) == 2 else np.concatenate(parts)

    def blocks(self, size: int) -> Iterator[npt.NDArray[Any]]:
        """The remaining items, `size` at a time."""
        while self._pos < len(self):
            yield self.take(size)


def temp_dir_name() -> str:
    """The temporary directory, as it is configured (without failing when none is usable)."""
    import os

    return tempfile.tempdir or os.environ.get("TMPDIR") or "the temporary directory (TMPDIR, /tmp, /var/tmp)"


def temp_dir_usable() -> bool:
    """Whether the standard library finds a writable temporary directory (workers need one for their socket)."""
    try:
        tempfile.gettempdir()
    except OSError:
        return False
    return True
