"""Each supported log shape becomes the same `Record`; anything else is refused with a reason."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
from PIL import Image as PILImage

from fineadvisor.measure._fast.reuse import LeadingReuse
from fineadvisor.measure.records import Image, Usage
from fineadvisor.measure.sources import MessageReuse, RecordError, to_record

USER = {"role": "user", "content": "Where is my invoice?"}
ANSWER = {"role": "assistant", "content": "Under Billing → Invoices."}
OPENAI_USAGE = {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27,
                "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 2}}
RESPONSE = {"choices": [{"index": 0, "message": ANSWER, "finish_reason": "stop"}], "usage": OPENAI_USAGE,
            "model": "gpt-4o-mini-2024-07-18"}


def png(width: int, height: int) -> str:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.mark.parametrize(
    ("line", "source", "n_prompt", "has_completion", "usage"),
    [
        ({"messages": [USER, ANSWER]}, "fine_tuning", 1, True, None),
        ({"model": "gpt-4o", "messages": [USER]}, "chat_request", 1, False, None),
        ({"custom_id": "a1", "method": "POST", "url": "/v1/chat/completions",
          "body": {"model": "gpt-4o", "messages": [USER]}}, "batch_input", 1, False, None),
        ({"custom_id": "a1", "response": {"status_code": 200, "body": RESPONSE}, "error": None},
         "batch_output", 0, True, Usage(20, 7, 0, 0, 2)),
        ({"request": {"model": "gpt-4o", "messages": [USER]}, "response": RESPONSE},
         "request_response", 1, True, Usage(20, 7, 0, 0, 2)),
        # Anthropic: system string; usage input_tokens excludes cache reads (30) and writes (5)
        ({"request": {"model": "claude-sonnet-4-5", "system": "Be terse.", "messages": [USER]},
          "response": {"type": "message", "content": [{"type": "text", "text": "OK"}],
                       "usage": {"input_tokens": 10, "output_tokens": 3, "cache_read_input_tokens": 30,
                                 "cache_creation_input_tokens": 5}}},
         "request_response", 2, True, Usage(45, 3, 30, 5, 0)),
        ({"model": "claude-sonnet-4-5", "max_tokens": 100, "system": [{"type": "text", "text": "Be terse."}],
          "messages": [USER]}, "anthropic", 2, False, None),
        # OpenAI Responses API usage
        ({"request": {"model": "gpt-4o", "messages": [USER]},
          "response": {"output": [{"type": "message", "content": [{"type": "output_text", "text": "OK"}]}],
                       "usage": {"input_tokens": 12, "output_tokens": 4, "input_tokens_details": {"cached_tokens": 8},
                                 "output_tokens_details": {"reasoning_tokens": 1}}}},
         "request_response", 1, True, Usage(12, 4, 8, 0, 1)),
    ],
)
def test_formats(line: dict[str, Any], source: str, n_prompt: int, has_completion: bool,
                 usage: Usage | None) -> None:
    rec = to_record(line, 7)
    assert (rec.source, rec.line_no, len(rec.prompt), bool(rec.completion), rec.usage) == (
        source, 7, n_prompt, has_completion, usage)


def test_content_parts_tool_calls_and_roles() -> None:
    rec = to_record({"model": "gpt-4o", "messages": [
        {"role": "developer", "content": [{"type": "text", "text": "Rules."}]},
        {"role": "user", "content": [{"type": "text", "text": "Look:"},
                                     {"type": "image_url", "image_url": {"url": png(640, 480), "detail": "high"}},
                                     {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                                     {"type": "input_audio", "input_audio": {"data": "..", "format": "wav"}}]},
        {"role": "assistant", "content": None, "refusal": None,
         "tool_calls": [{"id": "c", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":1}"}}]},
        {"role": "tool", "tool_call_id": "c", "content": "found"},
    ]}, 1)
    dev, user, call, tool = rec.prompt
    assert dev.texts == ("Rules.",)
    assert user.images == (Image(640, 480, "high"), Image(None, None, "auto"))
    assert user.other_parts == 1
    assert call.tool_call and call.texts == ("lookup", '{"q":1}')
    assert tool.texts == ("found",)


def test_anthropic_blocks() -> None:
    rec = to_record({"model": "claude-sonnet-4-5", "system": "S", "messages": [
        {"role": "user", "content": "reset my password"},
        {"role": "assistant", "content": [{"type": "text", "text": "Checking."},
                                          {"type": "tool_use", "id": "t", "name": "lookup", "input": {"u": "ann"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t",
                                      "content": [{"type": "text", "text": "ok"}]}]},
    ]}, 1)
    assert [m.role for m in rec.prompt] == ["system", "user", "assistant", "user"]
    assert rec.prompt[2].tool_call and rec.prompt[2].texts == ("Checking.", "lookup", '{"u":"ann"}')
    assert rec.prompt[3].texts == ("ok",)


@pytest.mark.parametrize(
    ("line", "issues"),
    [
        ({"messages": [USER, ANSWER]}, ()),
        ({"messages": [USER]}, ("example_missing_assistant_message",)),
        ({"messages": [{"role": "user", "content": "x", "foo": 1}, ANSWER]}, ("message_unrecognized_key",)),
        ({"messages": [{"role": "robot", "content": "x"}, ANSWER]}, ("unrecognized_role",)),
        ({"messages": [{"role": "user", "content": ""}, ANSWER]}, ("missing_content",)),
        ({"messages": [{"role": "user"}, ANSWER]}, ("message_missing_key", "missing_content")),
    ],
)
def test_fine_tuning_format_issues(line: dict[str, Any], issues: tuple[str, ...]) -> None:
    """The cookbook's error types are recorded on readable lines (readiness counts them)."""
    assert to_record(line, 1).format_issues == issues


