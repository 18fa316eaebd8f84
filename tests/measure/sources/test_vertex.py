"""Vertex AI request-response logging rows (cloud.google.com/vertex-ai/generative-ai/docs/multimodal/
request-response-logging) and Gemini GenerateContent requests and pairs."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage

from fineadvisor.measure.records import Image, Usage
from fineadvisor.measure.sources import RecordError, source_of, to_record, to_records, vertex

DATA = Path(__file__).parents[2] / "data" / "sources" / "vertex"


def records(path: Path) -> list[Any]:
    return [r for n, line in enumerate(path.read_text().splitlines(), 1) for r in to_records(json.loads(line), n)]


def row(request: object, response: object = None, **extra: Any) -> dict[str, Any]:
    """One BigQuery row of the request-response logging table, as bq extract writes it."""
    return {"endpoint": "", "deployed_model_id": "", "logging_time": "2026-11-02T10:00:00.123Z",
            "request_id": "5374205265901353984", "request_payload": [], "response_payload": [],
            "model": "publishers/google/models/gemini-2.5-flash", "model_version": "default",
            "api_method": "GenerateContent", "full_request": request, "full_response": response,
            "metadata": {"request_latency": 812.5}, **extra}


def png(width: int, height: int) -> str:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height)).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


HI = {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}
ANSWER = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello!"}]}}]}


@pytest.mark.parametrize(("meta", "usage"), [
    # candidates 29 + thoughts 901 = 930 completion, 901 of it reasoning
    ({"promptTokenCount": 3, "candidatesTokenCount": 29, "thoughtsTokenCount": 901, "totalTokenCount": 933},
     Usage(3, 930, 0, 0, 901)),
    # promptTokenCount 4120 already includes the 4000 cached tokens
    ({"promptTokenCount": 4120, "cachedContentTokenCount": 4000, "candidatesTokenCount": 18}, Usage(4120, 18, 4000)),
    # tool-use prompt tokens (search results fed back) are billed input: 11 + 340 = 351; completion 8 + 95 = 103
    ({"promptTokenCount": 11, "candidatesTokenCount": 8, "toolUsePromptTokenCount": 340, "thoughtsTokenCount": 95,
      "totalTokenCount": 454}, Usage(351, 103, 0, 0, 95)),
    # snake_case (Python SDK, BigQuery)
    ({"prompt_token_count": 61, "candidates_token_count": 10, "cached_content_token_count": 32}, Usage(61, 10, 32)),
    # zero counts are omitted from the JSON (proto3): an empty answer has no candidatesTokenCount
    ({"promptTokenCount": 5, "totalTokenCount": 5}, Usage(5, 0)),
    ({"totalTokenCount": 5}, None),
    (None, None),
])
def test_usage(meta: object, usage: Usage | None) -> None:
    assert vertex.gemini_usage(meta) == usage


@pytest.mark.parametrize(("line", "model", "prompt", "completion", "usage"), [
    # a v2 row: JSON columns as objects; modelVersion names the model
    (row({**HI, "systemInstruction": {"parts": [{"text": "Be brief."}]}},
         {**ANSWER, "modelVersion": "gemini-2.5-flash-001", "usageMetadata": {"promptTokenCount": 6,
                                                                              "candidatesTokenCount": 2}}),
     "gemini-2.5-flash-001", [("system", ("Be brief.",)), ("user", ("Hi",))], [("assistant", ("Hello!",))],
     Usage(6, 2)),
    # JSON columns exported as strings; the row's model when the response names none
    (row(json.dumps(HI), json.dumps({**ANSWER, "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 2}})),
     "gemini-2.5-flash", [("user", ("Hi",))], [("assistant", ("Hello!",))], Usage(2, 2)),
    # the payload columns: a request string and a stream's chunks, texts joined, the last usageMetadata
    (row(None, None, request_payload=[json.dumps(HI)], response_payload=[
        json.dumps({"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}}],
                    "usageMetadata": {"promptTokenCount": 2}}),
        json.dumps({"candidates": [{"content": {"role": "model", "parts": [{"text": "lo"}]}}],
                    "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 1}})]),
     "gemini-2.5-flash", [("user", ("Hi",))], [("assistant", ("Hello",))], Usage(2, 1)),
    # roles: model → assistant, function → tool; calls and results are their name and JSON
    (row({"contents": [{"role": "user", "parts": [{"text": "Q"}]},
                       {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}]},
                       {"role": "function", "parts": [{"functionResponse": {"name": "f", "response": {"r": 2}}}]}]},
         {"candidates": [{"content": {"role": "model", "parts": [{"text": "thinking…", "thought": True},
                                                                 {"text": "A"}]}}]}),
     "gemini-2.5-flash", [("user", ("Q",)), ("assistant", ("f", '{"a":1}')), ("tool", ("f", '{"r":2}'))],
     [("assistant", ("thinking…", "A"))], None),
    # no request stored: a usage-only record
    (row(None, {**ANSWER, "usageMetadata": {"promptTokenCount": 250, "candidatesTokenCount": 2}}),
     "gemini-2.5-flash", [], [("assistant", ("Hello!",))], Usage(250, 2)),
    # Anthropic Claude through rawPredict: input 12 + cache read 100 = 112
    (row({"anthropic_version": "vertex-2023-10-16", "max_tokens": 9, "messages": [{"role": "user", "content": "Hi"}]},
         {"type": "message", "content": [{"type": "text", "text": "Yo"}],
          "usage": {"input_tokens": 12, "output_tokens": 5, "cache_read_input_tokens": 100}},
         model="publishers/anthropic/models/claude-sonnet-4-5@20250929", api_method="RawPredict"),
     "claude-sonnet-4-5@20250929", [("user", ("Hi",))], [("assistant", ("Yo",))], Usage(112, 5, 100)),
    # a Gemini pair as an application logs it
    ({"request": HI, "response": {**ANSWER, "modelVersion": "gemini-2.0-flash-001",
                                  "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 2}}},
     "gemini-2.0-flash-001", [("user", ("Hi",))], [("assistant", ("Hello!",))], Usage(2, 2)),
    # a bare request; the SDK's shorthand (a string) and its config.system_instruction
    ({"model": "gemini-2.5-pro", "contents": "Q", "config": {"system_instruction": "S"}},
     "gemini-2.5-pro", [("system", ("S",)), ("user", ("Q",))], [], None),
    ({"contents": [{"parts": [{"text": "Q"}]}]}, None, [("user", ("Q",))], [], None),
])
def test_records(line: dict[str, Any], model: str | None, prompt: list[tuple[str, tuple[str, ...]]],
                 completion: list[tuple[str, tuple[str, ...]]], usage: Usage | None) -> None:
    rec = to_record(line, 2)
    assert (rec.source, rec.model, rec.usage) == ("vertex", model, usage)
    assert [(m.role, m.texts) for m in rec.prompt] == prompt
    assert [(m.role, m.texts) for m in rec.completion] == completion


def test_parts_tools_and_images() -> None:
    request = {"contents": [{"role": "user", "parts": [
        {"inlineData": {"mimeType": "image/png", "data": png(40, 20)}},
        {"inline_data": {"mime_type": "audio/wav", "data": "UklGRg=="}},
        {"fileData": {"mimeType": "video/mp4", "fileUri": "gs://b/v.mp4"}},
        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
        {"text": "Q", "thoughtSignature": "c2ln"}]}],
        "tools": [{"functionDeclarations": [{"name": "f", "description": "F", "parameters": {"type": "OBJECT"}},
                                            {"name": "g", "parametersJsonSchema": {"type": "object"}}]},
                  {"googleSearch": {}}, {"codeExecution": {}}]}
    rec = to_record(row(request), 1)
    (user,) = rec.prompt
    # the PNG is an image; the audio and the gs:// video are 2 uncounted parts
    assert (user.texts, user.images, user.other_parts) == (("print(1)", "1", "Q"), (Image(40, 20, "auto"),), 2)
    assert [(t.name, t.description, dict(t.parameters)) for t in rec.tools] == [
        ("f", "F", {"type": "OBJECT"}), ("g", "", {"type": "object"})]


@pytest.mark.parametrize(("line", "reason"), [
    (row(HI, {"error": {"code": 429, "message": "Resource exhausted.", "status": "RESOURCE_EXHAUSTED"}}),
     "Vertex AI logged a failed call: Resource exhausted."),
    (row({"instances": [{"x": 1}]}, {"predictions": [1]}), "not a Gemini GenerateContent or partner chat request"),
    (row(None, None), "neither a request"),
    (row(json.dumps(HI)[:-3]), "full_request is a string that is not valid JSON"),
    (row({"contents": []}), '"contents" must be a non-empty list'),
    (row({"contents": [{"role": "user", "parts": [42]}]}), "contents[0].parts[0] must be a part object"),
    ({"request": {"contents": [{"parts": [{"text": ""}]}]}, "status": "Bad Request: empty text"},
     "the logged Gemini call failed: Bad Request: empty text"),
    ({"model": "text-embedding-005", "contents": [{"parts": [{"text": "x"}]}]}, "is an embedding model"),
    # billed counts that cannot be one request's are refused
    (row(HI, {**ANSWER, "usageMetadata": {"promptTokenCount": 5, "cachedContentTokenCount": 9}}), "is the line corrupt?"),
])
def test_skipped_with_reason(line: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError) as err:
        to_record(line, 1)
    assert reason in str(err.value)


def test_examples_read() -> None:
    for source in vertex.SOURCES:
        assert all(not isinstance(r, RecordError) for r in to_records(json.loads(source.example), 1))
        assert source_of(json.loads(source.example)) is source


@pytest.mark.parametrize("line", [
    {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
    {"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
     "response": {"choices": [{"message": {"role": "assistant", "content": "Yo"}}], "usage": {"prompt_tokens": 1}}},
    {"request": {"modelId": "amazon.nova-lite-v1:0", "messages": [{"role": "user", "content": [{"text": "Hi"}]}]}},
    {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": 1},
    {"schemaType": "ModelInvocationLog", "modelId": "m", "input": {}, "output": {}},
    {"model": "gpt-4.1", "input": "Hi", "instructions": "Be brief."},
    {"id": "obs", "traceId": "t", "type": "GENERATION", "input": [], "output": {}, "usage": {}},
    {"contents": "a string field of some other log"},
    {"contents": 3},
])
def test_other_formats_not_matched(line: dict[str, Any]) -> None:
    assert not any(source.matches(line) for source in vertex.SOURCES)


@pytest.mark.parametrize(("name", "billed_in", "billed_out", "read", "skipped"), [
    # 3 + 4120 + 9 + 61 + 1612 + Claude (12 + 100) + (11 + 340) + 250 = 6518 in;
    # (29+901) + 18 + 7 + 10 + (2+150) + 5 + (8+95) + 2 = 1227 out; the 429 row skipped
    ("request_response_logging.jsonl", 6518, 1227, 8, 1),
    # 8 + 12 = 20 in; 3 + (5+40) = 48 out; the failed batch line skipped
    ("gemini_pairs.jsonl", 20, 48, 2, 1),
])
def test_fixture_totals_are_the_billed_sums(name: str, billed_in: int, billed_out: int, read: int,
                                            skipped: int) -> None:
    from fineadvisor.measure.analysis import analyze_logs

    a = analyze_logs([str(DATA / name)])
    assert (a.records_read, a.records_skipped) == (read, skipped)
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (billed_in, billed_out)
    assert dict(a.formats[0][1]) == {"vertex": read}


def test_fixture_contents() -> None:
    pro, booking, stream, snake, image, claude, search, usage_only = [
        r for r in records(DATA / "request_response_logging.jsonl") if not isinstance(r, RecordError)]
    assert (pro.model, pro.usage) == ("gemini-2.5-pro", Usage(3, 930, 0, 0, 901))
    assert [t.name for t in booking.tools] == ["book_table"] and booking.completion[0].tool_call
    assert stream.completion[0].texts == ("Paris is the capital of France.",)
    assert [m.role for m in snake.prompt] == ["system", "user", "assistant", "tool"]
    assert snake.tools[0].parameters == {"type": "object", "properties": {"city": {"type": "string"}}}
    assert (len(image.prompt[0].images), image.prompt[0].other_parts) == (1, 1)
    assert claude.model == "claude-sonnet-4-5@20250929" and claude.prompt[0].texts == ("Be brief.",)
    assert search.usage == Usage(351, 103, 0, 0, 95)
    assert (usage_only.prompt, usage_only.model) == ((), "gemini-2.0-flash-001")
    bare = records(DATA / "gemini_requests.jsonl")
    assert [(r.model, [m.role for m in r.prompt], r.usage) for r in bare] == [
        (None, ["system", "user"], None), ("gemini-2.5-flash", ["system", "user"], None)]
