"""The scan: Batch API input/output joined by custom_id, strict mode, and workers giving identical results."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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

    real = scan.iter_chunks
    monkeypatch.setattr(scan, "iter_chunks", lambda path: real(path, chunk_bytes=700))
    lines: list[Any] = [batch_in(i) if i % 7 else "{bad" for i in range(100)]
    path = str(write_log(lines))
    scan = scan_logs([path], workers=1)
    assert [b.line_no for b in scan.skipped_examples] == [1, 8, 15, 22, 29]  # the first five of 15
    assert (scan.skipped, scan.lines, scan.records) == (15, 100, 85)


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
