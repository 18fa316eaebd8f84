"""A uniform random sample of a log's records, and every figure estimated from it with a 95% interval.

How lines are drawn (`--sample N` or `--sample P%`, with `--seed`):
    offsets     N lines of a plain (seekable, uncompressed) file: N byte offsets drawn uniformly with replacement;
                each names the line it falls in, which is read alone. A line of L bytes (its newline included) in a
                file of S bytes is drawn with probability π = L ÷ S: long lines are favoured, so each is weighted
                by W = 1 ÷ (N·π) = S ÷ (N·L) (Hansen–Hurwitz), which removes that bias.
    reservoir   N lines of a compressed file, stdin or an object (a stream): reservoir sampling over the K lines,
                which are split but never parsed or counted unless kept; each kept line has W = K ÷ N.
    bernoulli   P% of any input: each line kept with probability p; W = K ÷ (lines kept), K known once read through.
Estimators, over the sampled lines i with weights W_i, for a per-record count x (x_i: the sum over line i's
records, r_i: how many records of that kind the line holds):
    total       T̂ = Σ W_i·x_i                        Var ≈ n ÷ (n − 1) · Σ (W_i·x_i − T̂ ÷ n)²
    mean        μ̂ = T̂_x ÷ T̂_r (a ratio estimator)    Var ≈ n ÷ (n − 1) · Σ (z_i − z̄)² ÷ T̂_r², z_i = W_i·(x_i − μ̂·r_i)
    percentile  the weighted empirical quantile (with equal weights, the full count's linear interpolation); its
                interval by Woodruff's method: the quantiles at
                q ± 1.96·SE(F̂(Q̂)), F̂ the weighted share of records at or below Q̂ (a mean of indicators, as above)
    interval    estimate ± 1.96·√Var (normal approximation; × (1 − kept ÷ K), the finite-population correction, for
                lines drawn without replacement);
                several inputs are sampled separately (N shared by `allocate`) and their variances add (strata)
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from fineadvisor.errors import InputError
from fineadvisor.measure.logs import (
    MAX_LINE_BYTES,
    Chunk,
    LogSource,
    chunk_lines,
    file_size,
    is_plain_file,
    open_ranged,
    source_name,
)
from fineadvisor.measure.stats import percentile, weighted_value_at

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Method = Literal["offsets", "reservoir", "bernoulli"]
Z95 = 1.959963984540054
"""The standard normal's 97.5th percentile: a 95% two-sided interval is ± Z95 standard errors."""
MAX_SAMPLE = 1_000_000
"""The most lines a --sample N may keep (they are held in memory)."""
MAX_SAMPLE_BYTES = 512 * 2**20
"""The most bytes of sampled lines held at once (a sample is counted in memory): beyond it, an error says to ask
for fewer lines or a smaller share."""
_STEP_BYTES = 1 << 14
"""Bytes read at a time, backwards to the start of the line an offset falls in and forwards to its end (a typical
request line is a few KB: larger reads would mostly fetch other lines)."""


@dataclass(frozen=True, slots=True)
class SampleSpec:
    """What to sample: `lines` lines, or a `share` of them; with a seed for the random draws."""

    lines: int | None = None
    share: float | None = None
    seed: int = 0

    @classmethod
    def parse(cls, text: str, seed: int | None = None) -> SampleSpec:
        """ "2000" → 2,000 lines; "5%" → 5% of the lines (a `ValueError`, in words, otherwise)."""
        value = text.strip().replace(",", "").replace("_", "")
        seed_used = 0 if seed is None else seed
        if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", value):
            share = float(m.group(1)) / 100
            if not 0 < share <= 1:
                raise ValueError(f"--sample {text}: a share is above 0% and at most 100%")
            return cls(share=share, seed=seed_used)
        if value.isdigit() and 2 <= int(value) <= MAX_SAMPLE:
            return cls(lines=int(value), seed=seed_used)
        raise ValueError(f"--sample {text}: give a number of lines from 2 (an interval needs two) to {MAX_SAMPLE:,} "
                         "(e.g. 2000) or a share (e.g. 5%)")

    def describe(self) -> str:
        """How the sample is named in the output ("2,000 lines", "5% of the lines"): N lines in all, shared among the
        inputs by size."""
        return f"{self.lines:,} lines" if self.lines is not None else f"{self.share * 100:g}% of the lines"  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class SampledLine:
    """One sampled line, as a one-line chunk to count, with its weight W (the lines of the input it stands for)."""

    chunk: Chunk
    weight: float


