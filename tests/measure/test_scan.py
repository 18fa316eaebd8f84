"""The scan: Batch API input/output joined by custom_id, strict mode, and workers giving identical results."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.errors import LogFormatError
from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.scan import scan_logs

SYSTEM = {"role": "system", "content": "Label the ticket: billing, bug, other."}


def batch_in(i: int) -> dict[str, Any]:
    return {"custom_id": f"t{i}", "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4.1-mini", "messages": [SYSTEM, {"role": "user", "content": f"ticket {i}"}]}}


def batch_out(i: int, prompt_tokens: int = 30) -> dict[str, Any]:
    return {"custom_id": f"t{i}", "error": None, "response": {"status_code": 200, "body": {
        "choices": [{"message": {"role": "assistant", "content": "billing"}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1}}}}


def test_batch_input_and_output_are_joined(write_log: Callable[..., Path]) -> None:
    outs = [batch_out(i) for i in range(6)]
    random.Random(1).shuffle(outs)
    a = analyze_logs([str(write_log([batch_in(i) for i in range(6)], "in.jsonl")),
                      str(write_log(outs, "out.jsonl"))])
    p = a.profile
    assert a.records_read == 6  # 12 lines → 6 joined requests
    assert p.usage.records == 6 and p.output_tokens.total == 6  # "billing" = 1 completion token each
    assert p.system_tokens.count == 6 and p.records_without_output == 0
    assert a.readiness.usable_examples == 6  # joined: each has its assistant answer


def test_unmatched_batch_lines_stand_alone(write_log: Callable[..., Path]) -> None:
    a = analyze_logs([str(write_log([batch_in(1), batch_out(2)]))])
    assert a.records_read == 2
    assert a.profile.records_with_prompt == 1  # the output line has billed usage but no prompt


def test_strict_stops_at_the_first_bad_line(write_log: Callable[..., Path]) -> None:
    path = write_log([batch_in(1), "{oops", batch_in(2), "[]"])
    with pytest.raises(LogFormatError) as err:
        analyze_logs([str(path)], strict=True)
    assert err.value.line_no == 2 and str(err.value).startswith(f"{path}:2: invalid JSON")


def test_workers_give_identical_results(write_log: Callable[..., Path]) -> None:
    lines: list[Any] = []
    for i in range(600):
        lines.append(batch_in(i) if i % 50 else "not json")
    path = str(write_log(lines))
    one = analyze_logs([path], workers=1)
    two = analyze_logs([path], workers=2)
    assert one.profile == two.profile
    assert one.readiness == two.readiness
    assert one.skipped_examples == two.skipped_examples
    assert [b.line_no for b in one.skipped_examples] == [1, 51, 101, 151, 201]


def test_byte_range_chunks_number_lines_across_chunks(write_log: Callable[..., Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """With many small chunks, skipped lines keep their true line numbers."""
    import fineadvisor.measure.scan as scan

    real = scan.read_chunks
    monkeypatch.setattr(scan, "read_chunks", lambda path, max_bytes=None: real(path, chunk_bytes=700))
    lines: list[Any] = [batch_in(i) if i % 7 else "{bad" for i in range(100)]
    path = str(write_log(lines))
    scan = scan_logs([path], workers=1)
    assert [b.line_no for b in scan.skipped_examples] == [1, 8, 15, 22, 29]  # the first five of 15
    assert (scan.skipped, scan.lines, scan.records) == (15, 100, 85)


@pytest.mark.parametrize("per_task", [1, 2, 3, 50])
def test_byte_ranges_counted_together_give_what_they_give_one_by_one(write_log: Callable[..., Path],
                                                                      per_task: int) -> None:
    """`count_chunks` of consecutive byte ranges (what one Ray task counts) folds them into one result: merged in
    order, it is the scan of the ranges one by one, line numbers of skipped lines included."""
    from fineadvisor.measure.logs import iter_chunks
    from fineadvisor.measure.scan import LineCounter, Scan, _merge_all, count_chunk, count_chunks

    lines: list[Any] = [batch_in(i) if i % 7 else "{bad" for i in range(100)]
    lines += [{"messages": [{"role": "user", "content": f"u{i % 3}"}, {"role": "assistant", "content": "a"},
                            {"role": "user", "content": f"q{i}"}]} for i in range(60)]
    path = str(write_log(lines))
    chunks = list(iter_chunks(path, chunk_bytes=700))
    assert len(chunks) > 10
    counter = LineCounter(None)
    one_by_one = _merge_all([path], Scan(), False, None, lambda _p: ((c, count_chunk(c, counter)) for c in chunks))
    tasks = [chunks[i:i + per_task] for i in range(0, len(chunks), per_task)]
    from dataclasses import replace

    together = _merge_all([path], Scan(), False, None, lambda _p: (
        (replace(t[0], end=t[-1].end), count_chunks(t, counter)) for t in tasks))
    assert together.profile.result() == one_by_one.profile.result()
    assert together.readiness.result("gpt-4o-mini") == one_by_one.readiness.result("gpt-4o-mini")
    assert [b.line_no for b in together.skipped_examples] == [1, 8, 15, 22, 29]
    assert (together.skipped, together.lines, together.records) == (one_by_one.skipped, 160, one_by_one.records)
    assert together.skipped_reasons == one_by_one.skipped_reasons and together.formats == one_by_one.formats


@pytest.mark.parametrize(("example", "min_reused_share"), [
    ("support_bot.jsonl", 0.9),  # one system prompt + five few-shot pairs on every request
    ("agent_anthropic.jsonl", 0.1),  # conversations share a prefix with their own earlier requests
    ("classify_batch_input.jsonl", 0.0),  # a Batch line starts with its own custom_id: nothing shared
])
def test_reusing_repeated_prefixes_changes_no_result(example: str, min_reused_share: float,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # The bundled logs repeat long system prompts and few-shot messages: counted with prefix parsing and reuse,
    # and again with both switched off, every figure is the same.
    from fineadvisor.measure._fast import prefixes
    from fineadvisor.measure._fast.reuse import LeadingReuse
    from fineadvisor.measure.logs import parse_json

    path = str(Path(__file__).parents[2] / "examples" / example)
    hits: list[int] = []
    original = prefixes.PrefixParser._parse_rest

    def counting(self: prefixes.PrefixParser, p: Any, buf: bytes, at: int, end: int) -> Any:
        out = original(self, p, buf, at, end)
        hits.append(out is not None)
        return out

    monkeypatch.setattr(prefixes.PrefixParser, "_parse_rest", counting)
    with_reuse = analyze_logs([path], workers=1)
    monkeypatch.setattr(prefixes.PrefixParser, "parse", lambda self, buf, start, end: parse_json(buf[start:end]))
    monkeypatch.setattr(LeadingReuse, "match", lambda self, items: [])
    without = analyze_logs([path], workers=1)
    assert with_reuse.profile == without.profile
    assert with_reuse.readiness == without.readiness
    assert sum(hits) >= min_reused_share * with_reuse.records_read


def test_the_forkserver_preload_is_this_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forkserver imports its preload with the current directory first on its path: another `fineadvisor/`
    there must not become the workers' code, so then nothing is preloaded."""
    from fineadvisor.measure import scan

    monkeypatch.chdir(tmp_path)
    assert scan._server_imports_this_package()  # nothing here to shadow the package
    monkeypatch.chdir(Path(scan.__file__).parents[2])
    assert scan._server_imports_this_package()  # the package's own checkout
    (tmp_path / "fineadvisor").mkdir()
    (tmp_path / "fineadvisor" / "__init__.py").write_text("raise ImportError('not the package under test')\n")
    monkeypatch.chdir(tmp_path)
    assert not scan._server_imports_this_package()


