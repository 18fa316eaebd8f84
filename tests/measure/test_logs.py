"""Unit tests of fineadvisor.measure.logs: line numbers, BOMs, long lines, gzip detection, chunking, JSON parsing."""

from __future__ import annotations

import gc
import gzip
import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from fineadvisor.errors import InputError
from fineadvisor.measure import logs
from fineadvisor.measure.logs import Chunk, chunk_lines, iter_chunks, iter_lines, open_lines, parse_json

BOM = b"\xef\xbb\xbf"



@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Free cyclic garbage at the end of each test, so a leaked file is blamed on the test that leaked it."""
    yield
    gc.collect()


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _numbered(lines: list[logs.Line]) -> list[tuple[int, bytes]]:
    return [(line.line_no, line.data) for line in lines]


# ---------------------------------------------------------------- numbering, BOM, blank lines


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\nb\nc\n", [(1, b"a"), (2, b"b"), (3, b"c")]),
        (b"a\nb", [(1, b"a"), (2, b"b")]),  # no final newline
        (b"a\r\nb\r\n", [(1, b"a\r"), (2, b"b\r")]),
        (b"", []),
        # blank lines keep their numbers
        (b"\n\n  \nx\n", [(1, b""), (2, b""), (3, b"  "), (4, b"x")]),
        (BOM + b"a\n" + BOM + b"b\n", [(1, b"a"), (2, BOM + b"b")]),  # BOM stripped on line 1 only
        (BOM, [(1, b"")]),
    ],
    ids=["plain", "no-final-newline", "crlf", "empty", "blank-lines", "bom-line-1-only", "bom-alone"],
)
def test_open_lines_numbers_every_physical_line(tmp_path: Path, data: bytes,
                                                expected: list[tuple[int, bytes]]) -> None:
    """open_lines yields each physical line (without its \\n) and 1-based number; a BOM is removed from line 1 only."""
    path = _write(tmp_path, "log.jsonl", data)
    assert _numbered(list(open_lines(path))) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\nb\nc\n", [(7, b"a"), (8, b"b"), (9, b"c")]),
        (b"a\nb", [(7, b"a"), (8, b"b")]),  # no final newline
        (b"a\r\nb\r\n", [(7, b"a\r"), (8, b"b\r")]),
        (b"\n\n  \nx\n", [(10, b"x")]),  # a run of blank lines is stepped over (at byte-scan speed)
        (b"x\n\n \n", [(7, b"x"), (9, b"")]),  # a block that ends in blank lines says where it ends
        (b"\n", [(7, b"")]),
        (b"", []),
    ],
    ids=["plain", "no-final-newline", "crlf", "blank-lines", "blank-at-end", "one-newline", "empty"],
)
def test_chunk_lines_refer_to_the_block_without_copying(data: bytes, expected: list[tuple[int, bytes]]) -> None:
    """Lines of a block are ranges of the block itself (no copy); `.data` gives each line's bytes."""
    lines = list(chunk_lines(Chunk("x", 7, data)))
    assert _numbered(lines) == expected
    assert all(line.buf is data and data[line.start:line.end] == line.data for line in lines)


def test_line_of_whole_bytes_gives_them_back() -> None:
    line = logs.Line.of(3, b"abc")
    assert (line.line_no, line.start, line.end, line.data, line.too_long_bytes) == (3, 0, 3, b"abc", 0)
    assert line.data is line.buf  # no copy when the line is its whole buffer


def test_iter_lines_first_line_no_and_strip_bom_flag() -> None:
    """iter_lines numbers from `first_line_no`, and keeps a leading BOM when strip_bom=False."""
    stream = io.BytesIO(BOM + b"a\nb\n")
    assert _numbered(list(iter_lines(stream, "x", 10, strip_bom=False))) == [(10, BOM + b"a"), (11, b"b")]
    stream = io.BytesIO(BOM + b"a\nb\n")
    assert _numbered(list(iter_lines(stream, "x", 10))) == [(10, b"a"), (11, b"b")]


def test_iter_lines_max_bytes_stops_at_line_end() -> None:
    """iter_lines with max_bytes stops once that many bytes are consumed, at a line end."""
    stream = io.BytesIO(b"aa\nbb\ncc\n")
    assert _numbered(list(iter_lines(stream, "x", max_bytes=4))) == [(1, b"aa"), (2, b"bb")]


# ---------------------------------------------------------------- long lines


