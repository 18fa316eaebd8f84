"""Langfuse: generations as the public API, the UI and blob-storage exports write them, and ingestion events.

Schemas: langfuse.com/docs/api (GET /api/public/observations, `data[]` of ObservationsView: `id`, `traceId`, `type`,
`startTime`, `model`, `modelParameters`, `input`, `output`, `level`, `statusMessage`, `usage` (deprecated: {input,
output, total, unit}), `usageDetails`, `costDetails`; GET /api/public/v2/observations adds `providedModelName`,
`providedUsageDetails` and may hold `input`/`output` as JSON strings); the blob-storage export
(langfuse.com/docs/api-and-data-platform/features/blob-storage-export-fields) writes the same columns in snake_case
(`trace_id`, `start_time`, `provided_model_name`, `model_parameters`, `usage_details`, `provided_usage_details`);
POST /api/public/ingestion takes {"batch": [{"id", "type", "timestamp", "body"}]} with event types
`generation-create` / `generation-update` (and the legacy `observation-create` with body type GENERATION).

Usage details (langfuse.com/docs/observability/features/token-and-cost-tracking): each key is one usage type and the
types are disjoint buckets whose sum is `total` ("input" excludes what `input_cached_tokens`, `cache_read_input_tokens`,
`input_cache_read`, `cache_creation_input_tokens`, `input_cache_creation*`, `input_audio_tokens`, `input_modality_*`,
`cached_modality_*` hold; "output" excludes `output_reasoning_tokens` / `output_reasoning` and other `output_*`
keys). Langfuse itself flattens OpenAI-shaped usage this way (prompt_tokens_details.cached_tokens becomes
`input_cached_tokens`, subtracted from `input`), as does its LangChain handler (`input_{detail}`, `output_{detail}`).
So billed prompt tokens are the sum of the input-side buckets and completion tokens the sum of the output-side ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from fineadvisor.measure.records import Message, Record, Tool, Usage
from fineadvisor.measure.sources.base import (
    MessageReuse,
    RecordError,
    Source,
    json_field,
    model_of,
    shown,
    token_count,
)
from fineadvisor.measure.sources.langsmith import (
    chat_messages,
    completion_of,
    single_prompt,
    system_message,
    tools_of,
)
from fineadvisor.measure.sources.shapes import checked_usage, responses_body, usage_of

OBSERVATION_TYPES = frozenset({"GENERATION", "SPAN", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR",
                               "EMBEDDING", "GUARDRAIL"})
"""Langfuse observation types; only GENERATION is a model call."""
EVENT_TYPES = frozenset({"trace-create", "score-create", "event-create", "span-create", "span-update",
                         "generation-create", "generation-update", "sdk-log", "observation-create",
                         "observation-update", "agent-create", "tool-create", "chain-create", "retriever-create",
                         "evaluator-create", "embedding-create", "guardrail-create", "dataset-run-item-create"})
"""Ingestion event types (POST /api/public/ingestion)."""
_CREATES = ("generation-create", "observation-create")
_UPDATES = ("generation-update", "observation-update")
_RESPONSES_ITEMS = frozenset({"function_call", "function_call_output", "reasoning", "input_text", "message"})


def _get(obj: Mapping[str, Any], *keys: str) -> Any:
    """The first of `keys` (camelCase and snake_case spellings) that is present and not null."""
    for key in keys:
        value = obj.get(key)
        if value is not None:
            return value
    return None


def _json(value: object) -> object:
    """A field that exports hold as a JSON string; a string that is not JSON is kept as text (a prompt)."""
    try:
        return json_field(value, "")
    except RecordError:
        return value


# ---------------------------------------------------------------- matching


def _is_observation(obj: Mapping[str, Any]) -> bool:
    return isinstance(obj.get("type"), str) and obj["type"] in OBSERVATION_TYPES and not obj.keys().isdisjoint(
        ("traceId", "trace_id", "startTime", "start_time"))


def _is_event(obj: Mapping[str, Any]) -> bool:
    return isinstance(obj.get("type"), str) and obj["type"] in EVENT_TYPES and isinstance(obj.get("body"), dict)


def _is_batch(obj: Mapping[str, Any]) -> bool:
    batch = obj.get("batch")
    return isinstance(batch, list) and bool(batch) and isinstance(batch[0], dict) and _is_event(batch[0])


def _is_page(obj: Mapping[str, Any]) -> bool:
    """A public API page {"data": [observations], "meta": {...}}, or a trace {"observations": [observations]}."""
    items = obj.get("data") if isinstance(obj.get("meta"), dict) else obj.get("observations")
    return isinstance(items, list) and bool(items) and isinstance(items[0], dict) and _is_observation(items[0])


# ---------------------------------------------------------------- containers


def _page(obj: dict[str, Any]) -> Iterable[object]:
    items: list[object] = obj["data"] if isinstance(obj.get("meta"), dict) and isinstance(obj.get("data"), list) \
        else obj["observations"]
    return items


def _batch(obj: dict[str, Any]) -> Iterator[object]:
    """The events of one ingestion request, a generation's create and updates merged into one event."""
    merged: dict[str, dict[str, Any]] = {}
    order: list[tuple[str | None, object]] = []  # (generation id, or None for an event passed on as it is)
    for event in obj["batch"]:
        body = event.get("body") if isinstance(event, dict) else None
        gid = body.get("id") if isinstance(body, dict) else None
        if not (isinstance(event, dict) and isinstance(body, dict) and isinstance(gid, str)
                and event.get("type") in _CREATES + _UPDATES):
            order.append((None, event))
            continue
        patch = {k: v for k, v in body.items() if v is not None}
        if gid not in merged:
            merged[gid] = {**event, "body": patch}
            order.append((gid, None))
            continue
        group = merged[gid]
        group["body"] = {**group["body"], **patch}
        if event["type"] in _CREATES:
            group["type"] = event["type"]
    for gid, item in order:
        yield merged[gid] if gid is not None else item


