"""OpenTelemetry GenAI spans in OTLP/JSON: what the Collector's file exporter writes, one ExportTraceServiceRequest a line.

Schemas: the OTLP/JSON encoding (opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: `resourceSpans[]
.scopeSpans[].spans[]`, attributes as `[{key, value: AnyValue}]`, 64-bit `intValue` written as a string) and the GenAI
semantic conventions (opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/ and the attribute registry
…/registry/attributes/gen-ai/):
- current (v1.37+): `gen_ai.operation.name` (chat, text_completion, generate_content; embeddings, execute_tool,
  invoke_agent… are not model calls), `gen_ai.provider.name` (was `gen_ai.system`), `gen_ai.request.model`,
  `gen_ai.response.model`, `gen_ai.system_instructions` (parts), `gen_ai.input.messages` / `gen_ai.output.messages`
  ({role, parts: [{type: text, content} | {type: tool_call, name, arguments} | {type: tool_call_response, response}
  | reasoning | blob | uri | file …]}, structured or a JSON string), `gen_ai.tool.definitions`, and
  `gen_ai.usage.input_tokens`, `.output_tokens`, `.cache_read.input_tokens`, `.cache_creation.input_tokens`,
  `.reasoning.output_tokens`;
- v1.26 and OpenLLMetry/Traceloop: `gen_ai.usage.prompt_tokens` / `.completion_tokens`, `llm.usage.total_tokens`,
  `gen_ai.usage.cache_read_input_tokens` / `cache_creation_input_tokens`, indexed `gen_ai.prompt.N.role/content`,
  `gen_ai.completion.N.role/content/tool_calls.M.name/arguments`, `llm.request.functions.N.name/description/
  parameters`, `llm.request.type` (chat / completion / embedding / rerank); the span events `gen_ai.content.prompt`
  {gen_ai.prompt} and `gen_ai.content.completion` {gen_ai.completion} (JSON strings of OpenAI messages);
- v1.27–v1.36 message events on the span (`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`,
  `gen_ai.tool.message`, `gen_ai.choice`) with their content in attributes (`content`, `tool_calls`, `message`) or a
  `body`, and the `gen_ai.client.inference.operation.details` event carrying the current attributes.

Token semantics: the registry says `gen_ai.usage.input_tokens` "SHOULD include all types of input tokens, including
cached tokens", and that `cache_read.input_tokens` and `cache_creation.input_tokens` "SHOULD be included" in it (and
`reasoning.output_tokens` in `output_tokens`): that is `Usage.prompt_tokens` as it is. An instrumentation that wrote
Anthropic's exclusive `input_tokens` instead shows it by cache counts larger than the input: those are added back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fineadvisor.measure.logs import parse_json
from fineadvisor.measure.records import Image, Message, Record, Tool, Usage
from fineadvisor.measure.sources.base import MessageReuse, RecordError, Source, shown, type_name
from fineadvisor.measure.sources.shapes import (
    MAX_MESSAGES_PER_RECORD,
    checked_usage,
    content_parts,
    function_strings,
    image_part,
    json_text,
    openai_message,
    tool_of,
)

ERROR_KEY = "_otel_error"
"""Set on the object `expand` yields in place of a malformed part of an export request: the span source refuses it."""
MAX_ANY_VALUE_DEPTH = 64
"""Deepest nesting of OTLP AnyValues read (an attribute deeper than that is read as missing)."""

_GENAI_PREFIXES = ("gen_ai.", "llm.")
_NOT_MODEL_CALLS = frozenset({
    "execute_tool", "invoke_agent", "create_agent", "invoke_workflow", "plan", "retrieval", "rerank",
    "create_memory", "create_memory_store", "delete_memory", "delete_memory_store", "search_memory", "update_memory",
    "upsert_memory", "workflow", "task", "agent", "tool", "image.generations", "speech.generations",
    "audio.transcriptions", "audio.translations", "moderation", "moderations"})
_EMBEDDINGS = frozenset({"embeddings", "embedding", "embed"})
_ROLE_EVENTS = {"gen_ai.system.message": "system", "gen_ai.user.message": "user",
                "gen_ai.assistant.message": "assistant", "gen_ai.tool.message": "tool"}

# ---------------------------------------------------------------- OTLP/JSON


def any_value(value: object, depth: int = 0) -> object:
    """An OTLP AnyValue ({"stringValue": …} etc., camelCase or snake_case) as the plain JSON value it holds."""
    if not isinstance(value, dict) or depth > MAX_ANY_VALUE_DEPTH:
        return value if depth <= MAX_ANY_VALUE_DEPTH else None
    for key, got in value.items():
        if key in ("stringValue", "string_value", "bytesValue", "bytes_value", "boolValue", "bool_value"):
            return got
        if key in ("intValue", "int_value"):
            try:
                return int(got)
            except (TypeError, ValueError):
                return None
        if key in ("doubleValue", "double_value"):
            return got if isinstance(got, (int, float)) else _number(got)
        if key in ("arrayValue", "array_value"):
            items = got.get("values") if isinstance(got, dict) else None
            return [any_value(v, depth + 1) for v in items] if isinstance(items, list) else []
        if key in ("kvlistValue", "kvlist_value"):
            items = got.get("values") if isinstance(got, dict) else None
            return attributes_of(items, depth + 1)
    return None  # an empty AnyValue


def attributes_of(raw: object, depth: int = 0) -> dict[str, Any]:
    """OTLP attributes ([{key, value: AnyValue}]) as a dict; an exporter that already flattened them gives a dict."""
    if isinstance(raw, dict):
        return raw
    out: dict[str, Any] = {}
    for kv in raw if isinstance(raw, list) else ():
        if isinstance(kv, dict) and isinstance(kv.get("key"), str):
            out[kv["key"]] = any_value(kv.get("value"), depth)
    return out


def _number(value: object) -> float | None:
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _is_container(obj: Mapping[str, Any]) -> bool:
    return ("resourceSpans" in obj or "resource_spans" in obj
            or isinstance(obj.get("scopeSpans", obj.get("scope_spans")), list)
            or ("scope" in obj and isinstance(obj.get("spans"), list)))


def _list(obj: Mapping[str, Any], *keys: str) -> list[Any] | None:
    for key in keys:
        if key in obj:
            value = obj[key]
            return value if isinstance(value, list) else None
    return []


def _expand(obj: dict[str, Any]) -> Iterator[object]:
    """Every span of an export request, of one ResourceSpans, or of one ScopeSpans."""
    if "resourceSpans" in obj or "resource_spans" in obj:
        resources = _list(obj, "resourceSpans", "resource_spans")
    elif "scope" in obj and "spans" in obj and "scopeSpans" not in obj:
        resources = [{"scopeSpans": [obj]}]
    else:
        resources = [obj]
    if resources is None:
        yield {ERROR_KEY: '"resourceSpans" must be a list of ResourceSpans objects'}
        return
    found = False
    for resource in resources:
        scopes = _list(resource, "scopeSpans", "scope_spans", "instrumentationLibrarySpans") if isinstance(
            resource, dict) else None
        if scopes is None:
            yield {ERROR_KEY: f"a ResourceSpans must be an object with a scopeSpans list, got {type_name(resource)}"}
            continue
        for scope in scopes:
            spans = _list(scope, "spans") if isinstance(scope, dict) else None
            if spans is None:
                yield {ERROR_KEY: f'a ScopeSpans must be an object with a "spans" list, got {type_name(scope)}'}
                continue
            found = found or bool(spans)
            yield from spans
    if not found:
        yield {ERROR_KEY: "the OTLP export request holds no spans"}


# ---------------------------------------------------------------- one span


def _is_span(obj: Mapping[str, Any]) -> bool:
    return ERROR_KEY in obj or (
        ("spanId" in obj or "span_id" in obj) and ("traceId" in obj or "trace_id" in obj)
        and isinstance(obj.get("attributes", []), (list, dict)))  # OTLP/JSON omits an empty attribute list


def _span(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    if ERROR_KEY in obj:
        raise RecordError(str(obj[ERROR_KEY]))
    name = obj.get("name")
    attrs = attributes_of(obj.get("attributes"))
    events = [e for e in obj.get("events") or () if isinstance(e, dict)] if isinstance(obj.get("events"), list) else []
    event_attrs = [(e["name"] if isinstance(e.get("name"), str) else "", attributes_of(e.get("attributes")),
                    e.get("body")) for e in events]
    for ev_name, ev_attrs, _ in event_attrs:
        if ev_name == "gen_ai.client.inference.operation.details":
            attrs = {**ev_attrs, **attrs}
    genai_events = any(isinstance(n, str) and n.startswith("gen_ai.") for n, _, _ in event_attrs)
    if not genai_events and not any(k.startswith(_GENAI_PREFIXES) for k in attrs):
        raise RecordError(f"span {shown(name)} is not a GenAI model call (it has no gen_ai.* attributes)")
    operation = attrs.get("gen_ai.operation.name") or attrs.get("llm.request.type")
    if isinstance(operation, str) and operation.lower() in _EMBEDDINGS:
        raise RecordError(f"span {shown(name)} is an embeddings call, not a chat or completion call")
    if isinstance(operation, str) and operation.lower() in _NOT_MODEL_CALLS:
        raise RecordError(f"span {shown(name)} is a GenAI {operation!r} span (an agent, tool or other step), not a "
                          "model call; its model calls are spans of their own")
    usage = _usage(attrs)
    failed = _failure(obj, attrs)
    if failed and usage is None:  # a call that failed bills nothing; one that reports usage was billed, and is read
        raise RecordError(f"span {shown(name)} records a failed GenAI call ({failed})")
    prompt = _system(attrs) + _prompt(attrs, event_attrs)
    if len(prompt) > MAX_MESSAGES_PER_RECORD:
        raise RecordError(f"{len(prompt):,} messages in one span, over the limit of {MAX_MESSAGES_PER_RECORD:,}")
    completion = _completion(attrs, event_attrs)
    if not prompt and not completion and usage is None:
        raise RecordError(f"span {shown(name)} is a GenAI call but records neither its messages nor its token usage "
                          "(enable content capture, e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)")
    model = next((m for k in ("gen_ai.request.model", "gen_ai.response.model", "llm.request.model",
                              "llm.response.model") if isinstance(m := attrs.get(k), str) and m), None)
    return Record("otel_genai", line_no, model, prompt, _tools(attrs), completion, usage)


def _failure(obj: Mapping[str, Any], attrs: Mapping[str, Any]) -> str:
    """Why the span says the call failed ("" when it did not): status code ERROR, or error.type."""
    status = obj.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    error_type = attrs.get("error.type")
    if code in (2, "2", "STATUS_CODE_ERROR", "ERROR") or isinstance(error_type, str):
        message = status.get("message") if isinstance(status, dict) else None
        parts = [p for p in (error_type if isinstance(error_type, str) else "",
                             message if isinstance(message, str) else "") if p]
        return ": ".join(parts)[:300] or "status ERROR"
    return ""


# ---------------------------------------------------------------- usage


def _int(attrs: Mapping[str, Any], *keys: str) -> int | None:
    """The first of `keys` holding a non-negative whole number (OTLP JSON may write it as a string)."""
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, str):
            value = _number(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def _usage(attrs: Mapping[str, Any]) -> Usage | None:
    inp = _int(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.usage.prompt_tokens")
    out = _int(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.usage.completion_tokens")
    if inp is None and out is None:
        return None
    total = _int(attrs, "llm.usage.total_tokens", "gen_ai.usage.total_tokens")
    if inp is None:
        inp = max(total - (out or 0), 0) if total is not None else 0
    if out is None:
        out = max(total - inp, 0) if total is not None else 0
    cached = _int(attrs, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
                  "gen_ai.usage.input_tokens.cached", "gen_ai.usage.cached_tokens") or 0
    write = _int(attrs, "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens",
                 "gen_ai.usage.input_tokens.cache_write", "gen_ai.usage.cache_write.input_tokens") or 0
    reasoning = _int(attrs, "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens",
                     "gen_ai.usage.output_tokens.reasoning", "llm.usage.reasoning_tokens") or 0
    if cached + write > inp:  # the provider's exclusive input count (Anthropic's input_tokens) was written
        inp += cached + write
    if reasoning > out:  # the visible output alone was written (Gemini's candidatesTokenCount)
        out += reasoning
    return checked_usage(Usage(inp, out, cached, write, reasoning))


# ---------------------------------------------------------------- messages


def _try_json(value: object) -> object:
    """A JSON string parsed; anything else (or text that merely looks like JSON) as it is."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return parse_json(value.encode("utf-8", "replace"))
        except ValueError:
            return value
    return value


