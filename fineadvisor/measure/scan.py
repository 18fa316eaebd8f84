"""Read, parse, count and aggregate every line of the logs, in worker processes when the input is large.

Each worker takes a chunk of lines, parses and normalises them all (orjson, stdlib fallback), encodes the
chunk's new strings in one go into its own string cache, counts each record and folds the counts into a
chunk-sized `ProfileBuilder` and `ReadinessBuilder`, and sends the profile as a `ProfilePartial` (histograms,
not per-record arrays). The parent merges those partials in file order, numbers skipped lines, and joins Batch API
input and output lines by `custom_id` (the only records that travel one by one). Memory stays bounded: by the
chunk size in the workers, and in the parent by the partials' histograms and group table and by the readiness
builder, which moves its per-example hashes to temporary files as they grow (see `fineadvisor.measure._fast.spill`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from fineadvisor.errors import LogFormatError
from fineadvisor.measure import storage
from fineadvisor.measure._fast.prefixes import PrefixParser
from fineadvisor.measure._fast.reuse import LeadingReuse
from fineadvisor.measure._fast.spill import temp_dir_usable
from fineadvisor.measure.containers import is_plain_json_lines, read_chunks
from fineadvisor.measure.encodings import EncodingChoice, choose_encoding
from fineadvisor.measure.logs import (
    MAX_LINE_BYTES,
    Chunk,
    Line,
    LogSource,
    chunk_lines,
    describe,
    file_size,
    is_plain_file,
    source_name,
    surrogates_replaced,
)
from fineadvisor.measure.profile import ProfileBuilder, ProfilePartial
from fineadvisor.measure.readiness import ReadinessBuilder, WeightedExamples
from fineadvisor.measure.records import Record
from fineadvisor.measure.sampling import SampledLine, SampleSpec, SampleTally, allocate, draw, seeded
from fineadvisor.measure.sources import MessageReuse, RecordError, to_records
from fineadvisor.measure.tokens import RecordCounter, RecordTokens
from fineadvisor.model_names import DEFAULT_MODEL

PARALLEL_MIN_BYTES = 16 * 1024 * 1024
"""Inputs smaller than this (uncompressed bytes on disk) are counted in-process: starting workers costs more."""
MAX_PENDING_BATCH = 200_000
"""Batch API lines waiting for their partner (input ↔ output) before they are taken as they are."""
SHOWN_BAD_LINES = 5
JOINED_RECORDS = 4096
"""Joined Batch API records counted together before they are merged into the profile."""
WINDOW_PER_WORKER = 2
"""Chunks in flight per worker (results are merged in file order)."""
_BATCH_SOURCES = ("batch_input", "batch_output")
_SPACE = b" \t\n\r\x0b\x0c"
"""The bytes that `bytes.isspace` counts as white space."""


@dataclass(frozen=True, slots=True)
class BadLine:
    """A skipped line: where it is, why, and the cookbook format-error type if one applies."""

    path: str
    line_no: int
    reason: str
    issue: str | None = None
    unit: str = "line"
    """What `line_no` counts: "line", or "record" of a JSON document, or "row" of CSV / Parquet."""

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"

    @property
    def where(self) -> str:
        """`file:line`, or `file, record N` / `file, row N` for documents and tables."""
        if self.unit == "line":
            return f"{describe(self.path)}:{self.line_no}"
        return f"{describe(self.path)}, {self.unit} {self.line_no:,}"


@dataclass(slots=True)
class ChunkResult:
    """What counting one chunk yields; line numbers are chunk-relative when the chunk's start was unknown."""

    lines: int = 0
    records: int = 0
    profile: ProfilePartial = field(default_factory=ProfilePartial)
    readiness: ReadinessBuilder = field(default_factory=ReadinessBuilder)
    batch: list[RecordTokens] = field(default_factory=list)
    """Batch API lines, joined across chunks and files by the parent."""
    bad: list[BadLine] = field(default_factory=list)
    """The first few skipped lines of the chunk (all of them are counted in `bad_count`)."""
    bad_count: int = 0
    bad_reasons: Counter[str] = field(default_factory=Counter)
    approximate: dict[str, str] = field(default_factory=dict)
    """Encoding reasons by model for records counted approximately."""
    surrogates: int = 0
    """Lone surrogates replaced by U+FFFD in the chunk's lines."""
    formats: Counter[str] = field(default_factory=Counter)
    """Lines read as each format (`Record.source`)."""


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


