"""The only reader of log files: JSONL, JSONL.gz, stdin and logs held in memory, split into chunks for workers.

Memory is bounded by construction: no read is longer than MAX_LINE_BYTES + CHUNK_BYTES, a longer line is skipped by
streaming past it, runs of blank lines are stepped over at byte-scan speed, and a file that is binary, or has a
"line" of more than MAX_SKIPPED_LINE_BYTES, is refused with a reason.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, NamedTuple, cast

import orjson
from backports import zstd

from fineadvisor.errors import InputError
from fineadvisor.measure import storage

STDIN = "-"
MAX_LINE_BYTES = 32 * 1024 * 1024
"""Longest line accepted as one record (32 MiB); longer lines are skipped with a reason, never loaded whole."""
CHUNK_BYTES = 4 * 1024 * 1024
"""Size of one unit of work handed to a worker process."""
MAX_SKIPPED_LINE_BYTES = 1024**3
"""A "line" longer than this (1 GiB without a newline) ends the file with an error: it is not JSON Lines."""
SCAN_BYTES = 1024 * 1024
"""Bytes read at a time while looking for the end of an over-long line."""
KEPT_OF_LONG_LINE = 200
"""Bytes kept of an over-long line (for its skip reason)."""
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DECOMPRESSION_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, zstd.ZstdError)
"""What reading a truncated or corrupt gzip or zstd stream raises."""
_BOM = b"\xef\xbb\xbf"
_WHITE_RUN = re.compile(rb"[ \t\r\n\x0b\x0c]+")
"""A run of white space (a single character class: matched in constant memory, unlike a repeated group)."""


@dataclass(frozen=True, slots=True)
class MemoryLog:
    """A log held in memory (an upload, a test): named by `name` in every message, never written to disk."""

    name: str
    data: bytes


LogSource = str | MemoryLog
"""A path, "-" for stdin, or a log in memory."""


def source_name(source: LogSource) -> str:
    """How a source is named in messages and reports."""
    return source.name if isinstance(source, MemoryLog) else describe(source)

@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of consecutive lines: either raw bytes, or a byte range of a plain file for a worker to read."""

    path: str
    first_line_no: int
    """Line number of the first line, or -1 when unknown until earlier chunks are counted (byte ranges)."""
    data: bytes | None = None
    start: int = 0
    end: int = 0
    last_line_bytes: int = 0
    """When > 0 the chunk's last line was longer than MAX_LINE_BYTES: this many bytes, of which `data` keeps the
    first KEPT_OF_LONG_LINE."""
    unit: str = "line"
    """What `first_line_no` counts: lines of the file, or records of a JSON document, or rows of CSV / Parquet."""


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
    """How a path is named in messages (an object store's URL without its query string or user part)."""
    if path == STDIN:
        return "<stdin>"
    return storage.shown(path) if storage.is_url(path) else path


def _open(source: LogSource) -> IO[bytes]:
    """The decompressed bytes of a source (gzip and zstd told by their magic numbers); the caller closes it."""
    name = source_name(source)
    raw = _open_raw(source)
    try:
        head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    except OSError as exc:
        _close(source, raw)
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    stream: IO[bytes] = raw
    kind = ""
    if head.startswith(_GZIP_MAGIC):
        kind, stream = "gzip", cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    elif head.startswith(_ZSTD_MAGIC):
        kind, stream = "zstd", cast(IO[bytes], zstd.ZstdFile(raw, "rb"))
    if kind:
        try:
            head = cast(io.BufferedReader, stream).peek(4)[:4]
        except (*DECOMPRESSION_ERRORS, OSError) as exc:
            _close(source, raw)
            raise read_errors(name, 0, kind) from exc
    try:
        _check_head(head, name)
    except InputError:
        _close(source, raw)
        raise
    if kind and not (isinstance(source, str) and source == STDIN):
        stream = cast(IO[bytes], _ClosingBoth(stream, raw, kind))
    return stream


def _open_raw(source: LogSource) -> IO[bytes]:
    if isinstance(source, MemoryLog):
        return io.BufferedReader(io.BytesIO(source.data))
    path = source
    if path == STDIN:
        if sys.stdin is None or not hasattr(sys.stdin, "buffer"):
            raise InputError("<stdin>: there is no standard input to read (it is closed); give a file instead")
        return sys.stdin.buffer
    if storage.is_url(path):
        return storage.open_url(path)
    if os.path.isdir(path):
        raise InputError(f"{path} is a directory; give a .jsonl or .jsonl.gz file (or - for stdin)")
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path (give - to read stdin)") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from None