def _system(attrs: Mapping[str, Any]) -> tuple[Message, ...]:
    raw = _try_json(attrs.get("gen_ai.system_instructions"))
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (Message("system", (raw,)),) if raw else ()
    parts = raw if isinstance(raw, list) else [raw]
    msg = _parts_message("system", parts, None, "gen_ai.system_instructions")
    return (msg,) if msg.texts or msg.images or msg.other_parts else ()


def _from_attributes(attrs: Mapping[str, Any], current: str, legacy: str, role: str) -> tuple[Message, ...] | None:
    """Messages from span attributes: the current JSON attribute, else the indexed `legacy.N.*` ones, else the bare
    legacy attribute (None: none of them is present; events are read instead)."""
    raw = attrs.get(current)
    if raw is not None:
        return _messages(raw, current, role)
    indexed = _indexed(attrs, f"{legacy}.")
    if indexed:
        return tuple(_flat_message(fields, role, f"{legacy}.{i}") for i, fields in indexed.items())
    if attrs.get(legacy) is not None:
        return _messages(attrs[legacy], legacy, role)
    return None


def _prompt(attrs: Mapping[str, Any], events: list[tuple[Any, dict[str, Any], Any]]) -> tuple[Message, ...]:
    found = _from_attributes(attrs, "gen_ai.input.messages", "gen_ai.prompt", "user")
    if found is not None:
        return found
    out: list[Message] = []
    for ev_name, ev_attrs, body in events:
        if ev_name == "gen_ai.content.prompt" and ev_attrs.get("gen_ai.prompt") is not None:
            out += _messages(ev_attrs["gen_ai.prompt"], "gen_ai.prompt", "user")
        elif ev_name in _ROLE_EVENTS:
            payload = body if isinstance(body, dict) else ev_attrs
            out.append(_event_message(str(payload.get("role") or _ROLE_EVENTS[ev_name]), payload, ev_name))
    return tuple(out)


