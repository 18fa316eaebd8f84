"""Turn one parsed log line into a `Record`, detecting its format; say precisely what is wrong when it isn't one."""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from fineadvisor.measure._fast.reuse import LeadingReuse
from fineadvisor.measure.logs import parse_json
from fineadvisor.measure.records import MAX_RECORD_TOKENS, Image, Message, Record, SourceFormat, Tool, Usage

MessageReuse = LeadingReuse[object, Message]
"""Normalised messages remembered for the leading raw message objects of earlier lines."""

# The OpenAI fine-tuning chat format (cookbook + today's tool-calling additions).
FT_MESSAGE_KEYS = frozenset({"role", "content", "name", "function_call", "weight", "tool_calls", "tool_call_id",
                             "refusal"})
FT_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_REQUEST_HINT_KEYS = ("model", "temperature", "max_tokens", "max_completion_tokens", "stream", "response_format",
                      "tool_choice", "n", "top_p", "seed", "stop", "user", "metadata", "store")
_FORMAT_HELP = ('expected one of: {"messages": [...]} (fine-tuning), a Chat Completions request '
                '{"model", "messages"}, a Batch API line {"custom_id", "body"} or {"custom_id", "response"}, '
                'a pair {"request", "response"}, or an Anthropic Messages request {"model", "system", "messages"}')


MAX_MESSAGES_PER_RECORD = 100_000
"""More messages than any request holds; a record with more is skipped with this reason."""
MAX_TOOL_SCHEMA_BYTES = 1024 * 1024
"""Largest tool definition (its parameters as compact JSON) read; a larger one is skipped with this reason."""
MAX_IMAGE_PIXELS = 89_478_485
"""Largest image (width × height) whose header is believed: Pillow's own decompression-bomb threshold."""


class RecordError(ValueError):
    """A line that is JSON but not a usable record; `issue` names the cookbook format-error type if one applies."""

    def __init__(self, reason: str, issue: str | None = None) -> None:
        super().__init__(reason)
        self.issue = issue


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def to_record(obj: object, line_no: int, reuse: MessageReuse | None = None) -> Record:
    """Detect the format of one parsed JSON line and normalise it; raise `RecordError` with the reason.

    With `reuse`, plain messages that are the very objects of an earlier line's leading messages are not
    normalised again (see `fineadvisor.measure._fast.reuse`).
    """
    if not isinstance(obj, dict):
        raise RecordError(f"a line must be a JSON object, got {_type_name(obj)}", "data_type")
    if "custom_id" in obj and "body" in obj:
        return _batch_input(obj, line_no, reuse)
    if "custom_id" in obj and ("response" in obj or "error" in obj):
        return _batch_output(obj, line_no)
    if _is_litellm(obj):
        return _litellm(obj, line_no)
    if "request" in obj:
        return _request_response(obj, line_no, reuse)
    if _is_responses(obj):
        return _responses(obj, None, line_no, "responses_request")
    if "messages" in obj:
        known = _known(obj["messages"], reuse)
        if _looks_anthropic(obj, None, len(known)):
            return _anthropic(obj, None, line_no, "anthropic")
        source: SourceFormat = "fine_tuning" if obj.keys().isdisjoint(_REQUEST_HINT_KEYS) else "chat_request"
        return _openai(obj, None, line_no, source, reuse, known)
    keys = ", ".join(sorted(map(str, obj))[:8]) or "none"
    raise RecordError(f'no "messages" list and no known log format (keys found: {keys}); {_FORMAT_HELP}',
                      "missing_messages_list")


# ---------------------------------------------------------------- format shapes


