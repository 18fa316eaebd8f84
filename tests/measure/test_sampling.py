"""Sampling: the draws, the estimators, and intervals that contain the full count's figures as often as they say."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor import analyze_logs
from fineadvisor.measure import sampling
from fineadvisor.measure.sampling import SampleSpec, proportion, ratio_of, total_of
from fineadvisor.present.cli import cli

ROOT = Path(__file__).parents[2]
EXAMPLES = [ROOT / "examples" / n for n in ("support_bot.jsonl", "agent_anthropic.jsonl", "classify_batch_output.jsonl")]


@pytest.mark.parametrize(
    ("text", "lines", "share"),
    [("2000", 2000, None), ("2,000", 2000, None), ("2", 2, None), ("5%", None, 0.05), ("100%", None, 1.0),
     ("0.5%", None, 0.005), (" 12_000 ", 12000, None)],
)
def test_a_sample_is_a_number_of_lines_or_a_share(text: str, lines: int | None, share: float | None) -> None:
    spec = SampleSpec.parse(text, 7)
    assert (spec.lines, spec.share, spec.seed) == (lines, share, 7)


@pytest.mark.parametrize("text", ["0", "1", "-5", "0%", "101%", "abc", "", "1e3", "1000001", "5 %%"])
def test_a_bad_sample_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValueError, match="--sample"):
        SampleSpec.parse(text)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_100_percent_sample_is_the_full_count(path: Path) -> None:
    """Every line kept, equal weights: the estimates are the exact figures, and their intervals have no width."""
    full, census = analyze_logs([str(path)]), analyze_logs([str(path)], sample="100%")
    assert census.profile == full.profile
    assert census.sample is not None and census.sample.method == "bernoulli"
    e = census.sample.of("input")
    assert e.mean_ci95.low == pytest.approx(e.mean, abs=1e-9) == pytest.approx(e.mean_ci95.high, abs=1e-9)


@pytest.mark.parametrize(
    ("lines", "method", "every_line"),
    [
        (100, "offsets", False),  # 100 of 400 lines: ~¼ of the file's bytes drawn, byte offsets
        (400, "reservoir", True),  # as many lines as the file: the draws reach its size, so it is read through
        (100_000, "reservoir", True),  # 250 draws a line would be 250× the file (and over the memory bound)
    ],
)
def test_n_lines_that_add_up_to_the_file_read_it_through(lines: int, method: str, every_line: bool) -> None:
    """Byte offsets stop once the drawn lines add up to the file's size: a reservoir of N then keeps every line of
    a file of at most N lines, which is the exact count."""
    log = str(EXAMPLES[0])
    sampled = analyze_logs([log], sample=lines)
    assert sampled.sample is not None
    assert (sampled.sample.method, sampled.sample.every_line) == (method, every_line)
    if every_line:
        assert sampled.profile == analyze_logs([log]).profile
        e = sampled.sample.of("input")
        assert e.mean_ci95.low == pytest.approx(e.mean) == pytest.approx(e.mean_ci95.high)
        text = CliRunner().invoke(cli, ["estimate", log, "--sample", str(lines), "--profile-only"]).stdout
        assert "the sample holds every line of the log (400 lines, 400 records)" in text and "Not estimated" not in text


@pytest.mark.parametrize("container", ["array", "pretty", "csv"])
def test_n_lines_of_a_document_or_csv_are_drawn_from_its_records(tmp_path: Path, container: str) -> None:
    """A JSON document's or a CSV file's lines are not its records: an uncompressed one is sampled by reservoir over
    its records, never by byte offsets (which once drew pieces of the document and skipped them all)."""
    records = [json.loads(line) for line in EXAMPLES[0].read_text().splitlines()[:60]]
    path = tmp_path / ("log.csv" if container == "csv" else "log.json")
    if container == "csv":  # LiteLLM spend-log columns: usage only, 60 rows
        path.write_text("model,prompt_tokens,completion_tokens,call_type,messages,response\n"
                        + "".join(f"gpt-4o-mini,{1000 + i},{50 + i % 7},acompletion,{{}},{{}}\n" for i in range(60)))
    else:
        path.write_text(json.dumps(records) if container == "array" else json.dumps(records, indent=2))
    sampled = analyze_logs([str(path)], sample=20)
    assert sampled.sample is not None and sampled.sample.method == "reservoir"
    assert (sampled.records_read, sampled.records_skipped) == (20, 0)
    assert sampled.sample.population_records == pytest.approx(60)  # read through: the record count is known


def test_the_priced_model_is_the_most_frequent_by_weight_and_said_unsettled_when_it_is(tmp_path: Path) -> None:
    """600 short gpt-4o-mini lines and 400 ~25× longer gpt-4o ones: byte offsets draw mostly gpt-4o lines, each
    weighted less. The models' record counts are weighted estimates; when their intervals overlap, the sample does
    not settle which model to price, and says so; with enough lines it does."""
    path = tmp_path / "two_models.jsonl"
    with path.open("w") as fh:
        for i in range(1000):
            model, system = (("gpt-4o-mini", "Be brief. " + "x " * 300) if i % 5 < 3 else
                             ("gpt-4o", "Be thorough. " + " ".join(f"w{j}" for j in range(3000))))
            fh.write(json.dumps({"model": model, "messages": [{"role": "system", "content": system},
                                                              {"role": "user", "content": f"q{i}"}]}) + "\n")
    small = analyze_logs([str(path)], sample=100, seed=0)
    assert small.sample is not None and small.sample.method == "offsets"
    assert "not settled by it" in small.model_source and "--model" in small.model_source
    assert sum(n for _, n in small.profile.models) == pytest.approx(small.profile.records, rel=0.35)
    large = analyze_logs([str(path)], sample=600, seed=1)
    assert large.model == "gpt-4o-mini" and "not settled" not in large.model_source


BATCH = [str(ROOT / "examples" / n) for n in ("classify_batch_input.jsonl", "classify_batch_output.jsonl")]


def test_a_batch_api_pair_is_sampled_by_request_and_joined_to_its_outputs() -> None:
    """The input file's lines are drawn (600 requests) and each joined to its output by custom_id: every line
    drawn gives the full count's profile and readiness; 200 draws stand for about 600 requests, not the 1,198
    lines of both files, and their billed usage is the outputs'."""
    full = analyze_logs(BATCH)
    every = analyze_logs(BATCH, sample="100%")
    assert every.profile == full.profile and every.readiness.usable_examples == full.readiness.usable_examples
    drawn = analyze_logs(BATCH, sample=200, seed=2)
    assert drawn.sample is not None and drawn.sample.records == 200
    assert drawn.profile.records == pytest.approx(600, abs=6)
    assert drawn.profile.usage.records == pytest.approx(drawn.profile.records, rel=0.02)
    assert drawn.sample.of("output").mean_ci95.low <= full.profile.output_tokens.mean <= \
        drawn.sample.of("output").mean_ci95.high
    assert dict(drawn.formats)[BATCH[1]] and "batch_output" in dict(dict(drawn.formats)[BATCH[1]])


