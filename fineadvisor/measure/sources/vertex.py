"""Vertex AI: request-response logging rows (BigQuery), and Gemini GenerateContent requests and pairs.

Schema: cloud.google.com/vertex-ai/generative-ai/docs/multimodal/request-response-logging — Vertex AI writes sampled
generateContent / streamGenerateContent calls (and rawPredict calls to partner models such as Anthropic Claude) to a
BigQuery table with the columns `endpoint`, `deployed_model_id`, `logging_time`, `request_id`, `request_payload` and
`response_payload` (repeated strings, each a JSON body; a stream's response is its chunks), `model`
("publishers/google/models/gemini-2.5-pro"), `model_version`, `api_method` ("GenerateContent"…), `full_request` and
`full_response` (JSON columns: the whole request and response), `metadata` (`request_latency`) and `otel_log`. Rows
are read as `bq extract --destination_format NEWLINE_DELIMITED_JSON` or a JSON query export writes them; a JSON
column may arrive as an object or as a JSON string.

The payloads are Gemini bodies (cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/projects.locations.
endpoints/generateContent): request `contents[]` {role: user | model | function, parts[]: {text} / {inlineData} /
{fileData} / {functionCall {name, args}} / {functionResponse {name, response}} / {executableCode} /
{codeExecutionResult}}, `systemInstruction` {parts}, `tools[].functionDeclarations[]` {name, description,
parameters | parametersJsonSchema}; response `candidates[0].content`, `usageMetadata`, `modelVersion`. The Python SDK
and BigQuery exports also write snake_case (`system_instruction`, `usage_metadata`, `prompt_token_count`…): both read.

Billed tokens (the UsageMetadata reference): `promptTokenCount` is the whole prompt and already includes
`cachedContentTokenCount` (so prompt_tokens = promptTokenCount + toolUsePromptTokenCount, cached_tokens =
cachedContentTokenCount); `toolUsePromptTokenCount` counts the results of Google-run tools (search, code execution)
fed back to the model, billed as input but not part of promptTokenCount; `thoughtsTokenCount` is not part of
`candidatesTokenCount` (completion_tokens = candidatesTokenCount + thoughtsTokenCount, reasoning_tokens =
thoughtsTokenCount). totalTokenCount is the sum of all four. Counts that are zero are omitted from the JSON (proto3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fineadvisor.measure.records import Image, Message, Record, Tool, Usage
from fineadvisor.measure.sources.base import (
    MessageReuse,
    RecordError,
    Source,
    json_field,
    shown,
    token_count,
    type_name,
    with_changes,
)
from fineadvisor.measure.sources.shapes import (
    MAX_MESSAGES_PER_RECORD,
    anthropic_body,
    body_record,
    checked_usage,
    image_part,
    json_text,
    tool_of,
)

ROLES = {"user": "user", "model": "assistant", "function": "tool", "tool": "tool", "system": "system"}
"""Gemini content roles → chat roles ("function" carries functionResponse parts)."""
ROW_KEYS = ("logging_time", "api_method", "deployed_model_id", "model_version")
PAYLOAD_KEYS = ("full_request", "request_payload", "full_response", "response_payload")


def field(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    """A field by its REST (camelCase) or Python SDK / BigQuery (snake_case) name."""
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def model_name(value: object) -> str | None:
    """A model id from a resource name ("projects/p/locations/l/publishers/google/models/gemini-2.5-pro") or an id."""
    if not isinstance(value, str) or not value:
        return None
    if "/models/" in value:
        return value.rsplit("/models/", 1)[-1]
    return value.removeprefix("models/")


# ---------------------------------------------------------------- Gemini bodies


def gemini_parts(parts: object, where: str, texts: list[str], images: list[Image]) -> tuple[bool, int]:
    """Collect the billed text of Gemini parts; return (calls a function, parts that cannot be counted)."""
    if parts is None:
        return False, 0
    if isinstance(parts, str):
        texts.append(parts)
        return False, 0
    if isinstance(parts, dict):
        parts = [parts]
    if not isinstance(parts, list):
        raise RecordError(f"{where} must be a list of parts, got {type_name(parts)}")
    calls, other = False, 0
    for j, part in enumerate(parts):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            raise RecordError(f"{where}[{j}] must be a part object, got {type_name(part)}")
        call = field(part, "functionCall", "function_call")
        result = field(part, "functionResponse", "function_response")
        inline = field(part, "inlineData", "inline_data")
        code = field(part, "executableCode", "executable_code")
        outcome = field(part, "codeExecutionResult", "code_execution_result")
        if isinstance(part.get("text"), str):
            texts.append(part["text"])  # thought summaries ({"thought": true}) too: they are generated text
        elif isinstance(call, dict):
            calls = True
            if isinstance(call.get("name"), str):
                texts.append(call["name"])
            texts.append(json_text(call.get("args") or {}))
        elif isinstance(result, dict):
            if isinstance(result.get("name"), str):
                texts.append(result["name"])
            texts.append(json_text(result.get("response") or {}))
        elif isinstance(inline, dict):
            other += _inline(inline, images)
        elif isinstance(code, dict) and isinstance(code.get("code"), str):
            texts.append(code["code"])
        elif isinstance(outcome, dict) and isinstance(outcome.get("output"), str):
            texts.append(outcome["output"])
        elif not part.keys() <= {"thought", "thoughtSignature", "thought_signature", "videoMetadata",
                                 "video_metadata", "text"}:
            other += 1  # fileData (a gs:// or https URI), or a part kind this reader does not know
    return calls, other


def _inline(inline: Mapping[str, Any], images: list[Image]) -> int:
    """An inlineData part: an image whose size can be read from its bytes is kept, anything else is 1 uncounted."""
    mime, data = field(inline, "mimeType", "mime_type"), inline.get("data")
    if isinstance(mime, str) and mime.startswith("image/") and isinstance(data, str) and data:
        found = image_part({"source": {"type": "base64", "data": data}})
        if found.width is not None:
            images.append(found)
            return 0
    return 1  # audio, video, PDF, or an image whose header cannot be read


def gemini_content(content: object, where: str, default_role: str = "user") -> Message:
    """One Content {role, parts}, with role "model" read as "assistant"."""
    if isinstance(content, (str, list)):
        content = {"parts": content}  # SDK shorthand: a string or a list of parts
    if not isinstance(content, dict):
        raise RecordError(f"{where} must be a content object, got {type_name(content)}", "data_type")
    role = content.get("role") or default_role
    if not isinstance(role, str):
        raise RecordError(f"{where}.role must be a string, got {type_name(role)}", "message_missing_key")
    texts: list[str] = []
    images: list[Image] = []
    calls, other = gemini_parts(content.get("parts"), f"{where}.parts", texts, images)
    return Message(ROLES.get(role, role), tuple(texts), None, tuple(images), calls, other)


def gemini_tools(tools: object) -> tuple[Tool, ...]:
    """The function declarations of `tools[]` (Google Search, code execution and retrieval tools have no schema)."""
    if tools is None:
        return ()
    if not isinstance(tools, list):
        raise RecordError(f'"tools" must be a list, got {type_name(tools)}')
    out: list[Tool] = []
    for tool in tools:
        declarations = field(tool, "functionDeclarations", "function_declarations") if isinstance(tool, dict) else None
        for fn in declarations if isinstance(declarations, list) else ():
            if isinstance(fn, dict):
                parameters = fn.get("parameters")
                if parameters is None:
                    parameters = field(fn, "parametersJsonSchema", "parameters_json_schema")
                out.append(tool_of(fn.get("name"), fn.get("description"), parameters))
    return tuple(out)


def gemini_usage(meta: object) -> Usage | None:
    """UsageMetadata as billed: see the module docstring for how its counts add up."""
    if not isinstance(meta, dict):
        return None
    prompt = token_count(meta, "promptTokenCount", "prompt_token_count")
    candidates = token_count(meta, "candidatesTokenCount", "candidates_token_count")
    if prompt is None and candidates is None:
        return None
    thoughts = token_count(meta, "thoughtsTokenCount", "thoughts_token_count") or 0
    tool_use = token_count(meta, "toolUsePromptTokenCount", "tool_use_prompt_token_count") or 0
    cached = token_count(meta, "cachedContentTokenCount", "cached_content_token_count") or 0
    return checked_usage(Usage((prompt or 0) + tool_use, (candidates or 0) + thoughts, cached, 0, thoughts))


def gemini_answer(response: Mapping[str, Any] | None) -> tuple[tuple[Message, ...], Usage | None]:
    """The first candidate's content and the billed usage of a GenerateContentResponse."""
    if response is None:
        return (), None
    candidates = response.get("candidates")
    completion: tuple[Message, ...] = ()
    if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
        content = candidates[0].get("content")
        if isinstance(content, dict):  # a candidate stopped by safety filters may have none
            completion = (gemini_content(content, "candidates[0].content", "model")._replace(role="assistant"),)
    return completion, gemini_usage(field(response, "usageMetadata", "usage_metadata"))