def _completion(attrs: Mapping[str, Any], events: list[tuple[Any, dict[str, Any], Any]]) -> tuple[Message, ...]:
    found = _from_attributes(attrs, "gen_ai.output.messages", "gen_ai.completion", "assistant")
    if found is not None:
        return found
    out: list[Message] = []
    for ev_name, ev_attrs, body in events:
        if ev_name == "gen_ai.content.completion" and ev_attrs.get("gen_ai.completion") is not None:
            out += _messages(ev_attrs["gen_ai.completion"], "gen_ai.completion", "assistant")
        elif ev_name == "gen_ai.choice":
            payload = body if isinstance(body, dict) else ev_attrs
            message = _try_json(payload.get("message"))
            out.append(_event_message("assistant", message if isinstance(message, dict) else payload, ev_name))
    return tuple(out)


def _messages(raw: object, where: str, default_role: str) -> tuple[Message, ...]:
    """A message list attribute: the semantic-convention schema (role + parts) or OpenAI messages; plain text is one
    message of `default_role` (v1.26 recommended, but did not require, JSON)."""
    value = _try_json(raw)
    if isinstance(value, str):
        return (Message(default_role, (value,)),) if value else ()
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise RecordError(f"{where} must be a list of messages, got {type_name(value)}")
    if len(value) > MAX_MESSAGES_PER_RECORD:
        raise RecordError(f"{len(value):,} messages in {where}, over the limit of {MAX_MESSAGES_PER_RECORD:,}")
    out: list[Message] = []
    for i, m in enumerate(value):
        if isinstance(m, str):
            out.append(Message(default_role, (m,)))
            continue
        if not isinstance(m, dict):
            raise RecordError(f"{where}[{i}] must be an object, got {type_name(m)}")
        role = m["role"] if isinstance(m.get("role"), str) else default_role
        name = m["name"] if isinstance(m.get("name"), str) else None
        if isinstance(m.get("parts"), list):
            out.append(_parts_message(role, m["parts"], name, f"{where}[{i}]"))
        else:  # OpenAI-shaped ({role, content, tool_calls}), as early adopters and v1.26 wrote
            out.append(openai_message({**m, "role": role}, i, []))
    return tuple(out)


