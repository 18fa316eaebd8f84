"""Langfuse generations (API, blob export), ingestion events and batches become records; the rest is skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.records import Usage
from fineadvisor.measure.sources import RecordError, source_of, to_record, to_records
from fineadvisor.measure.sources.langfuse import SOURCES

DATA = Path(__file__).parents[2] / "data" / "sources" / "langfuse"


def generation(**fields: Any) -> dict[str, Any]:
    return {"id": "g1", "traceId": "t1", "type": "GENERATION", "startTime": "2026-11-02T10:00:00.000Z",
            "model": "gpt-4o-mini", "input": [{"role": "user", "content": "Hi"}], **fields}


@pytest.mark.parametrize(
    ("details", "usage"),
    [
        # disjoint buckets: prompt = 70 + 30 cached = 100; completion = 15 + 5 reasoning = 20
        ({"input": 70, "input_cached_tokens": 30, "output": 15, "output_reasoning_tokens": 5, "total": 120},
         Usage(100, 20, 30, 0, 5)),
        # Anthropic keys from the docs: 400 + 1200 read + 300 write = 1900
        ({"input": 400, "cache_read_input_tokens": 1200, "cache_creation_input_tokens": 300, "output": 80},
         Usage(1900, 80, 1200, 300, 0)),
        # LangChain handler: input_{detail}, output_{detail}: 20 + 100 + 40 = 160; 25 + 5 = 30
        ({"input": 20, "input_cache_read": 100, "input_cache_creation": 40, "output": 25, "output_reasoning": 5},
         Usage(160, 30, 100, 40, 5)),
        # LangChain Anthropic TTL split repeats input_cache_creation: counted once, 10 + 50 = 60
        ({"input": 10, "input_cache_creation": 50, "input_ephemeral_5m_input_tokens": 50, "output": 3},
         Usage(60, 3, 0, 50, 0)),
        # TTL split alone: 10 + 20 + 30 = 60, all written
        ({"input": 10, "input_ephemeral_5m_input_tokens": 20, "input_ephemeral_1hr_input_tokens": 30, "output": 3},
         Usage(60, 3, 0, 50, 0)),
        # Vertex modality keys: input 5 + input_modality_TEXT 20 + cached_modality_TEXT 75 = 100
        ({"input": 5, "input_modality_TEXT": 20, "cached_modality_TEXT": 75, "output": 9},
         Usage(100, 9, 75, 0, 0)),
        # sender put whole counts in input/output (input + output = total): details are inside them
        ({"input": 100, "input_cached_tokens": 30, "output": 20, "total": 120}, Usage(100, 20, 30, 0, 0)),
        # OpenAI usage as an SDK sends it (Langfuse flattens it on ingest): prompt_tokens includes cached
        ({"prompt_tokens": 90, "completion_tokens": 10, "total_tokens": 100,
          "prompt_tokens_details": {"cached_tokens": 64}}, Usage(90, 10, 64, 0, 0)),
        # Responses usage: input_tokens includes cached
        ({"input_tokens": 50, "output_tokens": 7, "total_tokens": 57, "input_tokens_details": {"cached_tokens": 40},
          "output_tokens_details": {"reasoning_tokens": 2}}, Usage(50, 7, 40, 0, 2)),
        ({"input": 0, "output": 0, "total": 0}, None),
        ({}, None),
    ],
)
def test_usage_details(details: dict[str, Any], usage: Usage | None) -> None:
    assert to_record(generation(usageDetails=details), 1).usage == usage


@pytest.mark.parametrize(
    ("fields", "usage"),
    [
        ({"usage": {"input": 11, "output": 4, "total": 15, "unit": "TOKENS"}}, Usage(11, 4)),
        ({"usage": {"promptTokens": 12, "completionTokens": 3, "totalTokens": 15}}, Usage(12, 3)),
        ({"usage": {"input": 300, "output": 20, "unit": "CHARACTERS"}}, None),  # not tokens
        # usageDetails wins over the deprecated usage object
        ({"usageDetails": {"input": 8, "output": 2}, "usage": {"input": 99, "output": 99}}, Usage(8, 2)),
        # v2 / blob export: nothing was ingested, usageDetails is Langfuse's tokenizer estimate → counted by us
        ({"providedUsageDetails": {}, "usageDetails": {"input": 25, "output": 9}}, None),
        ({"provided_usage_details": {"input": 25, "output": 9}, "usage_details": {"input": 26, "output": 9}},
         Usage(25, 9)),
        ({"usage_details": json.dumps({"input": 5, "output": 1})}, Usage(5, 1)),  # CSV/JSON string column
    ],
)
def test_other_usage_fields(fields: dict[str, Any], usage: Usage | None) -> None:
    assert to_record(generation(**fields), 1).usage == usage


def test_messages_tools_and_output() -> None:
    tool = {"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                             "parameters": {"type": "object", "properties": {}}}}
    rec = to_record(generation(
        input={"messages": [{"role": "system", "content": "Be brief."},
                            {"role": "user", "content": [{"type": "text", "text": "Lyon?"}]},
                            {"role": "assistant", "content": "", "tool_calls": [
                                {"name": "get_weather", "args": {"city": "Lyon"}, "id": "c1", "type": "tool_call"}]},
                            {"role": "tool", "content": "sunny", "tool_call_id": "c1"}],
               "tools": [tool]},
        output={"role": "assistant", "content": None, "tool_calls": [
            {"id": "c2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Nice\"}"}}]},
    ), 4)
    assert [(m.role, m.texts) for m in rec.prompt] == [
        ("system", ("Be brief.",)), ("user", ("Lyon?",)), ("assistant", ("", "get_weather", '{"city":"Lyon"}')),
        ("tool", ("sunny",))]
    assert rec.prompt[2].tool_call
    assert [t.name for t in rec.tools] == ["get_weather"]
    assert rec.completion[0].texts == ("get_weather", '{"city":"Nice"}') and rec.completion[0].tool_call
    assert (rec.source, rec.line_no, rec.model) == ("langfuse", 4, "gpt-4o-mini")


@pytest.mark.parametrize(
    ("fields", "prompt", "completion"),
    [
        ({"input": "Translate: hi", "output": "salut"}, [("user", ("Translate: hi",))], [("assistant", ("salut",))]),
        # JSON strings (v2 API without parseIoAsJson, blob export)
        ({"input": json.dumps([{"role": "user", "content": "Q"}]), "output": json.dumps({"content": "A"})},
         [("user", ("Q",))], [("assistant", ("A",))]),
        # a ChatML prompt string that merely looks like JSON is kept as text
        ({"input": "[system] be nice", "output": None}, [("user", ("[system] be nice",))], []),
        # Anthropic-shaped input with a system field; choices-shaped output
        ({"input": {"system": "Rules.", "messages": [{"role": "user", "content": [{"type": "text", "text": "Q"}]}]},
          "output": {"choices": [{"message": {"role": "assistant", "content": "A"}}]}},
         [("system", ("Rules.",)), ("user", ("Q",))], [("assistant", ("A",))]),
        # Responses API input through the OpenAI integration
        ({"input": {"input": "Q", "instructions": "Be brief."}, "output": {"role": "assistant", "content": "A"}},
         [("developer", ("Be brief.",)), ("user", ("Q",))], [("assistant", ("A",))]),
        # LangChain serialized messages and roles
        ({"input": [{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"],
                     "kwargs": {"content": "Q"}}, {"type": "ai", "content": "A0"}],
          "output": {"role": "ai", "content": "A"}},
         [("user", ("Q",)), ("assistant", ("A0",))], [("assistant", ("A",))]),
        # legacy generation fields prompt / completion
        ({"input": None, "prompt": [{"role": "user", "content": "Q"}], "completion": "A"},
         [("user", ("Q",))], [("assistant", ("A",))]),
    ],
)
def test_input_and_output_shapes(fields: dict[str, Any], prompt: list[Any], completion: list[Any]) -> None:
    rec = to_record(generation(**fields), 1)
    assert [(m.role, m.texts) for m in rec.prompt] == prompt
    assert [(m.role, m.texts) for m in rec.completion] == completion


def test_snake_case_blob_row_and_model_names() -> None:
    row = {"id": "a1", "trace_id": "t1", "type": "GENERATION", "start_time": "2026-11-03 08:00:00.120000",
           "provided_model_name": "claude-haiku-4-5", "input": json.dumps([{"role": "user", "content": "Q"}]),
           "provided_usage_details": {"input": 4, "output": 1}}
    rec = to_record(row, 2)
    assert (rec.model, rec.usage, rec.prompt[0].texts) == ("claude-haiku-4-5", Usage(4, 1), ("Q",))
    assert to_record({**row, "provided_model_name": None, "providedModelName": "gpt-5"}, 2).model == "gpt-5"


def test_unreadable_input_with_usage_is_usage_only() -> None:
    rec = to_record(generation(input={"contents": [{"parts": [{"text": "Q"}]}]}, usageDetails={"input": 3, "output": 1}), 1)
    assert (rec.prompt, rec.usage) == ((), Usage(3, 1))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (generation(type="SPAN"), "SPAN observation is not a model call"),
        (generation(type="EMBEDDING"), "embeddings call"),
        (generation(level="ERROR", statusMessage="429 rate limit"), "level ERROR, a failed call: 429 rate limit"),
        (generation(input=None), "no input messages and no usage"),
        (generation(input={"contents": []}), "not a messages list"),
        ({"id": "e", "type": "generation-update", "timestamp": "t", "body": {"id": "g1", "output": "x"}},
         "only patches a generation"),
        ({"id": "e", "type": "span-create", "timestamp": "t", "body": {"id": "s1"}}, "not a model generation"),
        ({"id": "e", "type": "observation-create", "timestamp": "t", "body": {"id": "s1", "type": "SPAN"}},
         "not a model generation"),
        ({"id": "e", "type": "embedding-create", "timestamp": "t", "body": {"id": "s1"}}, "embeddings call"),
    ],
)
def test_skipped_with_reason(line: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        to_record(line, 1)


def test_batch_merges_create_and_update() -> None:
    batch = {"batch": [
        {"id": "e1", "type": "generation-update", "timestamp": "t", "body": {"id": "g1", "usageDetails": {
            "input": 6, "output": 2}, "output": "Blue.", "model": None}},
        {"id": "e2", "type": "generation-create", "timestamp": "t", "body": {
            "id": "g1", "traceId": "t1", "model": "gpt-4o", "input": [{"role": "user", "content": "Colour?"}]}},
        {"id": "e3", "type": "trace-create", "timestamp": "t", "body": {"id": "t1"}},
    ]}
    rec, skipped = list(to_records(batch, 1))
    assert not isinstance(rec, RecordError)
    assert (rec.model, rec.usage, rec.completion[0].texts) == ("gpt-4o", Usage(6, 2), ("Blue.",))  # 6 + 2 from update
    assert isinstance(skipped, RecordError)


def test_api_page_and_trace_expand() -> None:
    page = {"data": [generation(usageDetails={"input": 3, "output": 1}), generation(type="SPAN")], "meta": {"page": 1}}
    first, second = list(to_records(page, 1))
    assert not isinstance(first, RecordError) and first.usage == Usage(3, 1)
    assert isinstance(second, RecordError)
    trace = {"id": "t1", "timestamp": "2026-11-02T10:00:00Z", "htmlPath": "/x", "observations": [generation()]}
    assert [type(r).__name__ for r in to_records(trace, 1)] == ["Record"]


def test_examples_read() -> None:
    for source in SOURCES:
        records = list(to_records(json.loads(source.example), 1))
        assert records and not any(isinstance(r, RecordError) for r in records), source.title


@pytest.mark.parametrize(
    ("name", "n_in", "n_out"),
    [
        ("observations_api.jsonl", 321, 66),  # 100 + 50 + (20+100+40) + 11; 20 + 12 + 30 + 4
        ("blob_export_observations_v2.jsonl", 1933, 87),  # (400+1200+300) + 33; 80 + 7
        ("ingestion_events.jsonl", 102, 13),  # 90 + 12; 10 + 3
        ("ingestion_batches.jsonl", 22, 8),  # 15 + 7; 5 + 3
        ("api_page.jsonl", 40, 10),
    ],
)
def test_fixture_totals(name: str, n_in: int, n_out: int) -> None:
    a = analyze_logs([str(DATA / name)])
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (n_in, n_out)
    assert [f for _, formats in a.formats for f, _ in formats] == ["langfuse"]


@pytest.mark.parametrize(
    "line",
    [
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
        {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": "t"},
        {"request": {"model": "gpt-4o", "messages": []}, "response": {}},
        {"model": "gpt-4o", "input": "Hi"},
        {"run_type": "llm", "inputs": {}, "trace_id": "t", "start_time": "s"},
        {"type": "span", "trace_id": "t", "start_time": "s"},  # lower-case: not Langfuse's enum
        {"request_body": {}, "request_id": "r"},
    ],
)
def test_does_not_match_other_formats(line: dict[str, Any]) -> None:
    source = source_of(line)
    assert source is None or source.name != "langfuse"