@dataclass(frozen=True, slots=True)
class SourceSample:
    """The lines drawn from one input, how, and the input's size in lines where it was read through."""

    lines: tuple[SampledLine, ...]
    method: Method
    lines_seen: int | None
    """Lines read through (reservoir, bernoulli); None for offsets, which read only the drawn lines."""


def allocate(lines: int, sizes: list[int]) -> list[int]:
    """N lines shared among inputs: first `floor` lines each (2 while N allows, so that every input's variance can be
    estimated; else 1, so that none is left out), the rest in proportion to their sizes (bytes, compressed ones
    counted ×6; equally when no size is known), largest remainders first.

    Formula: n_i = f + ⌊R · s_i ÷ Σ s⌋ (+1 for the largest remainders), R = N − f · inputs; Σ n_i = max(N, inputs)."""
    k = len(sizes)
    if not k:
        return []
    floor = 2 if lines >= 2 * k else 1
    rest = max(0, lines - floor * k)
    total = sum(sizes)
    share = [rest * s / total for s in sizes] if total else [rest / k] * k
    out = [floor + int(x) for x in share]
    order = sorted(range(k), key=lambda i: share[i] - int(share[i]), reverse=True)
    for i in order[:max(0, lines - sum(out))]:
        out[i] += 1
    return out


def draw(source: LogSource, spec: SampleSpec, rng: random.Random, read_chunks: object,
         lines_file: bool | None = None) -> SourceSample:
    """Draw the sample of one input (`read_chunks`: the container reader, for streams; `lines_file`: whether it is
    an uncompressed JSON Lines file, whose lines byte offsets can draw — by default, any uncompressed file)."""
    if lines_file is None:
        lines_file = isinstance(source, str) and is_plain_file(source)
    if spec.lines is not None and lines_file and isinstance(source, str) and file_size(source) > 0:
        drawn = _offsets(source, spec.lines, rng)
        if drawn is not None:
            return SourceSample(drawn, "offsets", None)
        # the N lines would be as many bytes as the file: reading it through is no dearer, and a reservoir of N
        # keeps every line of a file of at most N lines (an exact count) or N of them without replacement
    return _stream(source, spec, rng, read_chunks)


def _offsets(path: str, n: int, rng: random.Random) -> tuple[SampledLine, ...] | None:
    """n lines of a plain file, each the line a uniformly drawn byte offset falls in, weighted S ÷ (n·L); None
    once the lines drawn add up to the file's size (the same bytes and seed stop at the same draw, wherever the
    file is stored)."""
    size = file_size(path)
    drawn: list[SampledLine] = []
    try:
        with open_ranged(path) as fh:
            read = held = 0
            for _ in range(n):
                start, data, length = _line_at(fh, rng.randrange(size), size)
                read += length + 1
                if read >= size:
                    return None
                held += min(length, MAX_LINE_BYTES)
                _check_held(held, path)
                chunk = Chunk(path, start + 1, data[:MAX_LINE_BYTES] if length > MAX_LINE_BYTES else data,
                              last_line_bytes=length if length > MAX_LINE_BYTES else 0, unit="byte")
                drawn.append(SampledLine(chunk, size / (n * (length + 1))))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return tuple(drawn)


def _line_at(fh: object, offset: int, size: int) -> tuple[int, bytes, int]:
    """(start, bytes without the newline, length) of the line that byte `offset` falls in (a newline belongs to the
    line it ends)."""
    seek, read = fh.seek, fh.read  # type: ignore[attr-defined]
    start = offset
    while start > 0:  # back to the byte after the previous newline
        lo = max(0, start - _STEP_BYTES)
        seek(lo)
        block = read(start - lo)
        at = block.rfind(b"\n")
        if at >= 0:
            start = lo + at + 1
            break
        start = lo
    seek(start)
    parts, length = [], 0
    while True:  # forward to its newline (keeping at most MAX_LINE_BYTES of it)
        block = read(_STEP_BYTES)
        if not block:
            break
        at = block.find(b"\n")
        piece = block if at < 0 else block[:at]
        if length < MAX_LINE_BYTES:
            parts.append(piece[:MAX_LINE_BYTES - length])
        length += len(piece)
        if at >= 0:
            break
    return start, b"".join(parts), length