def _parts_message(role: str, parts: list[Any], name: str | None, where: str) -> Message:
    """One message of the documented schema: text, reasoning, tool_call, tool_call_response, server tool parts,
    blob / uri / file (images counted, other media reported as uncounted)."""
    texts: list[str] = []
    images: list[Image] = []
    calls, other = False, 0
    for j, part in enumerate(parts):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            raise RecordError(f"{where}.parts[{j}] must be an object, got {type_name(part)}")
        kind = part.get("type")
        content = part.get("content")
        if kind == "tool_call":
            calls = True
            function_strings({"name": part.get("name"), "arguments": part.get("arguments")}, texts)
        elif kind == "tool_call_response":
            result = part.get("response", part.get("result"))
            if result is not None:
                texts.append(result if isinstance(result, str) else json_text(result))
        elif kind in ("server_tool_call", "server_tool_call_response"):
            if isinstance(part.get("name"), str):
                texts.append(part["name"])
            detail = part.get(kind)
            if detail is not None:
                texts.append(json_text(detail))
        elif kind in ("blob", "uri", "file"):
            is_image = part.get("modality") == "image" or str(part.get("mime_type") or "").startswith("image/")
            if is_image and kind == "blob" and isinstance(content, str):
                images.append(image_part({"type": "image", "source": {"type": "base64", "data": content}}))
            elif is_image and kind == "uri" and isinstance(part.get("uri"), str):
                images.append(image_part({"type": "image_url", "image_url": {"url": part["uri"]}}))
            else:
                other += 1
        elif isinstance(content, str):  # text, reasoning, and custom parts that carry text
            texts.append(content)
        else:
            other += 1
    return Message(role, tuple(texts), name, tuple(images), calls, other)