def _config(req: Mapping[str, Any], camel: str, snake: str) -> Any:
    """A request field, or the same field in the Python SDK's `config` (generate_content(model, contents, config))."""
    value = field(req, camel, snake)
    config = req.get("config")
    return field(config, camel, snake) if value is None and isinstance(config, dict) else value


def gemini_record(req: dict[str, Any], response: dict[str, Any] | None, line_no: int, model: str | None) -> Record:
    """A GenerateContent request (and its response): systemInstruction, contents, tools."""
    contents = req.get("contents")
    if isinstance(contents, (str, dict)):
        contents = [contents]
    if not isinstance(contents, list) or not contents:
        got = "an empty list" if isinstance(contents, list) else type_name(contents)
        raise RecordError(f'"contents" must be a non-empty list of contents, got {got}', "missing_messages_list")
    if len(contents) > MAX_MESSAGES_PER_RECORD:
        raise RecordError(f"{len(contents):,} contents in one record, over the limit of {MAX_MESSAGES_PER_RECORD:,}")
    prompt: list[Message] = []
    system = _config(req, "systemInstruction", "system_instruction")
    if system is not None:
        prompt.append(gemini_content(system, "systemInstruction", "system")._replace(role="system"))
    prompt += [gemini_content(c, f"contents[{i}]") for i, c in enumerate(contents)]
    completion, usage = gemini_answer(response)
    model = model or model_name(field(response or {}, "modelVersion", "model_version")) or model_name(req.get("model"))
    return Record("vertex", line_no, model, tuple(prompt), gemini_tools(_config(req, "tools", "tools")),
                  completion, usage)


