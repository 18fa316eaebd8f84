"""The request and response bodies that many sources hold: OpenAI Chat, OpenAI Responses and Anthropic Messages."""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from fineadvisor.measure.records import MAX_RECORD_TOKENS, Image, Message, Record, SourceFormat, Tool, Usage
from fineadvisor.measure.sources.base import MessageReuse, RecordError, model_of, shown, type_name

# The OpenAI fine-tuning chat format (cookbook + today's tool-calling additions).
FT_MESSAGE_KEYS = frozenset({"role", "content", "name", "function_call", "weight", "tool_calls", "tool_call_id",
                             "refusal"})
FT_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
REQUEST_HINT_KEYS = ("model", "temperature", "max_tokens", "max_completion_tokens", "stream", "response_format",
                      "tool_choice", "n", "top_p", "seed", "stop", "user", "metadata", "store")
MAX_MESSAGES_PER_RECORD = 100_000
"""More messages than any request holds; a record with more is skipped with this reason."""
MAX_TOOL_SCHEMA_BYTES = 1024 * 1024
"""Largest tool definition (its parameters as compact JSON) read; a larger one is skipped with this reason."""
MAX_IMAGE_PIXELS = 89_478_485
"""Largest image (width × height) whose header is believed: Pillow's own decompression-bomb threshold."""


def answer(response: Mapping[str, Any] | None) -> tuple[tuple[Message, ...], Usage | None]:
    """What a logged response adds to its request: the generated message and the billed usage."""
    if response is None:
        return (), None
    return response_messages(response), usage_of(response.get("usage"))


def body_record(request: dict[str, Any], response: dict[str, Any] | None, line_no: int, source: SourceFormat,
                reuse: MessageReuse | None = None) -> Record:
    """A request body of any of the three shapes (and its response, if logged) as a record of `source`."""
    if "body" in request and isinstance(request["body"], dict) and "messages" not in request:
        request = request["body"]  # some gateways nest the HTTP body
    if isinstance(response, dict) and isinstance(response.get("body"), dict) and "usage" not in response:
        response = response["body"]
    if is_responses(request) or ("input" in request and "messages" not in request):
        return responses_body(request, response, line_no, source)
    if "messages" not in request:
        raise RecordError('the request has no "messages" list (nor a Responses API "input")', "missing_messages_list")
    known = known_messages(request["messages"], reuse)
    if looks_anthropic(request, response, len(known)):
        return anthropic_body(request, response, line_no, source)
    return openai_body(request, response, line_no, source, reuse, known)


# ---------------------------------------------------------------- OpenAI


def known_messages(raw: object, reuse: MessageReuse | None) -> list[Message]:
    """The normalised messages remembered for the leading raw messages of `raw` (the very same objects)."""
    return reuse.match(raw) if reuse is not None and type(raw) is list else []


def openai_body(req: dict[str, Any], response: dict[str, Any] | None, line_no: int, source: SourceFormat,
            reuse: MessageReuse | None = None, known: list[Message] | None = None) -> Record:
    raw = messages_list(req)
    issues: list[str] = []
    parsed: list[Message] = known if known is not None else known_messages(raw, reuse)
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
        append(openai_message(m, i, issues))
    if reuse is not None and start == 0:
        reuse.remember(raw, parsed[:plain])
    messages = tuple(parsed)
    tools = openai_tools(req.get("tools"), req.get("functions")) if "tools" in req or "functions" in req else ()
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
        completion = response_messages(response)
        usage = usage_of(response.get("usage"))
    if response is None and isinstance(req.get("usage"), dict):
        usage = usage_of(req["usage"])
    model = model_of(req) or (model_of(response) if response else None)
    return Record(source, line_no, model, messages, tools, completion, usage, None,
                  tuple(dict.fromkeys(issues)) if issues else (),
                  tool_choice_of(req.get("tool_choice"), req.get("function_call")) if tools else None)