@pytest.mark.parametrize(
    ("length", "too_long"),
    [(999, False), (1000, False), (1001, True), (5000, True)],
)
def test_line_over_max_line_bytes_is_flagged_and_next_line_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, length: int, too_long: bool
) -> None:
    """A line over MAX_LINE_BYTES yields too_long_bytes, not its data; the next line keeps its number."""
    monkeypatch.setattr(logs, "MAX_LINE_BYTES", 1000)
    path = _write(tmp_path, "log.jsonl", b"first\n" + b"x" * length + b"\nafter\nlast\n")
    lines = list(open_lines(path))
    assert [line.line_no for line in lines] == [1, 2, 3, 4]
    assert lines[2].data == b"after" and lines[3].data == b"last"
    assert lines[2].too_long_bytes == lines[3].too_long_bytes == 0
    long_line = lines[1]
    if too_long:
        assert long_line.too_long_bytes in (length, length + 1)  # with or without its newline
        assert len(long_line.data) <= 1000
        assert long_line.data.startswith(b"xxx")
    else:
        assert long_line.too_long_bytes == 0
        assert long_line.data == b"x" * length


def test_too_long_last_line_without_newline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A too-long final line with no newline is flagged and ends the stream cleanly."""
    monkeypatch.setattr(logs, "MAX_LINE_BYTES", 1000)
    path = _write(tmp_path, "log.jsonl", b"ok\n" + b"y" * 3000)
    lines = list(open_lines(path))
    assert [(line.line_no, line.too_long_bytes) for line in lines] == [(1, 0), (2, 3000)]


def test_too_long_line_in_gzip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long-line handling also works through the gzip reader."""
    monkeypatch.setattr(logs, "MAX_LINE_BYTES", 1000)
    path = _write(tmp_path, "log.jsonl.gz", gzip.compress(b"z" * 4000 + b"\nnext\n"))
    lines = list(open_lines(path))
    assert [line.line_no for line in lines] == [1, 2]
    assert lines[0].too_long_bytes >= 4000
    assert lines[1].data == b"next" and lines[1].too_long_bytes == 0


# ---------------------------------------------------------------- gzip detection


CONTENT = b'{"a": 1}\n{"b": 2}\n'


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plain.jsonl", CONTENT),
        ("gzipped-without-suffix.jsonl", gzip.compress(CONTENT)),
        ("plain-with-gz-suffix.jsonl.gz", CONTENT),
        ("real.jsonl.gz", gzip.compress(CONTENT)),
        ("bom-gzipped.jsonl.gz", gzip.compress(BOM + CONTENT)),
    ],
    ids=["plain", "gzipped-jsonl-name", "plain-gz-name", "gzipped-gz-name", "gzipped-with-bom"],
)
def test_gzip_detected_by_magic_bytes_not_name(tmp_path: Path, name: str, data: bytes) -> None:
    """Compression is decided by the first bytes, whatever the file name says."""
    path = _write(tmp_path, name, data)
    assert _numbered(list(open_lines(path))) == [(1, b'{"a": 1}'), (2, b'{"b": 2}')]
    assert logs.is_plain_file(path) == (not data.startswith(b"\x1f\x8b"))


# ---------------------------------------------------------------- chunking


def _lines_file(n: int, *, trailing_newline: bool = True, bom: bool = False) -> bytes:
    body = b"\n".join(b'{"n": %d, "pad": "%s"}' % (i, b"p" * (i % 37)) for i in range(1, n + 1))
    return (BOM if bom else b"") + body + (b"\n" if trailing_newline else b"")


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 100, 1000, 10**6])
@pytest.mark.parametrize("trailing_newline", [True, False])
def test_iter_chunks_plain_file_covers_every_byte_once(tmp_path: Path, chunk_bytes: int,
                                                       trailing_newline: bool) -> None:
    """Byte-range chunks of a plain file are contiguous, cover it exactly, and end on line ends."""
    data = _lines_file(200, trailing_newline=trailing_newline)
    path = _write(tmp_path, "log.jsonl", data)
    chunks = list(iter_chunks(path, chunk_bytes))
    assert chunks, "at least one chunk"
    assert all(c.data is None and c.first_line_no == -1 and c.path == path for c in chunks)
    assert chunks[0].start == 0
    assert chunks[-1].end == len(data)
    for prev, nxt in itertools.pairwise(chunks):
        assert prev.end == nxt.start
    for c in chunks:
        assert c.end > c.start
        if c.end < len(data):
            assert data[c.end - 1:c.end] == b"\n", f"chunk {c.start}-{c.end} does not end on a line end"
    assert b"".join(data[c.start:c.end] for c in chunks) == data
    if chunk_bytes < len(data):
        assert len(chunks) > 1


