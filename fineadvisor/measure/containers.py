"""What holds the records: JSON Lines (plain, gzip, zstd), one JSON document, CSV or Parquet — told by content.

JSON Lines go to `logs` as before (byte ranges of a plain file for the workers, blocks of a stream). Every other
container is turned into the same chunks of one-record JSON lines, numbered by record (documents) or row (CSV,
Parquet), so that the readers, the counting and the error messages are the same for all of them. Memory stays
bounded: documents are streamed item by item (ijson), CSV row by row, Parquet batch by batch, and no record may be
larger than MAX_LINE_BYTES.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any, Literal, NamedTuple

import orjson

from fineadvisor.errors import InputError
from fineadvisor.measure import storage
from fineadvisor.measure.logs import (
    _BOM,
    CHUNK_BYTES,
    DECOMPRESSION_ERRORS,
    MAX_LINE_BYTES,
    STDIN,
    Chunk,
    LogSource,
    MemoryLog,
    _open,
    _plain_chunks,
    _stream_chunks,
    compression_of,
    is_plain_file,
    read_errors,
    source_name,
)
from fineadvisor.measure.sources import source_of

SNIFF_BYTES = 1024 * 1024
"""How much of the start of an input is read to tell its container."""
PARQUET_MAGIC = b"PAR1"
WRAPPER_KEYS = ("data", "results", "batch", "resourceSpans", "runs", "observations", "generations", "records",
                "items", "requests", "rows", "logs", "spans", "events", "logEvents")
"""Keys under which exports hold their list of records: Langfuse/Helicone/OpenRouter API responses (`data`), promptfoo
(`results.results`), Langfuse ingestion (`batch`), OTLP (`resourceSpans`), CloudWatch Logs (`events` of
filter-log-events output, `logEvents` of subscription payloads), and common generic names."""
MAX_OPENING_LINE = 256
"""Longest first line of a pretty-printed document (`{`, `{"data": [`, …); a longer cut-short first line is a broken
JSON Lines record, reported on its own line."""
ROWS_PER_BATCH = 1024
"""Parquet rows read at a time."""
_INT = re.compile(r"-?\d{1,18}")
_HEADER_CELL = re.compile(r"[A-Za-z_][\w.\-/ ]*")

Kind = Literal["jsonl", "json_document", "csv", "parquet"]


class Layout(NamedTuple):
    """How an input holds its records."""

    kind: Kind
    prefix: str = ""
    """For a JSON document: the ijson path of the records (`item` for a top-level array, `data.item`, …; empty
    when the whole document is one record)."""


def read_chunks(source: LogSource, chunk_bytes: int = CHUNK_BYTES, max_bytes: int | None = None) -> Iterator[Chunk]:
    """The chunks of any input, whatever its container (see the module docstring)."""
    name = source_name(source)
    if _is_parquet(source):
        yield from _parquet_chunks(source, name, chunk_bytes)
        return
    if isinstance(source, str) and is_plain_file(source):
        with _opened(source) as fh:
            head = fh.read(SNIFF_BYTES)
        layout = sniff(head, len(head) < SNIFF_BYTES, name)
        if layout.kind == "jsonl":
            try:
                yield from _plain_chunks(source, chunk_bytes)
            except OSError as exc:
                raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
            return
    stream = _open(source)
    try:
        try:
            head = stream.read(SNIFF_BYTES)
        except DECOMPRESSION_ERRORS as exc:
            raise read_errors(name, 0, compression_of(stream)) from exc
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
        layout = sniff(head, len(head) < SNIFF_BYTES, name)
        whole = io.BufferedReader(_Prefixed(head, stream), CHUNK_BYTES)
        if layout.kind == "jsonl":
            yield from _stream_chunks(source, chunk_bytes, max_bytes, whole)
            return
        try:
            if layout.kind == "csv":
                yield from _csv_chunks(whole, name, chunk_bytes, max_bytes)
            else:
                yield from _document_chunks(whole, name, layout.prefix, chunk_bytes, max_bytes)
        except DECOMPRESSION_ERRORS as exc:
            kind = compression_of(stream)
            raise InputError(f"{name}: the {kind} stream is truncated or corrupt; re-download or re-compress the "
                             f"file ({kind} -t checks it)") from exc
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    finally:
        if not (isinstance(source, str) and source == STDIN):
            stream.close()


def is_plain_json_lines(source: LogSource) -> bool:
    """True for an uncompressed file or object of JSON Lines: the input whose lines byte offsets can draw (a JSON
    document's or a CSV file's records are not its lines)."""
    if not (isinstance(source, str) and is_plain_file(source)) or _is_parquet(source):
        return False
    try:
        with _opened(source) as fh:
            head = fh.read(SNIFF_BYTES)
    except (OSError, InputError):
        return False  # reading it again says why, in words
    return sniff(head, len(head) < SNIFF_BYTES, source_name(source)).kind == "jsonl"


def _opened(path: str) -> IO[bytes]:
    if storage.is_url(path):
        return storage.open_url(path)
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from None


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read: serves them again, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


# ---------------------------------------------------------------- telling the container


def sniff(head: bytes, complete: bool, name: str) -> Layout:
    """The container of an input from its first bytes (`complete` when they are the whole input)."""
    text = head[len(_BOM):] if head.startswith(_BOM) else head
    body = text.lstrip()
    if not body:
        return Layout("jsonl")
    if body[:1] not in (b"{", b"["):
        return Layout("csv") if _looks_csv(body, name) else Layout("jsonl")
    array = body[:1] == b"["
    newline = body.find(b"\n")
    first = body if newline < 0 else body[:newline]
    rest = b"" if newline < 0 else body[newline + 1:]
    try:
        obj = orjson.loads(first)
    except orjson.JSONDecodeError:
        obj = None
    if obj is not None:
        if rest.strip():
            return Layout("jsonl")  # several lines, the first a whole value: JSON Lines
        if isinstance(obj, list):  # an array of records on one line; anything else is one bad JSON Lines line
            records = bool(obj) and all(isinstance(item, dict) for item in obj[:10])
            return Layout("json_document", "item") if records else Layout("jsonl")
        if not isinstance(obj, dict) or source_of(obj) is not None:
            return Layout("jsonl")  # one record, or a container the registry expands (and merges) itself
        prefix = _records_path(obj)
        return Layout("json_document", prefix) if prefix else Layout("jsonl")
    if newline < 0 and not complete:
        if array:
            return Layout("json_document", "item")
        found, keys = _streamed_records_path(body)  # one long line: a minified export, or a long JSON Lines record
        return Layout("json_document", found) if found and not _is_one_object(keys) else Layout("jsonl")
    opener = first.strip() in (b"{", b"[") or (
        len(first) <= MAX_OPENING_LINE and _is_cut_short(first) and _continues_a_document(rest))
    if newline >= 0 and opener:
        if array:
            return Layout("json_document", "item")
        found, keys = _streamed_records_path(body)  # a pretty-printed document
        return Layout("json_document", "" if _is_one_object(keys) else found or "")
    return Layout("jsonl")  # a broken first line: each line is reported on its own


WHOLE_DOCUMENT_KEYS = frozenset({"batch"})
"""Wrapper keys whose records must be read together, as one object: a Langfuse ingestion request's create and
update events are merged by the registry's batch reader."""