def test_sampled_batch_api_lines_are_priced_at_batch_rates() -> None:
    """Whether the logs are Batch API lines compares estimated records with estimated records."""
    from fineadvisor.advise.estimate import estimate

    for paths in ([BATCH[1]], BATCH):
        assert estimate(analyze_logs(paths, sample=100)).scenario.batch is True


def test_inputs_of_one_drawn_line_pool_their_variance(tmp_path: Path) -> None:
    """40 files of 10 lines, 40 lines drawn: one a file. One line cannot estimate its file's variance; pooled
    (collapsed strata), they give an interval of some width (it had none: a certainty the sample did not have)."""
    lines = EXAMPLES[0].read_text().splitlines()
    for k in range(40):
        (tmp_path / f"part{k:03d}.jsonl").write_text("\n".join(lines[10 * k:10 * k + 10]) + "\n")
    e = analyze_logs([str(tmp_path)], sample=40).sample.of("input")  # type: ignore[union-attr]
    assert e.mean_ci95.high - e.mean_ci95.low > 10


@pytest.mark.parametrize(("lines", "open_above"), [(15, True), (300, False)])
def test_a_percentile_past_the_samples_largest_value_is_open_above(lines: int, open_above: bool) -> None:
    """15 lines: p95 + 1.96 · √(0.95 · 0.05 ÷ 15) = 1.06 > 1, past the largest drawn value, so the upper end is
    that value and said to be open ("≥" in the text, a note in the JSON); 300 lines bound it."""
    log = str(EXAMPLES[0])
    e = analyze_logs([log], sample=lines).sample.of("input")  # type: ignore[union-attr]
    assert ("p95" in e.open_above) is open_above
    assert e.p95_ci95.low <= e.p95 <= e.p95_ci95.high and e.p95_ci95.high - e.p95_ci95.low > 0
    doc = json.loads(CliRunner().invoke(cli, ["estimate", log, "--sample", str(lines), "--json", "-q",
                                              "--profile-only"]).stdout)
    assert ("p95_ci95_note" in doc["profile"]["input_tokens"]) is open_above