def _check_held(held: int, name: str) -> None:
    if held > MAX_SAMPLE_BYTES:
        raise InputError(f"{name}: the sampled lines hold more than {MAX_SAMPLE_BYTES // 2**20} MiB, more than a "
                         "sample is counted with in memory; ask for fewer lines (--sample N) or a smaller share")


def _stream(source: LogSource, spec: SampleSpec, rng: random.Random, read_chunks: object) -> SourceSample:
    """Reservoir (N) or Bernoulli (P%) sampling of the lines of any input, parsing none of the lines not kept."""
    kept: list[Chunk] = []
    seen = held = 0
    n, p = spec.lines, spec.share
    for chunk in read_chunks(source):  # type: ignore[operator]
        for line in chunk_lines(chunk):
            number = line.line_no if chunk.first_line_no > 0 else seen + 1
            one = Chunk(chunk.path, number, line.data, last_line_bytes=line.too_long_bytes, unit=chunk.unit)
            if n is None:
                if rng.random() < p:  # type: ignore[operator]
                    kept.append(one)
            elif seen < n:
                kept.append(one)
                held += len(line.data)
            else:
                j = rng.randrange(seen + 1)
                if j < n:
                    held += len(line.data) - len(kept[j].data or b"")
                    kept[j] = one
            seen += 1
            if n is None and kept and kept[-1] is one:
                held += len(line.data)
            _check_held(held, source_name(source))
    kept.sort(key=lambda c: c.first_line_no)
    weight = seen / len(kept) if kept else 0.0  # K lines read through, known exactly: W = K ÷ kept
    if n is None:
        return SourceSample(tuple(SampledLine(c, weight) for c in kept), "bernoulli", seen)
    return SourceSample(tuple(SampledLine(c, weight) for c in kept), "reservoir", seen)


# ---------------------------------------------------------------- estimators


@dataclass(frozen=True, slots=True)
class Interval:
    """A 95% interval."""

    low: float
    high: float

    def as_list(self, digits: int = 1) -> list[float]:
        """[low, high], rounded, for JSON."""
        return [round(self.low, digits), round(self.high, digits)]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A per-record count's figures estimated from a sample, each with its 95% interval."""

    count: float
    count_ci95: Interval
    mean: float
    mean_ci95: Interval
    total: float
    total_ci95: Interval
    p50: float
    p50_ci95: Interval
    p90: float
    p90_ci95: Interval
    p95: float
    p95_ci95: Interval
    max: int
    """The largest value seen in the sample (a lower bound on the log's)."""
    sampled: int
    """Records of the sample that have this count."""
    open_above: tuple[str, ...] = ()
    """Percentiles ("p95", …) whose interval reaches past the sample's largest value: its upper end is that value,
    and the log's percentile may lie above it (too few lines to bound it)."""


def _spread(y: npt.NDArray[np.float64], strata: npt.NDArray[np.int64] | None,
            fpc: npt.NDArray[np.float64] | None = None) -> float:
    """Σ over strata (inputs) of f_h · n_h ÷ (n_h − 1) · Σ (y_i − ȳ_h)²: the variance of Σ y, with f_h = 1 for
    draws with replacement (offsets) and 1 − n_h ÷ K_h, the finite-population correction, for lines drawn without
    (reservoir, bernoulli: a 100% sample has no error)."""
    import numpy as np

    if strata is None or not len(y):
        groups = [(y, 1.0 if fpc is None or not len(fpc) else float(fpc[0]))]
    else:
        order = np.argsort(strata, kind="stable")
        cuts = np.flatnonzero(np.diff(strata[order])) + 1
        f = np.ones(len(y)) if fpc is None else fpc[order]
        groups = [(g, float(h[0])) for g, h in zip(np.split(y[order], cuts), np.split(f, cuts), strict=True)]
        groups = _collapsed(groups)
    var = 0.0
    for g, correction in groups:
        if len(g) > 1:
            var += correction * len(g) / (len(g) - 1) * float(np.sum((g - g.mean()) ** 2))
    return var


