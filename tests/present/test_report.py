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


def test_estimate_json_schema_2(toy: LogAnalysis) -> None:
    """schema_version 2: the logged setup is `as_logged`; retraining is its own line item; break-evens state what
    they mean and over how many months; every money value is an exact decimal string."""
    from datetime import date
    from decimal import Decimal

    from fineadvisor import Scenario, estimate
    from fineadvisor.present.report import JSON_SCHEMA_VERSION, estimate_to_dict

    e = estimate(toy, Scenario.per_day(50_000, start=date(2026, 12, 3)))
    d = estimate_to_dict(e)
    assert json.loads(json.dumps(d)) == d
    assert d["schema_version"] == JSON_SCHEMA_VERSION == 2
    assert d["recommendation"]["baseline"] == d["strategies"][0]["id"] == "as_logged"
    assert "few_shot" not in {s["id"] for s in d["strategies"]}
    for s in d["strategies"]:
        assert 0 <= s["months_run"] <= 12
        kinds = {li["kind"] for li in s["line_items"]}
        assert kinds <= {"per_request", "monthly", "one_off", "per_retraining"}
        assert ("per_retraining" in kinds) == (Decimal(s["retrain_usd"]) > 0)
        for key in ("per_request_usd", "monthly_usd", "fixed_monthly_usd", "one_off_usd", "horizon_usd"):
            assert Decimal(s[key]).is_finite()
    for b in d["break_even"]:
        assert b["a"] == "as_logged"
        assert b["definition"].startswith("the starting volume") and 0 <= b["amortised_over_months"] <= 12
        assert (b["requests_per_month"] is None) == (b["kind"] != "crosses")
        assert b["payback_months"] is None or Decimal(b["payback_months"]) == int(Decimal(b["payback_months"]))


def test_each_input_says_what_it_was_read_as(tmp_path: object) -> None:
    """One line per run and `inputs[].formats` in the JSON: every input with the formats its lines were read as."""
    import json as _json
    from pathlib import Path

    from fineadvisor.present.report import formats_line

    mixed = Path(str(tmp_path)) / "mixed.jsonl"
    mixed.write_text("\n".join([
        _json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}),
        _json.dumps({"model": "gpt-4o", "input": "hello"}),
        _json.dumps({"model": "claude-sonnet-4-5", "system": "s", "messages": [{"role": "user", "content": "q"}]}),
        "not json",
    ]) + "\n")
    a = analyze_logs([str(mixed), str(DATA / "toy_chat_fine_tuning.jsonl")])
    assert formats_line(a) == (f"Read as: {mixed}: 1 fine-tuning examples, 1 Responses API requests, 1 Anthropic "
                               f"Messages requests; {DATA / 'toy_chat_fine_tuning.jsonl'}: 5 fine-tuning examples.")
    assert to_dict(a)["inputs"][0] == {"file": str(mixed), "formats": {
        "fine_tuning": 1, "responses_request": 1, "anthropic": 1}}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Two usage-only generations (OpenRouter): no prompt, so the static share is unknown, never 0%.
        (b'{"id": "g1", "model": "openai/gpt-4o-mini", "native_tokens_prompt": 100, "native_tokens_completion": 5}\n'
         b'{"id": "g2", "model": "openai/gpt-4o-mini", "native_tokens_prompt": 200, "native_tokens_completion": 7}\n',
         ["Read 2 records from 2 lines (0 skipped).", "Static share of input: unknown",
          "2 records have billed usage but no content: they count in the totals"]),
        # A JSON document counts records, not lines: 2 of 2 records.
        (b'[\n {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]},\n'
         b' {"messages": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}\n]\n',
         ["Read 2 of 2 records (0 skipped).", "Static share of input: 0.0%"]),
    ],
)
def test_text_says_what_was_read(data: bytes, expected: list[str]) -> None:
    from fineadvisor.measure.logs import MemoryLog

    text = to_text(analyze_logs([MemoryLog("log", data)]))
    for line in expected:
        assert line in text