def tool_choice_of(tool_choice: object, function_call: object = None) -> str | None:
    """A request's `tool_choice` (or legacy `function_call`) as `Record.tool_choice`: "none", "tool:NAME",
    "function:NAME", or None when it does not change the bill (auto, required, absent)."""
    for value, forced in ((tool_choice, "tool"), (function_call, "function")):
        if value == "none":
            return "none"
        if isinstance(value, Mapping):
            fn = value.get("function")
            name = (fn if isinstance(fn, Mapping) else value).get("name")
            if isinstance(name, str) and name:
                return f"{forced}:{name}"
    return None


_PLAIN_KEYS = frozenset({"role", "content", "weight"})


# ---------------------------------------------------------------- OpenAI Responses API
# Schema: platform.openai.com/docs/api-reference/responses/create — `instructions` (a system/developer message),
# `input` (a string: one user message; or a list of items: messages {role, content: str | [input_text |
# input_image | input_file | output_text parts]}, `function_call` {name, arguments}, `function_call_output`
# {output}, `reasoning` {summary[], encrypted_content}), `tools` (function tools {type, name, description,
# parameters} at the top level; built-in tools such as web_search have no schema to count); the response's
# `output[]` items and `usage` {input_tokens, input_tokens_details.cached_tokens, output_tokens,
# output_tokens_details.reasoning_tokens}.


NOT_RESPONSES_KEYS = frozenset({"traceId", "trace_id", "startTime", "start_time", "observation", "run_type",
                                 "parentObservationId", "spans", "resourceSpans"})
"""Keys of observability records that also carry `input` and `model` (Langfuse, LangSmith, OpenTelemetry): never
to be read as a bare Responses request, which would drop their outputs and usage."""


def is_responses(obj: Mapping[str, Any]) -> bool:
    """A Responses API request: `input` (with `model` or `instructions`) and no Chat `messages`; not an
    observability record that happens to have those keys."""
    return ("input" in obj and "messages" not in obj and ("model" in obj or "instructions" in obj)
            and obj.keys().isdisjoint(NOT_RESPONSES_KEYS))


def responses_body(req: dict[str, Any], response: dict[str, Any] | None, line_no: int, source: SourceFormat) -> Record:
    model_name = str(req.get("model", "")).lower()
    if "embed" in model_name or "moderation" in model_name:
        raise RecordError(f"a request to {shown(req.get('model'))} is an embeddings or moderation request, not a "
                          "chat or Responses request")
    messages: list[Message] = []
    instructions = req.get("instructions")
    if isinstance(instructions, str) and instructions:
        messages.append(Message("developer", (instructions,)))
    elif instructions is not None and not isinstance(instructions, str):
        raise RecordError(f'"instructions" must be a string, got {type_name(instructions)}')
    items = req.get("input")
    if isinstance(items, str):
        messages.append(Message("user", (items,)))
    elif isinstance(items, list):
        if len(items) > MAX_MESSAGES_PER_RECORD:
            raise RecordError(f"{len(items):,} input items in one record, over the limit of "
                              f"{MAX_MESSAGES_PER_RECORD:,}")
        messages += [_responses_item(item, i) for i, item in enumerate(items)]
    else:
        raise RecordError(f'Responses API "input" must be a string or a list of items, got {type_name(items)}',
                          "missing_messages_list")
    if not messages:
        raise RecordError('Responses API "input" is empty: there is no prompt to count', "missing_messages_list")
    tools = tuple(tool_of(t.get("name"), t.get("description"), t.get("parameters")) for t in req.get("tools") or ()
                  if isinstance(t, dict) and t.get("type", "function") == "function" and isinstance(t.get("name"), str))
    if "tools" in req and not isinstance(req["tools"], list):
        raise RecordError(f'"tools" must be a list, got {type_name(req["tools"])}')
    return Record(source, line_no, model_of(req) or model_of(response or {}), tuple(messages), tools,
                  *answer(response))