def _collapsed(groups: list[tuple[npt.NDArray[np.float64], float]]) -> list[tuple[npt.NDArray[np.float64], float]]:
    """Strata of one line pooled (collapsed strata): one line cannot estimate its own variance, and leaving it out
    would give that input no error at all; a lone one left over joins the smallest other stratum."""
    import numpy as np

    single = [(g, f) for g, f in groups if len(g) == 1]
    if not single:
        return groups
    rest = [(g, f) for g, f in groups if len(g) > 1]
    if len(single) == 1 and rest:
        k = min(range(len(rest)), key=lambda i: len(rest[i][0]))
        g, f = rest.pop(k)
        single.append((g, f))
    pooled = np.concatenate([g for g, _ in single])
    return [*rest, (pooled, max(f for _, f in single))]


def total_of(x: npt.NDArray[np.float64], w: npt.NDArray[np.float64],
             strata: npt.NDArray[np.int64] | None = None, fpc: npt.NDArray[np.float64] | None = None,
             ) -> tuple[float, Interval]:
    """T̂ = Σ W·x over the sampled lines, with its interval (with-replacement variance, by input)."""
    import numpy as np

    t = float(np.dot(w, x))
    half = Z95 * math.sqrt(_spread(w * x, strata, fpc))
    return t, Interval(max(0.0, t - half), t + half)


def model_totals(tally: SampleTally, names: Sequence[str]) -> list[tuple[str, float, Interval]]:
    """Per model, the estimated records naming it in the log (T̂ = Σ W·x, x its records in the line) and interval."""
    import numpy as np

    w = np.asarray(tally.weight, dtype=np.float64)
    strata, fpc = np.asarray(tally.stratum, dtype=np.int64), np.asarray(tally.fpc, dtype=np.float64)
    out = []
    for name in names:
        x = np.fromiter((line.get(name, 0) for line in tally.models), dtype=np.float64, count=len(tally.models))
        out.append((name, *total_of(x, w, strata, fpc)))
    return out


def ratio_of(x: npt.NDArray[np.float64], r: npt.NDArray[np.float64], w: npt.NDArray[np.float64],
             strata: npt.NDArray[np.int64] | None = None, fpc: npt.NDArray[np.float64] | None = None,
             ) -> tuple[float, float]:
    """(μ̂ = Σ W·x ÷ Σ W·r, its standard error by linearisation: z = W·(x − μ̂·r))."""
    import numpy as np

    tr = float(np.dot(w, r))
    if not tr:
        return 0.0, 0.0
    mu = float(np.dot(w, x)) / tr
    return mu, math.sqrt(max(_spread(w * (x - mu * r), strata, fpc), 0.0)) / tr


def estimate(values: npt.NDArray[np.int64], line_of: npt.NDArray[np.int64], weights: npt.NDArray[np.float64],
             n_lines: int, strata: npt.NDArray[np.int64] | None = None,
             fpc: npt.NDArray[np.float64] | None = None) -> Estimate:
    """The figures of one per-record count: `values` per record, `line_of` its sampled line (0..n_lines−1),
    `weights` and `strata` (the input it was drawn from) per sampled line."""
    import numpy as np

    x = np.bincount(line_of, weights=values.astype(np.float64), minlength=n_lines).astype(np.float64)
    r = np.bincount(line_of, minlength=n_lines).astype(np.float64)
    count, count_ci = total_of(r, weights, strata, fpc)
    total, total_ci = total_of(x, weights, strata, fpc)
    mean, se = ratio_of(x, r, weights, strata, fpc)
    w_rec = weights[line_of]
    quantiles = {name: _quantile(values, w_rec, line_of, weights, n_lines, q, strata, fpc)
                 for name, q in (("p50", 0.5), ("p90", 0.9), ("p95", 0.95))}
    (p50, p50_ci, _), (p90, p90_ci, _), (p95, p95_ci, _) = quantiles.values()
    return Estimate(count, count_ci, mean, Interval(max(0.0, mean - Z95 * se), mean + Z95 * se), total, total_ci,
                    p50, p50_ci, p90, p90_ci, p95, p95_ci, int(values.max()) if len(values) else 0, len(values),
                    tuple(name for name, (_, _, open_) in quantiles.items() if open_))


