"""Counting by the cookbook's rules, checked against the API-billed test vectors TV1 and TV2."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.measure.encodings import choose_encoding
from fineadvisor.measure.sources import to_record
from fineadvisor.measure.tokens import CACHE_ENTRIES, RecordCounter, TokenCounter

TV1 = [
    {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon "
                                  "into plain English."},
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch "
                                                          "base on opportunities for increased leverage."},
    {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to "
                                                               "do better."},
    {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client "
                                "deliverable."},
]

TV2_TOOLS = [{"type": "function", "function": {
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "description": "The unit of temperature to return",
                 "enum": ["celsius", "fahrenheit"]}},
        "required": ["location"]}}}]
TV2_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


def count(model: str, **request: Any) -> Any:
    return RecordCounter(choose_encoding(model)).count(to_record({"model": model, **request}, 1))


@pytest.mark.parametrize(
    ("model", "prompt_tokens"),
    [
        # TV1: cl100k content+roles+names [19,13,12,21,19,20]=104, + 6×3 + 4 names×1 + 3 = 129
        ("gpt-3.5-turbo", 129),
        ("gpt-4-0613", 129),
        ("gpt-4", 129),
        # o200k [18,13,12,20,17,19]=99, + 18 + 4 + 3 = 124
        ("gpt-4o", 124),
        ("gpt-4o-mini", 124),
        ("gpt-4.1-mini", 124),  # tokencost says 129 here: it wrongly uses cl100k
        ("ft:gpt-4.1-mini-2025-04-14:org::id", 124),
    ],
)
def test_tv1_billed_prompt_tokens(model: str, prompt_tokens: int) -> None:
    assert count(model, messages=TV1).counted_input_tokens == prompt_tokens


def test_tv1_parts() -> None:
    """Named example_user/example_assistant messages are few-shot; the plain system message is system."""
    rt = count("gpt-4o", messages=TV1)
    # system: 3 + role 1 + 17 content = 21; examples: 4 × (3 + 1 role + 1 name-token + name tokens + content)
    assert (rt.system_tokens, rt.named_example_tokens, rt.query_tokens) == (21, 78, 25)
    assert rt.named_examples == 2
    assert rt.system_tokens + rt.named_example_tokens + rt.query_tokens == 124


@pytest.mark.parametrize(
    ("model", "total", "tools"),
    [
        # TV2: messages 34 (cl100k) / 33 (o200k) + tool definitions 71 / 68 = API's 105 / 101
        ("gpt-3.5-turbo", 105, 71),
        ("gpt-4", 105, 71),
        ("gpt-4o", 101, 68),
        ("gpt-4o-mini", 101, 68),
    ],
)
def test_tv2_tool_definitions(model: str, total: int, tools: int) -> None:
    rt = count(model, messages=TV2_MESSAGES, tools=TV2_TOOLS)
    assert (rt.counted_input_tokens, rt.tool_tokens) == (total, tools)


def test_anthropic_tools_use_the_same_rule() -> None:
    """Anthropic's input_schema is rendered like OpenAI's parameters (marked approximate for Claude)."""
    fn = TV2_TOOLS[0]["function"]
    rt = count("gpt-4o", system=TV2_MESSAGES[0]["content"], messages=TV2_MESSAGES[1:],
               tools=[{"name": fn["name"], "description": fn["description"], "input_schema": fn["parameters"]}])
    assert rt.tool_tokens == 68


@pytest.mark.parametrize(
    ("messages", "parts"),
    [
        # one user turn: query = 3 + 1 + tokens("Hello!") 2 + 3 priming = 9
        ([{"role": "user", "content": "Hello!"}], (0, 0, 0, 9)),
        # system 3+1+tokens("Be brief.") 3 = 7; user as above without priming 6 + 3
        ([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}], (7, 0, 0, 9)),
        # a developer message is system-level too
        ([{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hello!"}], (7, 0, 0, 9)),
        # earlier (user, assistant) turn is a few-shot candidate pair (6 + 3+1+1 "Hi" = 11); final turn 9
        ([{"role": "user", "content": "Hello!"}, {"role": "assistant", "content": "Hi"},
          {"role": "user", "content": "Hello!"}], (0, 11, 0, 9)),
        # an assistant tool call breaks the pair run: the rest before the final turn is history
        ([{"role": "user", "content": "Hello!"}, {"role": "assistant", "content": None,
          "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "42"}],
         # history: user 6 + call 3 + tokens("assistant to=functions.f") 5 + "{}" 1 + 3 (o200k) = 18;
         # query: result 3 + its function's name "f" 1 + "42" 1, + 3 priming = 8
         (0, 0, 6 + 3 + 5 + 1 + 3, 3 + 1 + 1 + 3)),
    ],
)
def test_parts_of_a_request(messages: list[dict[str, Any]], parts: tuple[int, int, int, int]) -> None:
    rt = count("gpt-4o", messages=messages)
    pair_tokens = sum(t for _, t in rt.pairs)
    assert (rt.system_tokens, pair_tokens, rt.history_tokens, rt.query_tokens) == parts
    assert rt.counted_input_tokens == sum(parts)


def test_fine_tuning_example_output_and_example_tokens() -> None:
    """In a training example the final assistant message is the output; example tokens follow the cookbook."""
    rt = count("gpt-4o", messages=[{"role": "user", "content": "Hello!"}, {"role": "assistant", "content": "Hi"}])
    assert rt.source == "chat_request"  # "model" present → a request; its final assistant message is prefill
    ft = RecordCounter(choose_encoding("gpt-4o")).count(to_record(
        {"messages": [{"role": "user", "content": "Hello!"}, {"role": "assistant", "content": "Hi"}]}, 1))
    # prompt 9; output content "Hi" = 1; example = (3+1+2) + (3+1+1) + 3 = 14
    assert (ft.counted_input_tokens, ft.output_tokens, ft.example_tokens, ft.assistant_tokens) == (9, 1, 14, 1)


def test_identical_strings_are_encoded_once() -> None:
    counter = TokenCounter("o200k_base")
    for _ in range(1000):
        assert counter.count("the same long system prompt " * 20) == 101  # 5 tokens × 20 + trailing space
    assert (counter.strings_seen, counter.strings_encoded) == (1000, 1)


def test_cache_is_bounded_and_keeps_hot_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bound, the cache rolls a generation; an entry used in both generations survives."""
    monkeypatch.setattr("fineadvisor.measure.tokens.CACHE_ENTRIES", 10)
    counter = TokenCounter("o200k_base")
    for i in range(25):
        counter.count("system prompt")
        counter.count(f"query {i}")
    assert len(counter._hot) + len(counter._cold) <= 20
    assert counter.strings_encoded == 26  # "system prompt" once + 25 queries
    assert CACHE_ENTRIES >= 100_000


