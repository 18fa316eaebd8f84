"""Read, parse and count every line of the logs, in worker processes when the input is large.

Each worker parses its chunk (orjson, stdlib fallback), normalises records and counts them with its own
string cache; the parent receives compact `RecordTokens` in file order, numbers lines, joins Batch API
input and output lines by `custom_id`, and hands records on. Memory stays bounded by the chunk size.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace

from fineadvisor.encodings import DEFAULT_MODEL, EncodingChoice, choose_encoding
from fineadvisor.errors import FineAdvisorError, LogFormatError
from fineadvisor.formats import RecordError, to_record
from fineadvisor.logs import (
    MAX_LINE_BYTES,
    Chunk,
    Line,
    describe,
    file_size,
    is_plain_file,
    iter_chunks,
    parse_json,
)
from fineadvisor.tokens import RecordCounter, RecordTokens

PARALLEL_MIN_BYTES = 16 * 1024 * 1024
"""Inputs smaller than this (uncompressed bytes on disk) are counted in-process: starting workers costs more."""
MAX_PENDING_BATCH = 200_000
"""Batch API lines waiting for their partner (input ↔ output) before they are taken as they are."""


@dataclass(frozen=True, slots=True)
class BadLine:
    """A skipped line: where it is, why, and the cookbook format-error type if one applies."""

    path: str
    line_no: int
    reason: str
    issue: str | None = None

    def __str__(self) -> str:
        return f"{describe(self.path)}:{self.line_no}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What a worker returns for one chunk; line numbers are relative when the chunk's start was unknown."""

    lines: int
    records: list[RecordTokens]
    bad: list[BadLine]
    approximate: dict[str, str]
    """Encoding reasons by model for records counted approximately."""