def _is_one_object(top_keys: set[str]) -> bool:
    """Whether a document's top-level keys say it is one record (a LangSmith run with its `events` list, a Langfuse
    trace with its observations) or a request to be read whole, rather than a wrapper to stream item by item."""
    from fineadvisor.measure.sources import NEEDS

    record_keys = set().union(*(keys for source, keys in NEEDS.items() if source.expand is None))
    return not top_keys.isdisjoint(record_keys) or not top_keys.isdisjoint(WHOLE_DOCUMENT_KEYS)


def _looks_csv(body: bytes, name: str) -> bool:
    base = name.lower().removesuffix(".gz").removesuffix(".zst")
    if base.endswith((".csv", ".tsv")):
        return True
    header = body.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(",")
    return len(header) >= 3 and all(_HEADER_CELL.fullmatch(cell.strip().strip('"')) for cell in header)


def _continues_a_document(rest: bytes) -> bool:
    """Whether the line after a cut-short first line goes on inside one value (indented, or a key, or a closing
    bracket), as in a pretty-printed document, rather than starting a new record as in JSON Lines."""
    second = rest.lstrip(b"\r\n").split(b"\n", 1)[0]
    inner = second.lstrip()
    return bool(inner) and (second[:1] in (b" ", b"\t") or inner[:1] in (b'"', b"}", b"]"))


def _is_cut_short(line: bytes) -> bool:
    """Whether a line fails to parse only because the JSON value goes on after it."""
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return "unexpected end" in str(exc).lower() or "eof" in str(exc).lower() or exc.pos >= len(line.rstrip())
    return False


def _records_path(obj: Mapping[str, Any], path: str = "", depth: int = 0) -> str:
    """The ijson path of the list of records a parsed wrapper object holds ('' when it holds none)."""
    for key in WRAPPER_KEYS:
        value = obj.get(key)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:10]):
            return f"{path}{key}.item"
        if isinstance(value, dict) and depth < 2:
            inner = _records_path(value, f"{path}{key}.", depth + 1)
            if inner:
                return inner
    return ""


