"""Tool definitions and tool calls as OpenAI renders them before counting (pure functions over frozen values).

OpenAI does not bill the JSON of `tools` / `functions`: it renders the definitions into a TypeScript-like
namespace inside the system message and bills that text:

    # Tools

    ## functions

    namespace functions {

    // <function description>
    type <name> = (_: {
    // <property description>
    <property>?: <type>,
    }) => any;

    } // namespace functions

Required properties lose the `?`; enums become unions (`"a" | "b"`), arrays `T[]`, nested objects are
indented by two spaces and keep no property descriptions; a function without properties is `() => any`.
`functions` (legacy) and `tools` are rendered, placed and billed the same way.

Placement (checked against the API-billed vectors of hmarr/openai-chat-tokens and the cookbook, see
tests/measure/test_functions.py):
    with no system message:  tokens = tokens(text) + NEW_SYSTEM_MESSAGE_TOKENS
    with a system message S: tokens = tokens(S + "\\n\\n" + text) − tokens(S) + MERGED_SYSTEM_ADJUSTMENT_TOKENS
(the first system/developer message absorbs the text; its merge with S's last characters is why S matters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson

from fineadvisor.measure.records import Tool

FUNCTIONS_HEADER = "# Tools\n\n## functions\n\nnamespace functions {\n\n"
FUNCTIONS_FOOTER = "} // namespace functions"
SYSTEM_SEPARATOR = "\n\n"
NEW_SYSTEM_MESSAGE_TOKENS = 3
"""A system message of the tools' own: 3 framing + 1 role − 1 (the vectors bill one token less than the text)."""
MERGED_SYSTEM_ADJUSTMENT_TOKENS = -1
"""The same one token less when the text joins an existing system message."""
TOOL_CHOICE_NONE_TOKENS = 1
"""`tool_choice` / `function_call` "none" adds 1 token (hmarr vector: 32 vs 31)."""
FORCED_FUNCTION_TOKENS = 4
"""A forced legacy function (`function_call` {"name": f}) adds 4 + tokens(f) (hmarr vectors: foo 36 vs 31, do_stuff
55 vs 49)."""
FORCED_TOOL_TOKENS = 7
"""A forced tool (`tool_choice` {"type": "function", "function": {"name": f}}) adds 7 + tokens(f)
(pamelafox/openai-messages-token-helper vectors: search_sources 75 vs 66, 51 vs 42; data_demonstration 64 vs 53)."""

# --- assistant tool calls and tool results ---
CALL_PREFIX = "assistant to=functions."
"""A call is billed as a message whose header names the function: 3 + tokens("assistant to=functions.<name>")
+ tokens(arguments). The result is billed as a message whose role is the function's name:
3 + tokens(<name>) + tokens(content); tool_call_id is not billed."""
CALL_EXTRA_TOKENS = {"cl100k_base": 0, "o200k_base": 3}
"""Tokens per call beyond that rule: none on gpt-3.5/gpt-4 (cl100k); 3 on gpt-4o-mini (o200k), where two recorded
call + result pairs were each billed 3 more than the rule."""
PARALLEL_CALLS_TOKENS = 23
"""An assistant message with n ≥ 2 tool calls (parallel calls) costs 23 + n more than n separate calls
(gpt-3.5-turbo: 89 and 114 prompt tokens billed for 2 and 3 calls, where separate calls count 64 and 88)."""
PARALLEL_CALL_TOKENS = 1


def render_functions(tools: Iterable[Tool]) -> str:
    """The `namespace functions` text OpenAI puts in the system message for these definitions."""
    parts = [FUNCTIONS_HEADER]
    for tool in tools:
        parts.append(_comment(tool.description, ""))
        params = tool.parameters
        props = params.get("properties") if isinstance(params, Mapping) else None
        if isinstance(props, Mapping) and props:
            parts.append(f"type {tool.name} = (_: {{\n{_properties(params, '', top=True)}}}) => any;\n\n")
        else:
            parts.append(f"type {tool.name} = () => any;\n\n")
    parts.append(FUNCTIONS_FOOTER)
    return "".join(parts)