def _responses_item(item: object, index: int) -> Message:
    """One `input` item as the message it is billed as."""
    where = f"input[{index}]"
    if isinstance(item, str):
        return Message("user", (item,))
    if not isinstance(item, dict):
        raise RecordError(f"{where} must be an object, got {type_name(item)}", "data_type")
    kind = item.get("type", "message")
    texts: list[str] = []
    if kind == "function_call":
        function_strings(item, texts)
        return Message("assistant", tuple(texts), tool_call=True, calls=1)
    if kind == "function_call_output":
        output = item.get("output")
        other = content_parts(output, f"{where}.output", texts, []) if not isinstance(output, dict) else 0
        if isinstance(output, dict):
            texts.append(json_text(output))
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
    other = content_parts(item.get("content"), f"{where}.content", texts, images)
    return Message(role, tuple(texts), None, tuple(images), False, other)


def openai_message(m: object, index: int, issues: list[str]) -> Message:
    where = f"messages[{index}]"
    if not isinstance(m, dict):
        raise RecordError(f"{where} must be an object, got {type_name(m)}", "data_type")
    role = m.get("role")
    if not isinstance(role, str):
        raise RecordError(f'{where} has no "role" string' if role is None
                          else f'{where}.role must be a string, got {type_name(role)}', "message_missing_key")
    if "content" not in m and "tool_calls" not in m and "function_call" not in m:
        issues.append("message_missing_key")
    if any(k not in FT_MESSAGE_KEYS for k in m):
        issues.append("message_unrecognized_key")
    if role not in FT_ROLES:
        issues.append("unrecognized_role")
    name = m.get("name")
    if name is not None and not isinstance(name, str):
        raise RecordError(f"{where}.name must be a string, got {type_name(name)}")
    texts: list[str] = []
    images: list[Image] = []
    other = content_parts(m.get("content"), f"{where}.content", texts, images)
    content = m.get("content")
    if (not content and not m.get("function_call") and not m.get("tool_calls")) or (
        content is not None and not isinstance(content, (str, list))
    ):
        issues.append("missing_content")
    refusal = m.get("refusal")
    if isinstance(refusal, str):
        texts.append(refusal)
    calls = _tool_calls(m.get("tool_calls"), m.get("function_call"), where, texts)
    return Message(role, tuple(texts), name, tuple(images), calls > 0, other, calls)


def content_parts(content: object, where: str, texts: list[str], images: list[Image]) -> int:
    """Collect the text and images of a content field; return the number of parts that cannot be counted."""
    if content is None:
        return 0
    if isinstance(content, str):
        texts.append(content)
        return 0
    if not isinstance(content, list):
        raise RecordError(f"{where} must be a string or a list of parts, got {type_name(content)}",
                          "missing_content")
    other = 0
    for j, part in enumerate(content):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            raise RecordError(f"{where}[{j}] must be an object, got {type_name(part)}", "missing_content")
        kind = part.get("type")
        text = part.get("text")
        if kind in ("text", "input_text", "output_text") or (kind is None and isinstance(text, str)):
            if not isinstance(text, str):
                raise RecordError(f'{where}[{j}] is a text part without a "text" string')
            texts.append(text)
        elif kind == "refusal" and isinstance(part.get("refusal"), str):
            texts.append(part["refusal"])
        elif kind in ("image_url", "input_image", "image"):
            images.append(image_part(part))
        else:
            other += 1
    return other


def _tool_calls(calls: object, function_call: object, where: str, texts: list[str]) -> int:
    found = 0
    if isinstance(calls, list):
        for k, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict):
                raise RecordError(f'{where}.tool_calls[{k}] must be an object with a "function" object')
            function_strings(fn, texts)
            found += 1
    elif calls is not None:
        raise RecordError(f"{where}.tool_calls must be a list, got {type_name(calls)}")
    if isinstance(function_call, dict):
        function_strings(function_call, texts)
        found += 1
    return found


