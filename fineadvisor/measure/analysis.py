"""One call from log files to profile and readiness: the entry point the CLI and the app share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from fineadvisor.errors import InputError, NoRecordsError
from fineadvisor.measure.containers import looks_like
from fineadvisor.measure.encodings import choose_encoding
from fineadvisor.measure.logs import LogSource, source_name
from fineadvisor.measure.profile import WorkloadProfile
from fineadvisor.measure.readiness import Readiness, estimated
from fineadvisor.measure.sampling import SampleSpec, SampleSummary, SampleTally, model_totals, summarise
from fineadvisor.measure.scan import BadLine, Scan, scan_logs
from fineadvisor.measure.storage import expand
from fineadvisor.model_names import DEFAULT_MODEL


@dataclass(frozen=True, slots=True)
class LogAnalysis:
    """Everything measured from the logs: what was read, the workload profile and fine-tuning readiness."""

    paths: tuple[str, ...]
    lines_read: int
    records_read: int
    records_skipped: int
    skipped_examples: tuple[BadLine, ...]
    """The first few skipped lines, in full."""
    skipped_reasons: tuple[tuple[str, int], ...]
    """How many lines were skipped for each kind of reason."""
    model: str
    """The model counted for: --model, else the most frequent model in the logs, else gpt-4o-mini."""
    model_source: str
    encoding: str
    approximate: bool
    approximate_reasons: tuple[str, ...]
    profile: WorkloadProfile
    readiness: Readiness
    surrogates_replaced: int = 0
    """Lone surrogates (unpaired halves of \\u escapes) replaced by U+FFFD so that the text can be counted."""
    formats: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    """Per input (its name): the formats its lines were read as, with how many lines each, most first."""
    units: tuple[str, ...] = ("line",)
    """What `lines_read` counts: lines of JSON Lines, records of JSON documents, rows of CSV / Parquet."""
    sample: SampleSummary | None = None
    """With `sample=`: how the records were sampled, and each figure's estimate and 95% interval. The profile's
    distributions, usage and counts are then those estimates (scaled to the whole log); templates, few-shot
    examples and readiness's duplicates are what the sample shows."""


def analyze_logs(paths: Sequence[LogSource], *, model: str | None = None, strict: bool = False,
                 workers: int | None = None, example_token_limit: int | None = None,
                 progress: Callable[[int, int], None] | None = None, max_bytes: int | None = None,
                 sample: int | str | SampleSpec | None = None, seed: int | None = None, engine: str = "local",
                 ray_address: str | None = None) -> LogAnalysis:
    """Read, count and profile request logs (.jsonl, .jsonl.gz, "-" for stdin, or a `MemoryLog`).

    Args:
        paths: log files, directories and globs, and s3:// / gs:// / az:// objects, prefixes and globs
            (`measure.storage`); Batch API input and output files given together are joined by `custom_id`.
        model: count every record as this model (and judge fine-tuning readiness for it); default: per record.
        strict: stop at the first line that is not a valid record.
        workers: processes to count with; default: 2 for large inputs, else 1.
        example_token_limit: tokens allowed per training example; default: the target model's published limit.
        progress: called with (bytes done, bytes total) after each chunk.
        max_bytes: what a compressed, streamed or in-memory input may decompress to (default: no limit).
        sample: count only a uniform random sample of the lines: a number of lines (2000), a share ("5%") or a
            `SampleSpec`; every figure is then an estimate with a 95% interval (`LogAnalysis.sample`).
        seed: the seed of the sample's random draws (default 0): the same seed, the same sample.
        engine: "local" (this machine's processes) or "ray" (Ray tasks, `pip install 'fineadvisor[ray]'`): the same
            profile either way; a sample is always drawn and counted locally.
        ray_address: the Ray cluster to join (default: RAY_ADDRESS, else a local Ray started for the run).

    Returns:
        A `LogAnalysis`. Raises `FineAdvisorError` subclasses for unreadable input or no valid record, and
        `ValueError` for arguments out of range (an unknown engine, a sample of fewer than 2 lines, a seed that is
        not a whole number ≥ 0 or is given without a sample).
    """
    if engine not in ("local", "ray"):
        raise ValueError(f'engine={engine!r}: give "local" or "ray"')
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed={seed!r}: give a whole number ≥ 0")
    if seed is not None and sample is None:
        raise ValueError("seed= sets the draws of a sample: give sample= too")
    if isinstance(sample, (bool, float)) or not isinstance(sample, (int, str, SampleSpec, type(None))):
        raise ValueError(f'sample={sample!r}: give a number of lines (2000), a share ("5%") or a SampleSpec')
    paths = [p for group in paths for p in (expand([group]) if isinstance(group, str) else [group])]
    spec = sample if isinstance(sample, SampleSpec) or sample is None else SampleSpec.parse(str(sample), seed)
    if isinstance(sample, SampleSpec) and seed is not None:
        spec = SampleSpec(sample.lines, sample.share, seed)
    scan = scan_logs(paths, model=model, strict=strict, workers=workers, progress=progress, max_bytes=max_bytes,
                     sample=spec, engine=engine, ray_address=ray_address)
    try:
        return _analysis(paths, scan, model, example_token_limit)
    finally:
        scan.close()


