"""Helicone: request rows as its export and `POST /v1/request/query` return them (the HeliconeRequest row).

Schema: docs.helicone.ai/rest/request/post-v1requestquery (the response {"data": [rows], "error"}); the row type
`HeliconeRequest` in github.com/Helicone/helicone (`request_id`, `request_created_at`, `request_body`, `request_path`,
`request_model`, `model_override`, `response_body`, `response_status`, `response_model`, `model`, `provider`,
`prompt_tokens`, `prompt_cache_write_tokens`, `prompt_cache_read_tokens`, `prompt_audio_tokens`, `completion_tokens`,
`completion_audio_tokens`, `cache_reference_id`, `signed_body_url`). The bodies are the provider's own request and
response (OpenAI Chat/Responses or Anthropic Messages shaped), as objects or JSON strings; they are absent when
Helicone stores them behind `signed_body_url` or the export left them out.

Helicone's token columns are disjoint (valhalla/jawn bodyProcessors and packages/cost): `prompt_tokens` is the fresh
input only (OpenAI's prompt_tokens minus cached and audio tokens; Anthropic's input_tokens), with cache reads,
cache writes and audio in their own columns; `completion_tokens` excludes `completion_audio_tokens`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from fineadvisor.measure.sources.shapes import body_record, checked_usage, response_messages

HELICONE_KEYS = ("request_body", "response_body", "signed_body_url")
ROW_KEYS = ("request_id", "request_created_at", "response_status", "request_model", "provider", "request_path")
NO_CACHE_HIT = "00000000-0000-0000-0000-000000000000"
"""Helicone's `cache_reference_id` of a request that was not served from its response cache."""
_NOT_CHAT = ("/embeddings", "/images", "/audio", "/moderations", "/rerank")


def _is_row(obj: Mapping[str, Any]) -> bool:
    return not obj.keys().isdisjoint(HELICONE_KEYS) and not obj.keys().isdisjoint(ROW_KEYS)


def _is_query_result(obj: Mapping[str, Any]) -> bool:
    data = obj.get("data")
    return "error" in obj and isinstance(data, list) and bool(data) and isinstance(data[0], dict) and _is_row(data[0])


def _rows(obj: dict[str, Any]) -> Iterable[object]:
    rows: list[object] = obj["data"]
    return rows


def _count(obj: Mapping[str, Any], key: str) -> int | None:
    """A token column: a number, or digits (CSV exports converted to JSON)."""
    value = obj.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return token_count(obj, key)


def _column_usage(row: Mapping[str, Any]) -> Usage | None:
    """Helicone's token columns as billed usage (they are disjoint: see the module docstring)."""
    fresh, completion = _count(row, "prompt_tokens"), _count(row, "completion_tokens")
    if fresh is None or completion is None:
        return None
    read = _count(row, "prompt_cache_read_tokens") or 0
    write = _count(row, "prompt_cache_write_tokens") or 0
    prompt = fresh + read + write + (_count(row, "prompt_audio_tokens") or 0)
    completion += _count(row, "completion_audio_tokens") or 0
    if prompt + completion == 0:
        return None
    reasoning = min(_count(row, "reasoning_tokens") or 0, completion)
    return checked_usage(Usage(prompt, completion, read, write, reasoning))