@pytest.mark.parametrize(
    ("line", "message", "issue"),
    [
        ([1, 2], "must be a JSON object, got a list", "data_type"),
        ("text", "must be a JSON object, got a string", "data_type"),
        ({"model": "gpt-4o"}, 'no "messages" list', "missing_messages_list"),
        ({"messages": "hello"}, '"messages" must be a non-empty list', "missing_messages_list"),
        ({"messages": []}, "got an empty list", "missing_messages_list"),
        ({"messages": [5]}, "messages[0] must be an object, got a number", "data_type"),
        ({"messages": [{"content": "x"}]}, 'messages[0] has no "role" string', "message_missing_key"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content must be a string or a list",
         "missing_content"),
        ({"messages": [{"role": "user", "content": "x", "name": 3}]}, "messages[0].name must be a string", None),
        ({"custom_id": "a", "body": "x"}, '"body" must be an object', None),
        ({"custom_id": "a", "url": "/v1/embeddings", "body": {"input": "x"}}, "embeddings request", None),
        ({"custom_id": "a", "response": None, "error": {"message": "boom"}}, "failed: boom", None),
        ({"custom_id": "a", "response": {"status_code": 500, "body": {}}}, "failed with HTTP 500", None),
        ({"request": "x"}, '"request" must be an object', None),
        ({"request": {"model": "gpt-4o"}}, '"request" has no "messages" list', "missing_messages_list"),
        ({"messages": [ANSWER]}, "only message is the assistant's", None),
        # billed counts no request can have (2**31 and more): refused, not stored
        ({"request": {"messages": [USER]}, "response": {"usage": {"prompt_tokens": 2**31, "completion_tokens": 1}}},
         "usage says 2,147,483,648 prompt and 1 completion tokens, more than one request can have", None),
        ({"request": {"model": "claude-x", "messages": [USER]},
          "response": {"type": "message", "usage": {"input_tokens": 2**30, "cache_read_input_tokens": 2**30,
                                                    "output_tokens": 1}}},
         "usage says 2,147,483,648 prompt", None),  # Anthropic: input + cache reads add up past the limit
    ],
)
def test_refused_lines(line: object, message: str, issue: str | None) -> None:
    with pytest.raises(RecordError, match=None) as err:
        to_record(line, 1)
    assert message in str(err.value)
    assert err.value.issue == issue


def test_reused_messages_give_the_same_records_and_keep_format_issues() -> None:
    # Lines share their leading message objects (as PrefixParser returns them); one shared message has an issue.
    system = {"role": "system", "content": "Be kind."}
    odd = {"role": "user", "content": "hi", "colour": "blue"}  # unrecognised key: never reused, issue kept
    shots = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    lines = [{"messages": [system, *shots, odd, {"role": "user", "content": f"q{i}"},
                           {"role": "assistant", "content": f"a{i}"}]} for i in range(4)]
    reuse: MessageReuse = LeadingReuse()
    with_reuse = [to_record(line, i, reuse) for i, line in enumerate(lines)]
    assert with_reuse == [to_record(line, i) for i, line in enumerate(lines)]
    assert with_reuse[3].prompt[0] is with_reuse[1].prompt[0]  # normalised once, then reused
    assert all(r.format_issues == ("message_unrecognized_key",) for r in with_reuse)