def _quantile(values: npt.NDArray[np.int64], w_rec: npt.NDArray[np.float64], line_of: npt.NDArray[np.int64],
              weights: npt.NDArray[np.float64], n_lines: int, q: float, strata: npt.NDArray[np.int64] | None,
              fpc: npt.NDArray[np.float64] | None) -> tuple[float, Interval, bool]:
    """The weighted q-quantile, its Woodruff interval, and whether that interval reaches past the sample's largest
    value (q + 1.96·SE > 1: the upper end is open)."""
    import numpy as np

    if not len(values):
        return 0.0, Interval(0.0, 0.0), False
    order = np.argsort(values, kind="stable")
    xs, cw = values[order], np.cumsum(w_rec[order])

    def at(share: float) -> float:
        return weighted_value_at(xs, cw, share)

    # equal weights (reservoir, bernoulli): the log's own rule, so that a 100% sample gives the exact profile
    point = percentile(xs, q) if w_rec.min() == w_rec.max() else at(q)
    below = np.bincount(line_of, weights=(values <= point).astype(np.float64), minlength=n_lines).astype(np.float64)
    r = np.bincount(line_of, minlength=n_lines).astype(np.float64)
    _, se = ratio_of(below, r, weights, strata, fpc)
    # at the sample's extreme (p95 of a few lines is their largest) every record is at or below the point and the
    # estimated share has no spread; a share q of n_eff records has at least the binomial error √(q(1 − q) ÷ n_eff)
    n_eff = float(np.sum(weights) ** 2 / np.sum(weights ** 2)) if np.any(weights) else 0.0
    correction = float(np.mean(fpc)) if fpc is not None and len(fpc) else 1.0
    if n_eff:
        se = max(se, math.sqrt(correction * q * (1 - q) / n_eff))
    low, high = at(q - Z95 * se), at(q + Z95 * se)
    open_above = q + Z95 * se > 1 and bool(se)
    return point, Interval(min(low, point), max(high, point)), open_above  # the interpolated point lies within


def proportion(hits: int, n: int) -> Interval:
    """Wilson's 95% interval for a share of `hits` in `n` (a share of the sampled records)."""
    if not n:
        return Interval(0.0, 0.0)
    p = hits / n
    d = 1 + Z95**2 / n
    c = (p + Z95**2 / (2 * n)) / d
    h = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / d
    return Interval(max(0.0, c - h), min(1.0, c + h))


def seeded(spec: SampleSpec) -> random.Random:
    """The random draws of a sample: the seed decides them (the same seed and inputs, wherever they are stored,
    the same sample)."""
    return random.Random(spec.seed)


@dataclass(slots=True)
class SampleTally:
    """Per sampled line, in order: its weight and what counting it found (what the estimators read)."""

    spec: SampleSpec
    methods: dict[str, Method]
    """Per input (its name): how its lines were drawn."""
    lines_seen: dict[str, int | None]
    weight: list[float]
    inputs: list[int]
    """Values the line added to each per-record array: input (every record), output, prompt (records with one)."""
    outputs: list[int]
    prompts: list[int]
    usage: list[list[int]]
    """What the line added to `ProfileBuilder`'s usage sums (records, billed, counted, 0 in place of the largest
    |difference|, exact, cached, written, reasoning, records with cache reads)."""
    records: list[int]
    bad: list[int]
    stratum: list[int]
    """The input (its index) each line was drawn from: inputs are sampled separately (strata)."""
    fpc: list[float]
    """Per line, its input's finite-population correction (1 − kept ÷ K without replacement; 1 with)."""
    models: list[dict[str, int]] = field(default_factory=list)
    """Per line, its records per model named."""

    @classmethod
    def new(cls, spec: SampleSpec) -> SampleTally:
        """An empty tally."""
        return cls(spec, {}, {}, [], [], [], [], [], [], [], [], [])

    @property
    def method(self) -> str:
        """The method, or the methods joined when inputs differ."""
        return "+".join(dict.fromkeys(self.methods.values()))


# ---------------------------------------------------------------- the sampled profile

PARTS = ("input", "output", "static", "system", "tools", "few_shot", "history", "query", "dynamic")
"""The per-record counts estimated (the `WorkloadProfile` distributions)."""
_ARRAY_OF = {"input": "inputs", "output": "outputs"}
"""Which tally column counts a part's records per line (the rest: `prompts`)."""


