"""Every log format fineadvisor reads, one adapter per source, and the registry that picks one per line.

Each adapter module defines `SOURCES`, a tuple of `Source`s; `REGISTRY` tries them in order, most specific first, so
that a richer format (an observability record holding a request and its billed usage) is never taken as a poorer
one (a bare request). `to_records` expands containers (one OTLP export request holds many spans).
"""

from __future__ import annotations

from collections.abc import Iterator
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
    """The first source whose test the object passes."""
    for source in REGISTRY:
        if source.matches(obj):
            return source
    return None


def to_record(obj: object, line_no: int, reuse: MessageReuse | None = None) -> Record:
    """Detect the format of one parsed JSON object and normalise it; raise `RecordError` with the reason.

    With `reuse`, plain messages that are the very objects of an earlier line's leading messages are not
    normalised again (see `fineadvisor.measure._fast.reuse`).
    """
    if not isinstance(obj, dict):
        raise RecordError(f"a line must be a JSON object, got {type_name(obj)}", "data_type")
    source = source_of(obj)
    if source is None:
        keys = ", ".join(sorted(map(str, obj))[:8]) or "none"
        raise RecordError(f'no "messages" list and no known log format (keys found: {keys}); {FORMAT_HELP}',
                          "missing_messages_list")
    if source.expand is not None:
        raise RecordError(f"this is a container of records ({source.title}), not one record")
    return source.read(obj, line_no, reuse)


def to_records(obj: object, line_no: int, reuse: MessageReuse | None = None) -> Iterator[Record | RecordError]:
    """The records of one parsed line: one, or each that a container holds (each error in its place)."""
    source = source_of(obj) if isinstance(obj, dict) else None
    if source is None or source.expand is None:
        try:
            yield to_record(obj, line_no, reuse)
        except RecordError as exc:
            yield exc
        return
    assert isinstance(obj, dict)
    for n, inner in enumerate(source.expand(obj)):
        if n >= MAX_RECORDS_PER_LINE:
            yield RecordError(f"more than {MAX_RECORDS_PER_LINE:,} records in one line; the rest are not read")
            return
        try:
            yield to_record(inner, line_no, reuse)
        except RecordError as exc:
            yield exc


__all__ = ["FORMAT_HELP", "REGISTRY", "TITLES", "MessageReuse", "RecordError", "Source", "to_record", "to_records"]
