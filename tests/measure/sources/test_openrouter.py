"""OpenRouter generation records (openrouter.ai/docs/api/api-reference/generations/get-generation): usage only."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fineadvisor.measure.records import Usage
from fineadvisor.measure.sources import RecordError, openrouter, to_record, to_records

DATA = Path(__file__).parents[2] / "data" / "sources" / "openrouter"
GEN = {"id": "gen-1", "model": "openai/gpt-4o-mini", "provider_name": "OpenAI", "api_type": "completions",
       "tokens_prompt": 1180, "tokens_completion": 95, "native_tokens_prompt": 1210, "native_tokens_completion": 97,
       "native_tokens_reasoning": 0, "native_tokens_cached": 1024, "total_cost": 0.00021, "cancelled": False}


@pytest.mark.parametrize(("obj", "usage"), [
    ({"data": GEN}, Usage(1210, 97, 1024, 0, 0)),  # the native counts are the billed ones, not 1180/95
    (GEN, Usage(1210, 97, 1024, 0, 0)),  # the bare object
    ({**GEN, "native_tokens_completion": 950, "native_tokens_reasoning": 640, "native_tokens_cached": None},
     Usage(1210, 950, 0, 0, 640)),  # reasoning is part of the completion
    ({**GEN, "native_tokens_prompt": None, "native_tokens_completion": None, "native_tokens_cached": 0},
     Usage(1180, 95)),  # no native counts: the normalized ones stand in
    ({"id": "g", "model": "m", "nativeTokensPrompt": 12, "nativeTokensCompletion": 30, "nativeTokensReasoning": 5,
      "tokensPrompt": 10, "tokensCompletion": 25}, Usage(12, 30, 0, 0, 5)),  # camelCase (the SDKs)
    ({**GEN, "native_tokens_prompt": 10, "native_tokens_cached": 40}, Usage(40, 97, 40, 0, 0)),  # cached > prompt
])
def test_generation_usage(obj: dict[str, Any], usage: Usage) -> None:
    rec = to_record(obj, 1)
    assert rec.source == "openrouter" and rec.prompt == () and rec.completion == ()
    assert rec.usage == usage


def test_model_is_kept_as_logged() -> None:
    assert to_record({"data": GEN}, 1).model == "openai/gpt-4o-mini"


@pytest.mark.parametrize(("obj", "reason"), [
    ({**GEN, "api_type": "embeddings"}, "is an 'embeddings' call"),
    ({**GEN, "native_tokens_prompt": 0, "native_tokens_completion": 0, "cancelled": True}, "was cancelled"),
    ({"id": "g", "model": "m", "native_tokens_prompt": None, "native_tokens_completion": None, "tokens_prompt": None},
     "has no token counts"),
    ({"date": "2025-08-24", "model": "openai/gpt-4.1", "requests": 5, "prompt_tokens": 50, "completion_tokens": 125},
     "OpenRouter Activity row"),
    ({"data": [{"date": "2025-08-24", "model": "m", "requests": 5, "promptTokens": 50}]}, "OpenRouter Activity row"),
])
def test_refused_with_a_reason(obj: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record(obj, 1)


def test_example_reads() -> None:
    for source in openrouter.SOURCES:
        assert all(not isinstance(r, RecordError) for r in to_records(json.loads(source.example), 1))


@pytest.mark.parametrize("line", [
    {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
    {"request": {"model": "gpt-4o", "messages": []}, "response": {"usage": {"prompt_tokens": 1}}},
    {"id": "chatcmpl-1", "model": "openai/gpt-4o", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 1}},
    {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": 1},
    {"data": {"id": "x", "model": "m"}},
])
def test_other_formats_not_matched(line: dict[str, Any]) -> None:
    assert not any(source.matches(line) for source in openrouter.SOURCES)


def test_fixture_totals_are_the_billed_sums() -> None:
    from fineadvisor.measure.analysis import analyze_logs

    a = analyze_logs([str(DATA / "generations.jsonl")])
    assert (a.records_read, a.records_skipped) == (4, 2)  # the cancelled and the embeddings generations skipped
    # native prompt 1210 + 18054 + 310 + 12 = 19586; native completion 97 + 120 + 950 + 30 = 1197
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (19586, 1197)
    assert dict(a.formats[0][1]) == {"openrouter": 4}
