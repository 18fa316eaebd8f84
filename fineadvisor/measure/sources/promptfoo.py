"""promptfoo eval results: `promptfoo eval -o results.json` (one document) or `-o results.jsonl` (one result a line).

Schema: promptfoo.dev/docs/configuration/outputs and promptfoo's own types (src/types/index.ts `EvaluateResult`,
`EvaluateSummaryV3`; src/types/shared.ts `TokenUsage`): the JSON document is {evalId, results: {version: 3,
timestamp, prompts, results: [EvaluateResult], stats}, config, shareableUrl}; the JSONL output writes each
EvaluateResult on its own line. A result: `provider` {id, label} ("openai:gpt-4o-mini",
"anthropic:messages:claude-…"), `prompt` {raw (text, or a JSON string of chat messages), label}, `response`
{output (text or an object), tokenUsage {prompt, completion, total, cached, numRequests, completionDetails
{reasoning, cacheReadInputTokens, cacheCreationInputTokens}}, cached, error}, `success`, `score`, `failureReason`
(0 none, 1 assertion, 2 error), `error`, `vars`, `testIdx`, `promptIdx`.

Usage semantics (from promptfoo's providers): `tokenUsage.cached` is NOT the provider's prompt cache but a response
served from promptfoo's own cache (`{cached: total, total}`, no API call, nothing billed): such results are read
without usage (their tokens are counted). The provider's cache reads and writes are
`completionDetails.cacheReadInputTokens` / `cacheCreationInputTokens`. `prompt` is the API's prompt count: OpenAI's
includes cache reads; Anthropic's (`input_tokens`) excludes cache reads and writes, which are added for
`anthropic:` providers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fineadvisor.measure.logs import parse_json
from fineadvisor.measure.records import Message, Record, Usage
from fineadvisor.measure.sources.base import MessageReuse, RecordError, Source, shown, token_count, type_name
from fineadvisor.measure.sources.shapes import MAX_MESSAGES_PER_RECORD, body_record, checked_usage, json_text

API_SEGMENTS = frozenset({"chat", "completion", "completions", "messages", "responses", "assistant", "text",
                          "realtime", "live", "converse", "agents", "agent", "invoke"})
"""promptfoo provider-id segments that name an API, not the model ("openai:chat:gpt-4o" → "gpt-4o")."""
NOT_CHAT_SEGMENTS = frozenset({"embedding", "embeddings", "moderation", "image", "tts", "transcription", "video",
                               "audio"})
NO_MODEL_PROVIDERS = frozenset({"echo", "exec", "python", "file", "http", "https", "websocket", "script", "golang",
                                "ruby", "javascript", "js", "sequence", "simulated-user", "browser", "mcp"})
"""Providers whose id names a program or endpoint, not a model."""
ERROR = 2
"""promptfoo's ResultFailureReason.ERROR: the provider call (or the test setup) failed."""


def _is_result(obj: Mapping[str, Any]) -> bool:
    return "promptIdx" in obj and "testIdx" in obj and ("response" in obj or "prompt" in obj or "provider" in obj)


def _is_document(obj: Mapping[str, Any]) -> bool:
    results = obj.get("results")
    if isinstance(results, dict):  # the `-o results.json` document
        return isinstance(results.get("results"), list) and ("evalId" in obj or "version" in results)
    return isinstance(results, list) and "version" in obj and "stats" in obj  # a bare EvaluateSummary


def _expand(obj: dict[str, Any]) -> Iterable[object]:
    results = obj["results"]
    items: list[object] = results["results"] if isinstance(results, dict) else results
    return items


def model_of_provider(provider_id: str) -> str | None:
    """The model a promptfoo provider id names: "openai:chat:gpt-4o" → "gpt-4o", "anthropic:messages:claude-x" →
    "claude-x", "openrouter:openai/gpt-4o" → "openai/gpt-4o", "ollama:chat:llama3:8b" → "llama3:8b"."""
    if "://" in provider_id:
        return None
    head, sep, rest = provider_id.partition(":")
    if head.lower() in NO_MODEL_PROVIDERS:
        return None
    if not sep:
        return provider_id or None
    first, sep2, tail = rest.partition(":")
    if sep2 and first.lower() in API_SEGMENTS and tail:
        rest = tail
    return rest or None


