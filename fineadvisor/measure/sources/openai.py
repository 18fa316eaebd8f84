"""OpenAI and Anthropic logs as their APIs write them: fine-tuning examples, request bodies, pairs, Batch API lines.

Schemas: platform.openai.com/docs/api-reference/chat/create, …/responses/create, …/batch (input and output
files), platform.openai.com/docs/guides/fine-tuning (chat format); docs.anthropic.com/en/api/messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fineadvisor.measure.records import Record, SourceFormat
from fineadvisor.measure.sources.base import MessageReuse, RecordError, Source, model_of, type_name, with_changes
from fineadvisor.measure.sources.shapes import (
    REQUEST_HINT_KEYS,
    anthropic_body,
    body_record,
    is_responses,
    known_messages,
    looks_anthropic,
    openai_body,
    response_messages,
    responses_body,
    usage_of,
)

MAX_CUSTOM_ID_CHARS = 512
"""Longest Batch API `custom_id` read (OpenAI's own limit is 64 characters)."""


def custom_id_of(obj: Mapping[str, Any]) -> str:
    """The Batch API `custom_id`: a string (a number is read as its digits)."""
    value = obj.get("custom_id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f'Batch API "custom_id" must be a string, got {type_name(value)}')
    text = str(value)
    if len(text) > MAX_CUSTOM_ID_CHARS:
        raise RecordError(f'Batch API "custom_id" is {len(text):,} characters, over the {MAX_CUSTOM_ID_CHARS} read')
    return text


def _batch_input(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    body = obj["body"]
    if not isinstance(body, dict):
        raise RecordError(f'Batch API "body" must be an object, got {type_name(body)}')
    url = obj.get("url", "/v1/chat/completions")
    if isinstance(url, str) and "embeddings" in url:
        raise RecordError(f"Batch API line for {url} is an embeddings request, not a chat request")
    rec = responses_body(body, None, line_no, "batch_input") if is_responses(body) else openai_body(
        body, None, line_no, "batch_input", reuse)
    return with_changes(rec, custom_id=custom_id_of(obj))


def _batch_output(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    response = obj.get("response")
    if not isinstance(response, dict):
        error = obj.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        text = message if isinstance(message, str) else type_name(message)
        raise RecordError(f"Batch API request {custom_id_of(obj)!r} failed: {text[:300]}")
    body = response.get("body")
    if not isinstance(body, dict):
        raise RecordError(f'Batch API "response.body" must be an object, got {type_name(body)}')
    status = response.get("status_code", 200)
    if isinstance(status, int) and status >= 400:
        raise RecordError(f"Batch API request {custom_id_of(obj)!r} failed with HTTP {status}")
    usage = usage_of(body.get("usage"))
    if usage is None:
        raise RecordError('Batch API output line has no "response.body.usage"')
    return Record("batch_output", line_no, model_of(body), (), (), response_messages(body), usage, custom_id_of(obj))


def _request_response(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    request = obj["request"]
    if not isinstance(request, dict):
        raise RecordError(f'"request" must be an object, got {type_name(request)}')
    response = obj.get("response")
    if response is not None and not isinstance(response, dict):
        raise RecordError(f'"response" must be an object, got {type_name(response)}')
    if isinstance(response, dict) and response.get("error") and not (
            {"choices", "content", "output", "body", "usage"} & response.keys()):
        error = response["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise RecordError(f"the logged response is an error, not an answer: "
                          f"{message[:300] if isinstance(message, str) else type_name(message)}")
    inner = request["body"] if isinstance(request.get("body"), dict) and "messages" not in request else request
    if "messages" not in inner and not is_responses(inner):
        raise RecordError('"request" has no "messages" list (nor a Responses API "input")', "missing_messages_list")
    return body_record(request, response, line_no, "request_response", reuse)


def _messages_line(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    known = known_messages(obj["messages"], reuse)
    if looks_anthropic(obj, None, len(known)):
        return anthropic_body(obj, None, line_no, "anthropic")
    source: SourceFormat = "fine_tuning" if obj.keys().isdisjoint(REQUEST_HINT_KEYS) else "chat_request"
    return openai_body(obj, None, line_no, source, reuse, known)


def _responses_request(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    return responses_body(obj, None, line_no, "responses_request")


def _never(obj: Mapping[str, Any]) -> bool:
    """For formats reached through another's reader (listed for people, never matched on their own)."""
    return False


BATCH_INPUT = Source(
    "batch_input", "Batch API input lines", lambda o: "custom_id" in o and "body" in o, _batch_input,
    '{"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", '
    '"messages": [{"role": "user", "content": "Hi"}]}}',
    "platform.openai.com/docs/guides/batch (input file; /v1/chat/completions and /v1/responses)",
    "custom_id; body = a Chat Completions or Responses request; url (embeddings skipped)")
BATCH_OUTPUT = Source(
    "batch_output", "Batch API output lines", lambda o: "custom_id" in o and ("response" in o or "error" in o),
    _batch_output,
    '{"custom_id": "r1", "response": {"status_code": 200, "body": {"model": "gpt-4o-mini-2024-07-18", "choices": '
    '[{"message": {"role": "assistant", "content": "Hello!"}}], "usage": {"prompt_tokens": 8, "completion_tokens": 2}}}}',
    "platform.openai.com/docs/guides/batch (output file), joined to its input line by custom_id",
    "custom_id; response.body.usage, .choices[0].message or .output[]; error (skipped with its message)")
PAIR = Source(
    "request_response", "request/response pairs", lambda o: "request" in o, _request_response,
    '{"request": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}, "response": '
    '{"choices": [{"message": {"role": "assistant", "content": "Hello!"}}], "usage": {"prompt_tokens": 8, '
    '"completion_tokens": 2}}}',
    "a logged pair of an OpenAI Chat, OpenAI Responses or Anthropic Messages request and its response",
    "request (or request.body) = the API request; response (or response.body) with usage")
RESPONSES = Source(
    "responses_request", "Responses API requests", is_responses, _responses_request,
    '{"model": "gpt-4.1-mini", "instructions": "Be brief.", "input": "Hi"}',
    "platform.openai.com/docs/api-reference/responses/create",
    "instructions; input (a string or items: message, function_call, function_call_output, reasoning); tools")
MESSAGES = Source(
    "chat_request", "Chat Completions requests", lambda o: "messages" in o, _messages_line,
    '{"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", '
    '"content": "Hi"}]}',
    "platform.openai.com/docs/api-reference/chat/create",
    "model; messages[] (role, content, name, tool_calls, tool_call_id); tools / functions")
FINE_TUNING = Source(
    "fine_tuning", "fine-tuning examples", _never, _messages_line,
    '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}',
    "platform.openai.com/docs/guides/supervised-fine-tuning (chat format; a messages line without request keys)",
    "messages[]; the final assistant message is the output; tools / functions")
ANTHROPIC = Source(
    "anthropic", "Anthropic Messages requests", _never, _messages_line,
    '{"model": "claude-haiku-4-5", "system": "Be brief.", "max_tokens": 256, "messages": [{"role": "user", '
    '"content": "Hi"}]}',
    "docs.anthropic.com/en/api/messages (a messages line with system, a claude model or tool_use blocks)",
    "system (string or blocks); messages[].content blocks (text, image, tool_use, tool_result, thinking); tools")