def test_iter_chunks_empty_plain_file(tmp_path: Path) -> None:
    """An empty plain file has no chunks."""
    assert list(iter_chunks(_write(tmp_path, "e.jsonl", b""), 64)) == []


@pytest.mark.parametrize("chunk_bytes", [1, 50, 333, 10**6])
@pytest.mark.parametrize("bom", [False, True])
def test_chunk_lines_on_byte_ranges_match_open_lines(tmp_path: Path, chunk_bytes: int, bom: bool) -> None:
    """Lines read chunk by chunk (numbered from 1 per chunk, then offset) equal the lines read in one pass."""
    data = _lines_file(150, bom=bom) + b"\n\n" + b'{"tail": true}'
    path = _write(tmp_path, "log.jsonl", data)
    every = _numbered(list(open_lines(path)))
    expected = [(n, data) for n, data in every if data.strip()]
    got: list[tuple[int, bytes]] = []
    offset = 0
    for chunk in iter_chunks(path, chunk_bytes):
        lines = list(chunk_lines(chunk))
        assert lines, "a chunk says at least where it ends"
        got += [(line.line_no + offset, line.data) for line in lines if line.data.strip()]
        offset += lines[-1].line_no  # byte-range chunks number their lines from 1; the last is the chunk's end
    assert got == expected  # every line that is not blank, with its number
    assert offset == len(every)
    assert not got[0][1].startswith(BOM)


@pytest.mark.parametrize("chunk_bytes", [1, 50, 10**6])
def test_iter_chunks_gzip_yields_numbered_blocks(tmp_path: Path, chunk_bytes: int) -> None:
    """A gzip file is split into blocks of whole lines carrying the number of their first line."""
    plain = BOM + _lines_file(120)
    path = _write(tmp_path, "log.jsonl.gz", gzip.compress(plain))
    chunks = list(iter_chunks(path, chunk_bytes))
    assert all(c.data is not None for c in chunks)
    assert b"".join(c.data or b"" for c in chunks) == plain[len(BOM):]
    got: list[tuple[int, bytes]] = []
    for chunk in chunks:
        assert (chunk.data or b"").endswith(b"\n")
        lines = list(chunk_lines(chunk))
        assert lines[0].line_no == chunk.first_line_no
        got += _numbered(lines)
    assert got == [(n, d) for n, d in _numbered(list(open_lines(path))) if d.strip()]


def test_chunk_lines_data_chunk_keeps_bom_after_line_one() -> None:
    """A data chunk that does not start the file does not strip a BOM (it would be a real byte of line N)."""
    chunk = Chunk("x", 5, BOM + b"a\nb\n")
    assert _numbered(list(chunk_lines(chunk))) == [(5, BOM + b"a"), (6, b"b")]


def test_chunk_lines_byte_range_in_middle(tmp_path: Path) -> None:
    """A byte-range chunk reads only its own range."""
    data = b"one\ntwo\nthree\nfour\n"
    path = _write(tmp_path, "log.jsonl", data)
    start = data.index(b"two")
    end = data.index(b"four")
    assert _numbered(list(chunk_lines(Chunk(path, -1, None, start, end)))) == [(1, b"two"), (2, b"three")]


# ---------------------------------------------------------------- parse_json


@pytest.mark.parametrize(("data", "expected"), [
    (b'{"text": "\\ud83d"}', {"text": "\ufffd"}),  # orjson rejects a lone surrogate escape: stdlib, then repaired
    (b'{"r\\udc00le": ["a\\ud800b", {"k": "\\udfff"}]}', {"r\ufffdle": ["a\ufffdb", {"k": "\ufffd"}]}),
    (b'{"ok": "\\ud83d\\ude00"}', {"ok": "\U0001f600"}),  # a surrogate pair is one character, untouched
    (b'{"n": -Infinity}', {"n": float("-inf")}),  # not JSON, but Python's json writes it: the stdlib reads it
])
def test_parse_json_falls_back_to_stdlib_and_replaces_lone_surrogates(data: bytes, expected: object) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(data) if b"ude00" not in data else orjson.loads(b"[")
    assert parse_json(data) == expected