@pytest.mark.parametrize("seed", range(12))
def test_every_interval_holds_its_estimate_and_stays_within_possible_values(seed: int) -> None:
    """Means and totals of token counts never below 0, shares within [0, 1], each percentile within its interval
    (10 lines of the agent log, whose history is 0 on most requests)."""
    s = analyze_logs([str(EXAMPLES[1])], sample=10, seed=seed).sample
    assert s is not None and 0 <= s.static_share_ci95.low <= s.static_share <= s.static_share_ci95.high <= 1
    for part in sampling.PARTS:
        e = s.of(part)
        assert 0 <= e.mean_ci95.low <= e.mean <= e.mean_ci95.high and e.total_ci95.low >= 0
        for name in ("p50", "p90", "p95"):
            ci = getattr(e, f"{name}_ci95")
            assert ci.low <= getattr(e, name) <= ci.high


@pytest.mark.parametrize(("spec", "message"), [("0.001%", "drew no line"), ("0.3%", "drew one line")])
def test_a_sample_too_small_for_an_interval_is_a_clear_error(spec: str, message: str) -> None:
    """0.001% of 400 lines draws none; 0.3% draws about one (seed 1: one), too few for an interval."""
    result = CliRunner().invoke(cli, ["estimate", str(EXAMPLES[0]), "--sample", spec, "--seed", "1"])
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_the_recommendation_is_unsettled_when_the_cache_hit_interval_moves_it() -> None:
    """10 lines (seed 3) measure cache hits of about 50% with a wide interval; at its high end the choice moves,
    so the recommendation says the sample does not settle it (it once said a full count would not change it)."""
    result = CliRunner().invoke(cli, ["estimate", str(EXAMPLES[0]), "--sample", "10", "--seed", "3",
                                      "--requests-per-day", "20000", "--start", "2026-12-06"])
    assert result.exit_code == 0 and "not settled by this sample" in result.stdout
    assert "cache hits at the high" in result.stdout


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sample": 0}, "--sample 0"),
    ({"sample": "abc"}, "--sample abc"),
    ({"sample": True}, "sample=True"),
    ({"sample": 2.5}, "sample=2.5"),
    ({"sample": 10, "seed": -1}, "seed=-1"),
    ({"sample": 10, "seed": "x"}, "seed='x'"),
    ({"sample": 10, "seed": 1.5}, "seed=1.5"),
    ({"seed": 3}, "give sample= too"),
    ({"engine": "spark"}, "engine='spark'"),
    ({"engine": "spark", "sample": 10}, "engine='spark'"),
])
def test_the_library_refuses_arguments_out_of_range(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("?", r"\?").replace(".", r"\.")):
        analyze_logs([str(EXAMPLES[0])], **kwargs)  # type: ignore[arg-type]


