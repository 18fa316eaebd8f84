"""Reports: the JSON document's shape and types, the text tables, and Markdown."""

from __future__ import annotations

import json

import pytest

from fineadvisor import analyze_logs
from fineadvisor.measure.analysis import LogAnalysis
from fineadvisor.present.report import to_dict, to_markdown, to_text
from tests.conftest import DATA


@pytest.fixture(scope="module")
def toy() -> LogAnalysis:
    return analyze_logs([str(DATA / "toy_chat_fine_tuning.jsonl")], model="gpt-3.5-turbo")


def test_json_is_plain_and_complete(toy: LogAnalysis) -> None:
    d = to_dict(toy)
    assert json.loads(json.dumps(d)) == d  # only JSON types
    for part in ("input_tokens", "output_tokens", "static_prefix_tokens", "few_shot_tokens", "query_tokens"):
        assert set(d["profile"][part]) == {"count", "mean", "p50", "p90", "p95", "max", "total"}
    r = d["readiness"]
    assert (r["examples"], r["n_epochs"], r["billable_training_tokens"]) == (5, 20, 164_840)  # TV4, cl100k
    assert set(r["format_errors"]) == {"data_type", "missing_messages_list", "message_missing_key",
                                       "message_unrecognized_key", "unrecognized_role", "missing_content",
                                       "example_missing_assistant_message"}
    assert (d["encoding"], d["approximate"]) == ("cl100k_base", False)


def test_text(toy: LogAnalysis) -> None:
    text = to_text(toy)
    assert "Tokens per request" in text and "Static share of input: " in text
    assert "Default epochs: 20 → billable training tokens 20 × 8,242 = 164,840." in text
    assert "Warning: 5 examples: OpenAI requires at least 10 to start a fine-tuning job." in text


def test_markdown(toy: LogAnalysis) -> None:
    md = to_markdown(toy)
    assert md.startswith("# fineadvisor report: ")
    assert "| tokens per request | mean | p50 | p90 | p95 | max | total |" in md
    assert "## Fine-tuning readiness (target gpt-3.5-turbo)" in md
    assert "## Notes" in md