def _merged(chunks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One response from a stream's chunks: the first candidate's parts in order (adjacent texts joined), the last
    usageMetadata and modelVersion."""
    if len(chunks) <= 1:
        return chunks[0] if chunks else None
    parts: list[dict[str, Any]] = []
    merged: dict[str, Any] = {}
    for chunk in chunks:
        for key in ("usageMetadata", "usage_metadata", "modelVersion", "model_version"):
            if chunk.get(key) is not None:
                merged[key] = chunk[key]
        candidates = chunk.get("candidates")
        content = candidates[0].get("content") if isinstance(candidates, list) and candidates and isinstance(
            candidates[0], dict) else None
        for part in content.get("parts") or () if isinstance(content, dict) else ():
            last = parts[-1] if parts else None
            if (isinstance(part, dict) and isinstance(part.get("text"), str) and last is not None
                    and isinstance(last.get("text"), str) and last.get("thought") == part.get("thought")):
                parts[-1] = {**last, "text": last["text"] + part["text"]}
            elif isinstance(part, dict):
                parts.append(part)
    merged["candidates"] = [{"content": {"role": "model", "parts": parts}}] if parts else []
    return merged


# ---------------------------------------------------------------- the request-response logging row


def _is_row(obj: Mapping[str, Any]) -> bool:
    return any(k in obj for k in ROW_KEYS) and any(k in obj for k in PAYLOAD_KEYS)


def _bodies(full: object, payload: object, where: str) -> list[dict[str, Any]]:
    """The JSON bodies of a `full_*` column (an object, a list or a JSON string), else of a `*_payload` column."""
    value = json_field(full, f"full_{where}")
    if isinstance(value, dict) and value:
        return [value]
    if isinstance(value, list) and value:
        return [item for item in value if isinstance(item, dict)]
    items = payload if isinstance(payload, list) else [payload] if payload is not None else []
    bodies: list[dict[str, Any]] = []
    for k, item in enumerate(items):
        body = json_field(item, f"{where}_payload[{k}]")
        if isinstance(body, dict):
            bodies.append(body)
        elif isinstance(body, list):
            bodies += [b for b in body if isinstance(b, dict)]
    return bodies


def _error_of(bodies: list[dict[str, Any]]) -> str | None:
    for body in bodies:
        error = body.get("error")
        if error:
            text = error.get("message", error.get("status")) if isinstance(error, dict) else error
            return text[:300] if isinstance(text, str) else type_name(text)
    return None


def _partner(req: dict[str, Any], responses: list[dict[str, Any]], line_no: int, model: str | None) -> Record:
    """A rawPredict call to a partner model (Anthropic Claude's Messages body) logged in the same table."""
    response = next((r for r in responses if "content" in r or "choices" in r), None)
    if "anthropic_version" in req:
        rec = anthropic_body(req, response, line_no, "vertex")
    else:
        rec = body_record(req, response, line_no, "vertex")
    return with_changes(rec, model=model or rec.model)


def _row(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    requests = _bodies(obj.get("full_request"), obj.get("request_payload"), "request")
    responses = _bodies(obj.get("full_response"), obj.get("response_payload"), "response")
    error = _error_of(responses)
    if error is not None:
        raise RecordError(f"Vertex AI logged a failed call: {error}")
    model = model_name(obj.get("model"))
    request = requests[0] if requests else None
    if request is not None and "contents" not in request and "messages" in request:
        return _partner(request, responses, line_no, model)
    if request is not None and "contents" not in request:
        raise RecordError("Vertex AI logging row whose request is not a Gemini GenerateContent or partner chat "
                          f"request (keys: {', '.join(sorted(request)[:8])}): e.g. a custom model's predict call")
    response = _merged(responses)
    if request is None:
        completion, usage = gemini_answer(response)
        if usage is None:
            raise RecordError("Vertex AI logging row has neither a request (full_request / request_payload) nor "
                              "usageMetadata to count")
        model = model or model_name(field(response or {}, "modelVersion", "model_version"))
        return Record("vertex", line_no, model, (), (), completion, usage)  # usage-only
    versioned = model_name(field(response or {}, "modelVersion", "model_version"))
    return gemini_record(request, response, line_no, versioned or model)


# ---------------------------------------------------------------- pairs and bare requests


def _is_gemini(body: object) -> bool:
    """A GenerateContent request: `contents` a list, or the SDK's string shorthand beside a Gemini model."""
    if type(body) is not dict:
        return False
    contents, model = body.get("contents"), body.get("model")
    return type(contents) is list or (type(contents) is str and type(model) is str and "gemini" in model)


def _is_pair(obj: Mapping[str, Any]) -> bool:
    request, response = obj.get("request"), obj.get("response")
    return _is_gemini(request) or (type(response) is dict and type(request) is dict and "messages" not in request
                                   and ("candidates" in response or "usageMetadata" in response))


def _pair(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    """{"request", "response"} as an application (or a Vertex AI batch prediction output line) logs them."""
    request = obj["request"]
    response = json_field(obj.get("response"), "response")
    status = obj.get("status")
    if response is None and isinstance(status, str) and status:
        raise RecordError(f"the logged Gemini call failed: {status[:300]}")
    if isinstance(response, list):
        response = _merged([r for r in response if isinstance(r, dict)])
    if response is not None and not isinstance(response, dict):
        raise RecordError(f'"response" must be an object, got {type_name(response)}')
    error = _error_of([response] if response else [])
    if error is not None:
        raise RecordError(f"the logged Gemini call failed: {error}")
    if "contents" not in request:
        raise RecordError(f'the Gemini request has no "contents" (keys: {", ".join(sorted(request)[:8])})',
                          "missing_messages_list")
    return gemini_record(request, response, line_no, model_name(field(response or {}, "modelVersion",
                                                                      "model_version")))


def _request(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    model = model_name(obj.get("model"))
    if model is not None and "embed" in model:
        raise RecordError(f"{shown(model)} is an embedding model: there is no generation to count")
    return gemini_record(obj, None, line_no, None)


ROW = Source(
    "vertex", "Vertex AI request-response logging rows", _is_row, _row,
    '{"endpoint": "", "deployed_model_id": "", "logging_time": "2026-11-02T09:14:03.512Z", "request_id": '
    '"5374205265901353984", "model": "publishers/google/models/gemini-2.5-flash", "model_version": "default", '
    '"api_method": "GenerateContent", "full_request": {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], '
    '"systemInstruction": {"parts": [{"text": "Be brief."}]}}, "full_response": {"candidates": [{"content": {"role": '
    '"model", "parts": [{"text": "Hello!"}]}, "finishReason": "STOP"}], "modelVersion": "gemini-2.5-flash", '
    '"usageMetadata": {"promptTokenCount": 6, "candidatesTokenCount": 2, "thoughtsTokenCount": 20, '
    '"totalTokenCount": 28}}, "metadata": {"request_latency": 812.5}}',
    "cloud.google.com/vertex-ai/generative-ai/docs/multimodal/request-response-logging (the BigQuery table, exported "
    "with bq extract --destination_format NEWLINE_DELIMITED_JSON)",
    "model, full_request (or request_payload[]), full_response (or response_payload[] stream chunks): contents[] "
    "parts (text, inlineData, fileData, functionCall, functionResponse), systemInstruction, "
    "tools[].functionDeclarations; candidates[0].content; usageMetadata (camelCase or snake_case); modelVersion")
PAIR = Source(
    "vertex", "Gemini request/response pairs", _is_pair, _pair,
    '{"request": {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}, "response": {"candidates": '
    '[{"content": {"role": "model", "parts": [{"text": "Hello!"}]}}], "modelVersion": "gemini-2.0-flash-001", '
    '"usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 2, "totalTokenCount": 4}}}',
    "cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/GenerateContentResponse (a logged pair; also "
    "Vertex AI batch prediction output lines)",
    "request.contents, .systemInstruction, .tools; response.candidates[0].content, .usageMetadata, .modelVersion; "
    "status (a failed batch line is skipped)")
REQUEST = Source(
    "vertex", "Gemini GenerateContent requests", lambda o: _is_gemini(o), _request,
    '{"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], "systemInstruction": {"parts": [{"text": '
    '"Be brief."}]}, "generationConfig": {"maxOutputTokens": 256}}',
    "cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/projects.locations.endpoints/generateContent",
    "contents[] (role user/model/function, parts), systemInstruction (or config.system_instruction), tools[]")

SOURCES: tuple[Source, ...] = (PAIR, REQUEST, ROW)
"""Their tests do not overlap (a row has no top-level "request" or "contents"); the last gives the title (`TITLES`)."""