def test_a_sample_with_the_ray_engine_says_it_is_counted_here() -> None:
    result = CliRunner().invoke(cli, ["estimate", str(EXAMPLES[0]), "--sample", "20", "--engine", "ray",
                                      "--ray-address", "not-an-address", "--profile-only"])
    assert result.exit_code == 0 and "--engine ray (and its address) is not used with --sample" in result.stderr


def test_lines_that_are_not_records_are_estimated_for_the_whole_log(tmp_path: Path) -> None:
    """Half of 800 lines are broken JSON: half the lines drawn are skipped, and they stand for about 400 of the
    log's (with an interval that holds it), in the text, the JSON and readiness's format errors."""
    good = EXAMPLES[0].read_text().splitlines()
    path = tmp_path / "half_bad.jsonl"
    path.write_text("".join(f"{line}\n{{\"messages\": [bad json\n" for line in good))
    a = analyze_logs([str(path)], sample="50%", seed=0)
    assert a.sample is not None and a.records_skipped > 100
    assert a.sample.skipped_lines_ci95.low <= 400 <= a.sample.skipped_lines_ci95.high
    assert a.readiness.format_errors["data_type"] == round(a.sample.skipped_lines)
    text = CliRunner().invoke(cli, ["estimate", str(path), "--sample", "50%", "--profile-only"]).stdout
    assert "lines that are not valid records: about" in text


def test_the_same_seed_draws_the_same_sample_and_another_seed_another() -> None:
    log = str(EXAMPLES[0])
    a, b, c = (analyze_logs([log], sample=50, seed=s) for s in (1, 1, 2))
    assert a.profile == b.profile and a.sample == b.sample
    assert a.profile != c.profile


# ---------------------------------------------------------------- coverage on a log with very uneven lines


