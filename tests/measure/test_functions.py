"""Tool definitions, tool calls and tool results against the token counts the OpenAI API billed.

Vectors: hmarr/openai-chat-tokens `src/token-counts.test.ts` (commit 39be88f6; each request sent to gpt-3.5-turbo,
cl100k, the count is `usage.prompt_tokens`), the cookbook's get_current_weather tool (both encodings), and recorded
exchanges with billed usage (see `test_recorded_tool_call_exchanges`).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.measure.encodings import choose_encoding
from fineadvisor.measure.functions import (
    FUNCTIONS_FOOTER,
    FUNCTIONS_HEADER,
    NEW_SYSTEM_MESSAGE_TOKENS,
    definition_tokens,
    render_functions,
    render_type,
    split_calls,
    tool_choice_tokens,
)
from fineadvisor.measure.records import Tool
from fineadvisor.measure.sources import to_record
from fineadvisor.measure.tokens import RecordCounter, TokenCounter

HMARR: list[tuple[str, list[dict[str, Any]], int, list[dict[str, Any]] | None, Any]] = []
"""(name, messages, API prompt tokens, functions, function_call) of every openai-chat-tokens vector."""


def _add(
    name: str,
    messages: list[dict[str, Any]],
    tokens: int,
    functions: list[dict[str, Any]] | None = None,
    function_call: Any = None,
) -> None:
    HMARR.append((name, messages, tokens, functions, function_call))


E = {"type": "object", "properties": {}}
_add("user hello", [{"role": "user", "content": "hello"}], 8)
_add("user hello world", [{"role": "user", "content": "hello world"}], 9)
_add("system hello", [{"role": "system", "content": "hello"}], 8)
_add("system hello:", [{"role": "system", "content": "hello:"}], 9)
_add(
    "robot",
    [
        {"role": "system", "content": "# Important: you're the best robot"},
        {"role": "user", "content": "hello robot"},
        {"role": "assistant", "content": "hello world"},
    ],
    27,
)
U = [{"role": "user", "content": "hello"}]
_add("foo", U, 31, [{"name": "foo", "parameters": E}])
_add("foo none", U, 32, [{"name": "foo", "parameters": E}], "none")
_add("foo auto", U, 31, [{"name": "foo", "parameters": E}], "auto")
_add("foo forced", U, 36, [{"name": "foo", "parameters": E}], {"name": "foo"})
_add("foo described", U, 36, [{"name": "foo", "description": "Do a foo", "parameters": E}])
_add(
    "bing_bong 1 prop",
    U,
    49,
    [
        {
            "name": "bing_bong",
            "description": "Do a bing bong",
            "parameters": {"type": "object", "properties": {"foo": {"type": "string"}}},
        }
    ],
)
_add(
    "bing_bong 2 props",
    U,
    57,
    [
        {
            "name": "bing_bong",
            "description": "Do a bing bong",
            "parameters": {
                "type": "object",
                "properties": {"foo": {"type": "string"}, "bar": {"type": "number", "description": "A number"}},
            },
        }
    ],
)
_add(
    "bing_bong nested enum",
    U,
    68,
    [
        {
            "name": "bing_bong",
            "description": "Do a bing bong",
            "parameters": {
                "type": "object",
                "properties": {
                    "foo": {
                        "type": "object",
                        "properties": {"bar": {"type": "string", "enum": ["a", "b", "c"]}, "baz": {"type": "boolean"}},
                    }
                },
            },
        }
    ],
)
_add(
    "function result {}",
    [{"role": "user", "content": "hello world"}, {"role": "function", "name": "do_stuff", "content": "{}"}],
    15,
)
_add(
    "function result json",
    [
        {"role": "user", "content": "hello world"},
        {"role": "function", "name": "do_stuff", "content": '{"foo": "bar", "baz": 1.5}'},
    ],
    28,
)
_add(
    "function result nested", [{"role": "function", "name": "dance_the_tango", "content": '{"a": { "b" : { "c": false}}}'}], 24
)
_add(
    "function_call",
    [{"role": "assistant", "content": "", "function_call": {"name": "do_stuff", "arguments": '{"foo": "bar", "baz": 1.5}'}}],
    26,
)
_add(
    "function_call newlines",
    [{"role": "assistant", "content": "", "function_call": {"name": "do_stuff", "arguments": '{"foo":"bar", "baz":\n\n 1.5}'}}],
    25,
)
ANYOF_FOO = {
    "name": "foo",
    "description": "Return the foo or the bar",
    "parameters": {
        "type": "object",
        "properties": {
            "res": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {"kind": {"type": "string", "const": "post"}, "text": {"type": "string"}},
                        "required": ["kind", "text"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"type": "string", "const": "user"},
                            "name": {"type": "string", "enum": ["jane", "suzie", "adam"]},
                        },
                        "required": ["kind", "name"],
                        "additionalProperties": False,
                    },
                ],
                "description": "The foo or the bar",
            }
        },
        "required": ["res"],
        "additionalProperties": False,
    },
}
_add(
    "anyOf suzie forced",
    [
        {"role": "system", "content": "You are an AI assistant trained to foo or bar"},
        {"role": "user", "content": "My name is suzie"},
        {"role": "function", "name": "foo", "content": '{"res":{"kind":"user","name":"suzie"}}'},
        {"role": "user", "content": 'I want to post a message with the text "hello world"'},
        {"role": "function", "name": "foo", "content": '{"res":{"kind":"post","text":"hello world"}}'},
    ],
    158,
    [ANYOF_FOO],
    {"name": "foo"},
)
SH = [{"role": "system", "content": "Hello"}, {"role": "user", "content": "Hi there"}]
_add(
    "anyOf 1 object",
    SH,
    52,
    [
        {
            "name": "do_stuff",
            "parameters": {
                "type": "object",
                "properties": {
                    "foo": {
                        "anyOf": [
                            {
                                "type": "object",
                                "properties": {"kind": {"type": "string", "const": "a"}, "baz": {"type": "boolean"}},
                            }
                        ]
                    }
                },
            },
        }
    ],
)
_add(
    "anyOf 3 objects",
    SH,
    80,
    [
        {
            "name": "do_stuff",
            "parameters": {
                "type": "object",
                "properties": {
                    "foo": {
                        "anyOf": [
                            {
                                "type": "object",
                                "properties": {"kind": {"type": "string", "const": "a"}, "baz": {"type": "boolean"}},
                            },
                            {
                                "type": "object",
                                "properties": {"kind": {"type": "string", "const": "b"}, "qux": {"type": "number"}},
                            },
                            {
                                "type": "object",
                                "properties": {"kind": {"type": "string", "const": "c"}, "idk": {"type": "string"}},
                            },
                        ]
                    }
                },
            },
        }
    ],
)
_add(
    "anyOf const|number",
    SH,
    44,
    [
        {
            "name": "do_stuff",
            "parameters": {
                "type": "object",
                "properties": {"foo": {"anyOf": [{"type": "string", "const": "a"}, {"type": "number"}]}},
            },
        }
    ],
)
_add("system Hello + do_stuff", SH, 35, [{"name": "do_stuff", "parameters": E}])
_add(
    "system Hello: + do_stuff",
    [{"role": "system", "content": "Hello:"}, {"role": "user", "content": "Hi there"}],
    35,
    [{"name": "do_stuff", "parameters": E}],
)
S2 = [{"role": "system", "content": "Hello:"}, {"role": "system", "content": "Hello"}, {"role": "user", "content": "Hi there"}]
_add("two systems + do_stuff", S2, 40, [{"name": "do_stuff", "parameters": E}])
_add("two systems + 2 functions", S2, 49, [{"name": "do_stuff", "parameters": E}, {"name": "do_other_stuff", "parameters": E}])
_add(
    "two systems + 2 functions forced",
    S2,
    55,
    [{"name": "do_stuff", "parameters": E}, {"name": "do_other_stuff", "parameters": E}],
    {"name": "do_stuff"},
)
_add(
    "get_recipe",
    U,
    106,
    [
        {
            "name": "get_recipe",
            "parameters": {
                "type": "object",
                "required": ["ingredients", "instructions", "time_to_cook"],
                "properties": {
                    "ingredients": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "unit", "amount"],
                            "properties": {
                                "name": {"type": "string"},
                                "unit": {"enum": ["grams", "ml", "cups", "pieces", "teaspoons"], "type": "string"},
                                "amount": {"type": "number"},
                            },
                        },
                    },
                    "instructions": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Steps to prepare the recipe (no numbering)",
                    },
                    "time_to_cook": {"type": "number", "description": "Total time to prepare the recipe in minutes"},
                },
            },
        }
    ],
)
_add(
    "quality pros",
    U,
    46,
    [
        {
            "name": "function",
            "description": "description",
            "parameters": {
                "type": "object",
                "properties": {
                    "quality": {
                        "type": "object",
                        "properties": {
                            "pros": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "Write 3 points why this text is well written",
                            }
                        },
                    }
                },
            },
        }
    ],
)
_add(
    "field number one",
    U,
    96,
    [
        {
            "name": "function",
            "description": "desctiption1",
            "parameters": {
                "type": "object",
                "description": "desctiption2",
                "properties": {
                    "mainField": {"type": "string", "description": "description3"},
                    "field number one": {
                        "type": "object",
                        "description": "description4",
                        "properties": {
                            "yesNoField": {"type": "string", "description": "description5", "enum": ["Yes", "No"]},
                            "howIsInteresting": {"type": "string", "description": "description6"},
                            "scoreInteresting": {"type": "number", "description": "description7"},
                            "isInteresting": {"type": "string", "description": "description8", "enum": ["Yes", "No"]},
                        },
                    },
                },
            },
        }
    ],
)


def prompt_tokens(model: str, function_call: Any = None, **request: Any) -> int:
    """Counted prompt tokens of a request (its legacy `function_call` setting read into `Record.tool_choice`)."""
    counter = RecordCounter(choose_encoding(model))
    if function_call is not None:
        request["function_call"] = function_call
    rt = counter.count(to_record({"model": model, **request}, 1))
    return rt.counted_input_tokens


@pytest.mark.parametrize(("name", "messages", "api", "functions", "function_call"), HMARR, ids=[v[0] for v in HMARR])
def test_openai_chat_tokens_vectors(
    name: str, messages: list[dict[str, Any]], api: int, functions: list[dict[str, Any]] | None, function_call: Any
) -> None:
    # messages by the cookbook; definitions rendered (+3, or merged into the first system message −1); function
    # results 3 + name + content; function calls 3 + tokens("assistant to=functions.<name>") + arguments
    request: dict[str, Any] = {"messages": messages}
    if functions is not None:
        request["functions"] = functions
    assert prompt_tokens("gpt-3.5-turbo", function_call, **request) == api


WEATHER = {
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}
WEATHER_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


@pytest.mark.parametrize(
    ("model", "api"),
    [
        ("gpt-4o", 101),  # messages 33 + rendered text merged into the system message 68 (cookbook, o200k)
        ("gpt-4o-mini", 101),
        ("gpt-3.5-turbo", 105),  # 34 + 71 (cl100k)
        ("gpt-4", 105),
    ],
)
def test_cookbook_tool_vector(model: str, api: int) -> None:
    tools = [{"type": "function", "function": WEATHER}]
    assert prompt_tokens(model, messages=WEATHER_MESSAGES, tools=tools) == api
    assert prompt_tokens(model, messages=WEATHER_MESSAGES, functions=[WEATHER]) == api  # legacy: the same


def test_rendered_text() -> None:
    text = render_functions([Tool(WEATHER["name"], WEATHER["description"], WEATHER["parameters"])])
    assert text == (
        FUNCTIONS_HEADER + "// Get the current weather in a given location\n"
        "type get_current_weather = (_: {\n"
        "// The city and state, e.g. San Francisco, CA\n"
        "location: string,\n"
        "// The unit of temperature to return\n"
        'unit?: "celsius" | "fahrenheit",\n'
        "}) => any;\n\n" + FUNCTIONS_FOOTER
    )


@pytest.mark.parametrize(
    ("schema", "rendered"),
    [
        ({"type": "integer", "enum": [-1, 1]}, "-1 | 1"),
        ({"type": "array", "items": {"type": "string"}}, "string[]"),
        (
            {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "number", "description": "x"}}}},
            "{\n  a?: number,\n}[]",
        ),  # nested objects keep no property descriptions
        ({"anyOf": [{"type": "string", "const": "a"}, {"type": "number"}]}, "string | number"),  # const: its type
        ({"type": ["string", "null"]}, "string | null"),
        ({"type": "object"}, "object"),
        ({}, "any"),
    ],
)
def test_render_type(schema: dict[str, Any], rendered: str) -> None:
    assert render_type(schema) == rendered


@pytest.mark.parametrize(
    ("tool_choice", "tokens"),
    [
        (None, 0),  # auto, required or not sent
        ("none", 1),
        ("function:do_stuff", 4 + 2),  # legacy function_call: 4 + tokens("do_stuff")
        ("tool:search_sources", 7 + 2),  # tool_choice: 7 + tokens(name)
    ],
)
def test_tool_choice_tokens(tool_choice: str | None, tokens: int) -> None:
    assert tool_choice_tokens(TokenCounter("cl100k_base").count, tool_choice) == tokens


@pytest.mark.parametrize(
    ("request_fields", "expected"),
    [
        ({"tool_choice": "auto"}, None),
        ({"tool_choice": "required"}, None),
        ({"tool_choice": "none"}, "none"),
        ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, "tool:f"),  # Chat Completions
        ({"tool_choice": {"type": "function", "name": "f"}}, "tool:f"),  # Responses API shape
        ({"function_call": {"name": "f"}}, "function:f"),  # legacy
        ({"function_call": "none"}, "none"),
    ],
)
def test_tool_choice_is_read_into_the_record(request_fields: dict[str, Any], expected: str | None) -> None:
    line = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}], **request_fields}
    assert to_record(line, 1).tool_choice == expected


def test_texts_of_a_call_message_with_several_content_parts_split_by_the_call_count() -> None:
    # Two text parts, then one call: the reader says 1 call, so both texts stay content.
    from fineadvisor.measure.functions import split_calls

    assert split_calls(("a", "b", "f", "{}"), 1) == (("a", "b"), [("f", "{}")])
    assert split_calls(("a", "b", "f", "{}")) == ((), [("a", "b"), ("f", "{}")])  # unknown count: all pairs


def _call(name: str, arguments: str, call_id: str = "c") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


CALC_USER = {"role": "user", "content": [{"type": "text", "text": "How much is 2 plus 2?"}]}
CALC = _call("calculator", '{"a":2, "b":2}', "a")
WORM_SYSTEM = (
    "You are a helpful assistant that can generate images when requested. When a user asks for an image, "
    "use the generate_image tool to create it."
)
WORM_ARGS = (
    '{"description":"A close-up of a worm in a natural setting. The worm is brown and slightly glistening, '
    "resting on moist soil surrounded by small green leaves and scattered pebbles. The background features a "
    'blurred garden setting with sunlight filtering through the leaves."}'
)
WORM_RESULT = (
    "Image generated successfully and saved to generated_a59b3623.png. Description: A close-up of a worm in "
    "a natural setting. The worm is brown and slightly glistening, resting on moist soil surrounded by small "
    "green leaves and scattered pebbles. The background features a blurred garden setting with sunlight "
    "filtering through the leaves."
)


@pytest.mark.parametrize(
    ("model", "messages", "billed"),
    [
        # forestwanglin/openai-java#5 (gpt-4): call 3 + tokens("assistant to=functions.get_current_weather") 7 + args 11
        # = 21; named result 3 + name 3 + content 5 = 11; + 3 priming = 35
        (
            "gpt-4",
            [
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [_call("get_current_weather", '{\n  "location": "Boston, MA"\n}')],
                },
                {"role": "tool", "tool_call_id": "c", "name": "get_current_weather", "content": "29 degree celcius"},
            ],
            35,
        ),
        # community.openai.com/t/538914 (gpt-3.5-turbo): user 13; call 3 + 6 + 10 = 19; result (name from the call)
        # 3 + 1 + 1 = 5; + 3 = 40
        (
            "gpt-3.5-turbo",
            [CALC_USER, {"role": "assistant", "tool_calls": [CALC]}, {"role": "tool", "tool_call_id": "a", "content": "4"}],
            40,
        ),
        # the same with 2 and 3 parallel calls: 13 + n × 24 + (23 + n) + 3 = 89, 114
        (
            "gpt-3.5-turbo",
            [
                CALC_USER,
                {"role": "assistant", "tool_calls": [CALC, CALC]},
                *[{"role": "tool", "tool_call_id": "a", "content": "4"}] * 2,
            ],
            89,
        ),
        (
            "gpt-3.5-turbo",
            [
                CALC_USER,
                {"role": "assistant", "tool_calls": [CALC, CALC, CALC]},
                *[{"role": "tool", "tool_call_id": "a", "content": "4"}] * 3,
            ],
            114,
        ),
    ],
)
def test_recorded_tool_call_exchanges(model: str, messages: list[dict[str, Any]], billed: int) -> None:
    assert prompt_tokens(model, messages=messages) == billed


def test_recorded_o200k_call_and_result_pair() -> None:
    """Wolbyworld/scratch_pad_tool_experiment (gpt-4o-mini-2024-07-18): billed 94 → 231 when one call + result joined.

    137 = call 3 + tokens("assistant to=functions.generate_image") 6 + args 54 + 3 (o200k) + result 3 + name 2
    + content 66; the tool definitions (not logged) are the same in both requests and cancel out.
    """
    before = [{"role": "system", "content": WORM_SYSTEM}, {"role": "user", "content": "create the image of a worm"}]
    after = [
        *before,
        {"role": "assistant", "content": None, "tool_calls": [_call("generate_image", WORM_ARGS)]},
        {"role": "tool", "tool_call_id": "c", "content": WORM_RESULT},
    ]
    assert prompt_tokens("gpt-4o-mini", messages=after) - prompt_tokens("gpt-4o-mini", messages=before) == 231 - 94


@pytest.mark.parametrize(
    ("texts", "split"),
    [
        (("f", "{}"), ((), [("f", "{}")])),
        (("", "f", "{}"), (("",), [("f", "{}")])),  # content "" then one call
        (("I'll check.", "f", "{}", "g", "[]"), (("I'll check.",), [("f", "{}"), ("g", "[]")])),
    ],
)
def test_split_calls(texts: tuple[str, ...], split: tuple[tuple[str, ...], list[tuple[str, str]]]) -> None:
    assert (tuple(split_calls(texts)[0]), split_calls(texts)[1]) == split


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)
_schemas = st.dictionaries(
    st.sampled_from(["type", "properties", "items", "enum", "anyOf", "required", "description", "const"]), _json, max_size=5
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=20), _schemas), max_size=3), st.text(max_size=20))
def test_any_schema_renders_and_costs_its_text(tools: list[tuple[str, str, dict[str, Any]]], system: str) -> None:
    # Whatever a log holds as a schema, rendering never fails and a lone tool text costs tokens(text) + 3.
    rendered = render_functions([Tool(*t) for t in tools])
    counter = TokenCounter("o200k_base")
    assert definition_tokens(counter.count, rendered, None) == counter.count(rendered) + NEW_SYSTEM_MESSAGE_TOKENS
    assert definition_tokens(counter.count, rendered, system) >= counter.count(rendered) - 2
