"""The README stays true: its quick start output is what the CLI prints, and every option is documented."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from fineadvisor.present.cli import cli, estimate

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_output_is_real(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text block after the quick start is exactly what `fineadvisor estimate` prints (on the README's date)."""
    monkeypatch.chdir(ROOT)
    shown = re.search(r"What you see \(on (\d{4}-\d{2}-\d{2})[^\n]*\n\n```text\n(.*?)```", README, re.S)
    assert shown, "README lost its quick-start output block"
    monkeypatch.setattr("fineadvisor.advise.scenario.today", lambda: date.fromisoformat(shown.group(1)))
    result = CliRunner().invoke(cli, ["estimate", "examples/support_bot.jsonl", "--requests-per-day", "20000"])
    assert result.exit_code == 0, result.output
    assert result.stdout == shown.group(2)


def test_quick_start_commands() -> None:
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", README, re.S)
    assert block
    lines = block.group(1).strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("fineadvisor estimate examples/support_bot.jsonl --requests-per-day 20000")
    assert lines[1] == "pytest"
    assert "\npytest\n" in (ROOT / ".ci" / "run").read_text()


def test_every_option_is_documented() -> None:
    for param in estimate.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert opt in README, f"{opt} is not in the README"
