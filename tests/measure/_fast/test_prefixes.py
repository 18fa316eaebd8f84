"""Unit tests of fineadvisor.measure._fast.prefixes: a line parsed from a remembered prefix equals a full parse of it."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.measure._fast.prefixes import MIN_PREFIX_BYTES, PrefixParser
from fineadvisor.measure.logs import parse_json

SYSTEM = {"role": "system", "content": "You are a support agent for Acme. " * 60}  # ~2 KB: worth remembering
SHOTS = [{"role": "user", "content": "Where is my order?"}, {"role": "assistant", "content": "Let me check."}]


def _line(obj: object, *, spaced: bool = False) -> bytes:
    """One JSON line: compact UTF-8 (orjson), or json.dumps's defaults (', ' and ': ', \\u escapes)."""
    try:
        return json.dumps(obj).encode() if spaced else orjson.dumps(obj)
    except TypeError:  # a lone surrogate, which only an escape can carry
        return json.dumps(obj, separators=(",", ":")).encode()


def _ft(query: str, **extra: object) -> dict[str, object]:
    return {"messages": [SYSTEM, *SHOTS, {"role": "user", "content": query}], **extra}


def _parse_all(lines: list[bytes]) -> tuple[PrefixParser, list[object]]:
    parser = PrefixParser()
    return parser, [parser.parse(line) for line in lines]


@pytest.mark.parametrize("make", [
    pytest.param(lambda i: _line(_ft(f"query {i}")), id="fine-tuning, compact"),
    pytest.param(lambda i: _line(_ft(f"query {i}"), spaced=True), id="fine-tuning, json.dumps separators"),
    pytest.param(lambda i: _line({"model": "gpt-4o", **_ft(f"q{i}"), "temperature": 0.2}), id="request, keys after"),
    pytest.param(lambda i: _line({"request": {"model": "gpt-4o", **_ft(f"q{i}"), "tools": []},
                                  "response": {"usage": {"prompt_tokens": i}}}), id="request/response pair"),
    pytest.param(lambda i: _line({"model": "claude", "system": SYSTEM["content"], "max_tokens": 9,
                                  "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                                               {"role": "assistant", "content": "Hello"},
                                               {"role": "user", "content": f"q{i}"}]}), id="anthropic"),
])
def test_repeated_prefixes_are_reused_and_results_equal_a_full_parse(make: object) -> None:
    lines = [make(i) for i in range(20)]  # type: ignore[operator]
    parser, parsed = _parse_all(lines)
    assert parsed == [orjson.loads(line) for line in lines]
    assert parser.hits >= 15  # learnt from the first two lines, then reused (all but a few lines)


def test_reused_messages_are_shared_objects() -> None:
    _parser, parsed = _parse_all([_line(_ft(f"q{i}")) for i in range(5)])
    first, last = parsed[-2]["messages"], parsed[-1]["messages"]  # type: ignore[index]
    assert first[0] is last[0] and first[2] is last[2]  # system and few-shot: parsed once, shared
    assert first[3] is not last[3] and last[3]["content"] == "q4"  # the query: parsed from this line


@pytest.mark.parametrize(("tail", "why"), [
    (b',{"role":"user","content":"q"},]}', "trailing comma in the array"),
    (b', ]}', "comma then closing bracket"),
    (b'{"role":"user","content":"q"}]}', "missing comma"),
    (b',{"role":"user","content":"q"}]', "object never closed"),
    (b',{"role":"user","content":"q"}]}x', "text after the object"),
    (b',{"role":"user","content":"q}]}', "string never closed"),
])
def test_invalid_rest_is_an_error_like_a_full_parse(tail: bytes, why: str) -> None:
    parser, _ = _parse_all([_line(_ft(f"q{i}")) for i in range(3)])
    prefix = parser._prefixes[0].data
    with pytest.raises(ValueError):
        parse_json(prefix + tail)  # the premise: the whole line is invalid JSON
    with pytest.raises(ValueError):
        parser.parse(prefix + tail)


