"""Every log format fineadvisor reads, one adapter per source, and the registry that picks one per line.

Each adapter module defines `SOURCES`, a tuple of `Source`s; `REGISTRY` tries them in order, most specific first, so
that a richer format (an observability record holding a request and its billed usage) is never taken as a poorer
one (a bare request). `to_records` expands containers (one OTLP export request holds many spans).
"""

from __future__ import annotations

from typing import Any

from fineadvisor.measure.records import Record
from fineadvisor.measure.sources import (
    bedrock,
    helicone,
    langfuse,
    langsmith,
    litellm,
    openai,
    openrouter,
    otel,
    promptfoo,
    vertex,
)
from fineadvisor.measure.sources.base import MessageReuse, RecordError, Source, type_name

REGISTRY: tuple[Source, ...] = (
    openai.BATCH_INPUT, openai.BATCH_OUTPUT,
    litellm.SOURCE,
    *langfuse.SOURCES, *langsmith.SOURCES, *helicone.SOURCES, *otel.SOURCES, *bedrock.SOURCES, *vertex.SOURCES,
    *openrouter.SOURCES, *promptfoo.SOURCES,
    openai.PAIR, openai.RESPONSES, openai.MESSAGES, openai.FINE_TUNING, openai.ANTHROPIC,
)
"""Every source, in the order tried."""

NEEDS: dict[Source, frozenset[str]] = {source: frozenset(keys) for source, keys in (
    (openai.BATCH_INPUT, ("custom_id",)), (openai.BATCH_OUTPUT, ("custom_id",)), (litellm.SOURCE, ("call_type",)),
    (langfuse.PAGE, ("meta", "observations")), (langfuse.BATCH, ("batch",)), (langfuse.EVENT, ("type",)),
    (langfuse.OBSERVATION, ("type",)), (langsmith.RUNS_PAGE, ("runs",)), (langsmith.RUN, ("run_type",)),
    (helicone.QUERY_RESULT, ("error",)), (helicone.ROW, helicone.HELICONE_KEYS),
    (otel.CONTAINER, ("resourceSpans", "resource_spans", "scopeSpans", "scope_spans", "scope")),
    (otel.SPAN, (otel.ERROR_KEY, "spanId", "span_id")),
    (bedrock.CLOUDWATCH_EXPORT, ("events", "logEvents")), (bedrock.CLOUDWATCH_EVENT, ("message", "@message")),
    (bedrock.BATCH_OUTPUT, ("recordId",)), (bedrock.INVOCATION, ("schemaType", "modelId")),
    (bedrock.CONVERSE_PAIR, ("request",)), (bedrock.CONVERSE_REQUEST, ("modelId",)),
    (vertex.ROW, vertex.ROW_KEYS), (vertex.PAIR, ("request",)), (vertex.REQUEST, ("contents",)),
    (promptfoo.RESULT, ("promptIdx",)), (promptfoo.DOCUMENT, ("results",)),
    (openai.PAIR, ("request",)), (openai.RESPONSES, ("input",)), (openai.MESSAGES, ("messages",)),
    (openai.FINE_TUNING, ()), (openai.ANTHROPIC, ()),
)}
"""For a source, keys of which an object must have at least one to match (a necessary condition, checked by a test
on every fixture): lets the registry try only the few sources an object's keys allow. A source not listed is tried
on every object."""

_CANDIDATES: dict[tuple[str, ...], tuple[Source, ...]] = {}
MAX_KEY_SIGNATURES = 4096
"""Distinct key sets whose candidate sources are remembered (a log has a handful)."""

TITLES: dict[str, str] = {s.name: s.title for s in REGISTRY if s.expand is None}
"""How each `Record.source` is named for people: by the last source of that name that reads one record (each module
lists its main source last), not by its container."""
TITLES.update({s.name: s.title for s in REGISTRY if s.name not in TITLES})

FORMAT_HELP = ("expected a known log format (run `fineadvisor formats` to list them): e.g. "
               '{"messages": [...]} (fine-tuning), a Chat Completions or Responses request, a Batch API line, '
               'a pair {"request", "response"}, or an Anthropic Messages request')

MAX_RECORDS_PER_LINE = 1_000_000
"""Most records one container line (an OTLP export request) may hold."""


def source_of(obj: dict[str, Any]) -> Source | None:
    """The first source whose test the object passes (trying only those its keys allow)."""
    signature = tuple(obj)
    candidates = _CANDIDATES.get(signature)
    if candidates is None:
        keys = set(signature)
        candidates = tuple(s for s in REGISTRY if s not in NEEDS or not keys.isdisjoint(NEEDS[s]))
        if len(_CANDIDATES) >= MAX_KEY_SIGNATURES:
            _CANDIDATES.clear()
        _CANDIDATES[signature] = candidates
    for source in candidates:
        if source.matches(obj):
            return source
    return None


def to_record(obj: object, line_no: int, reuse: MessageReuse | None = None) -> Record:
    """Detect the format of one parsed JSON object and normalise it; raise `RecordError` with the reason.

    With `reuse`, plain messages that are the very objects of an earlier line's leading messages are not
    normalised again (see `fineadvisor.measure._fast.reuse`).
    """
    source = _source(obj)
    if source.expand is not None:
        raise RecordError(f"this is a container of records ({source.title}), not one record")
    return source.read(obj, line_no, reuse)  # type: ignore[arg-type]  # _source checked it is a dict


def _source(obj: object) -> Source:
    """The source of a parsed object, or `RecordError` saying why there is none."""
    if not isinstance(obj, dict):
        raise RecordError(f"a line must be a JSON object, got {type_name(obj)}", "data_type")
    source = source_of(obj)
    if source is None:
        keys = ", ".join(sorted(map(str, obj))[:8]) or "none"
        raise RecordError(f'no "messages" list and no known log format (keys found: {keys}); {FORMAT_HELP}',
                          "missing_messages_list")
    return source


def to_records(obj: object, line_no: int, reuse: MessageReuse | None = None) -> list[Record | RecordError]:
    """The records of one parsed line: one, or each that a container holds (each error in its place)."""
    try:
        source = _source(obj)
        if source.expand is None:
            return [source.read(obj, line_no, reuse)]  # type: ignore[arg-type]
    except RecordError as exc:
        return [exc]
    out: list[Record | RecordError] = []
    for n, inner in enumerate(source.expand(obj)):  # type: ignore[arg-type]
        if n >= MAX_RECORDS_PER_LINE:
            out.append(RecordError(f"more than {MAX_RECORDS_PER_LINE:,} records in one line; the rest are not read"))
            break
        try:
            out.append(to_record(inner, line_no, reuse))
        except RecordError as exc:
            out.append(exc)
    return out


__all__ = ["FORMAT_HELP", "REGISTRY", "TITLES", "MessageReuse", "RecordError", "Source", "to_record", "to_records"]