def function_strings(fn: Mapping[str, Any], texts: list[str]) -> None:
    """A call's name and arguments, always as a pair (a missing one as ""), so that calls can be told apart."""
    for key in ("name", "arguments"):
        value = fn.get(key)
        texts.append(value if isinstance(value, str) else "" if value is None else json_text(value))


def openai_tools(tools: object, functions: object) -> tuple[Tool, ...]:
    out: list[Tool] = []
    if isinstance(tools, list):
        for k, tool in enumerate(tools):
            if not isinstance(tool, dict):
                raise RecordError(f"tools[{k}] must be an object, got {type_name(tool)}")
            fn = tool.get("function", tool)
            if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                out.append(tool_of(fn.get("name"), fn.get("description"), fn.get("parameters")))
    elif tools is not None:
        raise RecordError(f'"tools" must be a list, got {type_name(tools)}')
    if isinstance(functions, list):
        out.extend(tool_of(f.get("name"), f.get("description"), f.get("parameters"))
                   for f in functions if isinstance(f, dict))
    return tuple(out)


def tool_of(name: object, description: object, parameters: object) -> Tool:
    if isinstance(parameters, dict) and parameters:
        try:
            size = len(orjson.dumps(parameters, option=orjson.OPT_NON_STR_KEYS))
        except orjson.JSONEncodeError as exc:
            raise RecordError(f"the parameters of tool {shown(name)} cannot be read as a JSON schema ({exc})") from None
        if size > MAX_TOOL_SCHEMA_BYTES:
            raise RecordError(f"the parameters of tool {shown(name)} are {size / 2**20:.1f} MiB of JSON, over the "
                              f"{MAX_TOOL_SCHEMA_BYTES // 2**20} MiB limit for one tool definition")
    return Tool(name if isinstance(name, str) else "", description if isinstance(description, str) else "",
                parameters if isinstance(parameters, dict) else {})


def messages_list(req: Mapping[str, Any]) -> list[Any]:
    """The request's `messages`: a non-empty list of at most MAX_MESSAGES_PER_RECORD items."""
    raw = req.get("messages")
    if not isinstance(raw, list) or not raw:
        got = "an empty list" if isinstance(raw, list) else type_name(raw)
        raise RecordError(f'"messages" must be a non-empty list of message objects, got {got}',
                          "missing_messages_list")
    if len(raw) > MAX_MESSAGES_PER_RECORD:
        raise RecordError(f"{len(raw):,} messages in one record, over the limit of {MAX_MESSAGES_PER_RECORD:,}")
    return raw


def response_messages(response: Mapping[str, Any]) -> tuple[Message, ...]:
    """The generated message of a Chat Completions (first choice), Responses or Anthropic response."""
    choices = response.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        msg = choices[0].get("message")
        if isinstance(msg, dict):
            return (openai_message({"role": "assistant", **msg}, 0, []),)
    content = response.get("content")
    if isinstance(content, list):  # Anthropic
        return (anthropic_message({"role": "assistant", "content": content}, 0),)
    output = response.get("output")
    if isinstance(output, list):  # Responses API
        texts: list[str] = []
        for item in output:
            if isinstance(item, dict):
                content_parts(item.get("content"), "output.content", texts, [])
                if item.get("type") == "function_call":
                    function_strings(item, texts)
        return (Message("assistant", tuple(texts)),)
    return ()


def usage_of(usage: object) -> Usage | None:
    """Normalise OpenAI Chat, OpenAI Responses and Anthropic usage objects."""
    if not isinstance(usage, dict):
        return None
    billed = _billed(usage)
    return None if billed is None else checked_usage(billed)