@pytest.mark.parametrize(("line", "expected_messages", "why"), [
    # the array's key appears again after the prefix: the last one wins in a full parse
    (b',{"role":"user","content":"q"}],"messages":[{"role":"user","content":"x"}]}', 1, "key repeated"),
    (b',{"role":"user","content":"messages"}]}', 4, '"messages" as a value'),
    (b',{"role":"user","content":"\\ud83d"}]}', 4, "lone surrogate (orjson rejects it; stdlib accepts)"),
    (b"]}", 3, "nothing after the prefix's messages"),
    (b'  ,  {"role": "user", "content": "q"} ]}', 4, "white space before the comma (full parse)"),
    (b',' + b' ' * 100 + b']}', None, "trailing comma hidden behind white space"),
])
def test_unusual_rests_parse_like_a_full_parse(line: bytes, expected_messages: int | None, why: str) -> None:
    parser, _ = _parse_all([_line(_ft(f"q{i}")) for i in range(3)])
    data = parser._prefixes[0].data + line
    if expected_messages is None:
        with pytest.raises(ValueError):
            parse_json(data)
        with pytest.raises(ValueError):
            parser.parse(data)
        return
    got = parser.parse(data)
    assert got == parse_json(data)  # the full parse (lone surrogates replaced by U+FFFD)
    assert len(got["messages"]) == expected_messages  # type: ignore[index]


def test_short_or_unshared_prefixes_are_not_remembered() -> None:
    short = [_line({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": f"q{i}"}]})
             for i in range(10)]
    distinct = [_line(_ft(f"q{i}") | {"messages": [{"role": "system", "content": f"{i} " * 800}]}) for i in range(10)]
    for lines in (short, distinct):
        parser, parsed = _parse_all(lines)
        assert parsed == [orjson.loads(line) for line in lines]
        assert parser.hits == 0 and not parser._prefixes
    assert len(short[0]) < MIN_PREFIX_BYTES


def test_prefix_ending_inside_a_string_or_nested_object_is_never_used() -> None:
    # Lines share bytes up to the middle of the query's text and of a tool call: only the message boundary counts.
    base = [SYSTEM, {"role": "assistant", "content": None,
                     "tool_calls": [{"function": {"name": "f", "arguments": "{\"a\": 1}"}}]}]
    lines = [_line({"messages": [*base, {"role": "user", "content": "same start } ], " + str(i)}]}) for i in range(6)]
    parser, parsed = _parse_all(lines)
    assert parsed == [orjson.loads(line) for line in lines]
    assert parser._prefixes and all(p.data.endswith(b"}") for p in parser._prefixes)
    assert all(len(p.skeleton["messages"]) == 2 for p in parser._prefixes)  # after the tool-call message


def test_batch_lines_whose_prefix_differs_still_parse() -> None:
    lines = [_line({"custom_id": f"r{i}", "body": _ft(f"q{i}")}) for i in range(6)]
    _parser, parsed = _parse_all(lines)
    assert parsed == [orjson.loads(line) for line in lines]


_texts = st.sampled_from(["A" * 1500, "B" * 1400, "x", "q ] } , \\", "é" * 500, '"messages"', "\ud83d"])
_messages = st.lists(st.builds(lambda r, c: {"role": r, "content": c}, st.sampled_from(["system", "user"]), _texts),
                     max_size=4)


_SUFFIXES = st.sampled_from([
    b"", b',"m\\u0065ssages":[{"role":"user","content":"x"}]', b',"\\u006dessages":[]', b',"messages":"s"',
    b',"n":2', b',"\\u006e":3', b',"r\\u0065quest":{"messages":[]}', b',"x\\u0041":1', b',"messages\\u0000":[]',
])
"""Keys the rest may add after the array: escaped spellings of `messages` and `request`, duplicates, look-alikes."""


@settings(max_examples=300, deadline=None)
@given(_messages, st.lists(st.tuples(st.integers(0, 4), _messages, st.booleans(), st.booleans(), _SUFFIXES),
                           min_size=1, max_size=12))
def test_property_every_line_parses_as_a_full_parse_would(
        shared: list[dict[str, str]], specs: list[tuple[int, list[dict[str, str]], bool, bool, bytes]]) -> None:
    # Lines share some leading messages (so prefixes are learnt and reused); each must equal its full parse, also
    # when the rest repeats a key with or without escapes (duplicate keys: the last one wins in a full parse).
    # A second parser reads each line as a range of a larger buffer, as chunks hand lines out.
    parser, in_buffer = PrefixParser(), PrefixParser()
    for keep, rest, spaced, nested, suffix in specs:
        obj: dict[str, object] = {"messages": shared[:keep] + rest, "n": 1}
        line = _line({"request": obj, "response": {}} if nested else obj, spaced=spaced)
        line = line[:-1] + suffix + line[-1:]
        assert parser.parse(line) == parse_json(line)
        buf = b'{"before": 1}\n' + line + b'\n{"messages": [], "after": true}'
        start = len(b'{"before": 1}\n')
        assert in_buffer.parse(buf, start, start + len(line)) == parse_json(line)
    assert in_buffer.hits == parser.hits  # the same lines were parsed from a prefix (not by the full-parse fallback)
