"""Helicone request rows (export, POST /v1/request/query) become records; failures and cache hits are skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.records import Usage
from fineadvisor.measure.sources import RecordError, source_of, to_record, to_records
from fineadvisor.measure.sources.helicone import SOURCES

DATA = Path(__file__).parents[2] / "data" / "sources" / "helicone"
REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
ANSWER = {"choices": [{"message": {"role": "assistant", "content": "Hello"}}]}


def row(**fields: Any) -> dict[str, Any]:
    return {"request_id": "r1", "request_created_at": "2026-11-08T12:00:00Z", "provider": "OPENAI",
            "request_path": "/v1/chat/completions", "response_status": 200, "request_model": "gpt-4o-mini",
            "cache_reference_id": "00000000-0000-0000-0000-000000000000", "request_body": REQUEST, **fields}


@pytest.mark.parametrize(
    ("fields", "usage"),
    [
        # body usage is the bill: 150 prompt incl. 100 cached, 20 completion incl. 8 reasoning
        ({"response_body": {**ANSWER, "usage": {"prompt_tokens": 150, "completion_tokens": 20,
                                                "prompt_tokens_details": {"cached_tokens": 100},
                                                "completion_tokens_details": {"reasoning_tokens": 8}}},
          "prompt_tokens": 50, "prompt_cache_read_tokens": 100, "completion_tokens": 20}, Usage(150, 20, 100, 0, 8)),
        # Anthropic body: 30 + 500 read + 200 written
        ({"request_body": {"model": "claude-sonnet-4-5", "max_tokens": 50, "messages": REQUEST["messages"]},
          "response_body": {"type": "message", "content": [{"type": "text", "text": "Hi"}], "usage": {
              "input_tokens": 30, "output_tokens": 60, "cache_read_input_tokens": 500,
              "cache_creation_input_tokens": 200}}}, Usage(730, 60, 500, 200, 0)),
        # no usage in the body (stream): disjoint columns 40 + 10 read + 5 written + 2 audio; 12 + 1 audio
        ({"response_body": ANSWER, "prompt_tokens": 40, "prompt_cache_read_tokens": 10,
          "prompt_cache_write_tokens": 5, "prompt_audio_tokens": 2, "completion_tokens": 12,
          "completion_audio_tokens": 1}, Usage(57, 13, 10, 5, 0)),
        # AI Gateway body: Anthropic cache writes outside prompt_tokens → 110 + 40 = 150
        ({"response_body": {**ANSWER, "usage": {"prompt_tokens": 110, "completion_tokens": 9, "prompt_tokens_details": {
            "cached_tokens": 100, "cache_write_tokens": 40}}}}, Usage(150, 9, 100, 40, 0)),
        ({"response_body": ANSWER}, None),
        ({"response_body": ANSWER, "prompt_tokens": 0, "completion_tokens": 0}, None),
    ],
)
def test_usage(fields: dict[str, Any], usage: Usage | None) -> None:
    assert to_record(row(**fields), 1).usage == usage


def test_bodies_messages_tools_and_model() -> None:
    rec = to_record(row(
        request_body=json.dumps({"model": "gpt-4o", "messages": [{"role": "system", "content": "S"},
                                                                 {"role": "user", "content": "Q"}],
                                 "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}),
        response_body=json.dumps({"model": "gpt-4o-2024-08-06", **ANSWER}),
        model="gpt-4o-2024-08-06"), 5)
    assert [(m.role, m.texts) for m in rec.prompt] == [("system", ("S",)), ("user", ("Q",))]
    assert [t.name for t in rec.tools] == ["f"]
    assert [(m.role, m.texts) for m in rec.completion] == [("assistant", ("Hello",))]
    assert (rec.source, rec.line_no, rec.model) == ("helicone", 5, "gpt-4o-2024-08-06")
    assert to_record(row(model_override="my-ft-model", model="gpt-4o"), 1).model == "my-ft-model"


@pytest.mark.parametrize(
    ("fields", "usage"),
    [
        # bodies stored behind signed_body_url; columns as digit strings (CSV converted to JSON)
        ({"request_body": None, "signed_body_url": "https://s3/x", "prompt_tokens": "25", "completion_tokens": "5"},
         Usage(25, 5)),
        # a body shape fineadvisor does not read (Gemini): the columns still count
        ({"request_body": {"contents": [{"parts": [{"text": "Q"}]}]}, "prompt_tokens": 7, "completion_tokens": 2},
         Usage(7, 2)),
    ],
)
def test_usage_only_rows(fields: dict[str, Any], usage: Usage) -> None:
    rec = to_record(row(**fields), 1)
    assert (rec.prompt, rec.usage) == ((), usage)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (row(response_status=500), "failed \\(status 500\\)"),
        (row(response_status=-1), "failed \\(status -1\\)"),
        (row(status=429, response_status=None), "failed \\(status 429\\)"),  # a null response_status: status
        (row(response_body={"error": {"message": "Invalid API key"}}), "failed: Invalid API key"),
        (row(cache_reference_id="5b0c0000-0000-4000-8000-000000000001"), "Helicone's response cache"),
        (row(request_path="/v1/embeddings"), "not a chat or Responses call"),
        (row(request_body=None, signed_body_url="https://s3/x"), "no request_body"),
        (row(request_body={"contents": []}), "no \"messages\" list"),
    ],
)
def test_skipped_with_reason(line: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        to_record(line, 1)


def test_query_result_expands() -> None:
    result = {"data": [row(response_body={**ANSWER, "usage": {"prompt_tokens": 3, "completion_tokens": 1}}),
                       row(response_status=400)], "error": None}
    first, second = list(to_records(result, 1))
    assert not isinstance(first, RecordError) and first.usage == Usage(3, 1)
    assert isinstance(second, RecordError)


def test_examples_read() -> None:
    for source in SOURCES:
        records = list(to_records(json.loads(source.example), 1))
        assert records and not any(isinstance(r, RecordError) for r in records), source.title


@pytest.mark.parametrize(
    ("name", "n_in", "n_out"),
    [
        ("requests.jsonl", 945, 97),  # 150 + (30+500+200) + 40 + 25; 20 + 60 + 12 + 5
        ("query_result.jsonl", 24, 2),  # 12 + 12; 1 + 1
    ],
)
def test_fixture_totals(name: str, n_in: int, n_out: int) -> None:
    a = analyze_logs([str(DATA / name)])
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (n_in, n_out)
    assert [f for _, formats in a.formats for f, _ in formats] == ["helicone"]


@pytest.mark.parametrize(
    "line",
    [
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
        {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": "t"},
        {"request": {"model": "gpt-4o", "messages": []}, "response": {}},
        {"custom_id": "a", "body": REQUEST},
        {"request_body": REQUEST},  # no Helicone row key besides the body
        {"data": [{"id": "x"}], "error": None},
    ],
)
def test_does_not_match_other_formats(line: dict[str, Any]) -> None:
    source = source_of(line)
    assert source is None or source.name != "helicone"
