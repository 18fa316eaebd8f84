"""Parse JSON lines that repeat a recent line's leading messages by parsing only the bytes that differ.

In request logs most of each line is the same system prompt and few-shot messages, byte for byte. When a
line starts with a prefix learned from earlier lines, and that prefix ends right after a complete element of
the `messages` array (at the top level, or one object down as in `{"request": {"messages": …}}`), only the
rest is parsed and the prefix's already-parsed messages are reused. The result equals `orjson.loads` of the
whole line; the reused objects are shared between results and must not be mutated. Anything unusual (the
array's key repeated in the rest, a trailing comma, a parse error) falls back to parsing the whole line.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

import orjson

from fineadvisor.measure.logs import parse_json

MIN_PREFIX_BYTES = 1024
"""Shorter shared prefixes are not worth remembering."""
MAX_PREFIXES = 16
"""Prefixes remembered (most recently used first)."""
RECENT_LINES = 4
"""Recent fully parsed lines a new line is compared with to learn a prefix."""
BOUNDARY_TRIES = 12
"""Candidate message boundaries tried (from the end of the shared bytes) before giving up on a pair."""
_KEY = b'"messages"'
_WS = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class _Prefix:
    data: bytes
    """The raw prefix: it ends right after a complete message of the array."""
    opener: bytes
    """Re-opens the array for the rest: b'{"messages":[' or b'{"request":{"messages":['."""
    outer: str | None
    """The key of the object holding `messages`, or None at the top level."""
    keys: tuple[bytes, ...]
    """Keys whose reappearance in the rest would make a merge differ from a full parse."""
    skeleton: dict[str, Any]
    """The prefix parsed (with the array closed): the top-level keys before the array and its messages."""
    names: frozenset[str] = frozenset({"messages"})
    """`keys` as the names they spell (what an escaped spelling in the rest is compared with)."""


class PrefixParser:
    """A JSON-line parser that reuses the parsed leading messages of lines seen before (see the module)."""

    def __init__(self) -> None:
        self._prefixes: list[_Prefix] = []
        self._recent: deque[bytes] = deque(maxlen=RECENT_LINES)
        self._misses_since_learned = 0
        self.hits = 0

    def parse(self, buf: bytes, start: int = 0, end: int | None = None) -> object:
        """The parsed line `buf[start:end]` (equal to a full parse); raises what `parse_json` raises for a bad line.

        Giving the line as a range of a larger buffer spares copying it when only its rest is parsed.
        """
        if end is None:
            end = len(buf)
        for i, p in enumerate(self._prefixes):
            if buf.startswith(p.data, start, end):
                reused = self._parse_rest(p, buf, start + len(p.data), end)
                if reused is not None:
                    if i:
                        self._prefixes.insert(0, self._prefixes.pop(i))
                    self.hits += 1
                    return reused
        data = buf if start == 0 and end == len(buf) else buf[start:end]
        obj = parse_json(data)
        self._learn(data)
        return obj

    def _parse_rest(self, p: _Prefix, buf: bytes, at: int, end: int) -> dict[str, Any] | None:
        """Parse `buf[at:end]`, the rest of a line after prefix `p`, and join it to the prefix's parse."""
        # The whole line continues after a complete message, the rest parses after an opening bracket: the two
        # agree only on "," + a message (the comma is dropped) or on "]"; anything else is left to a full parse
        # (e.g. a trailing comma, a missing comma, or more white space than is cheap to look through).
        if buf[at:at + 1] == b"," and at < end:
            at += 1
            head = buf[at:min(at + 64, end)].lstrip(_WS)
            if not head or head[:1] == b"]":
                return None
        elif buf[at:min(at + 64, end)].lstrip(_WS)[:1] != b"]":
            return None
        rest = buf[at:end]
        for key in p.keys:
            if key in rest:
                return None
        if b"\\u" in rest and _escaped_key_in(rest, p.names):
            return None  # the key written with escapes ("m\\u0065ssages"): a full parse lets the last one win
        try:
            tail = orjson.loads(p.opener + rest)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(tail, dict):
            return None
        top = dict(p.skeleton)
        inner_tail: object = tail if p.outer is None else tail.get(p.outer)
        if not isinstance(inner_tail, dict):
            return None
        inner = top
        if p.outer is not None:
            inner = top[p.outer] = dict(top[p.outer])
            top.update((k, v) for k, v in tail.items() if k != p.outer)
        messages = inner_tail.get("messages")
        if not isinstance(messages, list):
            return None
        if len(inner_tail) > 1:
            inner.update((k, v) for k, v in inner_tail.items() if k != "messages")
        inner["messages"] = inner["messages"] + messages
        return top

    def _learn(self, data: bytes) -> None:
        """Compare a fully parsed line with recent ones; remember the longest shared prefix ending on a message."""
        self._misses_since_learned += 1
        # After many fruitless tries (a log without repetition), only try now and then.
        if self._misses_since_learned > 64 and self._misses_since_learned % 64:
            self._recent.append(data)
            return
        best = 0
        for prev in self._recent:
            if data[:MIN_PREFIX_BYTES] == prev[:MIN_PREFIX_BYTES]:
                best = max(best, _common_prefix(data, prev))
        self._recent.append(data)
        if best < MIN_PREFIX_BYTES:
            return
        prefix = _boundary(data, best)
        if prefix is not None and all(prefix.data != p.data for p in self._prefixes):
            self._prefixes.insert(0, prefix)
            del self._prefixes[MAX_PREFIXES:]
            self._misses_since_learned = 0


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the longest common prefix of two byte strings (binary search over memcmp)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.startswith(b[lo:mid], lo):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _boundary(data: bytes, limit: int) -> _Prefix | None:
    """The longest prefix of `data[:limit]` that ends right after a complete element of a `messages` array."""
    end = limit
    for _ in range(BOUNDARY_TRIES):
        j = data.rfind(b"}", 0, end)
        if j < MIN_PREFIX_BYTES:
            return None
        end = j
        if j + 1 < len(data) and data[j + 1] not in b",]" + _WS:
            continue
        head = data[: j + 1]
        for closer, outer_depth in ((b"]}", False), (b"]}}", True)):
            try:
                skeleton = orjson.loads(head + closer)
            except orjson.JSONDecodeError:
                continue
            prefix = _prefix(head, skeleton, outer_depth)
            if prefix is not None:
                return prefix
    return None


