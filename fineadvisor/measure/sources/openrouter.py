"""OpenRouter generation records: the `data` of `GET /api/v1/generation?id=` (usage and cost, no prompt).

Schema: openrouter.ai/docs/api/api-reference/generations/get-generation — `id`, `model`, `provider_name`,
`api_type`, `tokens_prompt` / `tokens_completion` (normalized counts), `native_tokens_prompt`,
`native_tokens_completion`, `native_tokens_reasoning`, `native_tokens_cached`, `total_cost`, `cancelled`,
`finish_reason`, … (snake_case from the HTTP API; OpenRouter's SDKs write the same fields in camelCase:
`nativeTokensPrompt` …). These records carry usage and no messages: each is a usage-only record.

Billed counts: OpenRouter's API docs ("Querying cost and stats") say the normalized counts are model-agnostic and
that "credit usage and model pricing are based on the native token counts (not the 'normalized' token counts)", so
the `native_*` fields are read; the normalized `tokens_*` only stand in when a record has no native counts at all.
`native_tokens_cached` (prompt tokens read from the cache) is part of `native_tokens_prompt` and
`native_tokens_reasoning` of `native_tokens_completion`, as in OpenAI's usage that OpenRouter's mirrors.

The Activity export (`GET /api/v1/activity`: rows of {date, model, requests, prompt_tokens, completion_tokens, …})
holds daily totals of many requests, not requests: its rows are skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fineadvisor.measure.records import Record, Usage
from fineadvisor.measure.sources.base import MessageReuse, RecordError, Source, model_of, shown, token_count
from fineadvisor.measure.sources.shapes import checked_usage

_TOKEN_KEYS = ("native_tokens_prompt", "nativeTokensPrompt", "tokens_prompt", "tokensPrompt")
_NOT_CHAT = ("embedding", "moderation", "tts", "speech", "transcription", "rerank", "video")


def _generation(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The generation object: the line itself, or the `data` of the API's response."""
    data = obj.get("data")
    inner = data if isinstance(data, dict) else obj
    return inner if any(k in inner for k in _TOKEN_KEYS) else None


def _is_generation(obj: Mapping[str, Any]) -> bool:
    gen = _generation(obj)
    return gen is not None and ("id" in gen or "total_cost" in gen or "totalCost" in gen or "model" in gen)


def _is_activity(obj: Mapping[str, Any]) -> bool:
    data = obj.get("data")
    row = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else obj
    return "date" in row and "requests" in row and ("prompt_tokens" in row or "promptTokens" in row)


def _matches(obj: Mapping[str, Any]) -> bool:
    return _is_generation(obj) or _is_activity(obj)


def _read(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    gen = _generation(obj)
    if gen is None:  # an Activity row
        raise RecordError("this is an OpenRouter Activity row (daily totals of many requests), not one request; "
                          "export generations instead (GET /api/v1/generation?id=… for each generation id)")
    gid = shown(gen.get("id")) if gen.get("id") is not None else "(no id)"
    api_type = str(gen.get("api_type", gen.get("apiType")) or "").lower()
    if any(kind in api_type for kind in _NOT_CHAT):
        raise RecordError(f"OpenRouter generation {gid} is an {api_type!r} call, not a chat or completion call")
    prompt = token_count(gen, "native_tokens_prompt", "nativeTokensPrompt")
    completion = token_count(gen, "native_tokens_completion", "nativeTokensCompletion")
    if prompt is None and completion is None:  # no native counts recorded: the normalized ones are all there is
        prompt = token_count(gen, "tokens_prompt", "tokensPrompt")
        completion = token_count(gen, "tokens_completion", "tokensCompletion")
    if prompt is None and completion is None:
        raise RecordError(f"OpenRouter generation {gid} has no token counts (native_tokens_prompt, "
                          "native_tokens_completion)")
    prompt, completion = prompt or 0, completion or 0
    if prompt == 0 and completion == 0:
        state = "was cancelled" if gen.get("cancelled") is True else "billed no tokens"
        raise RecordError(f"OpenRouter generation {gid} {state}: there is no usage to count")
    cached = token_count(gen, "native_tokens_cached", "nativeTokensCached") or 0
    reasoning = token_count(gen, "native_tokens_reasoning", "nativeTokensReasoning") or 0
    prompt = max(prompt, cached)  # a cached count above the prompt count means the prompt excluded it
    completion = completion + reasoning if reasoning > completion else completion
    return Record("openrouter", line_no, model_of(gen), (), (), (),
                  checked_usage(Usage(prompt, completion, cached, 0, reasoning)))


GENERATION = Source(
    "openrouter", "OpenRouter generation records", _matches, _read,
    '{"data": {"id": "gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG", "model": "openai/gpt-4o-mini", "provider_name": "OpenAI", '
    '"api_type": "completions", "tokens_prompt": 10, "tokens_completion": 25, "native_tokens_prompt": 12, '
    '"native_tokens_completion": 25, "native_tokens_reasoning": 0, "native_tokens_cached": 0, "total_cost": 0.000017, '
    '"finish_reason": "stop", "cancelled": false}}',
    "openrouter.ai/docs/api/api-reference/generations/get-generation (Get request & usage metadata for a generation)",
    "data (or the bare object): model; native_tokens_prompt, native_tokens_completion, native_tokens_cached, "
    "native_tokens_reasoning (camelCase too; normalized tokens_prompt/tokens_completion only when no native "
    "counts); api_type (embeddings skipped); usage only, no prompt; Activity rows (daily totals) skipped")
SOURCES: tuple[Source, ...] = (GENERATION,)