def _indexed(attrs: Mapping[str, Any], prefix: str) -> dict[int, dict[str, Any]]:
    """Flattened indexed attributes (`gen_ai.prompt.0.role` …) grouped by index, in index order."""
    groups: dict[int, dict[str, Any]] = {}
    size = len(prefix)
    for key, value in attrs.items():
        if key.startswith(prefix):
            index, _, field = key[size:].partition(".")
            if index.isdigit() and field:
                groups.setdefault(int(index), {})[field] = value
    return dict(sorted(groups.items()))


def _flat_message(fields: Mapping[str, Any], default_role: str, where: str) -> Message:
    """One OpenLLMetry indexed message: role, content (text, or a JSON list of content parts), tool_calls.M.*."""
    role = fields["role"] if isinstance(fields.get("role"), str) else default_role
    content = fields.get("content", fields.get("user"))  # legacy completions wrote `gen_ai.prompt.0.user`
    texts: list[str] = []
    images: list[Image] = []
    other = _content(content, f"{where}.content", texts, images)
    calls = _indexed(fields, "tool_calls.")
    for call in calls.values():
        function_strings(call, texts)
    function_call = {k[len("function_call."):]: v for k, v in fields.items() if k.startswith("function_call.")}
    if function_call:
        function_strings(function_call, texts)
    return Message(role, tuple(texts), None, tuple(images), bool(calls or function_call), other)


def _content(content: object, where: str, texts: list[str], images: list[Image]) -> int:
    """Text, or a JSON list of OpenAI / Bedrock content parts (as OpenLLMetry and Strands write multimodal content)."""
    parsed = _try_json(content)
    if isinstance(parsed, list) and all(isinstance(p, dict) for p in parsed):
        return content_parts(parsed, where, texts, images)
    if isinstance(content, str):
        texts.append(content)
        return 0
    if isinstance(parsed, dict):
        texts.append(json_text(parsed))
        return 0
    return content_parts(content, where, texts, images) if content is not None else 0