# ---------------------------------------------------------------- readers


def _observation(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    kind = obj["type"]
    label = f"Langfuse {kind} observation" + (f" {shown(obj['name'])}" if isinstance(obj.get("name"), str) else "")
    if kind == "EMBEDDING":
        raise RecordError(f"{label} is an embeddings call, not a chat or completion call")
    if kind != "GENERATION":
        raise RecordError(f"{label} is not a model call (only GENERATION observations are read; spans, events, "
                          "agents, tools and chains are steps around the calls)")
    return _generation(obj, line_no, label)


def _event(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    kind, body = obj["type"], obj["body"]
    if kind == "generation-create" or (kind == "observation-create" and body.get("type") == "GENERATION"):
        return _generation(body, line_no, f"Langfuse {kind} event")
    if kind in _UPDATES:
        raise RecordError(f"Langfuse {kind} event {shown(body.get('id'))} only patches a generation created by another "
                          'event and is not read on its own; log whole ingestion requests ({"batch": [...]}, where '
                          "creates and updates are merged) or export the observations (GET /api/public/observations)")
    if kind == "embedding-create":
        raise RecordError("Langfuse embedding-create event: an embeddings call, not a chat or completion call")
    raise RecordError(f"Langfuse {kind} event is not a model generation (only generation-create events are read)")


def _generation(body: dict[str, Any], line_no: int, label: str) -> Record:
    if body.get("level") == "ERROR":
        status = body.get("statusMessage", body.get("status_message"))
        raise RecordError(f"{label} has level ERROR, a failed call: "
                          f"{status[:300] if isinstance(status, str) else 'no status message'}")
    usage = _usage(body)
    raw_input = _json(_get(body, "input", "prompt"))  # prompt/completion: the legacy generation fields
    try:
        prompt, tools = _prompt(raw_input, line_no)
    except RecordError as exc:
        if usage is None:
            raise RecordError(f"{label}: {exc}") from None
        prompt, tools = (), ()  # an input shape not read (e.g. Gemini contents): the billed usage still counts
    params = _json(_get(body, "modelParameters", "model_parameters"))
    if isinstance(params, dict) and isinstance(params.get("tools"), list) and not tools:
        tools = tools_of(params["tools"])
    if not prompt and usage is None:
        raise RecordError(f"{label} has no input messages and no usage: nothing to count")
    completion = completion_of(_json(_get(body, "output", "completion")), "output")
    model = model_of(body) or model_of(body, "providedModelName") or model_of(body, "provided_model_name")
    return Record("langfuse", line_no, model, prompt, tools, completion, usage)


def _prompt(raw: object, line_no: int) -> tuple[tuple[Message, ...], tuple[Tool, ...]]:
    """A generation's input: a messages list, {"messages", "tools"}, a Responses `input`, or a prompt string."""
    if raw is None:
        return (), ()
    if isinstance(raw, str):
        return ((Message("user", (raw,)),) if raw else ()), ()
    if isinstance(raw, list):
        if raw and all(isinstance(m, list) for m in raw):
            raw = single_prompt(raw, "input")
        if isinstance(raw, list) and any(isinstance(m, dict) and "role" not in m
                                           and isinstance(m.get("type"), str) and m["type"] in _RESPONSES_ITEMS
                                         for m in raw):
            return responses_body({"input": raw}, None, line_no, "langfuse").prompt, ()
        return chat_messages(raw, "input"), ()
    if not isinstance(raw, dict):
        return (Message("user", (str(raw),)),), ()
    tools = tools_of(raw.get("tools"), raw.get("functions"))
    if "messages" in raw:
        messages = raw["messages"]
        if isinstance(messages, list) and messages and all(isinstance(m, list) for m in messages):
            messages = single_prompt(messages, "input.messages")
        return system_message(raw.get("system")) + chat_messages(messages, "input.messages"), tools
    if "input" in raw and isinstance(raw["input"], (str, list)):  # the OpenAI integration's Responses calls
        request = {"input": raw["input"], "instructions": raw.get("instructions")}
        return responses_body(request, None, line_no, "langfuse").prompt, tools
    if isinstance(raw.get("prompt"), str):
        return (Message("user", (raw["prompt"],)),), tools
    if "role" in raw or raw.get("lc") == 1:
        return chat_messages([raw], "input"), tools
    keys = ", ".join(sorted(map(str, raw))[:8]) or "none"
    raise RecordError(f"its input is an object (keys: {keys}) that is not a messages list, {{\"messages\": [...]}} nor "
                      "a prompt string")


# ---------------------------------------------------------------- usage


def _usage(body: Mapping[str, Any]) -> Usage | None:
    """The billed usage: what was ingested (providedUsageDetails, when the export has it: usageDetails may then hold
    Langfuse's own tokenizer estimate), else usageDetails, else the deprecated usage object or token fields."""
    provided = _json(_get(body, "providedUsageDetails", "provided_usage_details"))
    if isinstance(provided, dict):
        return _details_usage(provided) if provided else None
    details = _json(_get(body, "usageDetails", "usage_details"))
    if isinstance(details, dict) and details:
        usage = _details_usage(details)
        if usage is not None:
            return usage
    legacy = _json(body.get("usage"))
    if isinstance(legacy, dict):
        usage = _legacy_usage(legacy)
        if usage is not None:
            return usage
    inp = token_count(body, "promptTokens", "inputUsage")
    out = token_count(body, "completionTokens", "outputUsage")
    if inp is None or out is None or inp + out == 0:
        return None
    return checked_usage(Usage(inp, out))


def _details_usage(details: dict[str, Any]) -> Usage | None:
    if any(isinstance(v, dict) for v in details.values()) or "prompt_tokens" in details or (
            details.keys() == {"input_tokens", "output_tokens", "total_tokens"}):
        usage = usage_of(details)  # OpenAI Chat or Responses usage as sent by an SDK (Langfuse flattens it on ingest)
        return usage if usage is not None and usage.prompt_tokens + usage.completion_tokens > 0 else None
    prompt = completion = cached = write = reasoning = ephemeral = 0
    for key in details:
        count = token_count(details, key)
        k = key.lower()
        if count is None or k.startswith("total"):
            continue
        if "output" in k or "completion" in k:
            completion += count
            reasoning += count if "reasoning" in k else 0
        elif "input" in k or "prompt" in k or "cache" in k:
            if "ephemeral" in k:  # LangChain's Anthropic TTL split of cache writes: repeats input_cache_creation
                ephemeral += count
                continue
            prompt += count
            if "cache_read" in k or "cached" in k or "cache_hit" in k:
                cached += count
            elif "cache_creation" in k or "cache_write" in k:
                write += count
    if ephemeral and not write:
        prompt, write = prompt + ephemeral, ephemeral
    total, base_in, base_out = (token_count(details, k) for k in ("total", "input", "output"))
    if (total is not None and base_in is not None and base_out is not None and prompt + completion != total
            and base_in + base_out == total):
        prompt, completion = base_in, base_out  # the sender put whole counts in input/output, details inside them
    if prompt + completion == 0:
        return None
    return checked_usage(Usage(prompt, completion, cached, write, reasoning))


def _legacy_usage(usage: dict[str, Any]) -> Usage | None:
    """The deprecated usage object: {input, output, total, unit} or {promptTokens, completionTokens, totalTokens}."""
    unit = usage.get("unit")
    if unit is not None and unit != "TOKENS":
        return None  # characters, seconds, images: not tokens
    inp = token_count(usage, "input", "promptTokens", "prompt_tokens")
    out = token_count(usage, "output", "completionTokens", "completion_tokens")
    if inp is None or out is None or inp + out == 0:
        return None
    return checked_usage(Usage(inp, out))


# ---------------------------------------------------------------- sources

_EXAMPLE = ('{"id": "gen-1", "traceId": "tr-1", "type": "GENERATION", "name": "chat", "startTime": '
            '"2026-11-02T10:00:00.000Z", "model": "gpt-4o-mini", "input": [{"role": "user", "content": "Hi"}], '
            '"output": {"role": "assistant", "content": "Hello!"}, "usageDetails": {"input": 8, "output": 2, '
            '"total": 10}}')

PAGE = Source(
    "langfuse", "Langfuse API pages", _is_page, _observation, '{"data": [' + _EXAMPLE + '], "meta": {"page": 1}}',
    "langfuse.com/docs/api (GET /api/public/observations: {\"data\", \"meta\"}; GET /api/public/traces/{id})",
    "data[] or observations[] (each read as a Langfuse observation)", expand=_page)
BATCH = Source(
    "langfuse", "Langfuse ingestion batches", _is_batch, _event,
    '{"batch": [{"id": "ev-1", "type": "generation-create", "timestamp": "2026-11-02T10:00:00.000Z", "body": {"id": '
    '"gen-1", "traceId": "tr-1", "model": "gpt-4o-mini", "input": [{"role": "user", "content": "Hi"}]}}, {"id": '
    '"ev-2", "type": "generation-update", "timestamp": "2026-11-02T10:00:01.000Z", "body": {"id": "gen-1", "output": '
    '"Hello!", "usageDetails": {"input": 8, "output": 2}}}]}',
    "langfuse.com/docs/api (POST /api/public/ingestion: {\"batch\": [events]})",
    "batch[] (a generation's create and update events merged by body.id, then read as events)", expand=_batch)
EVENT = Source(
    "langfuse", "Langfuse ingestion events", _is_event, _event,
    '{"id": "ev-1", "type": "generation-create", "timestamp": "2026-11-02T10:00:00.000Z", "body": {"id": "gen-1", '
    '"traceId": "tr-1", "model": "gpt-4o-mini", "input": [{"role": "user", "content": "Hi"}], "output": "Hello!", '
    '"usageDetails": {"input": 8, "output": 2, "total": 10}}}',
    "langfuse.com/docs/api (POST /api/public/ingestion: generation-create, observation-create events)",
    "type (generation-create; observation-create with body.type GENERATION; updates alone and other types skipped); "
    "body = a generation (fields as for observations)")
OBSERVATION = Source(
    "langfuse", "Langfuse generations", _is_observation, _observation, _EXAMPLE,
    "langfuse.com/docs/api (GET /api/public/observations, ObservationsView); "
    "langfuse.com/docs/api-and-data-platform/features/blob-storage-export-fields",
    "type (GENERATION only); level (ERROR skipped); input / prompt (messages list, {messages, tools, system}, Responses "
    "input or a string; JSON strings parsed); output / completion (message, string, choices, content); model / "
    "providedModelName / provided_model_name; providedUsageDetails or usageDetails / usage_details (disjoint "
    "buckets: input*, *cache*, output*), usage {input, output, unit} or {promptTokens, completionTokens}; "
    "modelParameters.tools")

SOURCES: tuple[Source, ...] = (PAGE, BATCH, EVENT, OBSERVATION)
"""Containers first, the observation last (so that it names the format for people)."""