def _batch_input(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    body = obj["body"]
    if not isinstance(body, dict):
        raise RecordError(f'Batch API "body" must be an object, got {_type_name(body)}')
    url = obj.get("url", "/v1/chat/completions")
    if isinstance(url, str) and "embeddings" in url:
        raise RecordError(f"Batch API line for {url} is an embeddings request, not a chat request")
    rec = _responses(body, None, line_no, "batch_input") if _is_responses(body) else _openai(
        body, None, line_no, "batch_input", reuse)
    return _with(rec, custom_id=_custom_id(obj))


def _batch_output(obj: dict[str, Any], line_no: int) -> Record:
    response = obj.get("response")
    if not isinstance(response, dict):
        error = obj.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        text = message if isinstance(message, str) else _type_name(message)
        raise RecordError(f"Batch API request {_custom_id(obj)!r} failed: {text[:300]}")
    body = response.get("body")
    if not isinstance(body, dict):
        raise RecordError(f'Batch API "response.body" must be an object, got {_type_name(body)}')
    status = response.get("status_code", 200)
    if isinstance(status, int) and status >= 400:
        raise RecordError(f"Batch API request {_custom_id(obj)!r} failed with HTTP {status}")
    usage = _usage(body.get("usage"))
    if usage is None:
        raise RecordError('Batch API output line has no "response.body.usage"')
    return Record("batch_output", line_no, _model(body), (), (), _response_messages(body), usage, _custom_id(obj))


def _request_response(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    request = obj["request"]
    if not isinstance(request, dict):
        raise RecordError(f'"request" must be an object, got {_type_name(request)}')
    response = obj.get("response")
    if response is not None and not isinstance(response, dict):
        raise RecordError(f'"response" must be an object, got {_type_name(response)}')
    if "body" in request and isinstance(request["body"], dict) and "messages" not in request:
        request = request["body"]  # some gateways nest the HTTP body
    if isinstance(response, dict) and isinstance(response.get("body"), dict) and "usage" not in response:
        response = response["body"]
    if _is_responses(request):
        return _responses(request, response, line_no, "request_response")
    if "messages" not in request:
        raise RecordError('"request" has no "messages" list (nor a Responses API "input")', "missing_messages_list")
    known = _known(request["messages"], reuse)
    if _looks_anthropic(request, response, len(known)):
        return _anthropic(request, response, line_no, "request_response")
    return _openai(request, response, line_no, "request_response", reuse, known)


def _with(rec: Record, **changes: Any) -> Record:
    fields = {name: getattr(rec, name) for name in rec.__slots__}
    fields.update(changes)
    return Record(**fields)


def _answer(response: Mapping[str, Any] | None) -> tuple[tuple[Message, ...], Usage | None]:
    """What a logged response adds to its request: the generated message and the billed usage."""
    if response is None:
        return (), None
    return _response_messages(response), _usage(response.get("usage"))


def _model(obj: Mapping[str, Any]) -> str | None:
    model = obj.get("model")
    return model if isinstance(model, str) and model else None


# ---------------------------------------------------------------- OpenAI


def _known(raw: object, reuse: MessageReuse | None) -> list[Message]:
    """The normalised messages remembered for the leading raw messages of `raw` (the very same objects)."""
    return reuse.match(raw) if reuse is not None and type(raw) is list else []


def _openai(req: dict[str, Any], response: dict[str, Any] | None, line_no: int, source: SourceFormat,
            reuse: MessageReuse | None = None, known: list[Message] | None = None) -> Record:
    raw = _messages_list(req)
    issues: list[str] = []
    parsed: list[Message] = known if known is not None else _known(raw, reuse)
    plain = start = len(parsed)  # leading messages that are plain (no format issue possible): safe to reuse
    append = parsed.append
    for i in range(start, len(raw)):
        m = raw[i]
        # Inline fast path for the common {"role": ..., "content": "<non-empty text>"} message.
        if type(m) is dict and m.keys() <= _PLAIN_KEYS:
            role, content = m.get("role"), m.get("content")
            if type(role) is str and type(content) is str and content and role in FT_ROLES:
                append(Message(role, (content,)))
                plain += plain == i
                continue
        append(_openai_message(m, i, issues))
    if reuse is not None and start == 0:
        reuse.remember(raw, parsed[:plain])
    messages = tuple(parsed)
    tools = _openai_tools(req.get("tools"), req.get("functions")) if "tools" in req or "functions" in req else ()
    completion: tuple[Message, ...] = ()
    usage = None
    if source == "fine_tuning":
        if messages[-1].role != "assistant" and not any(m.role == "assistant" for m in messages):
            issues.append("example_missing_assistant_message")
        if messages[-1].role == "assistant":
            completion, messages = messages[-1:], messages[:-1]
        if not messages:
            raise RecordError("the only message is the assistant's: there is no prompt to count")
    elif response is not None:
        completion = _response_messages(response)
        usage = _usage(response.get("usage"))
    if response is None and isinstance(req.get("usage"), dict):
        usage = _usage(req["usage"])
    model = _model(req) or (_model(response) if response else None)
    return Record(source, line_no, model, messages, tools, completion, usage, None,
                  tuple(dict.fromkeys(issues)) if issues else ())


_PLAIN_KEYS = frozenset({"role", "content", "weight"})


# ---------------------------------------------------------------- LiteLLM
# Schema: docs.litellm.ai/docs/proxy/logging_spec — a StandardLoggingPayload (what LiteLLM's loggers write) or a
# LiteLLM_SpendLogs row has `call_type`, `model`, `messages` (a list, or in SpendLogs a JSON string), `response`
# (the OpenAI-shaped ModelResponse: a dict or a JSON string), LiteLLM's billed `prompt_tokens` and
# `completion_tokens`, `status` ("success" / "failure") and `error_str`; tools, when sent, are in
# `model_parameters.tools`.


def _is_litellm(obj: Mapping[str, Any]) -> bool:
    return "call_type" in obj and ("messages" in obj or "response" in obj) and (
        "prompt_tokens" in obj or "startTime" in obj or "spend" in obj)


def _json_field(value: object, where: str) -> object:
    """A field LiteLLM may store as a JSON string."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return parse_json(value.encode("utf-8", "replace"))
        except ValueError as exc:
            raise RecordError(f"LiteLLM {where} is a string that is not valid JSON ({exc})") from None
    return value


def _litellm(obj: dict[str, Any], line_no: int) -> Record:
    call_type = str(obj.get("call_type") or "")
    if any(kind in call_type for kind in ("embedding", "moderation", "image", "transcription", "speech", "rerank")):
        raise RecordError(f"LiteLLM logged a {_shown(call_type)} call, not a chat or Responses call")
    if obj.get("status") == "failure":
        error = obj.get("error_str")
        raise RecordError(f"LiteLLM logged a failed call: {error[:300] if isinstance(error, str) else 'no error text'}")
    messages = _json_field(obj.get("messages"), "messages")
    if isinstance(messages, dict) and "messages" in messages:
        messages = messages["messages"]
    response = _json_field(obj.get("response"), "response")
    request: dict[str, Any] = {"model": obj.get("model"), "messages": messages}
    parameters = obj.get("model_parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("tools"), list):
        request["tools"] = parameters["tools"]
    if isinstance(response, dict) and not response:
        response = None
    if response is not None and not isinstance(response, dict):
        raise RecordError(f"LiteLLM response must be an object, got {_type_name(response)}")
    if _looks_anthropic(request, response):
        rec = _anthropic(request, response, line_no, "litellm")
    else:
        rec = _openai(request, response, line_no, "litellm")
    billed_in, billed_out = obj.get("prompt_tokens"), obj.get("completion_tokens")
    if isinstance(billed_in, int) and isinstance(billed_out, int) and not isinstance(billed_in, bool) and billed_in > 0:
        usage = _usage({"prompt_tokens": billed_in, "completion_tokens": billed_out, "prompt_tokens_details": {
            "cached_tokens": rec.usage.cached_tokens if rec.usage else 0}, "completion_tokens_details": {
            "reasoning_tokens": rec.usage.reasoning_tokens if rec.usage else 0}})
        rec = _with(rec, usage=usage)
    return rec


# ---------------------------------------------------------------- OpenAI Responses API
# Schema: platform.openai.com/docs/api-reference/responses/create — `instructions` (a system/developer message),
# `input` (a string: one user message; or a list of items: messages {role, content: str | [input_text |
# input_image | input_file | output_text parts]}, `function_call` {name, arguments}, `function_call_output`
# {output}, `reasoning` {summary[], encrypted_content}), `tools` (function tools {type, name, description,
# parameters} at the top level; built-in tools such as web_search have no schema to count); the response's
# `output[]` items and `usage` {input_tokens, input_tokens_details.cached_tokens, output_tokens,
# output_tokens_details.reasoning_tokens}.


_NOT_RESPONSES_KEYS = frozenset({"traceId", "trace_id", "startTime", "start_time", "observation", "run_type",
                                 "parentObservationId", "spans", "resourceSpans"})
"""Keys of observability records that also carry `input` and `model` (Langfuse, LangSmith, OpenTelemetry): never
to be read as a bare Responses request, which would drop their outputs and usage."""


def _is_responses(obj: Mapping[str, Any]) -> bool:
    """A Responses API request: `input` (with `model` or `instructions`) and no Chat `messages`; not an
    observability record that happens to have those keys."""
    return ("input" in obj and "messages" not in obj and ("model" in obj or "instructions" in obj)
            and obj.keys().isdisjoint(_NOT_RESPONSES_KEYS))


def _responses(req: dict[str, Any], response: dict[str, Any] | None, line_no: int, source: SourceFormat) -> Record:
    model_name = str(req.get("model", "")).lower()
    if "embed" in model_name or "moderation" in model_name:
        raise RecordError(f"a request to {_shown(req.get('model'))} is an embeddings or moderation request, not a "
                          "chat or Responses request")
    messages: list[Message] = []
    instructions = req.get("instructions")
    if isinstance(instructions, str) and instructions:
        messages.append(Message("developer", (instructions,)))
    elif instructions is not None and not isinstance(instructions, str):
        raise RecordError(f'"instructions" must be a string, got {_type_name(instructions)}')
    items = req.get("input")
    if isinstance(items, str):
        messages.append(Message("user", (items,)))
    elif isinstance(items, list):
        if len(items) > MAX_MESSAGES_PER_RECORD:
            raise RecordError(f"{len(items):,} input items in one record, over the limit of "
                              f"{MAX_MESSAGES_PER_RECORD:,}")
        messages += [_responses_item(item, i) for i, item in enumerate(items)]
    else:
        raise RecordError(f'Responses API "input" must be a string or a list of items, got {_type_name(items)}',
                          "missing_messages_list")
    if not messages:
        raise RecordError('Responses API "input" is empty: there is no prompt to count', "missing_messages_list")
    tools = tuple(_tool(t.get("name"), t.get("description"), t.get("parameters")) for t in req.get("tools") or ()
                  if isinstance(t, dict) and t.get("type", "function") == "function" and isinstance(t.get("name"), str))
    if "tools" in req and not isinstance(req["tools"], list):
        raise RecordError(f'"tools" must be a list, got {_type_name(req["tools"])}')
    return Record(source, line_no, _model(req) or _model(response or {}), tuple(messages), tools,
                  *_answer(response))


def _responses_item(item: object, index: int) -> Message:
    """One `input` item as the message it is billed as."""
    where = f"input[{index}]"
    if isinstance(item, str):
        return Message("user", (item,))
    if not isinstance(item, dict):
        raise RecordError(f"{where} must be an object, got {_type_name(item)}", "data_type")
    kind = item.get("type", "message")
    texts: list[str] = []
    if kind == "function_call":
        _function_strings(item, texts)
        return Message("assistant", tuple(texts), tool_call=True)
    if kind == "function_call_output":
        output = item.get("output")
        other = _content(output, f"{where}.output", texts, []) if not isinstance(output, dict) else 0
        if isinstance(output, dict):
            texts.append(_json_text(output))
        return Message("tool", tuple(texts), other_parts=other)
    if kind == "reasoning":  # summaries are text; encrypted content cannot be counted
        summaries = item.get("summary")
        for part in summaries if isinstance(summaries, list) else ():
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
        return Message("assistant", tuple(texts), other_parts=int(bool(item.get("encrypted_content"))))
    if kind != "message":
        return Message("user", (), other_parts=1)  # e.g. a built-in tool call: reported as uncounted
    role = item.get("role")
    if not isinstance(role, str):
        raise RecordError(f'{where} has no "role" string', "message_missing_key")
    images: list[Image] = []
    other = _content(item.get("content"), f"{where}.content", texts, images)
    return Message(role, tuple(texts), None, tuple(images), False, other)


def _openai_message(m: object, index: int, issues: list[str]) -> Message:
    where = f"messages[{index}]"
    if not isinstance(m, dict):
        raise RecordError(f"{where} must be an object, got {_type_name(m)}", "data_type")
    role = m.get("role")
    if not isinstance(role, str):
        raise RecordError(f'{where} has no "role" string' if role is None
                          else f'{where}.role must be a string, got {_type_name(role)}', "message_missing_key")
    if "content" not in m and "tool_calls" not in m and "function_call" not in m:
        issues.append("message_missing_key")
    if any(k not in FT_MESSAGE_KEYS for k in m):
        issues.append("message_unrecognized_key")
    if role not in FT_ROLES:
        issues.append("unrecognized_role")
    name = m.get("name")
    if name is not None and not isinstance(name, str):
        raise RecordError(f"{where}.name must be a string, got {_type_name(name)}")
    texts: list[str] = []
    images: list[Image] = []
    other = _content(m.get("content"), f"{where}.content", texts, images)
    content = m.get("content")
    if (not content and not m.get("function_call") and not m.get("tool_calls")) or (
        content is not None and not isinstance(content, (str, list))
    ):
        issues.append("missing_content")
    refusal = m.get("refusal")
    if isinstance(refusal, str):
        texts.append(refusal)
    calls = _tool_calls(m.get("tool_calls"), m.get("function_call"), where, texts)
    return Message(role, tuple(texts), name, tuple(images), calls, other)


def _content(content: object, where: str, texts: list[str], images: list[Image]) -> int:
    """Collect the text and images of a content field; return the number of parts that cannot be counted."""
    if content is None:
        return 0
    if isinstance(content, str):
        texts.append(content)
        return 0
    if not isinstance(content, list):
        raise RecordError(f"{where} must be a string or a list of parts, got {_type_name(content)}",
                          "missing_content")
    other = 0
    for j, part in enumerate(content):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            raise RecordError(f"{where}[{j}] must be an object, got {_type_name(part)}", "missing_content")
        kind = part.get("type")
        text = part.get("text")
        if kind in ("text", "input_text", "output_text") or (kind is None and isinstance(text, str)):
            if not isinstance(text, str):
                raise RecordError(f'{where}[{j}] is a text part without a "text" string')
            texts.append(text)
        elif kind == "refusal" and isinstance(part.get("refusal"), str):
            texts.append(part["refusal"])
        elif kind in ("image_url", "input_image", "image"):
            images.append(_image(part))
        else:
            other += 1
    return other


def _tool_calls(calls: object, function_call: object, where: str, texts: list[str]) -> bool:
    found = False
    if isinstance(calls, list):
        for k, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict):
                raise RecordError(f'{where}.tool_calls[{k}] must be an object with a "function" object')
            _function_strings(fn, texts)
            found = True
    elif calls is not None:
        raise RecordError(f"{where}.tool_calls must be a list, got {_type_name(calls)}")
    if isinstance(function_call, dict):
        _function_strings(function_call, texts)
        found = True
    return found


def _function_strings(fn: Mapping[str, Any], texts: list[str]) -> None:
    for key in ("name", "arguments"):
        value = fn.get(key)
        if isinstance(value, str):
            texts.append(value)
        elif value is not None:
            texts.append(_json_text(value))


def _openai_tools(tools: object, functions: object) -> tuple[Tool, ...]:
    out: list[Tool] = []
    if isinstance(tools, list):
        for k, tool in enumerate(tools):
            if not isinstance(tool, dict):
                raise RecordError(f"tools[{k}] must be an object, got {_type_name(tool)}")
            fn = tool.get("function", tool)
            if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                out.append(_tool(fn.get("name"), fn.get("description"), fn.get("parameters")))
    elif tools is not None:
        raise RecordError(f'"tools" must be a list, got {_type_name(tools)}')
    if isinstance(functions, list):
        out.extend(_tool(f.get("name"), f.get("description"), f.get("parameters"))
                   for f in functions if isinstance(f, dict))
    return tuple(out)


def _tool(name: object, description: object, parameters: object) -> Tool:
    if isinstance(parameters, dict) and parameters:
        try:
            size = len(orjson.dumps(parameters, option=orjson.OPT_NON_STR_KEYS))
        except orjson.JSONEncodeError as exc:
            raise RecordError(f"the parameters of tool {_shown(name)} cannot be read as a JSON schema ({exc})") from None
        if size > MAX_TOOL_SCHEMA_BYTES:
            raise RecordError(f"the parameters of tool {_shown(name)} are {size / 2**20:.1f} MiB of JSON, over the "
                              f"{MAX_TOOL_SCHEMA_BYTES // 2**20} MiB limit for one tool definition")
    return Tool(name if isinstance(name, str) else "", description if isinstance(description, str) else "",
                parameters if isinstance(parameters, dict) else {})


MAX_CUSTOM_ID_CHARS = 512
"""Longest Batch API `custom_id` read (OpenAI's own limit is 64 characters)."""


def _custom_id(obj: Mapping[str, Any]) -> str:
    """The Batch API `custom_id`: a string (a number is read as its digits)."""
    value = obj.get("custom_id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f'Batch API "custom_id" must be a string, got {_type_name(value)}')
    text = str(value)
    if len(text) > MAX_CUSTOM_ID_CHARS:
        raise RecordError(f'Batch API "custom_id" is {len(text):,} characters, over the {MAX_CUSTOM_ID_CHARS} read')
    return text


def _shown(value: object) -> str:
    """A value from the log, short and quoted, for a skip reason."""
    text = value if isinstance(value, str) else _type_name(value)
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def _messages_list(req: Mapping[str, Any]) -> list[Any]:
    """The request's `messages`: a non-empty list of at most MAX_MESSAGES_PER_RECORD items."""
    raw = req.get("messages")
    if not isinstance(raw, list) or not raw:
        got = "an empty list" if isinstance(raw, list) else _type_name(raw)
        raise RecordError(f'"messages" must be a non-empty list of message objects, got {got}',
                          "missing_messages_list")
    if len(raw) > MAX_MESSAGES_PER_RECORD:
        raise RecordError(f"{len(raw):,} messages in one record, over the limit of {MAX_MESSAGES_PER_RECORD:,}")
    return raw


def _response_messages(response: Mapping[str, Any]) -> tuple[Message, ...]:
    """The generated message of a Chat Completions (first choice), Responses or Anthropic response."""
    choices = response.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        msg = choices[0].get("message")
        if isinstance(msg, dict):
            return (_openai_message({"role": "assistant", **msg}, 0, []),)
    content = response.get("content")
    if isinstance(content, list):  # Anthropic
        return (_anthropic_message({"role": "assistant", "content": content}, 0),)
    output = response.get("output")
    if isinstance(output, list):  # Responses API
        texts: list[str] = []
        for item in output:
            if isinstance(item, dict):
                _content(item.get("content"), "output.content", texts, [])
                if item.get("type") == "function_call":
                    _function_strings(item, texts)
        return (Message("assistant", tuple(texts)),)
    return ()


def _usage(usage: object) -> Usage | None:
    """Normalise OpenAI Chat, OpenAI Responses and Anthropic usage objects."""
    if not isinstance(usage, dict):
        return None
    billed = _billed(usage)
    if billed is not None and max(billed.prompt_tokens, billed.completion_tokens) > MAX_RECORD_TOKENS:
        raise RecordError(f"usage says {billed.prompt_tokens:,} prompt and {billed.completion_tokens:,} completion "
                          f"tokens, more than one request can have (at most {MAX_RECORD_TOKENS:,}); is the line "
                          "corrupt?")
    if billed is not None and billed.cached_tokens + billed.cache_write_tokens > billed.prompt_tokens:
        raise RecordError(f"usage says {billed.cached_tokens:,} cached and {billed.cache_write_tokens:,} cache-write "
                          f"tokens, more than its {billed.prompt_tokens:,} prompt tokens; is the line corrupt?")
    if billed is not None and billed.reasoning_tokens > billed.completion_tokens:
        raise RecordError(f"usage says {billed.reasoning_tokens:,} reasoning tokens, more than its "
                          f"{billed.completion_tokens:,} completion tokens; is the line corrupt?")
    return billed


def _billed(usage: dict[str, Any]) -> Usage | None:
    """The billed counts of a usage object, whichever API wrote it (missing or invalid numbers are 0)."""
    def num(obj: object, key: str) -> int:
        value = obj.get(key) if isinstance(obj, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    if "prompt_tokens" in usage:
        return Usage(num(usage, "prompt_tokens"), num(usage, "completion_tokens"),
                     num(usage.get("prompt_tokens_details"), "cached_tokens"), 0,
                     num(usage.get("completion_tokens_details"), "reasoning_tokens"))
    if "input_tokens_details" in usage or "output_tokens_details" in usage:  # OpenAI Responses API
        return Usage(num(usage, "input_tokens"), num(usage, "output_tokens"),
                     num(usage.get("input_tokens_details"), "cached_tokens"), 0,
                     num(usage.get("output_tokens_details"), "reasoning_tokens"))
    if "input_tokens" in usage:  # Anthropic: input_tokens excludes cache reads and writes
        read, write = num(usage, "cache_read_input_tokens"), num(usage, "cache_creation_input_tokens")
        return Usage(num(usage, "input_tokens") + read + write, num(usage, "output_tokens"), read, write, 0)
    return None


def _image(part: Mapping[str, Any]) -> Image:
    spec = part.get("image_url", part)
    url = spec.get("url") if isinstance(spec, dict) else spec
    detail = spec.get("detail", part.get("detail", "auto")) if isinstance(spec, dict) else part.get("detail", "auto")
    source = part.get("source")
    data: str | None = None
    if isinstance(url, str) and url.startswith("data:") and "," in url:
        data = url.split(",", 1)[1]
    elif isinstance(source, dict) and source.get("type") == "base64" and isinstance(source.get("data"), str):
        data = source["data"]
    width, height = _image_size(data) if data else (None, None)
    return Image(width, height, detail if detail in ("low", "high", "auto") else "auto")


def _image_size(b64: str) -> tuple[int | None, int | None]:
    """Read width × height from an image's header (Pillow reads the header only)."""
    try:
        raw = base64.b64decode(b64, validate=False)
    except (binascii.Error, ValueError):
        return None, None
    import warnings

    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(raw)) as img:
                width, height = int(img.size[0]), int(img.size[1])
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise RecordError(f"an image's header claims more than {MAX_IMAGE_PIXELS:,} pixels (a decompression "
                          "bomb, or not a real image)") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None, None
    if width * height > MAX_IMAGE_PIXELS:
        raise RecordError(f"an image's header claims {width:,}×{height:,} pixels, over the {MAX_IMAGE_PIXELS:,} "
                          "believed") from None
    return width, height


def _json_text(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- Anthropic


def _looks_anthropic(req: Mapping[str, Any], response: Mapping[str, Any] | None, known: int = 0) -> bool:
    """Whether a request is Anthropic's; the first `known` messages were read before as plain OpenAI messages."""
    if "system" in req or str(req.get("model", "")).startswith(("claude", "anthropic")):
        return True
    if response is not None and (response.get("type") == "message" or "stop_reason" in response):
        return True
    msgs = req.get("messages")
    if type(msgs) is list:
        for i in range(known, len(msgs)):
            m = msgs[i]
            content = m.get("content") if type(m) is dict else None
            if type(content) is list and any(
                type(b) is dict and b.get("type") in ("tool_use", "tool_result") for b in content
            ):
                return True
    return False


def _anthropic(req: dict[str, Any], response: dict[str, Any] | None, line_no: int,
               source: SourceFormat) -> Record:
    raw = _messages_list(req)
    system: list[Message] = []
    sys_field = req.get("system")
    if sys_field is not None:
        texts: list[str] = []
        _anthropic_blocks(sys_field, "system", texts, [])
        system.append(Message("system", tuple(texts)))
    messages = tuple(system) + tuple(_anthropic_message(m, i) for i, m in enumerate(raw))
    tools_raw = req.get("tools")
    tools: tuple[Tool, ...] = ()
    if isinstance(tools_raw, list):
        tools = tuple(_tool(t.get("name"), t.get("description"), t.get("input_schema"))
                      for t in tools_raw if isinstance(t, dict))
    return Record(source, line_no, _model(req) or _model(response or {}), messages, tools, *_answer(response))


def _anthropic_message(m: object, index: int) -> Message:
    where = f"messages[{index}]"
    if not isinstance(m, dict):
        raise RecordError(f"{where} must be an object, got {_type_name(m)}", "data_type")
    role = m.get("role")
    if not isinstance(role, str):
        raise RecordError(f'{where} has no "role" string', "message_missing_key")
    texts: list[str] = []
    images: list[Image] = []
    calls, other = _anthropic_blocks(m.get("content"), f"{where}.content", texts, images)
    return Message(role, tuple(texts), None, tuple(images), calls, other)


def _anthropic_blocks(content: object, where: str, texts: list[str], images: list[Image]) -> tuple[bool, int]:
    """Collect text from Anthropic content (a string or blocks: text, image, tool_use, tool_result, thinking)."""
    if content is None:
        return False, 0
    if isinstance(content, str):
        texts.append(content)
        return False, 0
    if not isinstance(content, Sequence):
        raise RecordError(f"{where} must be a string or a list of blocks, got {_type_name(content)}")
    calls, other = False, 0
    for j, block in enumerate(content):
        if not isinstance(block, dict):
            raise RecordError(f"{where}[{j}] must be an object, got {_type_name(block)}")
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "tool_use":
            calls = True
            if isinstance(block.get("name"), str):
                texts.append(block["name"])
            texts.append(_json_text(block.get("input", {})))
        elif kind == "tool_result":
            _, nested = _anthropic_blocks(block.get("content"), f"{where}[{j}].content", texts, images)
            other += nested
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            texts.append(block["thinking"])
        elif kind == "image":
            images.append(_image(block))
        else:
            other += 1
    return calls, other