def _provider(obj: Mapping[str, Any]) -> tuple[str, str | None]:
    """(provider id, model) of a result; a provider may be {id, label} or (older outputs) a string."""
    raw = obj.get("provider")
    pid = raw.get("id") if isinstance(raw, dict) else raw
    if not isinstance(pid, str) or not pid:
        return "", None
    segments = {s.lower() for s in pid.split(":")[:2]}
    if segments & NOT_CHAT_SEGMENTS:
        raise RecordError(f"promptfoo provider {shown(pid)} is not a chat or completion model")
    return pid, model_of_provider(pid)


def _result(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    pid, model = _provider(obj)
    response = obj.get("response")
    if response is not None and not isinstance(response, dict):
        raise RecordError(f'promptfoo "response" must be an object, got {type_name(response)}')
    error = obj.get("error") or (response or {}).get("error")
    output = (response or {}).get("output")
    if obj.get("failureReason") == ERROR or (error and output is None):
        text = error if isinstance(error, str) else "no error text"
        raise RecordError(f"promptfoo result failed (provider {shown(pid)}): {text[:300]}")
    if _from_promptfoo_cache(response, obj.get("tokenUsage")):
        raise RecordError("promptfoo served this result from its own response cache: a repeat of an earlier call, "
                          "not a request of its own (run with --no-cache to have every result called)")
    prompt = _prompt(obj.get("prompt"), model)
    completion = _output(output)
    usage = _usage(response, obj.get("tokenUsage"), pid)
    if not prompt and not completion and usage is None:
        raise RecordError("promptfoo result has no prompt, no output and no token usage to count")
    return Record("promptfoo", line_no, model, prompt, (), completion, usage)


def _from_promptfoo_cache(response: Mapping[str, Any] | None, result_usage: object) -> bool:
    """`response.cached`, or a tokenUsage of only {cached, total} (promptfoo's cache: no API call)."""
    if (response or {}).get("cached") is True:
        return True
    tu = (response or {}).get("tokenUsage")
    tu = tu if isinstance(tu, dict) else result_usage if isinstance(result_usage, dict) else None
    return tu is not None and bool(token_count(tu, "cached")) and token_count(tu, "prompt") is None and token_count(
        tu, "completion") is None


def _prompt(prompt: object, model: str | None) -> tuple[Message, ...]:
    """`prompt.raw`: chat messages (a JSON string of OpenAI, Anthropic or Gemini messages), else one user message."""
    raw = prompt.get("raw") if isinstance(prompt, dict) else prompt
    if raw is None or raw == "":
        return ()
    messages: object = raw
    if isinstance(raw, str) and raw.lstrip()[:1] in ("[", "{"):
        try:
            messages = parse_json(raw.encode("utf-8", "replace"))
        except ValueError:
            messages = raw
    if isinstance(messages, dict) and isinstance(messages.get("messages"), list):
        messages = messages["messages"]
    if isinstance(messages, list) and messages and all(isinstance(m, dict) and "role" in m for m in messages):
        if len(messages) > MAX_MESSAGES_PER_RECORD:
            raise RecordError(f"{len(messages):,} messages in one prompt, over the limit of "
                              f"{MAX_MESSAGES_PER_RECORD:,}")
        request = {"model": model or "", "messages": [_gemini_to_chat(m) for m in messages]}
        return body_record(request, None, 0, "promptfoo").prompt
    return (Message("user", (raw if isinstance(raw, str) else json_text(raw),)),)


def _gemini_to_chat(m: dict[str, Any]) -> dict[str, Any]:
    """A Gemini message ({role: user|model, parts: [{text}]}) in Chat shape; other messages as they are."""
    if "content" in m or not isinstance(m.get("parts"), list):
        return m
    parts = [{"type": "text", "text": p["text"]} if isinstance(p, dict) and isinstance(p.get("text"), str)
             else {"type": "other"} for p in m["parts"]]
    return {"role": "assistant" if m.get("role") == "model" else m.get("role"), "content": parts}


def _output(output: object) -> tuple[Message, ...]:
    """`response.output`: text, or an object (tool calls, structured output) billed as its JSON."""
    if output is None or output == "":
        return ()
    if isinstance(output, str):
        return (Message("assistant", (output,)),)
    calls = isinstance(output, list) and any(isinstance(c, dict) and ("function" in c or "name" in c) for c in output)
    return (Message("assistant", (json_text(output),), tool_call=calls),)


def _usage(response: Mapping[str, Any] | None, result_usage: object, provider_id: str) -> Usage | None:
    """The provider's billed usage; None for a response served from promptfoo's cache or one without counts."""
    tu = (response or {}).get("tokenUsage")
    if not isinstance(tu, dict):
        tu = result_usage if isinstance(result_usage, dict) else None
    if tu is None or (response or {}).get("cached") is True:
        return None
    prompt, completion = token_count(tu, "prompt"), token_count(tu, "completion")
    if prompt is None and completion is None:
        return None  # e.g. {cached: total, total}: promptfoo's cache, no API call
    prompt, completion = prompt or 0, completion or 0
    if prompt == 0 and completion == 0:
        return None
    details = tu.get("completionDetails")
    read = token_count(details, "cacheReadInputTokens") or 0
    write = token_count(details, "cacheCreationInputTokens") or 0
    reasoning = token_count(details, "reasoning") or 0
    if provider_id.lower().startswith("anthropic:") or read + write > prompt:
        prompt += read + write  # Anthropic's input_tokens excludes cache reads and writes
    if reasoning > completion:
        completion += reasoning
    return checked_usage(Usage(prompt, completion, read, write, reasoning))


RESULT = Source(
    "promptfoo", "promptfoo eval results", _is_result, _result,
    '{"promptIdx": 0, "testIdx": 0, "provider": {"id": "openai:gpt-4o-mini", "label": ""}, "prompt": {"raw": '
    '"Translate to French: Hello", "label": "translate"}, "vars": {"text": "Hello"}, "response": {"output": '
    '"Bonjour", "tokenUsage": {"prompt": 14, "completion": 2, "total": 16, "numRequests": 1}}, "success": true, '
    '"score": 1, "failureReason": 0, "latencyMs": 420}',
    "promptfoo.dev/docs/configuration/outputs (EvaluateResult in promptfoo's src/types/index.ts)",
    "provider.id (model after the provider and API prefixes); prompt.raw (text or JSON chat messages); "
    "response.output; response.tokenUsage.prompt / completion / completionDetails.reasoning, cacheReadInputTokens, "
    "cacheCreationInputTokens (response.cached: no usage); failureReason 2 / error (skipped)")
DOCUMENT = Source(
    "promptfoo", "promptfoo eval output documents", _is_document, _result,
    '{"evalId": "eval-abc-2026-12-03T10:00:00", "results": {"version": 3, "timestamp": "2026-12-03T10:00:00.000Z", '
    '"prompts": [], "results": [{"promptIdx": 0, "testIdx": 0, "provider": {"id": "openai:gpt-4o-mini"}, "prompt": '
    '{"raw": "Hi"}, "response": {"output": "Hello!", "tokenUsage": {"prompt": 8, "completion": 2, "total": 10}}, '
    '"success": true, "score": 1}], "stats": {"successes": 1, "failures": 0, "errors": 0}}, "config": {}}',
    "promptfoo.dev/docs/configuration/outputs (promptfoo eval -o results.json; EvaluateSummaryV3)",
    "results.results[] (each an EvaluateResult, read as above); a bare {version, results[], stats} summary too",
    expand=_expand)

SOURCES: tuple[Source, ...] = (RESULT, DOCUMENT)