def _prefix(head: bytes, skeleton: object, nested: bool) -> _Prefix | None:
    """Check that `head` + closer parsed into an object whose last key (or last key's last key) is `messages`."""
    if not isinstance(skeleton, dict) or not skeleton:
        return None
    if not nested:
        if list(skeleton)[-1] != "messages" or not isinstance(skeleton["messages"], list) or not skeleton["messages"]:
            return None
        return _Prefix(head, b'{"messages":[', None, (_KEY,), skeleton)
    outer = list(skeleton)[-1]
    inner = skeleton[outer]
    if not isinstance(inner, dict) or not inner or list(inner)[-1] != "messages":
        return None
    if not isinstance(inner["messages"], list) or not inner["messages"]:
        return None
    outer_key = orjson.dumps(outer)
    return _Prefix(head, b"{" + outer_key + b':{"messages":[', outer, (_KEY, outer_key), skeleton,
                   frozenset({"messages", outer}))


_ESCAPED_KEY = re.compile(rb'"((?:[^"\\]|\\.)*\\u(?:[^"\\]|\\.)*)"\s*:')
"""A JSON string written with a \\u escape and followed by a colon: a key whose name only a parse can read."""


def _escaped_key_in(rest: bytes, names: frozenset[str]) -> bool:
    """Whether `rest` holds a key spelled with escapes whose name is one of `names`."""
    for match in _ESCAPED_KEY.finditer(rest):
        try:
            name = parse_json(b'"' + match.group(1) + b'"')
        except ValueError:
            continue
        if name in names:
            return True
    return False