def unreadable(exc: BaseException) -> str:
    """The skip reason for a line whose reading failed in a way no check foresaw."""
    if isinstance(exc, RecursionError):
        return "values nested too deeply to read"
    text = str(exc).encode("utf-8", "replace").decode("utf-8")[:200]
    return f"could not be read ({type(exc).__name__}: {text}); please report it with the line"


def reason_kind(reason: str) -> str:
    """A short category for a skip reason, to tally them: ids, numbers and positions are blanked out."""
    head = reason.split(":", 1)[0]
    head = re.sub(r"'[^']*'|\[\d+\]|\d+(\.\d+)?", "…", head if len(head) < 60 else reason[:60])
    return head


class LineCounter:
    """Turns lines into `RecordTokens`, choosing the encoding per record's model unless one is forced."""

    def __init__(self, model: str | None) -> None:
        self.forced = choose_encoding(model) if model else None
        self.default = choose_encoding(DEFAULT_MODEL)
        self._counters: dict[str, RecordCounter] = {}
        self.approximate: dict[str, str] = {}
        self._parser = PrefixParser()
        self._reuse: MessageReuse = LeadingReuse()

    def _counter(self, model: str | None) -> RecordCounter:
        choice: EncodingChoice = self.forced or (choose_encoding(model) if model else self.default)
        if choice.approximate:
            self.approximate.setdefault(choice.model, choice.reason)
        key = f"{choice.encoding}|{choice.base_model}"
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = RecordCounter(choice)
        return counter

    def read_line(self, path: str, line: Line) -> list[Record | BadLine]:
        """One line → its records (a container line holds several) and `BadLine`s, none for a blank line; whatever
        the line holds (the barrier)."""
        try:
            return self._read_line(path, line)
        except Exception as exc:  # one line never stops the run: it is skipped with the reason
            return [BadLine(path, line.line_no, unreadable(exc))]

    def _read_line(self, path: str, line: Line) -> list[Record | BadLine]:
        if line.too_long_bytes:
            return [BadLine(path, line.line_no, f"line is {line.too_long_bytes / 2**20:.1f} MiB, over the "
                           f"{MAX_LINE_BYTES // (1024 * 1024)} MiB limit for one record; is this a JSON Lines "
                           "file (one JSON object per line)?")]
        if line.start == line.end or (line.buf[line.start] in _SPACE and line.data.isspace()):
            return []
        try:
            obj = self._parser.parse(line.buf, line.start, line.end)
        except (ValueError, UnicodeDecodeError) as exc:
            return [BadLine(path, line.line_no, _describe_json_error(line, exc), "data_type")]
        return [BadLine(path, line.line_no, str(item), item.issue) if isinstance(item, RecordError) else item
                for item in to_records(obj, line.line_no, self._reuse)]

    def prefetch(self, records: Iterable[Record], threads: int = 1) -> None:
        """Encode the not-yet-cached message texts of `records` together (see `TokenCounter.prefetch`)."""
        texts: dict[RecordCounter, list[str]] = {}
        for rec in records:
            group = texts.setdefault(self._counter(rec.model), [])
            for m in rec.prompt:
                group += m.texts
            for m in rec.completion:
                group += m.texts
        for counter, group in texts.items():
            counter.counter.prefetch(group, threads)

    def count(self, rec: Record) -> RecordTokens:
        """The token counts of one record, with its model's encoding (or the forced one)."""
        return self._counter(rec.model).count(rec)

    def count_or_skip(self, path: str, rec: Record) -> RecordTokens | BadLine:
        """`count`, or the line skipped with the reason when counting it fails (the barrier)."""
        try:
            return self.count(rec)
        except Exception as exc:  # one line never stops the run
            return BadLine(path, rec.line_no, unreadable(exc))


