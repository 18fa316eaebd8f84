"""OpenTelemetry GenAI spans in OTLP/JSON (opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fineadvisor.measure.records import Usage
from fineadvisor.measure.sources import RecordError, otel, to_record, to_records

DATA = Path(__file__).parents[2] / "data" / "sources" / "otel"


def s(value: str) -> dict[str, str]:
    return {"stringValue": value}


def i(value: int) -> dict[str, str]:
    return {"intValue": str(value)}  # OTLP/JSON writes 64-bit integers as strings


def span(*attrs: tuple[str, object], **extra: Any) -> dict[str, Any]:
    return {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "chat gpt-4o",
            "kind": 3, "attributes": [{"key": k, "value": v} for k, v in attrs], **extra}


CHAT = (("gen_ai.operation.name", s("chat")), ("gen_ai.request.model", s("gpt-4o")))


def records(path: Path) -> list[Any]:
    return [r for n, line in enumerate(path.read_text().splitlines(), 1) for r in to_records(json.loads(line), n)]


@pytest.mark.parametrize(("value", "expected"), [
    (s("x"), "x"),
    (i(12), 12),
    ({"doubleValue": 0.5}, 0.5),
    ({"boolValue": True}, True),
    ({"arrayValue": {"values": [s("a"), i(1)]}}, ["a", 1]),
    ({"kvlistValue": {"values": [{"key": "role", "value": s("user")}]}}, {"role": "user"}),
    ({"string_value": "snake"}, "snake"),  # OTLP/JSON receivers accept the proto field names too
    ({}, None),
])
def test_any_value(value: object, expected: object) -> None:
    assert otel.any_value(value) == expected


def test_current_semconv_span_reads_messages_tools_and_inclusive_usage() -> None:
    recs = [r for r in records(DATA / "semconv_current.jsonl") if not isinstance(r, RecordError)]
    chat, gemini, claude = recs
    assert chat.source == "otel_genai" and chat.model == "gpt-4o-mini"
    assert [(m.role, m.texts, m.tool_call) for m in chat.prompt] == [
        ("system", ("You are a weather bot.",), False), ("user", ("Weather in Paris?",), False),
        ("assistant", ("get_weather", '{"location":"Paris"}'), True), ("tool", ("rainy, 57°F",), False)]
    assert [t.name for t in chat.tools] == ["get_weather"] and chat.tools[0].parameters["type"] == "object"
    assert chat.completion[0].texts == ("It is rainy in Paris, 57°F.",)
    assert chat.usage == Usage(1200, 40, 1024, 0, 0)  # input_tokens includes the 1,024 cache reads (the spec)
    # structured (kvlist/array) messages; reasoning is part of output_tokens: 120 = 20 visible + 100 reasoning
    assert gemini.prompt[0].texts == ("Summarise: the cat sat.",) and gemini.usage == Usage(9, 120, 0, 0, 100)
    assert claude.prompt == () and claude.usage == Usage(3000, 250, 2000, 500, 0)  # usage-only


def test_openllmetry_indexed_attributes() -> None:
    chat, anthropic, *skipped = records(DATA / "openllmetry.jsonl")
    assert [(m.role, m.texts) for m in chat.prompt] == [("system", ("You are helpful.",)),
                                                        ("user", ("Book a table for two.",))]
    assert [(t.name, t.description) for t in chat.tools] == [("book_table", "Book a restaurant table")]
    assert chat.tools[0].parameters["properties"] == {"people": {"type": "integer"}}
    assert chat.completion[0].tool_call and chat.completion[0].texts == ("book_table", '{"people": 2}')
    assert chat.usage == Usage(85, 18) and chat.model == "gpt-4o"
    # content as a JSON list of parts; prompt_tokens 5000 already includes 4000 read + 900 written (OpenLLMetry sums)
    assert anthropic.prompt[0].texts == ("Describe the policy.",)
    assert anthropic.usage == Usage(5000, 60, 4000, 900, 0)
    assert [str(e) for e in skipped] == ["span 'answer.workflow' is not a GenAI model call (it has no gen_ai.* "
                                         "attributes)",
                                         "span 'openai.embeddings' is an embeddings call, not a chat or completion "
                                         "call"]


def test_older_conventions_events() -> None:
    v126, v130 = records(DATA / "older_conventions.jsonl")
    assert [(m.role, m.texts) for m in v126.prompt] == [("user", ("What is the capital of France?",))]
    assert v126.completion[0].texts == ("Paris.",) and v126.usage == Usage(20, 8)
    assert [(m.role, m.texts) for m in v130.prompt] == [("system", ("Answer in one word.",)),
                                                        ("user", ("Colour of the sky?",))]
    assert v130.completion[0].texts == ("Blue.",) and v130.usage == Usage(31, 12)


@pytest.mark.parametrize(("attrs", "expected"), [
    # Anthropic's exclusive input_tokens written as is: 100 + 2000 read + 300 written = 2400
    ((("gen_ai.usage.input_tokens", i(100)), ("gen_ai.usage.output_tokens", i(5)),
      ("gen_ai.usage.cache_read.input_tokens", i(2000)), ("gen_ai.usage.cache_creation.input_tokens", i(300))),
     Usage(2400, 5, 2000, 300, 0)),
    # output without its reasoning (Gemini's candidates): 20 + 80 = 100
    ((("gen_ai.usage.input_tokens", i(9)), ("gen_ai.usage.output_tokens", i(20)),
      ("gen_ai.usage.reasoning.output_tokens", i(80))), Usage(9, 100, 0, 0, 80)),
    # only the total and the input: 103 - 85 = 18 output
    ((("gen_ai.usage.prompt_tokens", i(85)), ("llm.usage.total_tokens", i(103))), None),
    # plain numbers (an exporter that flattened values) and numeric strings
    ((("gen_ai.usage.input_tokens", 7), ("gen_ai.usage.output_tokens", s("3"))), Usage(7, 3)),
])
def test_usage_variants(attrs: tuple[tuple[str, object], ...], expected: Usage | None) -> None:
    rec = to_record(span(*CHAT, *attrs), 1)
    assert rec.usage == (expected or Usage(85, 18))


def test_flattened_attribute_dict_and_bare_resource_spans() -> None:
    flat = {"trace_id": "t", "span_id": "s", "name": "chat", "attributes": {
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
        "gen_ai.input.messages": [{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}],
        "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 1}}
    assert to_record(flat, 1).prompt[0].texts == ("Hi",)
    scope = {"scope": {"name": "x"}, "spans": [span(*CHAT, ("gen_ai.usage.input_tokens", i(4)),
                                                     ("gen_ai.usage.output_tokens", i(1)))]}
    assert [r.usage for r in to_records(scope, 1)] == [Usage(4, 1)]


@pytest.mark.parametrize(("obj", "reason"), [
    (span(("http.request.method", s("GET"))), "span 'chat gpt-4o' is not a GenAI model call"),
    (span(("gen_ai.operation.name", s("embeddings")), ("gen_ai.usage.input_tokens", i(3))), "is an embeddings call"),
    (span(("gen_ai.operation.name", s("execute_tool")), ("gen_ai.tool.name", s("x"))), "'execute_tool' span"),
    (span(*CHAT, status={"code": 2, "message": "boom"}), "records a failed GenAI call (boom)"),
    (span(*CHAT), "records neither its messages nor its token usage"),
    (span(*CHAT, ("gen_ai.input.messages", i(7))), "gen_ai.input.messages must be a list of messages, got a number"),
])
def test_spans_refused_with_a_reason(obj: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record(obj, 1)


def test_malformed_containers_are_reported() -> None:
    assert [str(r) for r in to_records({"resourceSpans": []}, 1)] == ["the OTLP export request holds no spans"]
    assert "must be a list" in str(next(iter(to_records({"resourceSpans": {}}, 1))))
    bare = {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "t", "spanId": "s", "name": "GET /"}]}]}]}
    assert [str(r) for r in to_records(bare, 1)] == [  # OTLP/JSON omits an empty attributes list
        "span 'GET /' is not a GenAI model call (it has no gen_ai.* attributes)"]


def test_failed_call_with_billed_usage_is_kept() -> None:
    rec = to_record(span(*CHAT, ("gen_ai.usage.input_tokens", i(10)), ("gen_ai.usage.output_tokens", i(0)),
                         status={"code": "STATUS_CODE_ERROR"}), 1)
    assert rec.usage == Usage(10, 0)


def test_examples_read() -> None:
    for source in otel.SOURCES:
        assert all(not isinstance(r, RecordError) for r in to_records(json.loads(source.example), 1))


@pytest.mark.parametrize("line", [
    {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
    {"request": {"model": "gpt-4o", "messages": []}, "response": {"usage": {"prompt_tokens": 1}}},
    {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": 1},
    {"id": "obs", "traceId": "t", "type": "GENERATION", "input": [], "output": {}, "usage": {}},
    {"custom_id": "r1", "response": {"body": {}}},
])
def test_other_formats_not_matched(line: dict[str, Any]) -> None:
    assert not any(source.matches(line) for source in otel.SOURCES)


@pytest.mark.parametrize(("name", "billed_in", "billed_out", "read", "skipped"), [
    # chat 1200 + gemini 9 + claude 3000 = 4209 in; 40 + 120 + 250 = 410 out; agent, HTTP, embeddings, failed skipped
    ("semconv_current.jsonl", 4209, 410, 3, 4),
    # 85 + 5000 = 5085 in; 18 + 60 = 78 out; workflow and embeddings spans skipped
    ("openllmetry.jsonl", 5085, 78, 2, 2),
    # 20 + 31 = 51 in; 8 + 12 = 20 out
    ("older_conventions.jsonl", 51, 20, 2, 0),
])
def test_fixture_totals_are_the_billed_sums(name: str, billed_in: int, billed_out: int, read: int,
                                            skipped: int) -> None:
    from fineadvisor.measure.analysis import analyze_logs

    a = analyze_logs([str(DATA / name)])
    assert (a.records_read, a.records_skipped) == (read, skipped)
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (billed_in, billed_out)
    assert dict(a.formats[0][1]) == {"otel_genai": read}