def _comment(text: object, indent: str) -> str:
    """A description as `//` comment lines (empty when there is none)."""
    if not isinstance(text, str) or not text:
        return ""
    return "".join(f"{indent}// {line}\n" for line in text.split("\n"))


def _properties(schema: Mapping[str, Any], indent: str, *, top: bool) -> str:
    """The property lines of an object schema; only top-level properties keep their descriptions."""
    listed = schema.get("required")
    required = {k for k in listed if isinstance(k, str)} if isinstance(listed, list) else set()
    lines = []
    for key, prop in schema["properties"].items():
        prop = prop if isinstance(prop, Mapping) else {}
        if top:
            lines.append(_comment(prop.get("description"), indent))
        optional = "" if key in required else "?"
        lines.append(f"{indent}{key}{optional}: {render_type(prop, indent)},\n")
    return "".join(lines)


def render_type(schema: Mapping[str, Any], indent: str = "") -> str:
    """The TypeScript-like type of a JSON schema: enums as unions, `T[]`, nested objects, `anyOf` unions."""
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return " | ".join(_literal(v) for v in enum)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return " | ".join(render_type(o if isinstance(o, Mapping) else {}, indent) for o in options)
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(render_type({**schema, "type": k}, indent) for k in kind) or "any"
    if kind == "object":
        props = schema.get("properties")
        if isinstance(props, Mapping) and props:
            inner = indent + "  "
            return "{\n" + _properties(schema, inner, top=False) + indent + "}"
        return "object"
    if kind == "array":
        items = schema.get("items")
        return (render_type(items, indent) if isinstance(items, Mapping) and items else "any") + "[]"
    if kind == "integer":
        return "number"
    if kind in ("string", "number", "boolean", "null"):
        return str(kind)
    return "any"  # a `const` is billed as its type (hmarr anyOf vectors), which is what "type" gives above


def _literal(value: object) -> str:
    """An enum member as a TypeScript literal."""
    return orjson.dumps(value).decode() if isinstance(value, (str, int, float, bool)) or value is None else "any"


def definition_tokens(count: Callable[[str], int], text: str, system: str | None) -> int:
    """Tokens the rendered `text` adds to a request whose first system message is `system` (None: none)."""
    if system is None:
        return count(text) + NEW_SYSTEM_MESSAGE_TOKENS
    return count(system + SYSTEM_SEPARATOR + text) - count(system) + MERGED_SYSTEM_ADJUSTMENT_TOKENS


def tool_choice_tokens(count: Callable[[str], int], tool_choice: str | None) -> int:
    """Tokens a `Record.tool_choice` adds: None (auto) 0, "none" 1, a forced legacy function ("function:NAME") 4 or
    a forced tool ("tool:NAME") 7, + tokens of its name."""
    if tool_choice == "none":
        return TOOL_CHOICE_NONE_TOKENS
    kind, _, name = (tool_choice or "").partition(":")
    if name and kind in ("tool", "function"):
        return (FORCED_TOOL_TOKENS if kind == "tool" else FORCED_FUNCTION_TOKENS) + count(name)
    return 0


def split_calls(texts: Sequence[str], calls: int = 0) -> tuple[Sequence[str], list[tuple[str, str]]]:
    """(content texts, [(name, arguments)]) of a tool-calling message, whose texts end with `calls` name/arguments
    pairs (when the reader did not say how many: as many pairs as the texts hold)."""
    n = min(calls, len(texts) // 2) if calls > 0 else len(texts) // 2
    head = len(texts) - 2 * n
    return texts[:head], [(texts[i], texts[i + 1]) for i in range(head, len(texts), 2)]


def calls_tokens(count: Callable[[str], int], calls: Sequence[tuple[str, str]], encoding: str) -> int:
    """Framed tokens of an assistant message's tool calls (the message's own text is counted apart)."""
    extra = CALL_EXTRA_TOKENS.get(encoding, CALL_EXTRA_TOKENS["o200k_base"])
    total = sum(3 + count(CALL_PREFIX + name) + count(args) + extra for name, args in calls)
    if len(calls) >= 2:
        total += PARALLEL_CALLS_TOKENS + PARALLEL_CALL_TOKENS * len(calls)
    return total