_worker: LineCounter | None = None


def _init_worker(model: str | None, store_env: dict[str, str] | None = None) -> None:
    global _worker
    if store_env:  # the object store's settings as the parent has them now (the forkserver may be older)
        os.environ.update(store_env)
        storage.forget_filesystems()
    _worker = LineCounter(model)


def count_chunk(chunk: Chunk, counter: LineCounter | None = None, strict: bool = False) -> ChunkResult:
    """Count and aggregate every line of one chunk (in a worker, or in-process when `counter` is given)."""
    lc = counter or _worker
    assert lc is not None, "worker not initialised"
    # Parsed lines make millions of short-lived dicts and tuples but no reference cycles: the cyclic
    # collector only costs time here (7–17% measured), so it is paused for the chunk.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _count_chunk(chunk, lc, strict)
    finally:
        if gc_was_enabled:
            gc.enable()


def count_chunks(chunks: Sequence[Chunk], counter: LineCounter | None = None, strict: bool = False) -> ChunkResult:
    """`count_chunk` of consecutive byte ranges of one file, as one result (`fold`); stops after a bad line when
    strict (the parent stops there)."""
    out = count_chunk(chunks[0], counter, strict)
    for chunk in chunks[1:]:
        if strict and out.bad_count:
            break
        fold(out, count_chunk(chunk, counter, strict))
    return out


def fold(into: ChunkResult, then: ChunkResult) -> None:
    """Add to `into` the result of the byte range that follows it: `then`'s line numbers are moved by `into`'s
    lines (both are relative to their range's start), its partials merged after `into`'s."""
    room = SHOWN_BAD_LINES - len(into.bad)
    into.bad += [replace(b, line_no=b.line_no + into.lines) for b in then.bad[:room]]
    into.lines += then.lines
    into.records += then.records
    into.profile.merge(then.profile)
    into.readiness.merge(then.readiness, spill=False)
    into.batch += then.batch
    into.bad_count += then.bad_count
    into.bad_reasons.update(then.bad_reasons)
    into.approximate.update(then.approximate)
    into.surrogates += then.surrogates
    into.formats.update(then.formats)


def _count_chunk(chunk: Chunk, lc: LineCounter, strict: bool) -> ChunkResult:
    out = ChunkResult()
    profile = ProfileBuilder()
    repaired_before = surrogates_replaced()
    last = 0
    # Read the whole chunk first, so that its new strings are encoded in one go (`LineCounter.prefetch`).
    items: list[Record | BadLine] = []
    for line in chunk_lines(chunk):
        last = line.line_no
        read = lc.read_line(chunk.path, line)
        items += read
        if strict and any(isinstance(item, BadLine) for item in read):
            break
    with contextlib.suppress(Exception):  # only a speed-up: each record is then encoded on its own, in the barrier
        lc.prefetch(item for item in items if not isinstance(item, BadLine))
    for item in items:
        counted = item if isinstance(item, BadLine) else lc.count_or_skip(chunk.path, item)
        if isinstance(counted, BadLine):
            if chunk.unit != "line":
                counted = replace(counted, unit=chunk.unit)
            out.bad_count += 1
            out.bad_reasons[reason_kind(counted.reason)] += 1
            out.readiness.add_skipped(counted.issue)
            if len(out.bad) < SHOWN_BAD_LINES:
                out.bad.append(counted)
            continue
        out.records += 1
        out.formats[counted.source] += 1
        if counted.custom_id is not None and counted.source in _BATCH_SOURCES:
            out.batch.append(counted)
        else:
            profile.add(counted)
            out.readiness.add(counted)
    out.profile = profile.partial()
    first = chunk.first_line_no if chunk.first_line_no > 0 else 1
    out.lines = last - first + 1 if last else 0
    out.approximate = dict(lc.approximate)
    out.surrogates = surrogates_replaced() - repaired_before
    return out