def test_workers_count_with_the_parents_code_whatever_the_current_directory(tmp_path: Path) -> None:
    """End to end, in a fresh interpreter run from a directory holding a broken `fineadvisor/`: two workers
    count the log with the parent's package and give the one-process result."""
    import os
    import subprocess
    import sys

    (tmp_path / "fineadvisor").mkdir()
    (tmp_path / "fineadvisor" / "__init__.py").write_text("raise SystemExit('workers imported the wrong package')\n")
    log = tmp_path / "log.jsonl"
    log.write_text("".join(f'{{"model": "gpt-4o", "messages": [{{"role": "user", "content": "q{i}"}}]}}\n'
                           for i in range(50)))
    package_root = str(Path(__file__).resolve().parents[2])
    code = ("import sys; from fineadvisor.measure.analysis import analyze_logs\n"
            "if __name__ == '__main__':\n"
            f"    print(analyze_logs([{str(log)!r}], workers=2).profile.input_tokens.total,"
            f" analyze_logs([{str(log)!r}], workers=1).profile.input_tokens.total)\n")
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "run.py"  # not next to the broken package: the parent imports the real one
    script.write_text(code)
    env = {**os.environ, "PYTHONPATH": package_root}
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    two, one = out.stdout.split()
    assert two == one and int(one) > 0


# ---------------------------------------------------------------- the per-line barrier, under fuzzing