@pytest.mark.parametrize(
    ("texts", "encoded_by_prefetch"),
    [
        (["a b c", "a b c", "d e"], 2),  # duplicates within one prefetch: encoded once
        (["x" * 1_000_001, "short"], 1),  # over CACHE_CHARS // 8 characters: left to lookup, not cached
        ([], 0),
    ],
)
def test_prefetch_encodes_new_strings_once_and_lookups_then_hit(texts: list[str], encoded_by_prefetch: int) -> None:
    counter = TokenCounter("o200k_base")
    counter.prefetch(texts)
    assert counter.strings_encoded == encoded_by_prefetch
    fresh = TokenCounter("o200k_base")
    assert [counter.lookup(t) for t in texts] == [fresh.lookup(t) for t in texts]
    uncached = sum(len(t) > 1_000_000 for t in texts)  # encoded again by lookup, as without prefetch
    assert counter.strings_encoded == encoded_by_prefetch + uncached


def test_prefetch_skips_cached_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fineadvisor.measure.tokens.CACHE_ENTRIES", 4)
    counter = TokenCounter("o200k_base")
    counter.count("old")
    counter.prefetch(["old", "p", "q", "r", "s"])  # "old" is cached; storing "s" rolls {old, p, q, r} to cold
    assert counter.strings_encoded == 1 + 4
    assert [counter.count(t) for t in ("old", "p", "q", "r", "s")] == [1, 1, 1, 1, 1]
    assert counter.strings_encoded == 5  # every lookup hit, in the hot or the cold generation