@dataclass(slots=True)
class Scan:
    """Everything counted from a set of log files."""

    profile: ProfilePartial = field(default_factory=ProfilePartial)
    readiness: ReadinessBuilder = field(default_factory=ReadinessBuilder)
    lines: int = 0
    records: int = 0
    skipped: int = 0
    skipped_examples: list[BadLine] = field(default_factory=list)
    skipped_reasons: Counter[str] = field(default_factory=Counter)
    approximate: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    surrogates_replaced: int = 0
    formats: dict[str, Counter[str]] = field(default_factory=dict)
    """Per input (by its name): lines read as each format."""
    units: set[str] = field(default_factory=set)
    """What the inputs are made of: "line" (JSON Lines), "record" (JSON documents), "row" (CSV, Parquet)."""
    sample: SampleTally | None = None
    """With a sample: per sampled line, its weight and counts (`measure.sampling`)."""
    sampled: ProfileBuilder | None = None
    """With a sample: its records one by one, in the order of `sample`'s lines (what the estimators read)."""
    weighted_examples: WeightedExamples = field(default_factory=WeightedExamples)
    """With a sample: its training examples weighted by their lines' weights (readiness's estimates)."""
    weighted_sources: dict[str, float] = field(default_factory=dict)
    """With a sample: records per source format, weighted by their lines' weights (per model: `sample.models`)."""

    def close(self) -> None:
        """Delete the builders' temporary files (both, even if closing the first fails)."""
        try:
            self.profile.close()
        finally:
            self.readiness.close()


def _want_workers(paths: Sequence[LogSource], workers: int | None) -> int:
    if workers is not None:
        return max(1, workers)
    total = 0
    for p in paths:
        size = file_size(p)
        total += size if is_plain_file(p) else size * 6  # gzip of JSON ≈ 6:1
    cpus = available_cpus()
    return min(2, cpus) if total >= PARALLEL_MIN_BYTES and cpus > 1 else 1


def available_cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def scan_logs(paths: Sequence[LogSource], *, model: str | None = None, strict: bool = False, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None, max_bytes: int | None = None,
              sample: SampleSpec | None = None, engine: str = "local", ray_address: str | None = None) -> Scan:
    """Count and aggregate every line of `paths` (or only a sample of them); raise `LogFormatError` at the first
    bad line when strict.

    `max_bytes` bounds what a compressed or streamed input may decompress to (an `InputError` past it).
    """
    if sample is not None:
        return _scan_sample(paths, sample, model, strict, progress, max_bytes)
    if engine == "ray":
        from fineadvisor.measure.distributed import ray_results, ray_session

        with ray_session(ray_address, workers) as ray:
            return _merge_all(paths, Scan(workers=int(ray.cluster_resources().get("CPU", 1))), strict, progress,
                              lambda path: ray_results(path, ray, model, strict, max_bytes))
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}: 'local' or 'ray'")
    n_workers = _want_workers(paths, workers)
    if n_workers > 1 and not temp_dir_usable():
        n_workers = 1  # worker processes talk over a socket in the temporary directory: count in this process
    scan = Scan(workers=n_workers)
    executor: Executor | None = None
    local = LineCounter(model) if n_workers == 1 else None
    hidden = contextlib.ExitStack()
    if n_workers > 1:
        hidden.enter_context(_main_not_reimported())
        executor = ProcessPoolExecutor(n_workers, mp_context=_context(), initializer=_init_worker,
                                       initargs=(model, storage.environment()))
    try:
        _merge_all(paths, scan, strict, progress,
                   lambda path: _results(path, executor, local, n_workers, strict, max_bytes))
    finally:
        try:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        finally:
            hidden.close()
    return scan