def _close(source: LogSource, stream: IO[bytes]) -> None:
    if not (isinstance(source, str) and source == STDIN):
        stream.close()


class _ClosingBoth(io.BufferedIOBase):
    """A decompressing stream that also closes the file under it."""

    def __init__(self, stream: IO[bytes], raw: IO[bytes], kind: str) -> None:
        self._stream, self._raw, self.kind = stream, raw, kind

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._stream.read1(size) if hasattr(self._stream, "read1") else self._stream.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._stream.readline(-1 if size is None else size)

    def peek(self, size: int = 0) -> bytes:
        return self._stream.peek(size)  # type: ignore[attr-defined,no-any-return]

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._raw.close()
            super().close()


def _check_head(head: bytes, path: str, stream: IO[bytes] | None = None) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if stream is not None and path != STDIN:
            stream.close()
        raise InputError(f"{describe(path)} is UTF-16 text; save it as UTF-8 JSON Lines "
                         "(e.g. iconv -f UTF-16 -t UTF-8)")


def is_plain_file(path: LogSource) -> bool:
    """True for an uncompressed regular file or object, which workers can read by byte range."""
    if isinstance(path, MemoryLog) or path == STDIN or not (storage.is_url(path) or os.path.isfile(path)):
        return False
    try:
        with open_ranged(path) as fh:
            return not fh.read(4).startswith((_GZIP_MAGIC, _ZSTD_MAGIC))
    except (OSError, InputError):
        return False  # opening it again reports why, in words


def open_ranged(path: str) -> IO[bytes]:
    """A plain file or an object, seekable: what byte-range chunks and byte-offset sampling read."""
    return storage.open_ranged(path) if storage.is_url(path) else open(path, "rb")


def file_size(path: LogSource) -> int:
    """Size in bytes on disk (0 for stdin or an unknown size; a log in memory: its size)."""
    if isinstance(path, MemoryLog):
        return len(path.data)
    if path != STDIN and storage.is_url(path):
        return storage.url_size(path)
    try:
        return 0 if path == STDIN else os.path.getsize(path)
    except OSError:
        return 0


def read_errors(path: str, line_no: int, kind: str = "gzip") -> InputError:
    where = f"after line {line_no}" if line_no > 0 else "before the first complete line"
    return InputError(f"{describe(path)}: the {kind} stream is truncated or corrupt {where}; "
                      f"re-download or re-compress the file ({kind} -t checks it)")


def compression_of(stream: IO[bytes]) -> str:
    """Which compression a stream opened by `_open` undoes."""
    return getattr(stream, "kind", "gzip")


def iter_lines(stream: IO[bytes], path: str, first_line_no: int = 1, *, strip_bom: bool = True,
               max_bytes: int | None = None) -> Iterator[Line]:
    """Yield the lines of a binary stream (up to `max_bytes` of it) with their numbers, in bounded memory."""
    line_no = first_line_no - 1
    consumed = 0
    try:
        while max_bytes is None or consumed < max_bytes:
            first = strip_bom and line_no + 1 == first_line_no
            data = stream.readline(MAX_LINE_BYTES + 1 + (len(_BOM) if first else 0))  # a BOM is not the line's
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
        raise read_errors(path, line_no) from exc


def open_lines(path: str) -> Iterator[Line]:
    """Open `path` (a file, a .gz file, or - for stdin) and yield its lines."""
    stream = _open(path)
    try:
        yield from iter_lines(stream, path)
    finally:
        if path != STDIN:
            stream.close()


def _skip_line(read: object, path: str, line_no: int, so_far: int) -> tuple[int, bytes]:
    """Read past the rest of an over-long line in SCAN_BYTES blocks, keeping none of it: (its total length, what
    follows its newline in the last block read)."""
    total = so_far
    while True:
        block = read(SCAN_BYTES)  # type: ignore[operator]
        if not block:
            return total, b""
        newline = block.find(b"\n")
        if newline >= 0:
            return total + newline, block[newline + 1:]
        total += len(block)
        if total > MAX_SKIPPED_LINE_BYTES:
            where = f"{describe(path)}:{line_no}" if line_no else describe(path)
            raise InputError(f"{where}: more than {MAX_SKIPPED_LINE_BYTES // 2**30} GiB without a "
                             "line break: this is not a JSON Lines file (one JSON object per line)")


