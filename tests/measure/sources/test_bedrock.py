"""AWS Bedrock model-invocation logs (docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html)
and Converse requests as applications log them."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage

from fineadvisor.measure.records import Image, Usage
from fineadvisor.measure.sources import RecordError, bedrock, source_of, to_record, to_records

DATA = Path(__file__).parents[2] / "data" / "sources" / "bedrock"


def records(path: Path) -> list[Any]:
    return [r for n, line in enumerate(path.read_text().splitlines(), 1) for r in to_records(json.loads(line), n)]


def log(body: object, output: object = None, tin: int | None = 10, tout: int | None = 5, *, model: str = "m",
        operation: str = "InvokeModel", **counts: int) -> dict[str, Any]:
    """One invocation record as Bedrock writes it."""
    inp: dict[str, Any] = {"inputContentType": "application/json", "inputBodyJson": body}
    if tin is not None:
        inp["inputTokenCount"] = tin
    inp.update(counts)
    out: dict[str, Any] = {"outputContentType": "application/json", "outputBodyJson": output}
    if tout is not None:
        out["outputTokenCount"] = tout
    return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": "2026-11-02T09:14:03Z",
            "accountId": "123456789012", "region": "us-east-1", "requestId": "r-1", "operation": operation,
            "modelId": model, "input": inp, "output": out}


def png(width: int, height: int) -> str:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height)).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


USER = {"role": "user", "content": [{"text": "Hi"}]}
CONVERSE_ANSWER = {"output": {"message": {"role": "assistant", "content": [{"text": "Hello!"}]}}, "stopReason": "end_turn",
                   "usage": {"inputTokens": 7, "outputTokens": 2, "totalTokens": 9}}


@pytest.mark.parametrize(("line", "model", "prompt", "completion", "usage"), [
    # Converse: inputTokenCount 10 + cache read 300 + cache write 40 = 350 prompt tokens
    (log({"messages": [USER], "system": [{"text": "Be kind."}]}, CONVERSE_ANSWER, 10, 2, operation="Converse",
         model="us.anthropic.claude-3-5-haiku-20241022-v1:0", cacheReadInputTokenCount=300, cacheWriteInputTokenCount=40),
     "us.anthropic.claude-3-5-haiku-20241022-v1:0", [("system", ("Be kind.",)), ("user", ("Hi",))],
     [("assistant", ("Hello!",))], Usage(350, 2, 300, 40, 0)),
    # Anthropic Messages body under InvokeModel; the log's counts win over the body's (9 + 0 + 2403 = 2412)
    (log({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 9, "system": "S",
          "messages": [{"role": "user", "content": "Q"}]},
         {"type": "message", "content": [{"type": "text", "text": "A"}],
          "usage": {"input_tokens": 1, "output_tokens": 1}}, 9, 23, model="anthropic.claude-3-5-haiku-20241022-v1:0",
         cacheWriteInputTokenCount=2403),
     "anthropic.claude-3-5-haiku-20241022-v1:0", [("system", ("S",)), ("user", ("Q",))], [("assistant", ("A",))],
     Usage(2412, 23, 0, 2403, 0)),
    # no counts in the record: the body's Anthropic usage, input 4 + read 6 + write 0 = 10
    (log({"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "Q"}]},
         {"type": "message", "content": [{"type": "text", "text": "A"}],
          "usage": {"input_tokens": 4, "cache_read_input_tokens": 6, "output_tokens": 3}}, None, None,
         model="anthropic.claude-3-haiku-20240307-v1:0"),
     "anthropic.claude-3-haiku-20240307-v1:0", [("user", ("Q",))], [("assistant", ("A",))], Usage(10, 3, 6, 0, 0)),
    # Meta Llama: prompt → generation; body counts 18 and 12 when the record has none
    (log({"prompt": "P", "max_gen_len": 9}, {"generation": "G", "prompt_token_count": 18, "generation_token_count": 12},
         None, None, model="meta.llama3-1-8b-instruct-v1:0"),
     "meta.llama3-1-8b-instruct-v1:0", [("user", ("P",))], [("assistant", ("G",))], Usage(18, 12)),
    # Titan Text: inputText → results[].outputText; 7 in, 11 out
    (log({"inputText": "T"}, {"inputTextTokenCount": 7, "results": [{"tokenCount": 11, "outputText": "O"}]}, None, None,
         model="amazon.titan-text-premier-v1:0"),
     "amazon.titan-text-premier-v1:0", [("user", ("T",))], [("assistant", ("O",))], Usage(7, 11)),
    # Mistral text completion → outputs[].text
    (log({"prompt": "<s>[INST] Hi [/INST]"}, {"outputs": [{"text": " Hey", "stop_reason": "stop"}]}, 6, 2,
         model="mistral.mixtral-8x7b-instruct-v0:1"),
     "mistral.mixtral-8x7b-instruct-v0:1", [("user", ("<s>[INST] Hi [/INST]",))], [("assistant", (" Hey",))],
     Usage(6, 2)),
    # Mistral Large chat body → choices[0].message (OpenAI-shaped)
    (log({"messages": [{"role": "user", "content": "Hi"}]}, {"choices": [{"message": {"role": "assistant",
         "content": "Salut"}}]}, 3, 2, model="mistral.mistral-large-2407-v1:0"),
     "mistral.mistral-large-2407-v1:0", [("user", ("Hi",))], [("assistant", ("Salut",))], Usage(3, 2)),
    # Amazon Nova's own body (Converse-shaped), Nova's usage spelling; the record's counts 5 + 1 = 6
    (log({"schemaVersion": "messages-v1", "messages": [USER], "inferenceConfig": {"maxTokens": 9}},
         {"output": {"message": {"role": "assistant", "content": [{"text": "Yo"}]}},
          "usage": {"inputTokens": 5, "outputTokens": 1, "cacheReadInputTokenCount": 1}}, 5, 1,
         model="amazon.nova-micro-v1:0", cacheReadInputTokenCount=1),
     "amazon.nova-micro-v1:0", [("user", ("Hi",))], [("assistant", ("Yo",))], Usage(6, 1, 1, 0, 0)),
    # Cohere Command R: preamble, chat_history (USER/CHATBOT), message → text
    (log({"message": "M", "preamble": "P", "chat_history": [{"role": "USER", "message": "U"},
                                                              {"role": "CHATBOT", "message": "C"}]},
         {"text": "R"}, 4, 1, model="cohere.command-r-v1:0"),
     "cohere.command-r-v1:0", [("system", ("P",)), ("user", ("U",)), ("assistant", ("C",)), ("user", ("M",))],
     [("assistant", ("R",))], Usage(4, 1)),
    # a body stored in S3 (too large to inline): a usage-only record, 1 + 129709 + 411 = 130121
    ({**log(None, None, 1, 326, cacheReadInputTokenCount=129709, cacheWriteInputTokenCount=411,
            model="arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-1-v1:0"),
      "input": {"inputBodyS3Path": "s3://b/data/r-1_input.json.gz", "inputTokenCount": 1,
                "cacheReadInputTokenCount": 129709, "cacheWriteInputTokenCount": 411}},
     "global.anthropic.claude-opus-4-1-v1:0", [], [], Usage(130121, 326, 129709, 411, 0)),
])
def test_invocation_records(line: dict[str, Any], model: str, prompt: list[tuple[str, tuple[str, ...]]],
                            completion: list[tuple[str, tuple[str, ...]]], usage: Usage) -> None:
    rec = to_record(line, 3)
    assert (rec.source, rec.model, rec.usage) == ("bedrock", model, usage)
    assert [(m.role, m.texts) for m in rec.prompt] == prompt
    assert [(m.role, m.texts) for m in rec.completion] == completion


@pytest.mark.parametrize(("model_id", "answered_by", "expected"), [
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", None, "anthropic.claude-3-5-sonnet-20240620-v1:0"),
    ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", None, "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
    ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1", None, "anthropic.claude-v2:1"),
    ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-2-90b-instruct-v1:0", None,
     "us.meta.llama3-2-90b-instruct-v1:0"),
    # a custom model's ARN names its base model before the job suffix
    ("arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/ly16hhi765j4", None,
     "amazon.titan-text-express-v1:0:8k"),
    # an application inference profile names no model: the response's model, else its id
    ("arn:aws:bedrock:us-east-2:123456789012:application-inference-profile/abc123", "claude-sonnet-4-5", "claude-sonnet-4-5"),
    ("arn:aws:bedrock:us-east-2:123456789012:application-inference-profile/abc123", None, "abc123"),
    (None, "claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022"),
])
def test_model_names(model_id: str | None, answered_by: str | None, expected: str) -> None:
    assert bedrock.bedrock_model(model_id, answered_by) == expected


def test_converse_blocks_tools_images_and_reasoning() -> None:
    body = {"messages": [
        {"role": "user", "content": [{"image": {"format": "png", "source": {"bytes": png(64, 32)}}},
                                     {"image": {"format": "png", "source": {"s3Location": {"uri": "s3://b/k.png"}}}},
                                     {"document": {"format": "pdf", "name": "d", "source": {"bytes": "JVBERi0="}}},
                                     {"document": {"format": "txt", "name": "t", "source": {"text": "Doc text"}}},
                                     {"text": "Q"}, {"cachePoint": {"type": "default"}}]},
        {"role": "assistant", "content": [{"reasoningContent": {"reasoningText": {"text": "think", "signature": "s"}}},
                                          {"reasoningContent": {"redactedContent": "b64"}},
                                          {"toolUse": {"toolUseId": "t1", "name": "f", "input": {"a": 1}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}, {"json": {"b": 2}}]}},
                                     {"guardContent": {"text": {"text": "guarded"}}}]}],
        "toolConfig": {"tools": [{"toolSpec": {"name": "f", "description": "F", "inputSchema": {"json": {
            "type": "object"}}}}, {"cachePoint": {"type": "default"}}]}}
    rec = to_record(log(body, operation="Converse"), 1)
    first, second, third = rec.prompt
    # the readable PNG is an image; the S3 image and the PDF bytes are 2 uncounted parts; cachePoint is nothing
    assert (first.texts, first.images, first.other_parts) == (("Doc text", "Q"), (Image(64, 32, "auto"),), 2)
    assert (second.texts, second.tool_call, second.other_parts) == (("think", "f", '{"a":1}'), True, 1)
    assert third.texts == ("r", '{"b":2}', "guarded")
    assert [(t.name, t.description, dict(t.parameters)) for t in rec.tools] == [("f", "F", {"type": "object"})]


def test_anthropic_stream_chunks_are_joined_per_block() -> None:
    chunks = [
        {"type": "message_start", "message": {"model": "claude-sonnet-4-5", "usage": {"input_tokens": 6,
                                                                                     "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " look."}},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "t", "name": "f",
                                                                      "input": {}}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"a":'}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": " 1}"}},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 30}},
        {"type": "message_stop"}]
    body = {"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "Q"}]}
    rec = to_record(log(body, chunks, None, None, model="arn:aws:bedrock:us-east-1:1:application-inference-profile/x",
                        operation="InvokeModelWithResponseStream"), 1)
    assert rec.model == "claude-sonnet-4-5"  # named by the stream's message_start, the ARN names no model
    assert [(m.texts, m.tool_call) for m in rec.completion] == [(("Let me look.", "f", '{"a": 1}'), True)]
    assert rec.usage == Usage(6, 30)  # no counts in the record: message_start input 6, message_delta output 30


def test_stream_invocation_metrics_and_converse_events() -> None:
    chunks = [{"messageStart": {"role": "assistant"}},
              {"contentBlockDelta": {"delta": {"text": "Hel"}, "contentBlockIndex": 0}},
              {"contentBlockDelta": {"delta": {"text": "lo"}, "contentBlockIndex": 0}},
              {"contentBlockStart": {"start": {"toolUse": {"toolUseId": "t", "name": "f"}}, "contentBlockIndex": 1}},
              {"contentBlockDelta": {"delta": {"toolUse": {"input": "{}"}}, "contentBlockIndex": 1}},
              {"messageStop": {"stopReason": "tool_use"}},
              {"metadata": {"usage": {"inputTokens": 3, "outputTokens": 4, "cacheReadInputTokens": 2}}}]
    rec = to_record(log({"messages": [USER]}, chunks, None, None, operation="ConverseStream"), 1)
    assert [(m.texts, m.tool_call) for m in rec.completion] == [(("Hello", "f", "{}"), True)]
    assert rec.usage == Usage(5, 4, 2, 0, 0)  # 3 + 2 cache read
    titan = [{"outputText": "Hi ", "index": 0}, {"outputText": "there", "index": 0, "amazon-bedrock-invocationMetrics":
                                                 {"inputTokenCount": 2, "outputTokenCount": 2}}]
    rec = to_record(log({"inputText": "Q"}, titan, None, None, model="amazon.titan-text-lite-v1"), 1)
    assert (rec.completion[0].texts, rec.usage) == (("Hi there",), Usage(2, 2))


@pytest.mark.parametrize(("line", "reason"), [
    ({**log({"messages": [USER]}), "errorCode": "ThrottlingException"}, "failed invocation (errorCode 'ThrottlingException')"),
    (log({"inputText": "x"}, {"embedding": [0.1]}, model="amazon.titan-embed-text-v2:0"), "is an embedding or rerank model"),
    (log({"texts": ["x"]}, None, model="cohere.embed-multilingual-v3"), "is an embedding or rerank model"),
    (log({"text_prompts": [{"text": "a cat"}]}, None, model="stability.sd3-5-large-v1:0"), "image, video or speech"),
    (log({"messages": [USER]}, None, operation="InvokeModelWithBidirectionalStream"), "not a text request and answer"),
    ({**log(None, None, None, None), "input": {"inputBodyS3Path": "s3://b/k"}}, "is stored in S3"),
    (log({"foo": 1}, None, None, None), "has a shape this reader does not know (keys: foo)"),
    (log("not json", None), "must be an object, got a string"),
    # billed counts that cannot be one request's are refused
    (log({"messages": [USER]}, None, 5, 1, operation="Converse", cacheReadInputTokenCount=2**31), "is the line corrupt?"),
])
def test_skipped_with_reason(line: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError) as err:
        to_record(line, 1)
    assert reason in str(err.value)


def test_unknown_body_with_billed_counts_is_usage_only() -> None:
    rec = to_record(log({"someNewField": "x"}, {"other": 1}, 12, 4, model="acme.new-model-v1:0"), 1)
    assert (rec.prompt, rec.usage) == ((), Usage(12, 4))
    # a Converse call to a managed prompt (modelId = the prompt's ARN) logs its variables, not the prompt
    rec = to_record(log({"promptVariables": {"topic": {"text": "tea"}}}, CONVERSE_ANSWER, 30, 2, operation="Converse",
                        model="arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT12345:1"), 1)
    assert (rec.prompt, rec.completion[0].texts, rec.usage) == ((), ("Hello!",), Usage(30, 2))


def test_converse_pair_and_request_lines() -> None:
    pair = {"request": {"modelId": "amazon.nova-lite-v1:0", "messages": [USER],
                        "system": [{"text": "S"}], "inferenceConfig": {"maxTokens": 9}},
            "response": {**CONVERSE_ANSWER, "usage": {"inputTokens": 7, "outputTokens": 2, "cacheWriteInputTokens": 5}}}
    rec = to_record(pair, 1)
    assert (rec.source, rec.model, rec.usage) == ("bedrock_converse", "amazon.nova-lite-v1:0", Usage(12, 2, 0, 5, 0))
    assert [(m.role, m.texts) for m in rec.prompt] == [("system", ("S",)), ("user", ("Hi",))]
    # no modelId: Converse blocks (typeless {"text"}) and a Converse response make it a Converse pair
    rec = to_record({"request": {"messages": [USER]}, "response": CONVERSE_ANSWER}, 1)
    assert (rec.source, rec.completion[0].texts) == ("bedrock_converse", ("Hello!",))
    # boto3 invoke_model kwargs: {"modelId", "body": "<JSON string>"} with the parsed response body
    rec = to_record({"request": {"modelId": "meta.llama3-8b-instruct-v1:0", "body": '{"prompt": "Hi"}'},
                     "response": {"generation": "Yo", "prompt_token_count": 2, "generation_token_count": 1}}, 1)
    assert (rec.prompt[0].texts, rec.completion[0].texts, rec.usage) == (("Hi",), ("Yo",), Usage(2, 1))
    rec = to_record({"modelId": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0", "messages": [USER]}, 1)
    assert (rec.source, rec.model, rec.usage, rec.completion) == ("bedrock_converse", "amazon.nova-pro-v1:0", None, ())
    with pytest.raises(RecordError, match="the logged Bedrock call failed: Too many tokens"):
        to_record({"request": {"modelId": "m", "messages": [USER]},
                   "response": {"Error": {"Code": "ThrottlingException", "Message": "Too many tokens"}}}, 1)


def test_cloudwatch_events_and_exports() -> None:
    inner = log({"prompt": "Hi"}, {"generation": "Yo"}, 2, 1, model="meta.llama3-8b-instruct-v1:0")
    rec = to_record({"timestamp": 1, "message": json.dumps(inner), "ingestionTime": 2}, 1)
    assert (rec.source, rec.usage) == ("bedrock", Usage(2, 1))
    out = list(to_records({"events": [{"timestamp": 1, "message": json.dumps(inner)},
                                       {"timestamp": 2, "message": json.dumps(inner)[:-5]}]}, 1))
    assert not isinstance(out[0], RecordError) and out[0].usage == Usage(2, 1)
    assert isinstance(out[1], RecordError) and "is not valid JSON" in str(out[1])


def test_examples_read() -> None:
    for source in bedrock.SOURCES:
        assert all(not isinstance(r, RecordError) for r in to_records(json.loads(source.example), 1))
        assert source_of(json.loads(source.example)) is source


@pytest.mark.parametrize("line", [
    {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
    {"model": "claude-sonnet-4-5", "max_tokens": 9, "messages": [{"role": "user", "content": [{"type": "text",
                                                                                              "text": "Hi"}]}]},
    {"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
     "response": {"choices": [{"message": {"role": "assistant", "content": "Yo"}}], "usage": {"prompt_tokens": 1}}},
    {"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": [{"text": "Hi"}]}]}},  # has "model"
    {"request": {"model": "gpt-4.1", "input": "Hi"}, "response": {"output": [{"type": "message", "content": []}]}},
    {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": 1},
    {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "messages": []}},
    {"request": {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}, "response": {"candidates": []}},
    {"id": "obs", "traceId": "t", "type": "GENERATION", "input": [], "output": {}, "usage": {}},
    {"timestamp": 1, "message": "user logged in"},
])
def test_other_formats_not_matched(line: dict[str, Any]) -> None:
    assert not any(source.matches(line) for source in bedrock.SOURCES)


@pytest.mark.parametrize(("name", "billed_in", "billed_out", "read", "skipped", "formats"), [
    # Converse 24+1800 = 1824; Nova 4; Anthropic 9+2403 = 2412; stream 6+1500+553 = 2059; Llama 18; Mistral 25 and
    # 14; Titan 7; Nova image 1300; S3-stored body 1+129709+411 = 130121; Cohere 30 → 137814 in.
    # Out: 41+38+23+15+12+9+6+11+20+326+8 = 509. Skipped: the throttled call and the embedding.
    ("s3_invocation_logs.jsonl", 137814, 509, 11, 2, {"bedrock": 11}),
    # events: Claude 3 Haiku 35/446, Claude v2 stream 10/6, (embedding skipped), Llama 2/3 → 47 in, 455 out
    ("cloudwatch_events.jsonl", 47, 455, 3, 1, {"bedrock": 3}),
    # Nova 410+300 = 710 in, 12 out; Claude 45/60; Llama invoke_model 2/3 → 757 in, 75 out; the failed call skipped
    ("converse_pairs.jsonl", 757, 75, 3, 1, {"bedrock_converse": 3}),
    # one Anthropic batch record 15/3; one failed record skipped
    ("batch_output.jsonl", 15, 3, 1, 1, {"bedrock": 1}),
])
def test_fixture_totals_are_the_billed_sums(name: str, billed_in: int, billed_out: int, read: int, skipped: int,
                                            formats: dict[str, int]) -> None:
    from fineadvisor.measure.analysis import analyze_logs

    a = analyze_logs([str(DATA / name)])
    assert (a.records_read, a.records_skipped) == (read, skipped)
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (billed_in, billed_out)
    assert dict(a.formats[0][1]) == formats


def test_fixture_contents() -> None:
    converse, _nova, claude, stream, *_ = [r for r in records(DATA / "s3_invocation_logs.jsonl")
                                           if not isinstance(r, RecordError)]
    assert [t.name for t in converse.tools] == ["get_weather"]
    assert converse.tools[0].parameters["required"] == ["city"]
    assert converse.completion[0].tool_call and converse.completion[0].texts[1:] == ("get_weather", '{"city":"Lyon"}')
    assert claude.model == "anthropic.claude-3-5-haiku-20241022-v1:0" and claude.prompt[0].role == "system"
    assert stream.model == "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert stream.completion[0].texts == ("We discussed your refund.",)
    requests = records(DATA / "converse_requests.jsonl")
    assert [(r.source, r.model, r.usage) for r in requests] == [
        ("bedrock_converse", "anthropic.claude-3-5-sonnet-20240620-v1:0", None),
        ("bedrock_converse", "eu.amazon.nova-micro-v1:0", None)]
    assert requests[1].prompt[0].other_parts == 1  # the PDF document