def checked_usage(billed: Usage) -> Usage:
    """Billed counts, refused with the reason when they cannot be one request's."""
    if max(billed.prompt_tokens, billed.completion_tokens) > MAX_RECORD_TOKENS:
        raise RecordError(f"usage says {billed.prompt_tokens:,} prompt and {billed.completion_tokens:,} completion "
                          f"tokens, more than one request can have (at most {MAX_RECORD_TOKENS:,}); is the line "
                          "corrupt?")
    if billed.cached_tokens + billed.cache_write_tokens > billed.prompt_tokens:
        raise RecordError(f"usage says {billed.cached_tokens:,} cached and {billed.cache_write_tokens:,} cache-write "
                          f"tokens, more than its {billed.prompt_tokens:,} prompt tokens; is the line corrupt?")
    if billed.reasoning_tokens > billed.completion_tokens:
        raise RecordError(f"usage says {billed.reasoning_tokens:,} reasoning tokens, more than its "
                          f"{billed.completion_tokens:,} completion tokens; is the line corrupt?")
    return billed


def _billed(usage: dict[str, Any]) -> Usage | None:
    """The billed counts of a usage object, whichever API wrote it (missing or invalid numbers are 0)."""
    def num(obj: object, key: str) -> int:
        value = obj.get(key) if isinstance(obj, dict) else None
        if isinstance(value, str) and value.isdigit() and len(value) <= 18:  # a CSV round trip, a homemade logger
            return int(value)
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


def image_part(part: Mapping[str, Any]) -> Image:
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


def json_text(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- Anthropic


def looks_anthropic(req: Mapping[str, Any], response: Mapping[str, Any] | None, known: int = 0) -> bool:
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


def anthropic_body(req: dict[str, Any], response: dict[str, Any] | None, line_no: int,
               source: SourceFormat) -> Record:
    raw = messages_list(req)
    system: list[Message] = []
    sys_field = req.get("system")
    if sys_field is not None:
        texts: list[str] = []
        anthropic_blocks(sys_field, "system", texts, [])
        system.append(Message("system", tuple(texts)))
    messages = tuple(system) + tuple(anthropic_message(m, i) for i, m in enumerate(raw))
    tools_raw = req.get("tools")
    tools: tuple[Tool, ...] = ()
    if isinstance(tools_raw, list):
        tools = tuple(tool_of(t.get("name"), t.get("description"), t.get("input_schema"))
                      for t in tools_raw if isinstance(t, dict))
    return Record(source, line_no, model_of(req) or model_of(response or {}), messages, tools, *answer(response))


def anthropic_message(m: object, index: int) -> Message:
    where = f"messages[{index}]"
    if not isinstance(m, dict):
        raise RecordError(f"{where} must be an object, got {type_name(m)}", "data_type")
    role = m.get("role")
    if not isinstance(role, str):
        raise RecordError(f'{where} has no "role" string', "message_missing_key")
    texts: list[str] = []
    images: list[Image] = []
    calls, other = anthropic_blocks(m.get("content"), f"{where}.content", texts, images)
    return Message(role, tuple(texts), None, tuple(images), calls, other)


def anthropic_blocks(content: object, where: str, texts: list[str], images: list[Image]) -> tuple[bool, int]:
    """Collect text from Anthropic content (a string or blocks: text, image, tool_use, tool_result, thinking)."""
    if content is None:
        return False, 0
    if isinstance(content, str):
        texts.append(content)
        return False, 0
    if not isinstance(content, Sequence):
        raise RecordError(f"{where} must be a string or a list of blocks, got {type_name(content)}")
    calls, other = False, 0
    for j, block in enumerate(content):
        if not isinstance(block, dict):
            raise RecordError(f"{where}[{j}] must be an object, got {type_name(block)}")
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "tool_use":
            calls = True
            if isinstance(block.get("name"), str):
                texts.append(block["name"])
            texts.append(json_text(block.get("input", {})))
        elif kind == "tool_result":
            _, nested = anthropic_blocks(block.get("content"), f"{where}[{j}].content", texts, images)
            other += nested
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            texts.append(block["thinking"])
        elif kind == "image":
            images.append(image_part(block))
        else:
            other += 1
    return calls, other