def _event_message(role: str, payload: Mapping[str, Any], where: str) -> Message:
    """A v1.27–v1.36 message event: {content, tool_calls: [{function: {name, arguments}}]} in its body or attributes."""
    texts: list[str] = []
    images: list[Image] = []
    other = _content(payload.get("content"), f"{where}.content", texts, images)
    calls = _try_json(payload.get("tool_calls"))
    found = False
    for call in calls if isinstance(calls, list) else ():
        fn = call.get("function", call) if isinstance(call, dict) else None
        if isinstance(fn, dict):
            function_strings(fn, texts)
            found = True
    return Message(role, tuple(texts), None, tuple(images), found, other)


# ---------------------------------------------------------------- tools


def _tools(attrs: Mapping[str, Any]) -> tuple[Tool, ...]:
    raw = _try_json(attrs.get("gen_ai.tool.definitions"))
    if isinstance(raw, list):
        return tuple(_tool(t) for t in raw if isinstance(t, dict))
    for prefix in ("llm.request.functions.", "gen_ai.tool.definitions."):
        indexed = _indexed(attrs, prefix)
        if indexed:
            return tuple(_tool(fields) for fields in indexed.values())
    return ()


def _tool(definition: Mapping[str, Any]) -> Tool:
    inner = definition.get("function")
    fn: Mapping[str, Any] = inner if isinstance(inner, dict) else definition
    parameters = _try_json(fn.get("parameters", fn.get("input_schema")))
    return tool_of(fn.get("name"), fn.get("description"), parameters)


CONTAINER = Source(
    "otel_genai", "OTLP export requests", _is_container, _span,
    '{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "app"}}]}, '
    '"scopeSpans": [{"scope": {"name": "openai"}, "spans": [{"traceId": "5b8efff798038103d269b633813fc60c", '
    '"spanId": "eee19b7ec3c1b174", "name": "chat gpt-4o-mini", "kind": 3, "attributes": [{"key": '
    '"gen_ai.operation.name", "value": {"stringValue": "chat"}}, {"key": "gen_ai.request.model", "value": '
    '{"stringValue": "gpt-4o-mini"}}, {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "8"}}, {"key": '
    '"gen_ai.usage.output_tokens", "value": {"intValue": "2"}}]}]}]}]}',
    "opentelemetry.io/docs/specs/otlp/ (OTLP/JSON ExportTraceServiceRequest, as the Collector's file exporter "
    "writes it)",
    "resourceSpans[].scopeSpans[].spans[] (also one ResourceSpans or ScopeSpans per line); each span read as below",
    expand=_expand)
SPAN = Source(
    "otel_genai", "OpenTelemetry GenAI spans", _is_span, _span,
    '{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "chat gpt-4o-mini", '
    '"attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}, {"key": '
    '"gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}}, {"key": "gen_ai.input.messages", "value": '
    '{"stringValue": "[{\\"role\\": \\"user\\", \\"parts\\": [{\\"type\\": \\"text\\", \\"content\\": \\"Hi\\"}]}]"}}, '
    '{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "8"}}, {"key": "gen_ai.usage.output_tokens", '
    '"value": {"intValue": "2"}}]}',
    "opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/ (GenAI semantic conventions, current and v1.26–v1.36; "
    "OpenLLMetry/Traceloop indexed attributes)",
    "attributes gen_ai.operation.name / llm.request.type (embeddings and agent/tool spans skipped), "
    "gen_ai.request.model / gen_ai.response.model, gen_ai.system_instructions, gen_ai.input.messages, "
    "gen_ai.output.messages, gen_ai.tool.definitions, gen_ai.usage.input_tokens / prompt_tokens, output_tokens / "
    "completion_tokens, cache_read.input_tokens, cache_creation.input_tokens, reasoning.output_tokens; "
    "gen_ai.prompt.N.* / gen_ai.completion.N.* / llm.request.functions.N.*; events gen_ai.content.prompt / "
    ".completion, gen_ai.*.message, gen_ai.choice; status / error.type (failed calls without usage skipped)")

SOURCES: tuple[Source, ...] = (CONTAINER, SPAN)