BINARY_NUL_SHARE = 0.01
"""A file whose first 64 KiB are more than 1% NUL bytes is binary (JSON text has none; a stray one is a bad line)."""


def _check_binary(block: bytes, path: str) -> None:
    if block.startswith(b"PK\x03\x04"):
        raise InputError(f"{describe(path)}: is a ZIP archive (an Excel workbook?), not a log; unzip it, or export "
                         "the sheet as CSV")
    head = block[:65536]
    if head.count(b"\x00") > BINARY_NUL_SHARE * len(head):
        raise InputError(f"{describe(path)}: holds NUL bytes, so it is binary, not JSON Lines text "
                         "(is it compressed with something other than gzip, or not a log?)")


def iter_chunks(source: LogSource, chunk_bytes: int = CHUNK_BYTES, max_bytes: int | None = None) -> Iterator[Chunk]:
    """Split input into chunks: byte ranges of a plain file, or blocks of lines read from gzip, stdin or memory.

    No read holds more than chunk_bytes + MAX_LINE_BYTES; `max_bytes` (decompressed) ends the input with an error.
    """
    name = source_name(source)
    if isinstance(source, str) and is_plain_file(source):
        try:
            yield from _plain_chunks(source, chunk_bytes)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
        return
    yield from _stream_chunks(source, chunk_bytes, max_bytes)


def _plain_chunks(source: str, chunk_bytes: int) -> Iterator[Chunk]:
    """Byte ranges of a plain file, each ending at a line end (found by scanning, never by reading a line whole)."""
    size = file_size(source)
    with open_ranged(source) as fh:
        head = fh.read(chunk_bytes)
        _check_head(head[:4], source)
        _check_binary(head, source)
        start = 0
        while start < size:
            fh.seek(min(start + chunk_bytes, size))
            if fh.tell() < size:
                _, rest = _skip_line(fh.read, source, 0, 0)  # to the end of the current line, in blocks
                fh.seek(-len(rest), os.SEEK_CUR)
            end = fh.tell()
            yield Chunk(source, -1, None, start, end)
            start = end


def _stream_chunks(source: LogSource, chunk_bytes: int, max_bytes: int | None,
                   opened: IO[bytes] | None = None) -> Iterator[Chunk]:
    """Blocks of whole lines read from gzip, zstd, stdin or memory (an over-long last line is marked, not kept);
    from `opened` when the caller opened the stream (and closes it)."""
    name = source_name(source)
    stream = opened or _open(source)
    try:
        line_no = 1
        carry = b""
        consumed = 0
        try:
            while True:
                block = carry + stream.read(max(chunk_bytes - len(carry), 1))
                carry = b""
                if not block:
                    return
                if line_no == 1:
                    _check_binary(block, name)
                long_line = 0
                if not block.endswith(b"\n"):
                    last = block.rfind(b"\n") + 1  # the start of the unfinished last line
                    tail = stream.readline(MAX_LINE_BYTES + 1 - (len(block) - last))
                    block += tail
                    if len(block) - last > MAX_LINE_BYTES and not block.endswith(b"\n"):
                        ends_at = line_no + block.count(b"\n", 0, last)
                        long_line, carry = _skip_line(stream.read, name, ends_at, len(block) - last)
                        block = block[:last + KEPT_OF_LONG_LINE]
                if line_no == 1 and block.startswith(_BOM):
                    block = block[len(_BOM):]
                    long_line = max(0, long_line - len(_BOM))
                consumed += len(block) + long_line
                if max_bytes is not None and consumed > max_bytes:
                    raise InputError(f"{name}: more than {max_bytes / 2**30:.0f} GiB once decompressed, over the limit "
                                     "for this input; run `fineadvisor estimate` on it from the command line")
                yield Chunk(name, line_no, block, last_line_bytes=long_line)
                line_no += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        except DECOMPRESSION_ERRORS as exc:
            raise read_errors(name, line_no - 1, compression_of(stream)) from exc
        except OSError as exc:
            raise InputError(f"{name}: cannot read after line {line_no - 1}: {exc.strerror or exc}") from None
    finally:
        if opened is None and not (isinstance(source, str) and source == STDIN):
            stream.close()