def _streamed_records_path(body: bytes) -> tuple[str | None, set[str]]:
    """From the start of a document: the path of its first list of objects under a wrapper key ('' when none is
    seen; None when the start is not JSON), and the top-level keys seen."""
    import ijson

    wrappers = set(WRAPPER_KEYS)
    found: str | None = None
    keys: set[str] = set()
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(body)):
            if event == "map_key" and prefix == "":
                keys.add(str(value))
            elif found is None and event == "start_map" and prefix.endswith(".item"):
                parent = prefix.removesuffix(".item").rsplit(".", 1)[-1]
                if parent in wrappers and prefix.count(".") <= 3:
                    found = str(prefix)
    except ijson.IncompleteJSONError:
        pass
    except ijson.JSONError:
        return None, keys
    return found or "", keys


# ---------------------------------------------------------------- JSON documents


class _Bounded(io.RawIOBase):
    """A reader that refuses to read more than `limit` bytes between two calls of `mark` (one record)."""

    def __init__(self, stream: IO[bytes], name: str, max_bytes: int | None) -> None:
        self._stream = stream
        self._name = name
        self._max_bytes = max_bytes
        self.total = 0
        self._since = 0
        self.record = 1

    def readable(self) -> bool:
        return True

    def mark(self) -> None:
        self._since = 0
        self.record += 1

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self.total += len(data)
        self._since += len(data)
        if self._since > MAX_LINE_BYTES + SNIFF_BYTES:
            raise InputError(f"{self._name}: record {self.record:,} of this JSON document is over "
                             f"{MAX_LINE_BYTES // 2**20} MiB, over the limit for one record; is it a log?")
        if self._max_bytes is not None and self.total > self._max_bytes:
            raise InputError(f"{self._name}: more than {self._max_bytes / 2**30:.0f} GiB once decompressed, over "
                             "the limit for this input; run `fineadvisor estimate` on it from the command line")
        buffer[:len(data)] = data
        return len(data)


def _document_chunks(stream: IO[bytes], name: str, prefix: str, chunk_bytes: int,
                     max_bytes: int | None) -> Iterator[Chunk]:
    import ijson

    if stream.peek(3)[:3] == _BOM:  # type: ignore[attr-defined]
        stream.read(3)
    bounded = _Bounded(stream, name, max_bytes)
    items = ijson.items(io.BufferedReader(bounded, 64 * 1024), prefix, use_float=True)

    def records() -> Iterator[bytes]:
        try:
            for item in items:
                bounded.mark()
                if not prefix:
                    _check_one_record(item, name)
                yield _line_of(item)
        except ijson.IncompleteJSONError:
            raise InputError(f"{name}: the JSON document ends early, in or after record {bounded.record:,}; is the "
                             "file complete?") from None
        except ijson.JSONError as exc:
            raise InputError(f"{name}: not valid JSON in or after record {bounded.record:,} of the document: "
                             f"{str(exc)[:200]}") from None

    yield from _chunks_of(records(), name, chunk_bytes, "record")


def _check_one_record(document: object, name: str) -> None:
    """A document that is one object must be one record of a known format; otherwise say what the file is."""
    if isinstance(document, dict) and source_of(document) is None:
        keys = ", ".join(sorted(map(str, document))[:10]) or "none"
        raise InputError(f"{name}: is one JSON document (an object with keys: {keys}), not JSON Lines; it holds no "
                         f"list of records under {', '.join(WRAPPER_KEYS[:6])}, … and is not a record of a known "
                         "format (run `fineadvisor formats` to list them)")