def _analysis(paths: Sequence[LogSource], scan: Scan, model: str | None, example_token_limit: int | None
              ) -> LogAnalysis:
    records, n_skipped, skipped = scan.records, scan.skipped, scan.skipped_examples
    models = scan.profile.models()
    if scan.sample is not None:  # records per model in the log, estimated: each weighted by its line's weight
        models = Counter()
        for weight, line in zip(scan.sample.weight, scan.sample.models, strict=True):
            for name, n in line.items():
                models[name] += weight * n  # type: ignore[assignment]
    names = ", ".join(source_name(p) for p in paths[:5]) + (f" and {len(paths) - 5:,} more" if len(paths) > 5 else "")
    if scan.sample is not None:
        drawn = len(scan.sample.weight)
        if drawn == 0:
            raise InputError(f"--sample {scan.sample.spec.describe()} drew no line of {names}; ask for a larger share "
                             "or a number of lines (--sample 2000)")
        if drawn == 1 and any(scan.sample.fpc):
            raise InputError(f"--sample {scan.sample.spec.describe()} drew one line of {names}: a 95% interval needs "
                             "at least two; ask for a larger share or a number of lines (--sample 2000)")
    if records == 0:
        if n_skipped:
            first = skipped[0]
            looks = [f"{source_name(p)} looks like {kind}" for p in paths if (kind := looks_like(p))]
            raise NoRecordsError(
                f"no valid record in {names}: all {n_skipped} non-blank lines were skipped; the first: {first}"
                + (f" ({'; '.join(looks)}, not a log: see `fineadvisor formats`)" if looks else ""))
        raise NoRecordsError(f"no records in {names}: the input is empty (or only blank lines); "
                             "give a JSON Lines file with one request per line")
    if model:
        target, source = model, "--model"
    elif models and scan.sample is not None:
        target, source = models.most_common(1)[0][0], _sampled_model_source(scan.sample, models)
    elif models:
        target, source = models.most_common(1)[0][0], "most frequent model in the logs"
    else:
        target, source = DEFAULT_MODEL, "the default: the logs name no model"
    choice = choose_encoding(target)
    reasons_approx = dict(scan.approximate)
    if choice.approximate:
        reasons_approx.setdefault(choice.model, choice.reason)
    profile, readiness = scan.profile.result(), scan.readiness.result(target, example_token_limit)
    summary = None
    if scan.sample is not None:
        summary, fields = summarise(scan.sample, scan.sampled)
        fields["models"] = tuple((m, round(w)) for m, w in models.most_common(20))
        fields["sources"] = tuple((f, round(w)) for f, w in Counter(scan.weighted_sources).most_common())
        profile = replace(profile, **fields)  # type: ignore[arg-type]
        readiness = estimated(readiness, scan.weighted_examples)
    return LogAnalysis(
        paths=tuple(p if isinstance(p, str) else source_name(p) for p in paths), lines_read=scan.lines,
        records_read=records, records_skipped=n_skipped,
        skipped_examples=tuple(skipped), skipped_reasons=tuple(scan.skipped_reasons.most_common()),
        model=target, model_source=source, encoding=choice.encoding, approximate=bool(reasons_approx),
        approximate_reasons=tuple(reasons_approx.values()), profile=profile,
        readiness=readiness, surrogates_replaced=scan.surrogates_replaced,
        formats=tuple((source_name(p), tuple(scan.formats.get(source_name(p), Counter()).most_common()))
                      for p in paths),
        units=tuple(sorted(scan.units, key=("line", "record", "row").index)) or ("line",), sample=summary,
    )


def _sampled_model_source(tally: SampleTally, models: Counter[str]) -> str:
    """Why the priced model is the sample's: the most frequent by its estimate, and whether the sample settles it
    (the intervals of the two most frequent models' records do not overlap)."""
    top = [name for name, _ in models.most_common(2)]
    if len(top) < 2:
        return "the only model in the sample"
    (_, n1, ci1), (second, n2, ci2) = model_totals(tally, top)
    if ci1.low > ci2.high:
        return "most frequent model in the logs, by the sample's estimate"
    return (f"most frequent by the sample's estimate, but not settled by it: about {round(n1):,} records "
            f"(95%: {round(ci1.low):,}–{round(ci1.high):,}) against about {round(n2):,} ({round(ci2.low):,}–"
            f"{round(ci2.high):,}) for {second}; name the model with --model, or count the whole log")
