"""The only reader of log files: JSONL, JSONL.gz and stdin, streamed line by line, split into chunks for workers."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, NamedTuple

import orjson

from fineadvisor.errors import InputError

STDIN = "-"
MAX_LINE_BYTES = 32 * 1024 * 1024
"""Longest line accepted as one record (32 MiB); longer lines are skipped with a reason, never loaded whole."""
CHUNK_BYTES = 4 * 1024 * 1024
"""Size of one unit of work handed to a worker process."""
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of consecutive lines: either raw bytes, or a byte range of a plain file for a worker to read."""

    path: str
    first_line_no: int
    """Line number of the first line, or -1 when unknown until earlier chunks are counted (byte ranges)."""
    data: bytes | None = None
    start: int = 0
    end: int = 0


class Line(NamedTuple):
    """One physical line: its number, where its bytes are (without the final newline), and whether it was too long.

    A line read from a block refers to the block (`buf[start:end]`) instead of holding a copy of its bytes.
    """

    line_no: int
    buf: bytes
    start: int
    end: int
    too_long_bytes: int = 0
    """When > 0 the line was longer than MAX_LINE_BYTES and `data` holds only its start."""

    @property
    def data(self) -> bytes:
        """The line's bytes (a copy, unless the line is its whole buffer)."""
        if self.start == 0 and self.end == len(self.buf):
            return self.buf
        return self.buf[self.start:self.end]

    @classmethod
    def of(cls, line_no: int, data: bytes, too_long_bytes: int = 0) -> Line:
        """A line that is the whole of `data`."""
        return cls(line_no, data, 0, len(data), too_long_bytes)


def describe(path: str) -> str:
    """How a path is named in messages."""
    return "<stdin>" if path == STDIN else path


def _open(path: str) -> IO[bytes]:
    if path == STDIN:
        stream: IO[bytes] = sys.stdin.buffer
    else:
        if os.path.isdir(path):
            raise InputError(f"{path} is a directory; give a .jsonl or .jsonl.gz file (or - for stdin)")
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed by the caller
        except FileNotFoundError:
            raise InputError(f"{path}: no such file; check the path (give - to read stdin)") from None
        except PermissionError:
            raise InputError(f"{path}: permission denied; check the file's permissions") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from None
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    if head.startswith(_GZIP_MAGIC):
        if path != STDIN:
            stream.close()
            stream = gzip.open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115 - the caller closes it
        else:
            stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
        try:
            head = stream.peek(4)[:4]  # type: ignore[attr-defined]
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            if path != STDIN:
                stream.close()
            raise _read_errors(path, 0) from exc
    _check_head(head, path, stream)
    return stream


def _check_head(head: bytes, path: str, stream: IO[bytes] | None = None) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if stream is not None and path != STDIN:
            stream.close()
        raise InputError(f"{describe(path)} is UTF-16 text; save it as UTF-8 JSON Lines "
                         "(e.g. iconv -f UTF-16 -t UTF-8)")


def is_plain_file(path: str) -> bool:
    """True for an uncompressed regular file, which workers can read by byte range."""
    if path == STDIN or not os.path.isfile(path):
        return False
    with open(path, "rb") as fh:
        return not fh.read(2).startswith(_GZIP_MAGIC)


def file_size(path: str) -> int:
    """Size in bytes on disk (0 for stdin or an unknown size)."""
    try:
        return 0 if path == STDIN else os.path.getsize(path)
    except OSError:
        return 0


def _read_errors(path: str, line_no: int) -> InputError:
    where = f"after line {line_no}" if line_no > 0 else "before the first complete line"
    return InputError(f"{describe(path)}: the gzip stream is truncated or corrupt {where}; "
                      "re-download or re-compress the file (gzip -t checks it)")