@pytest.mark.parametrize(("line", "reason"), [
    ({"messages": [{"role": "user", "content": "q"}] * 100_001}, "100,001 messages in one record, over the limit"),
    ({"messages": [{"role": "user", "content": "q"}],
      "tools": [{"type": "function", "function": {"name": "big", "parameters": {"d": "x" * (1024 * 1024)}}}]},
     "over the 1 MiB limit for one tool definition"),
    ({"messages": [{"role": "user", "content": "q"}],
      "tools": [{"type": "function", "function": {"name": "int", "parameters": {"max": 2**64}}}]},
     "cannot be read as a JSON schema"),
    ({"custom_id": ["a"], "body": {"messages": [{"role": "user", "content": "q"}]}}, '"custom_id" must be a string'),
    ({"custom_id": "x" * 513, "body": {"messages": [{"role": "user", "content": "q"}]}}, "over the 512 read"),
])
def test_named_limits_are_skip_reasons(line: dict[str, object], reason: str) -> None:
    """Each named limit of the reader (MAX_MESSAGES_PER_RECORD, MAX_TOOL_SCHEMA_BYTES, MAX_CUSTOM_ID_CHARS, a tool
    schema that is not JSON) refuses the record with its reason."""
    from fineadvisor.measure.sources import RecordError, to_record

    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record(line, 1)


@pytest.mark.parametrize(("usage", "reason"), [
    ({"prompt_tokens": 10, "completion_tokens": 5, "prompt_tokens_details": {"cached_tokens": 2**63}},
     "cached and 0 cache-write tokens, more than its 10 prompt tokens"),
    ({"prompt_tokens": 10, "completion_tokens": 5, "completion_tokens_details": {"reasoning_tokens": 6}},
     "6 reasoning tokens, more than its 5 completion tokens"),
])
def test_impossible_usage_is_refused(usage: dict[str, object], reason: str) -> None:
    """Cached tokens are part of the prompt and reasoning tokens part of the completion: more is a corrupt line
    (2⁶³ cached tokens had made the measured hit rate 100% for a whole estimate)."""
    from fineadvisor.measure.sources import RecordError, to_record

    line = {"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "q"}]},
            "response": {"choices": [{"message": {"role": "assistant", "content": "a"}}], "usage": usage}}
    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record(line, 1)


# ---------------------------------------------------------------- OpenAI Responses API (request bodies, pairs, Batch)
# Written from the API reference (platform.openai.com/docs/api-reference/responses): `instructions`, `input` as a
# string or a list of items, top-level function tools, `output[]` items, `usage` with its details.

