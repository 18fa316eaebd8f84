"""promptfoo eval results (promptfoo.dev/docs/configuration/outputs; EvaluateResult in src/types/index.ts)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fineadvisor.measure.records import Usage
from fineadvisor.measure.sources import RecordError, promptfoo, to_record, to_records

DATA = Path(__file__).parents[2] / "data" / "sources" / "promptfoo"
RESULT = {"promptIdx": 0, "testIdx": 0, "provider": {"id": "openai:gpt-4o-mini", "label": ""},
          "prompt": {"raw": "Hi", "label": "p"}, "vars": {}, "success": True, "score": 1, "failureReason": 0,
          "response": {"output": "Hello!", "tokenUsage": {"prompt": 8, "completion": 2, "total": 10}}}


@pytest.mark.parametrize(("provider_id", "model"), [
    ("openai:gpt-4o-mini", "gpt-4o-mini"),
    ("openai:chat:gpt-4o", "gpt-4o"),
    ("openai:responses:gpt-5", "gpt-5"),
    ("anthropic:messages:claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"),
    ("openrouter:openai/gpt-4o", "openai/gpt-4o"),
    ("ollama:chat:llama3:8b", "llama3:8b"),
    ("bedrock:anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
    ("echo", None),
    ("file://providers/custom.py", None),
    ("https://api.example.com/generate", None),
    ("python:provider.py", None),
])
def test_model_of_provider(provider_id: str, model: str | None) -> None:
    assert promptfoo.model_of_provider(provider_id) == model


def test_chat_prompt_output_and_usage() -> None:
    raw = json.dumps([{"role": "system", "content": "You translate."}, {"role": "user", "content": "Hello?"}])
    rec = to_record({**RESULT, "prompt": {"raw": raw}}, 1)
    assert rec.source == "promptfoo" and rec.model == "gpt-4o-mini"
    assert [(m.role, m.texts) for m in rec.prompt] == [("system", ("You translate.",)), ("user", ("Hello?",))]
    assert rec.completion[0].texts == ("Hello!",) and rec.usage == Usage(8, 2)


@pytest.mark.parametrize(("change", "usage"), [
    # OpenAI's prompt includes the cache reads; reasoning is part of the completion
    ({"response": {"output": "4", "tokenUsage": {"prompt": 12, "completion": 408, "completionDetails": {
        "reasoning": 384, "cacheReadInputTokens": 0}}}}, Usage(12, 408, 0, 0, 384)),
    # Anthropic's input_tokens excludes them: 500 + 3000 read + 200 written = 3700
    ({"provider": {"id": "anthropic:messages:claude-x"}, "response": {"output": "ok", "tokenUsage": {
        "prompt": 500, "completion": 60, "completionDetails": {"cacheReadInputTokens": 3000,
                                                               "cacheCreationInputTokens": 200}}}},
     Usage(3700, 60, 3000, 200, 0)),
    ({"response": {"output": "Hello!"}, "tokenUsage": {"prompt": 8, "completion": 2, "total": 10}}, Usage(8, 2)),
    ({"response": {"output": "Hello!", "tokenUsage": {}}}, None),
])
def test_usage(change: dict[str, Any], usage: Usage | None) -> None:
    assert to_record({**RESULT, **change}, 1).usage == usage


@pytest.mark.parametrize("change", [
    {"response": {"output": "Hello!", "cached": True, "tokenUsage": {"cached": 10, "total": 10}}},
    {"response": {"output": "Hello!", "tokenUsage": {"cached": 10, "total": 10}}},
])
def test_a_result_from_promptfoos_own_cache_is_skipped(change: dict[str, Any]) -> None:
    # promptfoo's response cache, not the provider's: no API call, a repeat of an earlier result (counting it would
    # count the same test twice)
    with pytest.raises(RecordError, match="from its own response cache"):
        to_record({**RESULT, **change}, 1)


def test_failed_assertion_is_still_a_model_call() -> None:
    rec = to_record({**RESULT, "success": False, "failureReason": 1, "error": "Expected output to contain x"}, 1)
    assert rec.usage == Usage(8, 2)


def test_object_output_and_gemini_messages() -> None:
    calls = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    raw = json.dumps([{"role": "user", "parts": [{"text": "Hi"}]}, {"role": "model", "parts": [{"text": "Yo"}]}])
    rec = to_record({**RESULT, "prompt": {"raw": raw}, "response": {"output": calls}}, 1)
    assert [(m.role, m.texts) for m in rec.prompt] == [("user", ("Hi",)), ("assistant", ("Yo",))]
    assert rec.completion[0].tool_call and json.loads(rec.completion[0].texts[0]) == calls


@pytest.mark.parametrize(("change", "reason"), [
    ({"failureReason": 2, "error": "API error: 429", "response": {"error": "API error: 429"}},
     "promptfoo result failed (provider 'openai:gpt-4o-mini'): API error: 429"),
    ({"response": {"error": "timeout"}}, "failed (provider 'openai:gpt-4o-mini'): timeout"),
    ({"provider": {"id": "openai:embedding:text-embedding-3-small"}}, "is not a chat or completion model"),
    ({"prompt": {"raw": ""}, "response": {"output": None}}, "no prompt, no output and no token usage"),
])
def test_refused_with_a_reason(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record({**RESULT, **change}, 1)


def test_the_json_document_expands_to_its_results() -> None:
    doc = json.loads((DATA / "results.json").read_text())
    items = list(to_records(doc, 1))
    errors = [str(e) for e in items if isinstance(e, RecordError)]
    recs = [r for r in items if not isinstance(r, RecordError)]
    assert [r.model for r in recs] == ["gpt-4o-mini", "o4-mini", "claude-sonnet-4-5-20250929"]
    assert [r.usage for r in recs] == [Usage(25, 5), Usage(12, 408, 0, 0, 384), Usage(3700, 60, 3000, 200, 0)]
    assert errors[0].startswith("promptfoo served this result from its own response cache")
    assert errors[1] == "promptfoo result failed (provider 'openai:gpt-4o-mini'): API error: 429 Too Many Requests"
    summary = doc["results"]  # a bare EvaluateSummary {version, results[], stats} expands too
    assert len(list(to_records(summary, 1))) == 5


def test_examples_read() -> None:
    for source in promptfoo.SOURCES:
        assert all(not isinstance(r, RecordError) for r in to_records(json.loads(source.example), 1))


@pytest.mark.parametrize("line", [
    {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
    {"request": {"model": "gpt-4o", "messages": []}, "response": {"usage": {"prompt_tokens": 1}}},
    {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": 1},
    {"results": [{"a": 1}], "total": 1},
    {"id": "run", "inputs": {"prompt": "x"}, "outputs": {}, "run_type": "llm"},
])
def test_other_formats_not_matched(line: dict[str, Any]) -> None:
    assert not any(source.matches(line) for source in promptfoo.SOURCES)


@pytest.mark.parametrize("name", ["results.jsonl", "document_one_line.jsonl"])
def test_fixture_totals_are_the_billed_sums(name: str, tmp_path: Path) -> None:
    from fineadvisor.measure.analysis import analyze_logs

    a = analyze_logs([str(DATA / name)])
    assert (a.records_read, a.records_skipped) == (3, 2)  # the 429 error and the promptfoo-cache result skipped
    assert dict(a.formats[0][1]) == {"promptfoo": 3}
    # billed prompt 25 + 12 + 3700 = 3737; billed completion 5 + 408 + 60 = 473
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (3737, 473)