def iter_lines(stream: IO[bytes], path: str, first_line_no: int = 1, *, strip_bom: bool = True,
               max_bytes: int | None = None) -> Iterator[Line]:
    """Yield the lines of a binary stream (up to `max_bytes` of it) with their numbers, in bounded memory."""
    line_no = first_line_no - 1
    consumed = 0
    try:
        while max_bytes is None or consumed < max_bytes:
            data = stream.readline(MAX_LINE_BYTES + 1)
            if not data:
                return
            consumed += len(data)
            line_no += 1
            if strip_bom and line_no == first_line_no and data.startswith(_BOM):
                data = data[len(_BOM):]
            if len(data) > MAX_LINE_BYTES and not data.endswith(b"\n"):
                total = len(data)
                while True:  # skip the rest of the line without keeping it
                    rest = stream.readline(CHUNK_BYTES)
                    total += len(rest)
                    consumed += len(rest)
                    if not rest or rest.endswith(b"\n"):
                        break
                yield Line.of(line_no, data[:200], total)
                continue
            yield Line.of(line_no, data[:-1] if data.endswith(b"\n") else data)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _read_errors(path, line_no) from exc


def open_lines(path: str) -> Iterator[Line]:
    """Open `path` (a file, a .gz file, or - for stdin) and yield its lines."""
    stream = _open(path)
    try:
        yield from iter_lines(stream, path)
    finally:
        if path != STDIN:
            stream.close()


def iter_chunks(path: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Chunk]:
    """Split input into chunks: byte ranges of a plain file, or blocks of lines read from gzip/stdin."""
    if is_plain_file(path):
        size = file_size(path)
        with open(path, "rb") as fh:
            _check_head(fh.read(4), path)
            start = 0
            while start < size:
                fh.seek(min(start + chunk_bytes, size))
                if fh.tell() < size:
                    fh.readline()  # extend to the end of the current line
                end = fh.tell()
                yield Chunk(path, -1, None, start, end)
                start = end
        return
    stream = _open(path)
    try:
        line_no = 1
        try:
            while True:
                block = stream.read(chunk_bytes)
                if not block:
                    return
                if not block.endswith(b"\n"):
                    block += stream.readline()
                if line_no == 1 and block.startswith(_BOM):
                    block = block[len(_BOM):]
                yield Chunk(path, line_no, block)
                line_no += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise _read_errors(path, line_no - 1) from exc
    finally:
        if path != STDIN:
            stream.close()


def _split(data: bytes, first: int, strip_bom: bool) -> Iterator[Line]:
    """Lines of a block that cannot hold an over-long line (it is at most MAX_LINE_BYTES), without copying them."""
    start = len(_BOM) if strip_bom and data.startswith(_BOM) else 0
    size = len(data)
    find = data.find
    line_no = first
    while start < size:
        end = find(b"\n", start)
        if end < 0:
            end = size
        yield Line(line_no, data, start, end)
        line_no += 1
        start = end + 1


def chunk_lines(chunk: Chunk) -> Iterator[Line]:
    """The lines of one chunk, numbered from 1 when the chunk's first line number is not yet known."""
    first = chunk.first_line_no if chunk.first_line_no > 0 else 1
    if chunk.data is not None:
        if len(chunk.data) <= MAX_LINE_BYTES:
            yield from _split(chunk.data, first, False)
        else:
            yield from iter_lines(io.BytesIO(chunk.data), chunk.path, first, strip_bom=False)
        return
    with open(chunk.path, "rb") as fh:
        fh.seek(chunk.start)
        if chunk.end - chunk.start <= MAX_LINE_BYTES:
            yield from _split(fh.read(chunk.end - chunk.start), first, chunk.start == 0)
        else:
            yield from iter_lines(fh, chunk.path, first, strip_bom=chunk.start == 0,
                                  max_bytes=chunk.end - chunk.start)


def parse_json(data: bytes) -> object:
    """Parse one line with orjson, falling back to the stdlib for what orjson rejects (lone surrogates)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)  # raises json.JSONDecodeError / UnicodeDecodeError with a position
