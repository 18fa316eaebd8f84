"""LiteLLM: a StandardLoggingPayload (what its loggers and callbacks write) or a LiteLLM_SpendLogs row.

Schema: docs.litellm.ai/docs/proxy/logging_spec — `call_type`, `model`, `messages` (a list, or in SpendLogs a JSON
string, "{}" when the proxy does not store prompts), `response` (the OpenAI-shaped ModelResponse: an object or a JSON
string), LiteLLM's billed `prompt_tokens` and `completion_tokens`, `status` ("success" / "failure") and
`error_str`; tools, when sent, are in `model_parameters.tools`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fineadvisor.measure.records import Record, Usage
from fineadvisor.measure.sources.base import (
    MessageReuse,
    RecordError,
    Source,
    json_field,
    model_of,
    shown,
    token_count,
    type_name,
    with_changes,
)
from fineadvisor.measure.sources.shapes import anthropic_body, checked_usage, looks_anthropic, openai_body, response_messages

_NOT_CHAT = ("embedding", "moderation", "image", "transcription", "speech", "rerank")


def _is_litellm(obj: Mapping[str, Any]) -> bool:
    return "call_type" in obj and ("messages" in obj or "response" in obj) and (
        "prompt_tokens" in obj or "startTime" in obj or "spend" in obj)


def _litellm(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    call_type = str(obj.get("call_type") or "")
    if any(kind in call_type for kind in _NOT_CHAT):
        raise RecordError(f"LiteLLM logged a {shown(call_type)} call, not a chat or Responses call")
    if obj.get("cache_hit") in (True, "True", "true", 1):
        raise RecordError("LiteLLM served this call from its own cache (cache_hit): no provider call was billed")
    if obj.get("status") == "failure":
        error = obj.get("error_str")
        raise RecordError(f"LiteLLM logged a failed call: {error[:300] if isinstance(error, str) else 'no error text'}")
    messages = json_field(obj.get("messages"), "LiteLLM messages")
    if isinstance(messages, dict) and "messages" in messages:
        messages = messages["messages"]
    response = json_field(obj.get("response"), "LiteLLM response")
    if isinstance(response, dict) and not response:
        response = None
    if response is not None and not isinstance(response, dict):
        raise RecordError(f"LiteLLM response must be an object, got {type_name(response)}")
    billed_in, billed_out = token_count(obj, "prompt_tokens"), token_count(obj, "completion_tokens")
    if not messages:  # SpendLogs without stored prompts: the billed usage is all there is
        if billed_in is None or billed_out is None:
            raise RecordError("LiteLLM row has neither messages nor prompt_tokens and completion_tokens to count")
        return Record("litellm", line_no, model_of(obj), (), (), response_messages(response or {}),
                      checked_usage(Usage(billed_in, billed_out)))
    request: dict[str, Any] = {"model": obj.get("model"), "messages": messages}
    parameters = obj.get("model_parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("tools"), list):
        request["tools"] = parameters["tools"]
    if looks_anthropic(request, response):
        rec = anthropic_body(request, response, line_no, "litellm")
    else:
        rec = openai_body(request, response, line_no, "litellm")
    if billed_in is not None and billed_out is not None and billed_in > 0:
        logged = rec.usage
        rec = with_changes(rec, usage=checked_usage(Usage(
            billed_in, billed_out, min(logged.cached_tokens, billed_in) if logged else 0, 0,
            min(logged.reasoning_tokens, billed_out) if logged else 0)))
    return rec


SOURCE = Source(
    "litellm", "LiteLLM logging payloads", _is_litellm, _litellm,
    '{"call_type": "acompletion", "model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], '
    '"response": {"choices": [{"message": {"role": "assistant", "content": "Hello!"}}]}, "prompt_tokens": 8, '
    '"completion_tokens": 2, "status": "success"}',
    "docs.litellm.ai/docs/proxy/logging_spec (StandardLoggingPayload; LiteLLM_SpendLogs rows)",
    "model; messages (list or JSON string); response (object or JSON string); prompt_tokens, completion_tokens; "
    "model_parameters.tools; status/error_str (failures skipped)")