def _scan_sample(paths: Sequence[LogSource], spec: SampleSpec, model: str | None, strict: bool,
                 progress: Callable[[int, int], None] | None, max_bytes: int | None) -> Scan:
    """Count only the sampled lines, in this process, keeping per line what the estimators need. With Batch API
    input and output files together, the input files' lines are sampled (one line, one request) and each drawn
    request is joined to its output line, found by `custom_id` in one pass over the output files that parses only
    the matching lines."""
    scan = Scan(workers=1, sample=SampleTally.new(spec), sampled=ProfileBuilder())
    tally = scan.sample
    assert tally is not None
    rng = seeded(spec)
    lc = LineCounter(model)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as in `count_chunk`: no reference cycles here, only time spent looking for them
    try:
        roles = [_first_source(p, lc, max_bytes) for p in paths] if len(paths) > 1 else [None]
        joined = "batch_input" in roles and "batch_output" in roles
        outputs = [p for p, r in zip(paths, roles, strict=True) if joined and r == "batch_output"]
        sampled = [p for p in paths if p not in outputs]
        shares = allocate(spec.lines, [file_size(p) * (1 if is_plain_file(p) else 6) for p in sampled]) \
            if spec.lines is not None else [0] * len(sampled)
        drawn_all = []
        for i, path in enumerate(sampled):
            own = SampleSpec(shares[i], None, spec.seed) if spec.lines is not None else spec
            drawn = draw(path, own, rng, lambda src: read_chunks(src, max_bytes=max_bytes),
                         is_plain_json_lines(path))
            drawn_all.append((path, drawn, _parse_sampled(lc, drawn.lines)))
        results = _batch_outputs(outputs, {item.custom_id for _, _, parsed in drawn_all for items in parsed
                                           for item in items if isinstance(item, Record)
                                           and item.source == "batch_input" and item.custom_id is not None},
                                 lc, max_bytes, scan.formats) if outputs else {}
        for i, (path, drawn, parsed) in enumerate(drawn_all):
            name = source_name(path)
            tally.methods[name], tally.lines_seen[name] = drawn.method, drawn.lines_seen
            _count_sampled(scan, tally, lc, drawn.lines, parsed, name, i, strict, results)
            kept, seen = len(drawn.lines), drawn.lines_seen
            tally.fpc += [max(0.0, 1 - kept / seen) if seen else 1.0] * kept
            if progress:
                progress(i + 1, len(sampled))
    except BaseException:
        scan.close()
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    scan.approximate.update(lc.approximate)
    assert scan.sampled is not None
    scan.profile = scan.sampled.partial()
    return scan


def _first_source(path: LogSource, lc: LineCounter, max_bytes: int | None) -> str | None:
    """The format of an input's first record (None when it has none or cannot be read: sampling it says why)."""
    try:
        for chunk in read_chunks(path, chunk_bytes=FIRST_SOURCE_BYTES, max_bytes=max_bytes):
            for line in chunk_lines(chunk):
                for item in lc.read_line(chunk.path, line):
                    if isinstance(item, Record):
                        return item.source
            return None  # the first chunk holds no record
    except Exception:  # sampling the input reports what is wrong with it, in words
        return None
    return None


FIRST_SOURCE_BYTES = 1 << 16
"""Bytes read from each input to tell a Batch API input file from an output file (its first record's format)."""
_CUSTOM_ID = re.compile(rb'"custom_id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')


def _batch_outputs(paths: Sequence[LogSource], wanted: set[str], lc: LineCounter, max_bytes: int | None,
                   formats: dict[str, Counter[str]]) -> dict[str, RecordTokens]:
    """The counted output line of each wanted `custom_id`, from one pass over the output files (a line is parsed
    only when its custom_id is wanted; the first output of an id is kept); `formats` counts them per file."""
    found: dict[str, RecordTokens] = {}
    for path in paths:
        read = formats.setdefault(source_name(path), Counter())
        for chunk in read_chunks(path, max_bytes=max_bytes):
            for line in chunk_lines(chunk):
                if len(found) == len(wanted):
                    return found
                m = _CUSTOM_ID.search(line.data)
                if m is None:
                    continue
                raw = m.group(1)
                try:
                    cid = json.loads(raw) if raw[:1] == b'"' else raw.decode()
                except ValueError:
                    continue
                if cid not in wanted or cid in found:
                    continue
                for item in lc.read_line(chunk.path, line):
                    if isinstance(item, Record) and item.source == "batch_output" and item.custom_id == cid:
                        counted = lc.count_or_skip(chunk.path, item)
                        if not isinstance(counted, BadLine):
                            found[cid] = counted
                            read[counted.source] += 1
    return found