def _describe_json_error(line: Line, exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return (f"not valid UTF-8 (byte 0x{line.data[exc.start]:02x} at column {exc.start + 1}); "
                "save the file as UTF-8")
    if isinstance(exc, json.JSONDecodeError):
        text = line.data.rstrip(b"\r\n")
        if exc.pos >= len(text.decode("utf-8", "replace")) - 1 and text.strip():
            return f"invalid JSON: the line ends before the JSON does ({exc.msg}); is the line truncated?"
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    return f"invalid JSON: {exc}"


class LineCounter:
    """Turns lines into `RecordTokens`, choosing the encoding per record's model unless one is forced."""

    def __init__(self, model: str | None) -> None:
        self.forced = choose_encoding(model) if model else None
        self.default = choose_encoding(DEFAULT_MODEL)
        self._counters: dict[str, RecordCounter] = {}
        self.approximate: dict[str, str] = {}

    def _counter(self, model: str | None) -> RecordCounter:
        choice: EncodingChoice = self.forced or (choose_encoding(model) if model else self.default)
        if choice.approximate:
            self.approximate.setdefault(choice.model, choice.reason)
        key = f"{choice.encoding}|{choice.base_model}"
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = RecordCounter(choice)
        return counter

    def count_line(self, path: str, line: Line) -> RecordTokens | BadLine | None:
        """One line → its token counts, a `BadLine`, or None for a blank line."""
        if line.too_long_bytes:
            return BadLine(path, line.line_no, f"line is {line.too_long_bytes / 1e6:.1f} MB, over the "
                           f"{MAX_LINE_BYTES // (1024 * 1024)} MiB limit for one record; is this a JSON Lines "
                           "file (one JSON object per line)?")
        if not line.data.strip():
            return None
        try:
            obj = parse_json(line.data)
        except (ValueError, UnicodeDecodeError) as exc:
            return BadLine(path, line.line_no, _describe_json_error(line, exc), "data_type")
        try:
            rec = to_record(obj, line.line_no)
        except RecordError as exc:
            return BadLine(path, line.line_no, str(exc), exc.issue)
        return self._counter(rec.model).count(rec)


_worker: LineCounter | None = None


def _init_worker(model: str | None) -> None:
    global _worker
    _worker = LineCounter(model)


def count_chunk(chunk: Chunk, counter: LineCounter | None = None) -> ChunkResult:
    """Count every line of one chunk (in a worker, or in-process when `counter` is given)."""
    lc = counter or _worker
    assert lc is not None, "worker not initialised"
    from fineadvisor.logs import chunk_lines

    records: list[RecordTokens] = []
    bad: list[BadLine] = []
    n = 0
    for line in chunk_lines(chunk):
        n = line.line_no
        out = lc.count_line(chunk.path, line)
        if isinstance(out, BadLine):
            bad.append(out)
        elif out is not None:
            records.append(out)
    first = chunk.first_line_no if chunk.first_line_no > 0 else 1
    return ChunkResult(n - first + 1 if n else 0, records, bad, dict(lc.approximate))


@dataclass(frozen=True, slots=True)
class ScanItem:
    """One unit of the scan's output stream: a counted record, or a skipped line."""

    record: RecordTokens | None = None
    bad: BadLine | None = None


class Scanner:
    """Streams `ScanItem`s for a list of log paths, in file order, with Batch API lines joined."""

    def __init__(self, paths: Sequence[str], *, model: str | None = None, strict: bool = False,
                 workers: int | None = None, progress: Callable[[int, int], None] | None = None) -> None:
        self.paths = list(paths)
        self.model = model
        self.strict = strict
        self.workers = workers
        self.progress = progress
        self.approximate: dict[str, str] = {}
        self.lines_read = 0

    def _want_workers(self) -> int:
        if self.workers is not None:
            return max(1, self.workers)
        total = 0
        for p in self.paths:
            size = file_size(p)
            total += size if is_plain_file(p) else size * 6  # gzip of JSON ≈ 6:1
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return min(2, cpus) if total >= PARALLEL_MIN_BYTES and cpus > 1 else 1

    def __iter__(self) -> Iterator[ScanItem]:
        n_workers = self._want_workers()
        total_bytes = sum(file_size(p) for p in self.paths)
        done_bytes = 0
        pending: dict[str, RecordTokens] = {}
        executor: Executor | None = None
        local = LineCounter(self.model) if n_workers == 1 else None
        if n_workers > 1:
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in
                                              multiprocessing.get_all_start_methods() else "spawn")
            executor = ProcessPoolExecutor(n_workers, mp_context=ctx, initializer=_init_worker,
                                           initargs=(self.model,))
        try:
            for path in self.paths:
                offset = 0
                for chunk, result in self._results(path, executor, local, n_workers):
                    base = offset if chunk.first_line_no < 0 else 0
                    offset += result.lines if chunk.first_line_no < 0 else 0
                    self.lines_read += result.lines
                    self.approximate.update(result.approximate)
                    items: list[ScanItem] = []
                    for bad in result.bad:
                        items.append(ScanItem(bad=replace(bad, line_no=bad.line_no + base) if base else bad))
                    for rec in result.records:
                        items.append(ScanItem(record=replace(rec, line_no=rec.line_no + base) if base else rec))
                    items.sort(key=lambda it: it.record.line_no if it.record else it.bad.line_no)  # type: ignore[union-attr]
                    for item in items:
                        if item.bad is not None:
                            if self.strict:
                                raise LogFormatError(describe(item.bad.path), item.bad.line_no, item.bad.reason)
                            yield item
                        elif item.record is not None:
                            yield from self._join(item.record, pending)
                    if chunk.data is not None:
                        done_bytes += len(chunk.data)
                    else:
                        done_bytes += chunk.end - chunk.start
                    if self.progress:
                        self.progress(min(done_bytes, total_bytes), total_bytes)
            for rec in pending.values():
                yield ScanItem(record=rec)
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    def _results(self, path: str, executor: Executor | None, local: LineCounter | None,
                 n_workers: int) -> Iterator[tuple[Chunk, ChunkResult]]:
        chunks = iter_chunks(path)
        if executor is None:
            assert local is not None
            for chunk in chunks:
                yield chunk, count_chunk(chunk, local)
            return
        window: list[tuple[Chunk, object]] = []
        for chunk in chunks:
            window.append((chunk, executor.submit(count_chunk, chunk)))
            if len(window) >= 2 * n_workers:
                c, fut = window.pop(0)
                yield c, _result(fut)
        for c, fut in window:
            yield c, _result(fut)

    def _join(self, rec: RecordTokens, pending: dict[str, RecordTokens]) -> Iterator[ScanItem]:
        if rec.custom_id is None or rec.source not in ("batch_input", "batch_output"):
            yield ScanItem(record=rec)
            return
        other = pending.pop(rec.custom_id, None)
        if other is None or other.source == rec.source:
            if other is not None:
                yield ScanItem(record=other)
            pending[rec.custom_id] = rec
            if len(pending) > MAX_PENDING_BATCH:
                oldest = next(iter(pending))
                yield ScanItem(record=pending.pop(oldest))
            return
        inp, out = (rec, other) if rec.source == "batch_input" else (other, rec)
        yield ScanItem(record=replace(inp, usage=out.usage, output_tokens=out.output_tokens,
                                      answer_hash=out.answer_hash,
                                      has_assistant=inp.has_assistant or out.has_assistant,
                                      assistant_tokens=inp.assistant_tokens + out.assistant_tokens,
                                      example_tokens=inp.example_tokens + out.example_tokens,
                                      n_messages=inp.n_messages + out.n_messages))


def _result(fut: object) -> ChunkResult:
    from concurrent.futures import Future

    assert isinstance(fut, Future)
    try:
        res = fut.result()
    except FineAdvisorError:
        raise
    assert isinstance(res, ChunkResult)
    return res