def _run(lines: list[bytes], tmp_path: Path, workers: int = 1) -> tuple[int, int, int]:
    """(records, skipped, non-blank lines) of a log of these lines; any exception but FineAdvisorError fails."""
    from fineadvisor.errors import FineAdvisorError, NoRecordsError
    from tests.mutations import is_blank

    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    non_blank = sum(not is_blank(line) for line in lines)
    try:
        a = analyze_logs([str(path)], workers=workers)
    except NoRecordsError:
        return 0, non_blank, non_blank
    except FineAdvisorError as exc:  # pragma: no cover - shown if it happens
        raise AssertionError(f"the run stopped: {exc}") from exc
    return a.records_read, a.records_skipped, non_blank


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seeded_fuzz_no_line_stops_the_run(seed: int, tmp_path: Path) -> None:
    """2,000 mutated lines per seed (every mutation of tests/mutations.py): each becomes a record or a skipped line
    with a reason; nothing raises; the result prints (lone surrogates replaced)."""
    from fineadvisor.present.report import to_dict, to_markdown, to_text
    from tests.mutations import mutated_lines

    lines = [line for _, line in mutated_lines(2_000, seed)]
    records, skipped, non_blank = _run(lines, tmp_path)
    assert records + skipped == non_blank
    a = analyze_logs([str(tmp_path / "fuzz.jsonl")])
    for text in (to_text(a), to_markdown(a), __import__("json").dumps(to_dict(a), ensure_ascii=False)):
        text.encode("utf-8")  # no lone surrogate left anywhere in the output
    assert all(b.reason for b in a.skipped_examples)


def test_fuzz_with_workers_equals_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fineadvisor.measure import logs
    from tests.mutations import mutated_lines

    monkeypatch.setattr(logs, "CHUNK_BYTES", 64 * 1024)  # many chunks over two workers
    lines = [line for _, line in mutated_lines(3_000, 7)]
    assert _run(lines, tmp_path, workers=2) == _run(lines, tmp_path, workers=1)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_property_any_mutated_line_is_a_record_or_a_skip(data: st.DataObject) -> None:
    """For any mutation of any seed line: records + skipped = non-blank lines, and no exception escapes."""
    import tempfile

    from tests.mutations import MUTATIONS, seed_lines

    seeds = seed_lines(40)
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    lines = [MUTATIONS[data.draw(st.sampled_from(sorted(MUTATIONS)))](rng.choice(seeds), rng).replace(b"\n", b" ")
             for _ in range(data.draw(st.integers(1, 12)))]
    with tempfile.TemporaryDirectory() as tmp:
        records, skipped, non_blank = _run(lines, Path(tmp))
    assert records + skipped == non_blank


@pytest.mark.parametrize(("mutation", "reason"), [
    ("deep nesting", "nested deeper than 1,024 levels"),
    ("image bomb", "decompression bomb"),
    ("deep custom_id", '"custom_id" must be a string'),
])
def test_each_named_limit_gives_its_reason(mutation: str, reason: str, tmp_path: Path) -> None:
    from tests.mutations import MUTATIONS, seed_lines

    line = MUTATIONS[mutation](seed_lines(2)[0], random.Random(1))
    if mutation == "deep nesting":
        line = line[:-1].rsplit(b', "x": ', 1)[0] + b', "x": ' + b"[" * 1_025 + b"]" * 1_025 + b"}"
    path = tmp_path / "one.jsonl"
    path.write_bytes(line + b"\n" + seed_lines(2)[1] + b"\n")
    a = analyze_logs([str(path)])
    assert a.records_skipped == 1 and reason in a.skipped_examples[0].reason, a.skipped_examples


def test_lone_surrogates_are_replaced_counted_and_printable(tmp_path: Path) -> None:
    from tests.mutations import MUTATIONS, seed_lines

    line = MUTATIONS["lone surrogate"](seed_lines(2)[0], random.Random(1))
    path = tmp_path / "s.jsonl"
    path.write_bytes(line + b"\n")
    a = analyze_logs([str(path)])
    assert a.records_read == 1 and a.surrogates_replaced >= 2
    assert "\ufffd" in a.model


def test_workers_leave_nothing_in_the_temporary_directory(tmp_path: Path) -> None:
    """With worker processes running (and their forkserver alive), $TMPDIR holds nothing: the forkserver listens
    on an abstract socket, so even a SIGKILL of the run leaves no `pymp-*` directory behind."""
    import os
    import subprocess
    import sys

    log = Path(__file__).resolve().parents[2] / "examples" / "support_bot.jsonl"
    code = ("import os; from fineadvisor import analyze_logs\n"
            f"a = analyze_logs([{str(log)!r}], workers=2)\n"
            "print(a.records_read, sorted(os.listdir(os.environ['TMPDIR'])))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TMPDIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "400 []"