@pytest.mark.parametrize("depth", [1025, 5000])
def test_parse_json_refuses_deep_nesting_with_a_reason(depth: int) -> None:
    with pytest.raises(ValueError, match="nested deeper than 1,024 levels"):
        parse_json(b"[" * depth + b"]" * depth)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"a": [1, 2.5, null, true]}\n', {"a": [1, 2.5, None, True]}),
        (b'"caf\xc3\xa9"', "café"),
        (b"42", 42),
    ],
)
def test_parse_json_valid(data: bytes, expected: object) -> None:
    """Valid JSON lines parse to Python values."""
    assert parse_json(data) == expected


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b'{"a": ', json.JSONDecodeError),
        (b"", json.JSONDecodeError),
        (b'{"a": "caf\xe9"}', UnicodeDecodeError),
    ],
    ids=["truncated", "empty", "latin-1"],
)
def test_parse_json_invalid_raises_value_error(data: bytes, error: type[Exception]) -> None:
    """Invalid lines raise the stdlib error (a ValueError) with a position."""
    with pytest.raises(error):
        parse_json(data)


# ---------------------------------------------------------------- errors


def _utf16(tmp_path: Path) -> str:
    return _write(tmp_path, "u16.jsonl", '{"messages": []}\n'.encode("utf-16"))


def _utf16_be(tmp_path: Path) -> str:
    return _write(tmp_path, "u16be.jsonl", b"\xfe\xff" + '{"messages": []}\n'.encode("utf-16-be"))


def _directory(tmp_path: Path) -> str:
    (tmp_path / "dir.jsonl").mkdir()
    return str(tmp_path / "dir.jsonl")


def _missing(tmp_path: Path) -> str:
    return str(tmp_path / "missing.jsonl")


def _truncated_gzip(tmp_path: Path) -> str:
    data = gzip.compress(_lines_file(500))
    return _write(tmp_path, "cut.jsonl.gz", data[: len(data) // 2])


def _gzip_without_trailer(tmp_path: Path) -> str:
    return _write(tmp_path, "cut.jsonl.gz", gzip.compress(b'{"a": 1}\n')[:-8])


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        (_directory, "is a directory"),
        (_missing, "no such file"),
        (_utf16, "UTF-16"),
        (_utf16_be, "UTF-16"),
        (_truncated_gzip, "gzip stream is truncated or corrupt"),
        (_gzip_without_trailer, "gzip stream is truncated or corrupt"),
    ],
    ids=["directory", "missing", "utf-16-le", "utf-16-be", "truncated-gzip", "gzip-no-trailer"],
)
def test_open_lines_errors(tmp_path: Path, builder: object, message: str) -> None:
    """Unreadable inputs raise InputError naming the file and what to do."""
    assert callable(builder)
    path = builder(tmp_path)
    with pytest.raises(InputError, match=message) as info:
        list(open_lines(path))
    assert path in str(info.value)


def test_truncated_gzip_iter_chunks_raises_input_error(tmp_path: Path) -> None:
    """Chunking a truncated gzip raises InputError, not EOFError."""
    path = _truncated_gzip(tmp_path)
    with pytest.raises(InputError, match="truncated or corrupt"):
        list(iter_chunks(path, 64))


def test_describe_and_file_size(tmp_path: Path) -> None:
    """stdin is named <stdin> and has size 0; a missing file has size 0."""
    assert logs.describe("-") == "<stdin>"
    assert logs.describe("a.jsonl") == "a.jsonl"
    assert logs.file_size("-") == 0
    assert logs.file_size(str(tmp_path / "nope")) == 0
    assert logs.file_size(_write(tmp_path, "f", b"12345")) == 5


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("reader", ["open_lines", "iter_chunks", "open_lines-stopped-early"])
def test_input_files_are_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gzipped: bool,
                                reader: str) -> None:
    """Every file handle the reader opens is closed when it is done (also behind a gzip reader)."""
    data = _lines_file(50)
    path = _write(tmp_path, "log.jsonl", gzip.compress(data) if gzipped else data)
    opened: list[io.BufferedReader] = []

    def spy_open(file: str, mode: str = "r") -> io.BufferedReader:
        fh = open(file, mode)  # noqa: SIM115 - checked below
        assert isinstance(fh, io.BufferedReader)
        opened.append(fh)
        return fh

    monkeypatch.setattr(logs, "open", spy_open, raising=False)
    try:
        if reader == "open_lines":
            list(open_lines(path))
        elif reader == "iter_chunks":
            list(iter_chunks(path, 100))
        else:
            lines = open_lines(path)
            next(lines)
            lines.close()
        assert opened
        leaked = [fh.name for fh in opened if not fh.closed]
        assert not leaked, f"{reader} left {leaked} open"
    finally:
        for fh in opened:
            fh.close()
