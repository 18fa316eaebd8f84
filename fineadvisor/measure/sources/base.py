"""What every log source shares: the `Source` descriptor, `RecordError`, and small helpers for reading foreign objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fineadvisor.measure._fast.reuse import LeadingReuse
from fineadvisor.measure.logs import parse_json
from fineadvisor.measure.records import Message, Record, SourceFormat

MessageReuse = LeadingReuse[object, Message]
"""Normalised messages remembered for the leading raw message objects of earlier lines."""


class RecordError(ValueError):
    """A line that is JSON but not a usable record; `issue` names the cookbook format-error type if one applies."""

    def __init__(self, reason: str, issue: str | None = None) -> None:
        super().__init__(reason)
        self.issue = issue


Reader = Callable[[dict[str, Any], int, "MessageReuse | None"], Record]
"""(parsed object, line number, message reuse) → the record; raises `RecordError`."""
Expander = Callable[[dict[str, Any]], Iterable[object]]
"""A container object (e.g. one OTLP export request) → the record objects it holds."""


@dataclass(frozen=True, slots=True)
class Source:
    """One log format: how to recognise an object of it, how to read it, and where its schema is documented."""

    name: SourceFormat
    """The key under which `inputs[].formats` counts it."""
    title: str
    """How people call one record of it, plural ("Langfuse generations")."""
    matches: Callable[[Mapping[str, Any]], bool]
    """Cheap test on the parsed object's keys; sources are tried most specific first."""
    read: Reader
    example: str
    """One line of it, as JSON (shown by `fineadvisor formats` and tested to read)."""
    docs: str
    """Where its schema is documented."""
    fields: str
    """The field paths read, for people (the README's input table)."""
    expand: Expander | None = None
    """For a container (one object holding many records): yields them; `read` is then unused."""


def type_name(value: object) -> str:
    """A JSON value's kind, for messages."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def shown(value: object) -> str:
    """A value from the log, short and quoted, for a skip reason."""
    text = value if isinstance(value, str) else type_name(value)
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def with_changes(rec: Record, **changes: Any) -> Record:
    """A copy of `rec` with some fields changed."""
    fields = {name: getattr(rec, name) for name in rec.__slots__}
    fields.update(changes)
    return Record(**fields)


def model_of(obj: Mapping[str, Any] | None, key: str = "model") -> str | None:
    """A non-empty model name at `key`, else None."""
    model = obj.get(key) if isinstance(obj, Mapping) else None
    return model if isinstance(model, str) and model else None


def json_field(value: object, where: str) -> object:
    """A field that exports may hold as a JSON string (LiteLLM, Helicone, OpenTelemetry): parsed when it is one."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return parse_json(value.encode("utf-8", "replace"))
        except ValueError as exc:
            raise RecordError(f"{where} is a string that is not valid JSON ({exc})") from None
    return value


def token_count(obj: object, *keys: str) -> int | None:
    """The first of `keys` in `obj` that holds a non-negative integer (floats with no fraction accepted)."""
    if not isinstance(obj, Mapping):
        return None
    for key in keys:
        value = obj.get(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None