@dataclass(frozen=True, slots=True)
class SampleSummary:
    """What was sampled, how, and every figure's estimate with its 95% interval."""

    spec: SampleSpec
    method: str
    lines: int
    """Lines drawn (with replacement for offsets: a line drawn twice counts twice)."""
    records: int
    """Records in the drawn lines."""
    population_lines: float
    population_records: float
    population_records_ci95: Interval
    estimates: tuple[tuple[str, Estimate], ...]
    static_share: float
    static_share_ci95: Interval
    cache_hit_share: float | None
    cache_hit_share_ci95: Interval | None
    every_line: bool = False
    """Every line of every input is in the sample (read through, none left out): the figures are exact."""
    skipped_lines: float = 0.0
    skipped_lines_ci95: Interval = Interval(0.0, 0.0)
    """Lines of the log that are not valid records, estimated (Σ W · bad lines drawn), with the interval."""

    def of(self, part: str) -> Estimate:
        """The estimate of one part ("input", "static", …)."""
        return dict(self.estimates)[part]


def summarise(tally: SampleTally, builder: object) -> tuple[SampleSummary, dict[str, object]]:
    """The sample's estimates, and the `WorkloadProfile` fields they replace (distributions, usage, counts)."""
    import numpy as np

    from fineadvisor.measure.profile import ProfileBuilder, UsageComparison, parts
    from fineadvisor.measure.stats import Distribution

    assert isinstance(builder, ProfileBuilder)
    n = len(tally.weight)
    w = np.asarray(tally.weight, dtype=np.float64)
    strata = np.asarray(tally.stratum, dtype=np.int64)
    fpc = np.asarray(tally.fpc, dtype=np.float64)
    values = parts(builder)
    line_of = {col: np.repeat(np.arange(n, dtype=np.int64), np.asarray(getattr(tally, col), dtype=np.int64))
               for col in ("inputs", "outputs", "prompts")}
    estimates = {name: estimate(values[name], line_of[_ARRAY_OF.get(name, "prompts")], w, n, strata, fpc)
                 for name in PARTS}
    records = np.asarray(tally.records, dtype=np.float64)
    pop, pop_ci = total_of(records, w, strata, fpc)
    bad, bad_ci = total_of(np.asarray(tally.bad, dtype=np.float64), w, strata, fpc)
    per_line = {name: np.bincount(line_of["prompts"], weights=values[name].astype(np.float64), minlength=n)
                .astype(np.float64) for name in ("static", "dynamic")}
    share, share_se = ratio_of(per_line["static"], per_line["static"] + per_line["dynamic"], w, strata, fpc)
    usage = np.asarray(tally.usage, dtype=np.float64).reshape(n, 9)
    sums = [float(np.dot(w, usage[:, k])) for k in range(9)]
    hit, hit_ci = None, None
    if sums[0] and sums[8]:
        hit, hit_se = ratio_of(usage[:, 8], usage[:, 0], w, strata, fpc)
        hit_ci = Interval(max(0.0, hit - Z95 * hit_se), min(1.0, hit + Z95 * hit_se))
    summary = SampleSummary(tally.spec, tally.method, n, int(records.sum()), float(w.sum()), pop, pop_ci,
                            tuple(estimates.items()), share,
                            Interval(max(0.0, share - Z95 * share_se), min(1.0, share + Z95 * share_se)),
                            hit, hit_ci, bool(n) and bool(np.all(fpc == 0.0)), bad, bad_ci)

    def dist(e: Estimate) -> Distribution:
        return Distribution(round(e.count), e.mean, e.p50, e.p90, e.p95, e.max, round(e.total))

    field_of = {"static": "static_prefix_tokens", "tools": "tool_tokens"}
    fields: dict[str, object] = {field_of.get(name, f"{name}_tokens"): dist(e) for name, e in estimates.items()}
    fields["records"] = round(pop)
    fields["records_with_prompt"] = round(estimates["static"].count)
    fields["records_without_output"] = max(0, round(estimates["input"].count - estimates["output"].count))
    fields["static_share"] = share
    fields["usage"] = UsageComparison(round(sums[0]), round(sums[1]), round(sums[2]), builder._usage[3],
                                      round(sums[4]), round(sums[5]), round(sums[6]), round(sums[7]), round(sums[8]))
    return summary, fields