def _parse_sampled(lc: LineCounter, lines: Sequence[SampledLine]) -> list[list[Record | BadLine]]:
    """Every sampled line's records and bad lines, their new strings encoded together."""
    parsed: list[list[Record | BadLine]] = []
    for drawn in lines:
        items: list[Record | BadLine] = []
        for line in chunk_lines(drawn.chunk):
            items += lc.read_line(drawn.chunk.path, line)
        parsed.append(items)
    with contextlib.suppress(Exception):  # only a speed-up (see `count_chunk`); a sample has the cores to itself
        # two threads at most: the gain past that is small for a sample's strings
        lc.prefetch((item for items in parsed for item in items if not isinstance(item, BadLine)),
                    min(2, available_cpus()))
    return parsed


def _count_sampled(scan: Scan, tally: SampleTally, lc: LineCounter, lines: Sequence[SampledLine],
                   parsed: Sequence[list[Record | BadLine]], name: str, stratum: int, strict: bool,
                   outputs: Mapping[str, RecordTokens]) -> None:
    """Count each parsed record of one input's sampled lines (a Batch API request joined to its output, where
    found) into the scan's builders and its line's entry of the tally (records, inputs, outputs, prompts, usage
    sums)."""
    repaired_before = surrogates_replaced()
    formats = scan.formats.setdefault(name, Counter())
    drawn_before: set[int] = set()  # line starts already counted: a line drawn again is no duplicate in the log
    for drawn, items in zip(lines, parsed, strict=True):
        again = drawn.chunk.first_line_no in drawn_before
        drawn_before.add(drawn.chunk.first_line_no)
        n_records = n_bad = 0
        b = scan.sampled
        assert b is not None
        before = (len(b._input), len(b._output), len(b._template), list(b._usage))
        line_models: dict[str, int] = {}
        for item in items:
            counted = item if isinstance(item, BadLine) else lc.count_or_skip(drawn.chunk.path, item)
            if (not isinstance(counted, BadLine) and counted.custom_id is not None
                    and counted.source == "batch_input" and counted.custom_id in outputs):
                counted = joined_batch(counted, outputs[counted.custom_id])
            if isinstance(counted, BadLine):
                if strict:
                    raise LogFormatError(describe(counted.path), counted.line_no, counted.reason,
                                         replace(counted, unit=drawn.chunk.unit).where)
                n_bad += 1
                scan.skipped_reasons[reason_kind(counted.reason)] += 1
                scan.readiness.add_skipped(counted.issue)
                scan.weighted_examples.add_skipped(counted.issue, drawn.weight)
                if len(scan.skipped_examples) < SHOWN_BAD_LINES:
                    scan.skipped_examples.append(replace(counted, unit=drawn.chunk.unit))
                continue
            n_records += 1
            formats[counted.source] += 1
            b.add(counted)
            scan.readiness.add(counted, duplicates=not again)
            scan.weighted_examples.add(counted, drawn.weight)
            if counted.model:
                line_models[counted.model] = line_models.get(counted.model, 0) + 1
            scan.weighted_sources[counted.source] = scan.weighted_sources.get(counted.source, 0.0) + drawn.weight
        # what this line added to each per-record array and usage sum (the largest |difference| is the builder's)
        n_input, n_output, n_prompt = len(b._input) - before[0], len(b._output) - before[1], len(b._template) - before[2]
        usage = [0 if k == 3 else after - was for k, (after, was) in enumerate(zip(b._usage, before[3], strict=True))]
        scan.lines += 1
        scan.records += n_records
        scan.skipped += n_bad
        scan.units.add("line" if drawn.chunk.unit == "byte" else drawn.chunk.unit)
        tally.weight.append(drawn.weight)
        tally.inputs.append(n_input)
        tally.outputs.append(n_output)
        tally.prompts.append(n_prompt)
        tally.usage.append(usage)
        tally.records.append(n_records)
        tally.models.append(line_models)
        tally.bad.append(n_bad)
        tally.stratum.append(stratum)
    scan.surrogates_replaced += surrogates_replaced() - repaired_before