def _uneven_log(path: Path, lines: int = 3000) -> Path:
    """Requests whose length varies 40-fold and whose output grows with the prompt: a sample that favours long
    lines (the byte-offset draw, uncorrected) overstates every mean."""
    rng = random.Random(5)
    with path.open("w") as fh:
        for i in range(lines):
            words = rng.choice([5, 10, 20, 50, 200])
            system = "You are a careful assistant. " * rng.choice([1, 4])
            user = " ".join(f"w{rng.randrange(1000)}" for _ in range(words))
            reply = " ".join(f"r{rng.randrange(1000)}" for _ in range(words // 2 + 1))
            fh.write(json.dumps({"messages": [{"role": "system", "content": system}, {"role": "user", "content": user},
                                              {"role": "assistant", "content": reply}], "id": i}) + "\n")
    return path


PARTS = {"input": "input_tokens", "output": "output_tokens", "static": "static_prefix_tokens", "query": "query_tokens"}


@pytest.mark.parametrize(("name", "spec"), [("uneven.jsonl", 150), ("uneven.jsonl.gz", 150), ("uneven.jsonl", "5%")])
def test_intervals_contain_the_exact_means_about_95_percent_of_the_time(tmp_path: Path, name: str,
                                                                         spec: int | str) -> None:
    """60 seeds × 4 means: a 95% interval misses about 1 time in 20; fewer than 86% covered would be a broken
    estimator (P < 0.1% for a true 95%), and so would a mean whose error does not shrink with the correction."""
    plain = _uneven_log(tmp_path / "uneven.jsonl")
    path = plain
    if name.endswith(".gz"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(plain.read_bytes()))
    full = analyze_logs([str(path)])
    covered = trials = 0
    for seed in range(60):
        a = analyze_logs([str(path)], sample=spec, seed=seed)
        assert a.sample is not None
        for part, attr in PARTS.items():
            truth = getattr(full.profile, attr).mean
            e = a.sample.of(part)
            covered += e.mean_ci95.low <= truth <= e.mean_ci95.high
            trials += 1
        pop = a.sample.population_records_ci95
        assert pop.low - 1e-6 <= full.records_read <= pop.high + 1e-6 or name == "uneven.jsonl"
    assert covered / trials >= 0.86, covered / trials


def test_the_length_weights_remove_the_offset_draws_bias(tmp_path: Path) -> None:
    """Drawn by byte offset, long lines come up more often: their plain mean overstates the input; weighted by
    1 ÷ length it does not (averaged over 40 seeds)."""
    path = _uneven_log(tmp_path / "uneven.jsonl")
    truth = analyze_logs([str(path)]).profile.input_tokens.mean
    weighted, plain = [], []
    for seed in range(40):
        a = analyze_logs([str(path)], sample=150, seed=seed)
        assert a.sample is not None and a.sample.method == "offsets"
        weighted.append(a.sample.of("input").mean)
        spec = SampleSpec(lines=150, seed=seed)
        drawn = sampling.draw(str(path), spec, sampling.seeded(spec), None)
        lengths = [len(x.chunk.data or b"") for x in drawn.lines]
        plain.append(float(np.mean(lengths)))
    full_bytes = path.stat().st_size / 3000
    assert abs(np.mean(weighted) - truth) / truth < 0.03  # unbiased: within 3% on average
    assert np.mean(plain) > 1.3 * full_bytes  # the raw draw favours long lines by far more than that


def test_a_bad_sampled_line_is_located_by_its_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"messages": [{"role": "user", "content": "hi"}]}\n' + b"not json\n" * 50)
    a = analyze_logs([str(path)], sample=40, seed=3)
    assert a.records_skipped > 0
    where = a.skipped_examples[0].where
    assert where.startswith(f"{path}, byte ") and int(where.rsplit(" ", 1)[1].replace(",", "")) > 50


# ---------------------------------------------------------------- estimators


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=2, max_size=60), st.floats(0.5, 50))
def test_equal_weights_give_the_scaled_sum_and_mean(values: list[int], weight: float) -> None:
    x = np.asarray(values, dtype=np.float64)
    w = np.full(len(x), weight)
    total, ci = total_of(x, w)
    assert total == pytest.approx(weight * sum(values)) and ci.low <= total <= ci.high
    mean, se = ratio_of(x, np.ones(len(x)), w)
    assert mean == pytest.approx(sum(values) / len(values)) and se >= 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5_000), st.floats(0.1, 10)), min_size=2, max_size=40),
       st.integers(0, 3))
