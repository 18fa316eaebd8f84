"""Seeded mutations of valid log lines: what a fuzzer feeds the reader (shared by the tests and benchmarks/fuzz.py).

Each mutation is one of the faults seen in real files and in the fuzzer that found the reader's crashes: cut or
corrupted bytes, deep nesting, lone surrogates, big integers and NaN in tools, a decompression-bomb image header,
escaped duplicate keys, values of the wrong type, control characters and Markdown/HTML in strings.
"""

from __future__ import annotations

import base64
import json
import random
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HOSTILE = ("[Re-login](http://evil.example/x) ![p](http://evil.example/u.png)", "<script>alert(1)</script>",
           "<img src=x onerror=alert(1)>", "$\\frac{1}{0}$", "javascript:alert(1)")


def seed_lines(limit: int = 300) -> list[bytes]:
    """Valid lines of the bundled examples (chat pairs and an Anthropic agent): what the mutations start from."""
    out: list[bytes] = []
    for name in ("support_bot.jsonl", "agent_anthropic.jsonl"):
        with (EXAMPLES / name).open("rb") as fh:
            out += [line.rstrip(b"\n") for _, line in zip(range(limit // 2), fh, strict=False)]
    return out


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims width × height pixels (there are no pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _replace_value(obj: object, rng: random.Random, new: object) -> object:
    """A copy of `obj` with one randomly chosen value (at any depth) replaced by `new`."""
    if isinstance(obj, dict) and obj and rng.random() < 0.7:
        key = rng.choice(list(obj))
        return {**obj, key: _replace_value(obj[key], rng, new)}
    if isinstance(obj, list) and obj and rng.random() < 0.7:
        i = rng.randrange(len(obj))
        return [*obj[:i], _replace_value(obj[i], rng, new), *obj[i + 1:]]
    return new


def _lone_surrogates(line: bytes) -> bytes:
    """Lone surrogate escapes in a role, the model name and a key."""
    line = re.sub(rb'"role":\s*"', lambda m: b'"role":"\\ud800', line, count=1)
    line = re.sub(rb'"model":\s*"', lambda m: b'"model":"\\udfff', line, count=1)
    return re.sub(rb'"content":\s*"', lambda m: b'"con\\ud83dtent":"\\udc00', line, count=1)


def _request(line: bytes) -> bytes:
    """The request body of a logged line (the line itself when it is one)."""
    obj = json.loads(line)
    return json.dumps(obj.get("request", obj)).encode()


def _with_image_bomb(line: bytes) -> bytes:
    """The line's request with a user message whose image claims 100,000 × 100,000 pixels appended."""
    obj = json.loads(_request(line))
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(bomb_png()).decode()}}
    obj["messages"] = [*obj.get("messages", []), {"role": "user", "content": [image]}]
    return json.dumps(obj).encode()


def _structural(line: bytes, rng: random.Random) -> bytes:
    obj = json.loads(line)
    new = rng.choice([
        None, 0, -1, 2**64, 10**40, 1.5, True, "", "x" * rng.randrange(1, 50), [], {}, [1, "a"], {"role": 5},
        rng.choice(HOSTILE), "\x00\x1b[31m\u202e", json.loads(_deep(rng.randrange(100, 400))),
    ])
    text = json.dumps(_replace_value(obj, rng, new), ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.3:  # NaN and a big integer inside tools
        text = text[:-1] + ', "tools": [{"type": "function", "function": {"name": "f", "parameters": ' \
            '{"type": "object", "properties": {"n": {"maximum": NaN, "minimum": 18446744073709551616}}}}}]}'
    return text.encode("utf-8", "surrogatepass")


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": lambda b, r: b[:r.randrange(len(b))],
    "flip a byte": lambda b, r: (lambda i: b[:i] + bytes([r.randrange(256)]) + b[i + 1:])(r.randrange(len(b))),
    "insert bytes": lambda b, r: (lambda i: b[:i] + r.randbytes(r.randrange(1, 8)) + b[i:])(r.randrange(len(b))),
    "duplicate a slice": lambda b, r: (lambda i, j: b[:j] + b[i:j] + b[j:])(*sorted(r.sample(range(len(b)), 2))),
    "deep nesting": lambda b, r: b[:-1] + b', "x": ' + _deep(r.choice([1_000, 1_025, 5_000])).encode() + b"}",
    "lone surrogate": lambda b, r: _lone_surrogates(b),
    "escaped duplicate key": lambda b, r: b[:-1] + b', "m\\u0065ssages": [{"role": "user", "content": "x"}]}',
    "image bomb": lambda b, r: _with_image_bomb(b),
    "deep custom_id": lambda b, r: b'{"custom_id": ' + _deep(1_000).encode() + b', "body": ' + _request(b) + b"}",
    "structural": _structural,
    "control characters": lambda b, r: b.replace(b" ", b"\x0b", 3).replace(b"a", b"\\u0000", 2),
    "blank": lambda b, r: r.choice([b"", b"   ", b"\t", b"\r"]),
}


def mutated_lines(n: int, seed: int, seeds: list[bytes] | None = None) -> Iterator[tuple[str, bytes]]:
    """n (mutation name, line) pairs, deterministic for a seed; about one line in ten is left valid."""
    rng = random.Random(seed)
    base = seeds or seed_lines()
    names = list(MUTATIONS)
    for _ in range(n):
        line = rng.choice(base)
        if rng.random() < 0.1:
            yield "none", line
            continue
        name = rng.choice(names)
        yield name, MUTATIONS[name](line, rng).replace(b"\n", b" ")


def is_blank(line: bytes) -> bool:
    """What the reader takes for a blank line (only white space)."""
    return not line or line.isspace()


def small_seeds() -> list[bytes]:
    """Short valid lines of every format the reader knows (a few hundred bytes each): for fuzzing at volume."""
    system = {"role": "system", "content": "You are a terse support assistant for Larkspur. Answer in one line."}
    shots = [{"role": "user", "content": "How do I reset my password?"},
             {"role": "assistant", "content": "Settings → Security → Reset password."}]
    out: list[bytes] = []
    for i in range(20):
        query = {"role": "user", "content": f"Question {i}: can I export invoices as CSV, with {i} columns?"}
        answer = {"role": "assistant", "content": f"Yes: Billing → Export → CSV ({i})."}
        usage = {"prompt_tokens": 60 + i, "completion_tokens": 9, "prompt_tokens_details": {"cached_tokens": 0}}
        out += [
            json.dumps({"messages": [system, *shots, query, answer]}).encode(),
            json.dumps({"model": "gpt-4o-mini", "messages": [system, query], "temperature": 0}).encode(),
            json.dumps({"request": {"model": "gpt-4o-mini", "messages": [system, *shots, query]},
                        "response": {"choices": [{"message": answer}], "usage": usage}}).encode(),
            json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
                        "body": {"model": "gpt-4.1-mini", "messages": [system, query]}}).encode(),
            json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 256, "system": system["content"],
                        "messages": [query], "tools": [{"name": "lookup", "description": "Find an invoice",
                                                        "input_schema": {"type": "object"}}]}).encode(),
        ]
    return out