def _line_of(value: object) -> bytes:
    """One record as a JSON line (decimals, bytes and other exported types as their text)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=_plain)
    except orjson.JSONEncodeError:
        return b"null"  # e.g. nesting deeper than orjson writes: reported as "not a JSON object" on its line


def _plain(value: object) -> object:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float | int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return str(value)


def _chunks_of(lines: Iterable[bytes], name: str, chunk_bytes: int, unit: str) -> Iterator[Chunk]:
    """Group one-record lines into chunks (a record too long for a line is kept as a marked stub)."""
    block: list[bytes] = []
    size = 0
    first = 1
    number = 0
    for line in lines:
        number += 1
        if len(line) > MAX_LINE_BYTES:
            if block:
                yield Chunk(name, first, b"\n".join(block) + b"\n", unit=unit)
            yield Chunk(name, number, line[:200], last_line_bytes=len(line), unit=unit)
            block, size, first = [], 0, number + 1
            continue
        block.append(line)
        size += len(line) + 1
        if size >= chunk_bytes:
            yield Chunk(name, first, b"\n".join(block) + b"\n", unit=unit)
            block, size, first = [], 0, number + 1
    if block:
        yield Chunk(name, first, b"\n".join(block) + b"\n", unit=unit)


# ---------------------------------------------------------------- CSV and Parquet


def row_object(row: Mapping[str, object]) -> dict[str, Any]:
    """One exported row as the object the readers expect: empty cells dropped, cells holding JSON (objects, lists)
    parsed, integer strings as integers, and dotted column names (`usage.input`) nested."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or value == "":
            continue
        if isinstance(value, str):
            value = _cell(value)
        elif isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        target = out
        parts = str(key).split(".")
        for part in parts[:-1]:
            nested = target.get(part)
            if not isinstance(nested, dict):
                nested = target[part] = {}
            target = nested
        target[parts[-1]] = value
    return out


def _cell(text: str) -> object:
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        try:
            return orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return text
    if _INT.fullmatch(stripped):
        return int(stripped)
    return text


def _csv_chunks(stream: IO[bytes], name: str, chunk_bytes: int, max_bytes: int | None) -> Iterator[Chunk]:
    csv.field_size_limit(MAX_LINE_BYTES)
    bounded = _Bounded(stream, name, max_bytes)
    text = io.TextIOWrapper(io.BufferedReader(bounded, 64 * 1024), encoding="utf-8-sig", errors="replace",
                            newline="")
    dialect = "excel-tab" if name.lower().removesuffix(".gz").removesuffix(".zst").endswith(".tsv") else "excel"
    reader = csv.DictReader(text, dialect=dialect)

    def rows() -> Iterator[bytes]:
        try:
            for row in reader:
                bounded.mark()
                row.pop(None, None)  # cells beyond the header
                yield _line_of(row_object(row))
        except csv.Error as exc:
            raise InputError(f"{name}: not readable as CSV at line {reader.line_num:,}: {exc}") from None

    yield from _chunks_of(rows(), name, chunk_bytes, "row")


def _is_parquet(source: LogSource) -> bool:
    if isinstance(source, MemoryLog):
        return source.data[:4] == PARQUET_MAGIC
    if source != STDIN and storage.is_url(source):
        try:
            with storage.open_url(source) as fh:
                return fh.read(4) == PARQUET_MAGIC
        except InputError:
            return False  # opening it again reports why, in words
    if source == STDIN or not os.path.isfile(source):
        return False
    try:
        with open(source, "rb") as fh:
            return fh.read(4) == PARQUET_MAGIC
    except OSError:
        return False


def _parquet_chunks(source: LogSource, name: str, chunk_bytes: int) -> Iterator[Chunk]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(io.BytesIO(source.data) if isinstance(source, MemoryLog) else
                                storage.open_seekable(source) if storage.is_url(source) else source)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{name}: starts like a Parquet file but cannot be read as one ({str(exc)[:200]})") from None

    def rows() -> Iterator[bytes]:
        try:
            for batch in handle.iter_batches(batch_size=ROWS_PER_BATCH):
                for row in batch.to_pylist():
                    yield _line_of(row_object(row))
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{name}: the Parquet file is damaged ({str(exc)[:200]})") from None

    with handle:
        yield from _chunks_of(rows(), name, chunk_bytes, "row")


_YAML_KEY = re.compile(rb"^[A-Za-z_][\w.\- ]*:( |$)", re.MULTILINE)
_TOML_LINE = re.compile(rb"^(\[[\w.\- \"]+\]|[A-Za-z_][\w.\-]* *= )", re.MULTILINE)


def looks_like(source: LogSource) -> str | None:
    """What a file that is not JSON looks like ("an HTML or XML page", "YAML", …), from its first bytes; None when it
    starts like JSON or cannot be read."""
    if isinstance(source, str) and source == STDIN:
        return None
    try:
        stream = _open(source)
    except InputError:
        return None
    try:
        head = stream.read(4096)
    except (OSError, *DECOMPRESSION_ERRORS):
        return None
    finally:
        stream.close()
    body = (head[len(_BOM):] if head.startswith(_BOM) else head).lstrip()
    if not body or body[:1] in (b"{", b"["):
        return None
    if body[:1] == b"<":
        return "an HTML or XML page"
    if body.startswith(b"---") or len(_YAML_KEY.findall(body)) >= 2:
        return "YAML"
    if len(_TOML_LINE.findall(body)) >= 2:
        return "TOML or INI"
    return "plain text"