def _body(row: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = json_field(row.get(key), f"Helicone {key}")
    if value is None or isinstance(value, str):  # absent, or a raw stream that was stored as text
        return None
    if not isinstance(value, dict):
        raise RecordError(f"Helicone {key} must be an object, got {type_name(value)}")
    return value or None


def _gateway_cache_writes(rec: Record, response: Mapping[str, Any] | None) -> Record:
    """Helicone's AI Gateway answers in OpenAI's shape with Anthropic cache writes in
    usage.prompt_tokens_details.cache_write_tokens, outside prompt_tokens: add them to the prompt."""
    usage = response.get("usage") if response is not None else None
    details = usage.get("prompt_tokens_details") if isinstance(usage, dict) else None
    writes = token_count(details, "cache_write_tokens") if isinstance(details, dict) else None
    if not writes or rec.usage is None or rec.usage.cache_write_tokens:
        return rec
    u = rec.usage
    return with_changes(rec, usage=checked_usage(Usage(u.prompt_tokens + writes, u.completion_tokens,
                                                       u.cached_tokens, writes, u.reasoning_tokens)))


def _row(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    rid = obj.get("request_id")
    label = "Helicone request" + (f" {shown(rid)}" if isinstance(rid, str) else "")
    status = obj["response_status"] if obj.get("response_status") is not None else obj.get("status")
    if isinstance(status, str) and status.strip().lstrip("-").isdigit():
        status = int(status)
    if isinstance(status, int) and not isinstance(status, bool) and not 200 <= status < 400:
        raise RecordError(f"{label} failed (status {status}): no completion was billed as a normal call")
    cache_ref = obj.get("cache_reference_id")
    if isinstance(cache_ref, str) and cache_ref and cache_ref != NO_CACHE_HIT:
        raise RecordError(f"{label} was answered from Helicone's response cache: it never reached the provider and "
                          "was not billed")
    path = obj.get("request_path", obj.get("target_url"))
    if isinstance(path, str) and any(part in path for part in _NOT_CHAT):
        raise RecordError(f"{label} to {shown(path)} is not a chat or Responses call")
    request, response = _body(obj, "request_body"), _body(obj, "response_body")
    if response is not None and response.get("error") and not response_messages(response):
        error = response["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise RecordError(f"{label} failed: {message[:300] if isinstance(message, str) else 'the provider answered an error'}")
    columns = _column_usage(obj)
    if request is None:
        if columns is None:
            raise RecordError(f"{label} has no request_body (bodies left out of the export or stored behind "
                              "signed_body_url) and no prompt_tokens / completion_tokens: nothing to count")
        rec = Record("helicone", line_no, None, (), (), response_messages(response or {}), columns)
    else:
        try:
            rec = body_record(request, response, line_no, "helicone", reuse)
        except RecordError as exc:
            if columns is None:
                raise RecordError(f"{label}: {exc}") from None
            rec = Record("helicone", line_no, None, (), (), (), columns)  # e.g. a Gemini body: the columns still count
        rec = _gateway_cache_writes(rec, response)
        # Which usage wins: the provider's own usage in the response body is the bill itself, so it wins; Helicone's
        # columns are its parse of that same body (or, for some providers, its own tokenizer estimate), so they are
        # used only when the body has none (streamed responses, bodies not stored).
        if rec.usage is None and columns is not None:
            rec = with_changes(rec, usage=columns)
    model = (model_of(obj, "model_override") or model_of(obj) or model_of(obj, "response_model")
             or model_of(obj, "request_model") or rec.model)
    return with_changes(rec, model=model) if model != rec.model else rec


QUERY_RESULT = Source(
    "helicone", "Helicone query results", _is_query_result, _row,
    '{"data": [{"request_id": "r1", "response_status": 200, "request_body": {"model": "gpt-4o-mini", "messages": '
    '[{"role": "user", "content": "Hi"}]}, "prompt_tokens": 8, "completion_tokens": 2}], "error": null}',
    "docs.helicone.ai/rest/request/post-v1requestquery ({\"data\": [rows], \"error\"})",
    "data[] (each read as a Helicone request row)", expand=_rows)
ROW = Source(
    "helicone", "Helicone requests", _is_row, _row,
    '{"request_id": "4f8c6a2e-1b7d-4c1e-9a55-0c2b5d3e7f10", "request_created_at": "2026-11-02T10:00:00Z", '
    '"provider": "OPENAI", "request_model": "gpt-4o-mini", "response_status": 200, "request_body": {"model": '
    '"gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}, "response_body": {"choices": [{"message": '
    '{"role": "assistant", "content": "Hello!"}}], "usage": {"prompt_tokens": 8, "completion_tokens": 2}}, '
    '"prompt_tokens": 8, "completion_tokens": 2, "prompt_cache_read_tokens": 0, "prompt_cache_write_tokens": 0}',
    "docs.helicone.ai/rest/request/post-v1requestquery (HeliconeRequest rows; the UI export)",
    "request_body / response_body (OpenAI or Anthropic bodies, objects or JSON strings); response_status / status "
    "(failures skipped); cache_reference_id (cache hits skipped); request_path (embeddings etc. skipped); "
    "prompt_tokens + prompt_cache_read_tokens + prompt_cache_write_tokens + prompt_audio_tokens, completion_tokens + "
    "completion_audio_tokens (used when the body has no usage); model_override / model / response_model / "
    "request_model")

SOURCES: tuple[Source, ...] = (QUERY_RESULT, ROW)
"""The query result container first, the row last (so that it names the format for people)."""