def test_name_costs_one_token_plus_its_text() -> None:
    base = count("gpt-4o", messages=[{"role": "user", "content": "Hello!"}]).counted_input_tokens
    named = count("gpt-4o", messages=[{"role": "user", "name": "bob", "content": "Hello!"}]).counted_input_tokens
    assert named - base == 1 + 1  # tokens_per_name + tokens("bob")


def test_counts_of_reused_leading_messages_equal_fresh_counts() -> None:
    # The same Message objects lead each record (as to_record returns them with reuse); a named example and an
    # image-less URL part among them must still add their name tokens and uncounted parts to every record.
    from fineadvisor.measure._fast.reuse import LeadingReuse
    from fineadvisor.measure.sources import MessageReuse

    shared = [*TV1[:3], {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]
    lines = [{"model": "gpt-4o", "messages": [*shared, {"role": "user", "content": f"query {i}"}],
              "response": {"choices": [{"message": {"role": "assistant", "content": f"answer {i}"}}]}}
             for i in range(5)]
    reuse: MessageReuse = LeadingReuse()
    records = [to_record(line, i, reuse) for i, line in enumerate(lines)]
    assert records[4].prompt[0] is records[2].prompt[0]
    counter = RecordCounter(choose_encoding("gpt-4o"))
    reused = [counter.count(r) for r in records]
    fresh = [RecordCounter(choose_encoding("gpt-4o")).count(to_record(line, i)) for i, line in enumerate(lines)]
    assert reused == fresh
    assert all(rt.uncounted_parts == 1 and rt.named_example_tokens > 0 for rt in reused)


# Shared raw messages: the same dict objects start many lines, as the prefix parser hands them out.
_POOL: list[dict[str, Any]] = [
    {"role": "system", "content": "You are a support assistant for Acme."},
    {"role": "developer", "content": "Answer in one paragraph."},
    {"role": "system", "name": "example_user", "content": "Where is my order?"},
    {"role": "system", "name": "example_assistant", "content": "It ships tomorrow."},
    {"role": "user", "content": "How do I reset my password?"},
    {"role": "assistant", "content": "Use the link on the login page."},
    {"role": "user", "content": "Can I change my plan?"},
    {"role": "assistant", "content": "Yes, under Billing."},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
                                                           "function": {"name": "lookup", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "order 42: shipped"},
    {"role": "user", "name": "bob", "content": "Hi, it's Bob."},
]


# Runs of pool messages as they appear in logs: system blocks, named examples, few-shot pairs, tool calls, strays.
_BLOCKS = [[0], [1], [0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [8, 9, 5], [10], [4], [5]]
_messages = st.lists(st.sampled_from(_BLOCKS), max_size=4).map(lambda blocks: [i for b in blocks for i in b])


@settings(max_examples=300, deadline=None)
@given(st.lists(_messages, min_size=1, max_size=3),
       st.lists(st.tuples(st.integers(0, 2), _messages, st.sampled_from(["user", "assistant", "tool"]), st.booleans()),
                min_size=1, max_size=12))
def test_reuse_and_run_summaries_change_no_count(prefixes: list[list[int]],
                                                 records: list[tuple[int, list[int], str, bool]]) -> None:
    # Records start with one of a few shared prefixes, go on with shared messages, and end with a new one; counted
    # by one counter (reusing counts and run summaries) and each by a fresh counter, every field is the same.
    from fineadvisor.measure._fast.reuse import LeadingReuse
    from fineadvisor.measure.sources import MessageReuse

    lines = []
    for n, (p, suffix, last_role, with_output) in enumerate(records):
        messages = [_POOL[i] for i in prefixes[p % len(prefixes)] + suffix]
        messages.append({"role": last_role, "content": f"new message {n}"})
        line: dict[str, Any] = {"request": {"model": "gpt-4o", "messages": messages}}
        if with_output:
            line["response"] = {"choices": [{"message": {"role": "assistant", "content": f"answer {n}"}}]}
        lines.append(line)
    reuse: MessageReuse = LeadingReuse()
    shared = RecordCounter(choose_encoding("gpt-4o"))
    counted = [shared.count(to_record(line, i, reuse)) for i, line in enumerate(lines)]
    fresh = [RecordCounter(choose_encoding("gpt-4o")).count(to_record(line, i)) for i, line in enumerate(lines)]
    assert counted == fresh


ANTHROPIC_WEATHER = {"name": TV2_TOOLS[0]["function"]["name"], "description": TV2_TOOLS[0]["function"]["description"],
                     "input_schema": TV2_TOOLS[0]["function"]["parameters"]}


@pytest.mark.parametrize(
    ("model", "input_tokens", "tool_tokens"),
    [
        # rendered text 69 + 3 (Claude's tools are not merged into the system) + the tool-use system prompt 346
        ("claude-sonnet-4-5", None, 69 + 3 + 346),  # no billed usage: the documented overhead is counted
        ("claude-sonnet-4-5", 500, 69 + 3 + 346),  # billed 500 vs counted 90 = 18 + 72: 410 ≥ 3/4 × 346 = 259.5
        ("claude-sonnet-4-5", 300, 69 + 3),  # billed 300: 210 over, under 259.5, so the overhead is not assumed
        ("claude-3-opus-20240229", None, 69 + 3 + 530),  # Claude 3 Opus: 530 (auto)
        ("claude-3-haiku-20240307", None, 69 + 3 + 264),
    ],
)
def test_anthropic_tool_use_system_prompt(model: str, input_tokens: int | None, tool_tokens: int) -> None:
    line: dict[str, Any] = {"model": model, "max_tokens": 10, "system": "Be brief.",
                            "messages": [{"role": "user", "content": "Weather in SF?"}], "tools": [ANTHROPIC_WEATHER]}
    if input_tokens is not None:
        line = {"request": line, "response": {"type": "message", "role": "assistant", "model": model,
                                              "content": [{"type": "text", "text": "Sunny."}],
                                              "usage": {"input_tokens": input_tokens, "output_tokens": 2}}}
    rt = RecordCounter(choose_encoding(model)).count(to_record(line, 1))
    assert rt.tool_tokens == tool_tokens
    assert rt.counted_input_tokens == 18 + tool_tokens  # system 3+1+3 + user 3+1+4 + 3 priming = 18


def test_tool_definitions_are_counted_once_per_tool_set_and_system() -> None:
    """A log's many records share few tool sets: each (tool set, system message) is rendered and encoded once."""
    counter = RecordCounter(choose_encoding("gpt-4o"))
    for i in range(50):
        counter.count(to_record({"model": "gpt-4o", "messages": [*TV2_MESSAGES[:1], {"role": "user", "content": f"q{i}"}],
                                 "tools": TV2_TOOLS}, i))
    assert len(counter._tool_memo) == 1


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_prefetch_on_threads_caches_the_same_counts(threads: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings encoded in runs on several threads (a sample's) are cached with the counts one at a time gives."""
    from fineadvisor.measure import tokens

    monkeypatch.setattr(tokens, "THREADED_CHARS", 1)  # thread even these few strings
    texts = [f"line {i}: " + "héllo wörld 123 " * (i % 17) for i in range(101)]
    expected = [len(tokens.load_encoding("o200k_base").encode_ordinary(t)) for t in texts]
    counter = tokens.TokenCounter("o200k_base")
    counter.prefetch(texts, threads)
    assert counter.strings_encoded == len(set(texts))
    assert [counter.count(t) for t in texts] == expected and counter.strings_encoded == len(set(texts))