RESPONSES_REQUEST = {
    "model": "gpt-4.1-mini", "instructions": "You are terse.",
    "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "What is in this picture?"},
                                     {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "low"},
                                     {"type": "input_file", "file_id": "file-1"}]},
        {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": '{"q": "cat"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "a cat"},
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "thought"}], "encrypted_content": "xyz"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "It is a cat."}]},
        {"role": "user", "content": "And its colour?"},
    ],
    "tools": [{"type": "function", "name": "lookup", "description": "Search", "parameters": {"type": "object"}},
              {"type": "web_search_preview"}],
}
RESPONSES_RESPONSE = {
    "object": "response", "model": "gpt-4.1-mini-2025-04-14",
    "output": [{"type": "reasoning", "summary": []},
               {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Grey."}]}],
    "usage": {"input_tokens": 120, "input_tokens_details": {"cached_tokens": 64}, "output_tokens": 30,
              "output_tokens_details": {"reasoning_tokens": 20}, "total_tokens": 150},
}


def test_responses_request_body() -> None:
    rec = to_record(RESPONSES_REQUEST, 1)
    assert rec.source == "responses_request" and rec.model == "gpt-4.1-mini"
    assert [m.role for m in rec.prompt] == ["developer", "user", "assistant", "tool", "assistant", "assistant", "user"]
    assert rec.prompt[0].texts == ("You are terse.",)
    assert rec.prompt[1].texts == ("What is in this picture?",) and len(rec.prompt[1].images) == 1
    assert rec.prompt[1].other_parts == 1  # the file part: uncounted, reported
    assert rec.prompt[2].tool_call and rec.prompt[2].texts == ("lookup", '{"q": "cat"}')
    assert rec.prompt[3].texts == ("a cat",)
    assert rec.prompt[4].texts == ("thought",) and rec.prompt[4].other_parts == 1  # encrypted reasoning
    assert [t.name for t in rec.tools] == ["lookup"]  # built-in tools have no schema to count
    assert rec.usage is None and rec.completion == ()


def test_responses_pair_reads_output_and_billed_usage() -> None:
    rec = to_record({"request": RESPONSES_REQUEST, "response": RESPONSES_RESPONSE}, 3)
    assert rec.source == "request_response"
    assert rec.completion[0].texts == ("Grey.",)
    assert rec.usage == Usage(120, 30, 64, 0, 20)


def test_responses_string_input_and_batch_lines() -> None:
    line = {"custom_id": "r1", "method": "POST", "url": "/v1/responses",
            "body": {"model": "gpt-4o-mini", "input": "Hello"}}
    rec = to_record(line, 1)
    assert (rec.source, rec.custom_id, [m.texts for m in rec.prompt]) == ("batch_input", "r1", [("Hello",)])
    out = to_record({"custom_id": "r1", "response": {"status_code": 200, "body": RESPONSES_RESPONSE}}, 2)
    assert out.usage == Usage(120, 30, 64, 0, 20) and out.completion[0].texts == ("Grey.",)


@pytest.mark.parametrize(("line", "reason"), [
    ({"model": "text-embedding-3-small", "input": "x"}, "is an embeddings or moderation request"),
    ({"model": "omni-moderation-latest", "input": "x"}, "is an embeddings or moderation request"),
    ({"model": "gpt-4o", "input": 5}, 'Responses API "input" must be a string or a list of items'),
    ({"model": "gpt-4o", "input": []}, 'Responses API "input" is empty'),
    ({"traceId": "t", "model": "gpt-4o", "input": "x"}, "no known log format"),  # an observability record
])
def test_responses_shapes_refused(line: dict[str, object], reason: str) -> None:
    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record(line, 1)


def test_responses_pairs_total_to_the_billed_usage(tmp_path: Any) -> None:
    """A log of Responses pairs: the profile's input and output totals are the billed sums, exactly."""
    import json

    from fineadvisor import analyze_logs

    lines = []
    for i in range(5):
        response = {**RESPONSES_RESPONSE, "usage": {**RESPONSES_RESPONSE["usage"], "input_tokens": 100 + i,  # type: ignore[dict-item]
                                                    "output_tokens": 30 + i}}
        lines.append(json.dumps({"request": RESPONSES_REQUEST, "response": response}))
    path = tmp_path / "responses.jsonl"
    path.write_text("\n".join(lines) + "\n")
    a = analyze_logs([str(path)])
    assert (a.records_read, a.records_skipped) == (5, 0)
    assert a.profile.input_tokens.total == sum(100 + i for i in range(5))
    assert a.profile.output_tokens.total == sum(30 + i for i in range(5))


# ---------------------------------------------------------------- LiteLLM (docs.litellm.ai/docs/proxy/logging_spec)

LITELLM_RESPONSE = {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Billing → Export."}}],
                    "usage": {"prompt_tokens": 52, "completion_tokens": 7,
                              "prompt_tokens_details": {"cached_tokens": 32}}}
LITELLM_PAYLOAD = {
    "id": "a1", "trace_id": "t1", "call_type": "acompletion", "status": "success", "response_cost": 0.000012,
    "total_tokens": 59, "prompt_tokens": 52, "completion_tokens": 7, "startTime": 1733200000.1,
    "endTime": 1733200001.2, "model": "gpt-4o-mini", "model_group": "gpt-4o-mini", "api_base": "https://x",
    "metadata": {"user_api_key_hash": "h"}, "cache_hit": False,
    "messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "How do I export?"}],
    "response": LITELLM_RESPONSE, "model_parameters": {"temperature": 0, "tools": [
        {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]},
}


def test_litellm_standard_logging_payload_keeps_its_response_and_billed_usage() -> None:
    """It was read as a bare request (response and usage dropped); now all of it is read."""
    rec = to_record(LITELLM_PAYLOAD, 1)
    assert rec.source == "litellm" and rec.model == "gpt-4o-mini"
    assert [m.role for m in rec.prompt] == ["system", "user"]
    assert rec.completion[0].texts == ("Billing → Export.",)
    assert rec.usage == Usage(52, 7, 32, 0, 0)
    assert [t.name for t in rec.tools] == ["lookup"]


def test_litellm_spend_logs_row_with_json_strings() -> None:
    import json

    row = {"request_id": "r1", "call_type": "completion", "spend": 0.00001, "total_tokens": 59, "prompt_tokens": 52,
           "completion_tokens": 7, "startTime": "2026-12-03T10:00:00", "model": "gpt-4o-mini",
           "messages": json.dumps(LITELLM_PAYLOAD["messages"]), "response": json.dumps(LITELLM_RESPONSE)}
    rec = to_record(row, 2)
    assert rec.source == "litellm" and rec.usage == Usage(52, 7, 32, 0, 0) and rec.completion


@pytest.mark.parametrize(("change", "reason"), [
    ({"status": "failure", "error_str": "RateLimitError: too many"}, "failed call: RateLimitError: too many"),
    ({"call_type": "aembedding"}, "'aembedding' call, not a chat"),
    ({"messages": "[not json"}, "LiteLLM messages is a string that is not valid JSON"),
])
def test_litellm_lines_refused_with_a_reason(change: dict[str, object], reason: str) -> None:
    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record({**LITELLM_PAYLOAD, **change}, 1)


# ---------------------------------------------------------------- the registry


def _registry() -> list[Any]:
    from fineadvisor.measure.sources import REGISTRY

    return list(REGISTRY)


@pytest.mark.parametrize("source", _registry(), ids=lambda s: f"{s.name}:{s.title}")
def test_every_listed_example_reads_as_its_own_format(source: Any) -> None:
    import json

    from fineadvisor.measure.sources import to_records

    read = list(to_records(json.loads(source.example), 1))
    assert read and all(not isinstance(r, RecordError) for r in read), read
    if source.expand is None:
        assert [r.source for r in read] == [source.name]


def test_registry_names_are_documented() -> None:
    from fineadvisor.measure.sources import TITLES

    for s in _registry():
        assert s.docs and s.fields and s.title, s.name
        assert TITLES[s.name]


def _fixture_objects() -> list[Any]:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    objects: list[Any] = []
    for path in sorted([*root.glob("tests/data/sources/*/*.jsonl"), *root.glob("examples/*.jsonl")]):
        for line in path.read_text(encoding="utf-8").splitlines()[:200]:
            if line.strip():
                objects.append(json.loads(line))
    return objects


def test_each_sources_key_hint_is_necessary() -> None:
    # The registry tries a source only when an object has one of its NEEDS keys: on every fixture and example, no
    # source matches an object that lacks them (else the hint would hide a format).
    from fineadvisor.measure.sources import NEEDS, REGISTRY

    objects = [o for o in _fixture_objects() if isinstance(o, dict)]
    objects += [json_obj for json_obj in (__import__("json").loads(s.example) for s in REGISTRY)]
    for obj in list(objects):  # and what containers hold (spans of an OTLP request, events of a batch, …)
        container = next((s for s in REGISTRY if s.expand is not None and s.matches(obj)), None)
        if container is not None and container.expand is not None:
            objects += [inner for inner in container.expand(obj) if isinstance(inner, dict)]
    assert len(objects) > 100
    for obj in objects:
        for source in REGISTRY:
            if source in NEEDS and source.matches(obj):
                assert not NEEDS[source].isdisjoint(obj), (source.title, sorted(obj))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"call_type": "acompletion", "model": "gpt-4o-mini", "messages": [USER], "cache_hit": True,
          "prompt_tokens": 1300, "completion_tokens": 6, "status": "success"}, "from its own cache"),
        ({"call_type": "acompletion", "model": "gpt-4o-mini", "messages": "[]", "cache_hit": "True",
          "prompt_tokens": 1300, "completion_tokens": 6, "spend": 0.0}, "from its own cache"),  # a SpendLogs row
        ({"request": {"model": "gpt-4o-mini", "messages": [USER]},
          "response": {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}}},
         "the logged response is an error, not an answer: Rate limit reached"),
    ],
)
def test_calls_that_were_not_billed_are_skipped(line: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=re.escape(reason)):
        to_record(line, 1)


def test_usage_numbers_written_as_strings_are_read() -> None:
    # A CSV round trip or a homemade logger writes "8": read as 8, never as 0.
    line = {"request": {"model": "gpt-4o-mini", "messages": [USER]},
            "response": {"choices": [{"message": ANSWER}], "usage": {"prompt_tokens": "8", "completion_tokens": "2"}}}
    assert to_record(line, 1).usage == Usage(8, 2)