def _merge_all(paths: Sequence[LogSource], scan: Scan, strict: bool, progress: Callable[[int, int], None] | None,
               results: Callable[[LogSource], Iterable[tuple[Chunk, ChunkResult]]]) -> Scan:
    """Merge every input's chunk results into `scan`, in input order (whichever engine counted them): line numbers,
    skipped lines, formats, builders, and Batch API lines joined by custom_id."""
    total_bytes = sum(file_size(p) for p in paths)
    done_bytes = 0
    pending: dict[str, RecordTokens] = {}
    joined = ProfileBuilder()
    try:
        for path in paths:
            offset = 0
            for chunk, result in results(path):
                base = offset if chunk.first_line_no < 0 else 0
                offset += result.lines if chunk.first_line_no < 0 else 0
                scan.lines += result.lines
                scan.units.add(chunk.unit)
                scan.surrogates_replaced += result.surrogates
                scan.formats.setdefault(source_name(path), Counter()).update(result.formats)
                scan.approximate.update(result.approximate)
                if result.bad_count:
                    if strict:
                        bad = result.bad[0]
                        bad = replace(bad, line_no=bad.line_no + base)
                        raise LogFormatError(describe(bad.path), bad.line_no, bad.reason, bad.where)
                    scan.skipped += result.bad_count
                    scan.skipped_reasons.update(result.bad_reasons)
                    room = SHOWN_BAD_LINES - len(scan.skipped_examples)
                    scan.skipped_examples += [replace(b, line_no=b.line_no + base) for b in result.bad[:room]]
                scan.records += result.records
                scan.profile.merge(result.profile)
                scan.readiness.merge(result.readiness)
                for rt in result.batch:
                    _join(rt, pending, scan, joined)
                if len(joined) >= JOINED_RECORDS:
                    scan.profile.merge(joined.partial())
                    joined = ProfileBuilder()
                done_bytes += len(chunk.data) if chunk.data is not None else chunk.end - chunk.start
                if progress:
                    progress(min(done_bytes, total_bytes), total_bytes)
        for rt in pending.values():
            _add(scan, rt, joined)
        scan.profile.merge(joined.partial())
    except BaseException:
        scan.close()  # delete the temporary files now, not when the scan is collected
        raise
    return scan


@contextlib.contextmanager
def _main_not_reimported() -> Iterator[None]:
    """While workers start: hide where the main module came from, and bind the forkserver's socket outside the
    file system.

    Workers forked by the forkserver would otherwise re-run the top level of the user's script (multiprocessing
    imports `__main__` by path or name in each child): a plain script without `if __name__ == "__main__":` would
    start a second analysis inside every worker. The workers run only fineadvisor's code; they never need it.
    On Linux the forkserver listens on an abstract socket (no file), so a killed run leaves no `pymp-*`
    directory behind in $TMPDIR.
    """
    import multiprocessing.connection as mp_connection

    main = sys.modules.get("__main__")
    saved: dict[str, object] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__} if main else {}
    if main is not None:
        main.__dict__.pop("__file__", None)
        if "__spec__" in saved:
            main.__dict__["__spec__"] = None
    file_address: Callable[[str], object] = getattr(mp_connection, "arbitrary_address")  # noqa: B009 - not in the stubs

    def abstract_address(family: str) -> object:
        if family == "AF_UNIX":  # Linux's abstract namespace: no file, nothing to remove
            return f"\0fineadvisor-{os.getpid()}-{os.urandom(6).hex()}"
        return file_address(family)

    if sys.platform.startswith("linux"):
        setattr(mp_connection, "arbitrary_address", abstract_address)  # noqa: B010 - not in the stubs
    try:
        yield
    finally:
        setattr(mp_connection, "arbitrary_address", file_address)  # noqa: B010
        if main is not None:
            main.__dict__.update(saved)


