"""analyze_logs: which model is judged, approximations recorded, progress reported, no-record errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fineadvisor import NoRecordsError, analyze_logs
from tests.conftest import DATA

TOY = str(DATA / "toy_chat_fine_tuning.jsonl")


def req(model: str, text: str = "hi") -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": text}]}


@pytest.mark.parametrize(
    ("models", "forced", "target", "source"),
    [
        (["gpt-4o", "gpt-4o", "gpt-4.1"], None, "gpt-4o", "most frequent model in the logs"),
        (["gpt-4o", "gpt-4.1"], "gpt-4.1-mini", "gpt-4.1-mini", "--model"),
        ([], None, "gpt-4o-mini", "the default: the logs name no model"),
    ],
)
def test_target_model(write_log: Callable[..., Path], models: list[str], forced: str | None, target: str,
                      source: str) -> None:
    lines = [req(m) for m in models] or [{"messages": [{"role": "user", "content": "hi"}]}]
    a = analyze_logs([str(write_log(lines))], model=forced)
    assert (a.model, a.model_source) == (target, source)


def test_approximate_counts_are_flagged(write_log: Callable[..., Path]) -> None:
    a = analyze_logs([str(write_log([req("claude-sonnet-4-5"), req("gpt-4o")]))])
    assert a.approximate
    assert len(a.approximate_reasons) == 1 and "claude-sonnet-4-5" in a.approximate_reasons[0]
    assert not analyze_logs([str(write_log([req("gpt-4o")], "b.jsonl"))]).approximate


def test_forced_model_counts_every_record_with_its_encoding(write_log: Callable[..., Path]) -> None:
    """TV4 counted as gpt-3.5-turbo (cl100k) vs gpt-4o (o200k): 8242 vs 8233 example tokens."""
    assert analyze_logs([TOY], model="gpt-3.5-turbo").readiness.tokens_per_example.total == 8242
    assert analyze_logs([TOY], model="gpt-4o").readiness.tokens_per_example.total == 8233


def test_progress_is_reported(write_log: Callable[..., Path]) -> None:
    path = write_log([req("gpt-4o", f"q{i}") for i in range(50)])
    calls: list[tuple[int, int]] = []
    analyze_logs([str(path)], progress=lambda done, total: calls.append((done, total)))
    size = path.stat().st_size
    assert calls and calls[-1] == (size, size)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "no records in"),
        (["", "   "], "no records in"),
        (["{bad", "[1]"], "all 2 non-blank lines were skipped; the first: "),
    ],
)
def test_no_records(write_log: Callable[..., Path], lines: list[str], message: str) -> None:
    with pytest.raises(NoRecordsError, match=message):
        analyze_logs([str(write_log(lines))])


def test_several_files_are_one_log(write_log: Callable[..., Path]) -> None:
    a = analyze_logs([str(write_log([req("gpt-4o")] * 3, "a.jsonl")), str(write_log([req("gpt-4o")] * 2, "b.jsonl"))])
    assert (a.records_read, a.lines_read, a.profile.templates) == (5, 5, 1)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
@pytest.mark.parametrize("strict", [False, True])
def test_temporary_files_are_closed_after_the_analysis(write_log: Callable[..., Path],
                                                       monkeypatch: pytest.MonkeyPatch, strict: bool) -> None:
    """Spilled per-record numbers (readiness's hashes, the profile's groups past its table) are deleted when the
    analysis ends, and when a strict scan stops early."""
    from fineadvisor import FineAdvisorError
    from fineadvisor.measure import profile, readiness

    monkeypatch.setattr(profile, "GROUP_SLOTS", 1)
    monkeypatch.setattr(profile, "MOVE_GROUPS", 1)
    monkeypatch.setattr(readiness, "SPILL_ITEMS", 2)
    # each record has its own history pair, so its own group: merged, so spilled
    good = write_log([{"model": "gpt-4o", "messages": [{"role": "user", "content": f"a{i}"},
                                                       {"role": "assistant", "content": f"b{i}"},
                                                       {"role": "user", "content": "q"}]} for i in range(5)],
                     "good.jsonl")
    bad = write_log(["not json"], "bad.jsonl")
    before = len(list(Path("/proc/self/fd").iterdir()))
    if strict:
        with pytest.raises(FineAdvisorError) as stopped:  # its traceback holds the scan: closing must not wait
            analyze_logs([str(good), str(bad)], strict=True)
        assert "bad.jsonl:1" in str(stopped.value)
    else:
        assert analyze_logs([str(good), str(bad)]).profile.records == 5
    assert len(list(Path("/proc/self/fd").iterdir())) == before


def test_a_plain_script_without_a_main_guard_can_use_workers(tmp_path: Path) -> None:
    """The README's library example as a plain script (no `if __name__ == "__main__":`), counting with worker
    processes: the workers do not run the script's top level again (which would start a second analysis each)."""
    import subprocess
    import sys

    script = tmp_path / "example.py"
    log = Path(__file__).resolve().parents[2] / "examples" / "support_bot.jsonl"
    script.write_text("from fineadvisor import analyze_logs\n"
                      f"a = analyze_logs([{str(log)!r}], workers=2)\n"
                      "print('ran', a.records_read)\n")
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ran 400"