def _split(data: bytes, first: int, strip_bom: bool, last_line_bytes: int = 0) -> Iterator[Line]:
    """Lines of a block whose lines are at most MAX_LINE_BYTES (but its last, when `last_line_bytes` says it was
    longer), without copying them. Runs of blank lines are stepped over at byte-scan speed; when the block ends
    in one, an empty line with the last line's number is yielded, so that the caller knows where the block ends."""
    start = len(_BOM) if strip_bom and data.startswith(_BOM) else 0
    size = len(data)
    find = data.find
    white = _WHITE_RUN.match
    line_no = first
    while start < size:
        run = white(data, start)
        if run is not None:
            last_newline = data.rfind(b"\n", start, run.end())
            if last_newline >= 0:  # whole blank lines: step over them
                line_no += data.count(b"\n", start, last_newline + 1)
                start = last_newline + 1
                if start >= size:
                    yield Line(line_no - 1, data, size, size)
                continue
        end = find(b"\n", start)
        if end < 0:
            end = size
            if last_line_bytes:
                yield Line(line_no, data, start, end, last_line_bytes)
                return
        yield Line(line_no, data, start, end)
        line_no += 1
        start = end + 1


def chunk_lines(chunk: Chunk) -> Iterator[Line]:
    """The lines of one chunk, numbered from 1 when the chunk's first line number is not yet known."""
    first = chunk.first_line_no if chunk.first_line_no > 0 else 1
    if chunk.data is not None:
        yield from _split(chunk.data, first, False, chunk.last_line_bytes)
        return
    try:
        with open_ranged(chunk.path) as fh:
            fh.seek(chunk.start)
            if chunk.end - chunk.start <= MAX_LINE_BYTES:
                yield from _split(fh.read(chunk.end - chunk.start), first, chunk.start == 0)
            else:
                yield from iter_lines(fh, chunk.path, first, strip_bom=chunk.start == 0,
                                      max_bytes=chunk.end - chunk.start)
    except OSError as exc:  # the file changed or went away while it was read
        raise InputError(f"{describe(chunk.path)}: cannot read: {exc.strerror or exc}") from None


def parse_json(data: bytes) -> object:
    """Parse one line with orjson, falling back to the stdlib for what orjson rejects (big integers, NaN, lone
    surrogates); lone surrogates are replaced by U+FFFD (see `replace_surrogates`). Raises ValueError (with a
    position where the JSON is invalid) or UnicodeDecodeError."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "recursion" in str(exc).lower():
            raise ValueError(f"JSON nested deeper than {MAX_NESTING_DEPTH:,} levels") from None
    try:
        obj = json.loads(data)  # raises json.JSONDecodeError / UnicodeDecodeError with a position
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_NESTING_DEPTH:,} levels") from None
    fixed, n = replace_surrogates(obj)
    _repaired[0] += n
    return fixed


_repaired = [0]
"""Lone surrogates this process has replaced so far (read by the scan, chunk by chunk)."""


def surrogates_replaced() -> int:
    """How many lone surrogates `parse_json` has replaced in this process."""
    return _repaired[0]


MAX_NESTING_DEPTH = 1024
"""Deepest JSON nesting read (orjson's limit); a deeper line is skipped with this reason."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(obj: object) -> tuple[object, int]:
    """`obj` with every lone surrogate in its strings and keys replaced by U+FFFD, and how many were replaced.

    Iterative (the stdlib parser already bounded the depth), and a no-op copy-free walk when there are none.
    """
    count = 0

    def fix(s: str) -> str:
        nonlocal count
        fixed, n = _SURROGATE.subn("\ufffd", s)
        count += n
        return fixed

    if isinstance(obj, str):
        return fix(obj), count
    stack: list[object] = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                value = node[key]
                if isinstance(key, str) and _SURROGATE.search(key):
                    del node[key]
                    key = fix(key)
                    node[key] = value
                if isinstance(value, str):
                    if _SURROGATE.search(value):
                        node[key] = fix(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    if _SURROGATE.search(value):
                        node[i] = fix(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
    return obj, count