def _context() -> multiprocessing.context.BaseContext:
    """Forkserver where available (safe in threaded hosts such as Streamlit), warmed with the o200k encoding."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["fineadvisor.measure._fast.warm"] if _server_imports_this_package() else [])
        return ctx
    return multiprocessing.get_context("spawn")


def _server_imports_this_package() -> bool:
    """Whether a forkserver started now would import this same fineadvisor package for its preload.

    The server is started as `python -c …`, so its import path begins with the current directory, and
    Python 3.11 imports the preload before it takes the parent's path. A `fineadvisor/` directory there that
    is not this package (another checkout or version) would give the workers other code than the parent;
    then nothing is preloaded and the workers import the package as the parent does.
    """
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec("fineadvisor", [os.getcwd(), *sys.path[1:]])
    here = os.path.realpath(os.path.join(os.path.dirname(__file__), os.pardir))  # the fineadvisor package
    return spec is None or spec.origin is None or os.path.dirname(os.path.realpath(spec.origin)) == here


def _results(path: LogSource, executor: Executor | None, local: LineCounter | None, n_workers: int,
             strict: bool, max_bytes: int | None = None) -> Iterator[tuple[Chunk, ChunkResult]]:
    chunks = read_chunks(path, max_bytes=max_bytes)
    if executor is None:
        assert local is not None
        for chunk in chunks:
            yield chunk, count_chunk(chunk, local, strict)
        return
    window: list[tuple[Chunk, Future[ChunkResult]]] = []
    for chunk in chunks:
        window.append((chunk, executor.submit(count_chunk, chunk, None, strict)))
        if len(window) == 1 and "numpy" not in sys.modules:
            import numpy  # noqa: F401  # for the summaries, while the workers start and count (we would only wait)
        if len(window) >= WINDOW_PER_WORKER * n_workers:
            c, fut = window.pop(0)
            yield c, fut.result()
    for c, fut in window:
        yield c, fut.result()


def _add(scan: Scan, rt: RecordTokens, joined: ProfileBuilder) -> None:
    joined.add(rt)
    scan.readiness.add(rt)


def _join(rt: RecordTokens, pending: dict[str, RecordTokens], scan: Scan, joined: ProfileBuilder) -> None:
    """Pair a Batch API input line with its output line (either may come first); count each pair once."""
    assert rt.custom_id is not None
    other = pending.pop(rt.custom_id, None)
    if other is None or other.source == rt.source:
        if other is not None:
            _add(scan, other, joined)
        pending[rt.custom_id] = rt
        if len(pending) > MAX_PENDING_BATCH:
            _add(scan, pending.pop(next(iter(pending))), joined)
        return
    inp, out = (rt, other) if rt.source == "batch_input" else (other, rt)
    scan.records -= 1  # two lines, one request
    _add(scan, joined_batch(inp, out), joined)


def joined_batch(inp: RecordTokens, out: RecordTokens) -> RecordTokens:
    """A Batch API request's input line and output line as one record: the request's prompt, the output's usage
    and answer."""
    return inp._replace(usage=out.usage, output_tokens=out.output_tokens, answer_hash=out.answer_hash,
                        has_assistant=inp.has_assistant or out.has_assistant,
                        assistant_tokens=inp.assistant_tokens + out.assistant_tokens,
                        example_tokens=inp.example_tokens + out.example_tokens,
                        n_messages=inp.n_messages + out.n_messages,
                        uncounted_parts=inp.uncounted_parts + out.uncounted_parts,
                        image_tokens=inp.image_tokens + out.image_tokens)