def test_strata_add_their_variances(rows: list[tuple[int, float]], cut: int) -> None:
    """Two inputs sampled separately: the total is the sum of theirs, its variance at least theirs apart."""
    x = np.asarray([r[0] for r in rows], dtype=np.float64)
    w = np.asarray([r[1] for r in rows])
    strata = np.asarray([0 if i < len(rows) // 2 + cut % 2 else 1 for i in range(len(rows))])
    total, ci = total_of(x, w, strata)
    assert total == pytest.approx(float(np.dot(w, x)))
    assert ci.high - total == pytest.approx(total - ci.low) or ci.low == 0


@pytest.mark.parametrize(("hits", "n", "low", "high"), [(0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0),
                                                       (50, 100, 0.4038, 0.5962)])
def test_wilson_interval(hits: int, n: int, low: float, high: float) -> None:
    # Wilson: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n), z = 1.96
    ci = proportion(hits, n)
    assert (round(ci.low, 4), round(ci.high, 4)) == (low, high)


# ---------------------------------------------------------------- the command line


def test_the_command_line_says_sampled_and_gives_intervals() -> None:
    log = str(EXAMPLES[0])
    text = CliRunner().invoke(cli, ["estimate", log, "--sample", "100", "--seed", "4", "--profile-only"])
    assert text.exit_code == 0, text.stderr
    assert "Sampled: 100 lines (random byte offsets, weighted by line length; seed 4)" in text.stdout
    assert "Every figure below is an estimate" in text.stdout and "Not estimated:" in text.stdout
    doc = json.loads(CliRunner().invoke(cli, ["estimate", log, "--sample", "25%", "--json"]).stdout)
    assert doc["sample"]["method"] == "bernoulli" and doc["sample"]["seed"] == 0
    assert doc["sample"]["population_estimate"] == 400  # every line read through: the log's size is known
    assert doc["sample"]["every_line"] is False and doc["sample"]["not_estimated"]  # 25%: about 100 of 400 lines
    inp = doc["profile"]["input_tokens"]
    assert inp["mean_ci95"][0] <= inp["mean"] <= inp["mean_ci95"][1] and "total_ci95" in inp and "p95_ci95" in inp
    assert any("sample's 95% intervals" in r or "not settled by this sample" in r for r in doc["recommendation"]["reasons"])
    full = json.loads(CliRunner().invoke(cli, ["estimate", log, "--json"]).stdout)
    assert full["sample"] is None and "mean_ci95" not in full["profile"]["input_tokens"]


@pytest.mark.parametrize(("args", "message"), [(["--sample", "0"], "Invalid value for --sample"),
                                               (["--sample", "lots"], "Invalid value for --sample"),
                                               (["--seed", "3"], "--seed sets the draws of --sample")])
def test_sampling_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["estimate", str(EXAMPLES[0]), *args])
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize("name", ["big.jsonl", "big.jsonl.gz"])
def test_a_sample_too_big_for_memory_is_refused_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         name: str) -> None:
    """The sampled lines are counted in memory: past MAX_SAMPLE_BYTES (lowered here to 64 KiB) the run stops with
    a clear error instead of exhausting memory."""
    from fineadvisor.errors import InputError

    monkeypatch.setattr(sampling, "MAX_SAMPLE_BYTES", 64 * 1024)
    line = json.dumps({"messages": [{"role": "user", "content": "x " * 2000}]}).encode() + b"\n"
    path = tmp_path / name
    data = line * 200
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(InputError, match="ask for fewer lines"):
        analyze_logs([str(path)], sample=100)
    assert analyze_logs([str(path)], sample=10).records_read == 10  # 10 × 4 KB fits


@pytest.mark.parametrize(
    ("lines", "sizes", "expected"),
    [
        (2000, [100, 300], [501, 1499]),  # 2 each, then 1,996 by size: 499 + 1,497, the remainders' 2 to both
        (10, [5, 0, 0], [6, 2, 2]),  # 2 each; the other 4 all to the only input with a size
        (5, [0, 0], [3, 2]),  # no sizes known: equally, the odd one to the first
        (3, [10, 10, 10, 10], [1, 1, 1, 1]),  # fewer lines than inputs: one each, none left out
        (7, [1, 1], [4, 3]),
    ],
)
def test_n_lines_are_shared_among_inputs_by_size(lines: int, sizes: list[int], expected: list[int]) -> None:
    assert sampling.allocate(lines, sizes) == expected


def test_a_directory_of_logs_samples_n_lines_in_all(tmp_path: Path) -> None:
    """--sample 60 on a directory of 12 logs draws 60 lines, not 60 from each, and still estimates their total."""
    one = EXAMPLES[1].read_bytes()  # the 57-line agent log
    for i in range(12):
        (tmp_path / f"part-{i:02d}.jsonl").write_bytes(one)
    a = analyze_logs([str(tmp_path)], sample=60, seed=2)
    assert a.sample is not None and a.sample.lines == 60
    ci = a.sample.population_records_ci95
    assert ci.low <= 12 * 57 <= ci.high
