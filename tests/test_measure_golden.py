"""The measurement is unchanged by refactoring: `--json`'s measure sections equal stored copies, byte for byte.

The stored copies (tests/data/golden/) were written by the code before the layering of the package; regenerate them
only for a deliberate change of what is measured: `python tests/test_measure_golden.py --write`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "data" / "golden"
EXAMPLES = {
    "support_bot": ["examples/support_bot.jsonl"],
    "classify_batch": ["examples/classify_batch_input.jsonl", "examples/classify_batch_output.jsonl"],
    "agent_anthropic": ["examples/agent_anthropic.jsonl"],
    "toy_chat_fine_tuning": ["tests/data/toy_chat_fine_tuning.jsonl"],
}
SECTIONS = ("records", "model", "model_source", "encoding", "approximate", "approximate_reasons", "profile",
            "readiness")
"""Everything `--json` prints that the logs alone determine (no prices, no scenario, no date)."""


def measured(files: list[str]) -> str:
    """The measure sections of `fineadvisor estimate FILES --json`, as indented JSON text."""
    out = subprocess.run([sys.executable, "-m", "fineadvisor", "estimate", *files, "--json"], cwd=REPO,
                         capture_output=True, text=True, check=True)
    doc = json.loads(out.stdout)
    return json.dumps({k: doc[k] for k in SECTIONS}, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_measure_sections_are_byte_identical(name: str) -> None:
    assert measured(EXAMPLES[name]) == (GOLDEN / f"{name}.json").read_text(encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    for name, files in EXAMPLES.items():
        (GOLDEN / f"{name}.json").write_text(measured(files), encoding="utf-8")
