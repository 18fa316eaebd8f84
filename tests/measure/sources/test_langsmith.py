"""LangSmith LLM runs (LangChain, wrapped SDKs, traceable, bulk export) become records; other runs are skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.records import Usage
from fineadvisor.measure.sources import RecordError, source_of, to_record, to_records
from fineadvisor.measure.sources.langsmith import SOURCES

DATA = Path(__file__).parents[2] / "data" / "sources" / "langsmith"


def lc(cls: str, **kwargs: Any) -> dict[str, Any]:
    return {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", cls], "kwargs": kwargs}


def run(**fields: Any) -> dict[str, Any]:
    return {"id": "r1", "name": "ChatOpenAI", "run_type": "llm", "inputs": {"messages": [[lc("HumanMessage", content="Hi")]]},
            "outputs": None, "extra": {"metadata": {"ls_model_name": "gpt-4o-mini"}}, "error": None, **fields}


def generations(**kwargs: Any) -> dict[str, Any]:
    return {"generations": [[{"text": "OK", "message": lc("AIMessage", content="OK", **kwargs)}]]}


@pytest.mark.parametrize(
    ("fields", "usage"),
    [
        # usage_metadata: input_tokens already includes cache reads/writes, output_tokens includes reasoning
        ({"outputs": generations(usage_metadata={"input_tokens": 120, "output_tokens": 30, "input_token_details": {
            "cache_read": 64, "cache_creation": 6}, "output_token_details": {"reasoning": 10}})},
         Usage(120, 30, 64, 6, 10)),
        # JS SDK Anthropic TTL split instead of cache_creation: 20 + 30 written
        ({"outputs": {"usage_metadata": {"input_tokens": 500, "output_tokens": 5, "input_token_details": {
            "cache_read": 100, "ephemeral_5m_input_tokens": 20, "ephemeral_1hr_input_tokens": 30}}}},
         Usage(500, 5, 100, 50, 0)),
        ({"extra": {"metadata": {"usage_metadata": {"input_tokens": 33, "output_tokens": 11}}}}, Usage(33, 11)),
        # raw OpenAI usage in outputs; LangChain's llm_output (Anthropic: 200 + 1000 read + 300 written)
        ({"outputs": {"choices": [{"message": {"role": "assistant", "content": "x"}}],
                      "usage": {"prompt_tokens": 9, "completion_tokens": 5}}}, Usage(9, 5)),
        ({"outputs": {"generations": [[{"text": "x"}]], "llm_output": {"usage": {
            "input_tokens": 200, "output_tokens": 40, "cache_read_input_tokens": 1000,
            "cache_creation_input_tokens": 300}}}}, Usage(1500, 40, 1000, 300, 0)),
        # the run's own counts (older exports) with details
        ({"prompt_tokens": 70, "completion_tokens": 20, "prompt_token_details": {"cache_read": 10},
          "completion_token_details": {"reasoning": 4}}, Usage(70, 20, 10, 0, 4)),
        # usage_metadata wins over the run's counts
        ({"prompt_tokens": 99, "completion_tokens": 99,
          "outputs": generations(usage_metadata={"input_tokens": 8, "output_tokens": 2})}, Usage(8, 2)),
        ({"prompt_tokens": 0, "completion_tokens": 0}, None),
        ({}, None),
    ],
)
def test_usage(fields: dict[str, Any], usage: Usage | None) -> None:
    assert to_record(run(**fields), 1).usage == usage


def test_langchain_messages_tools_and_output() -> None:
    rec = to_record(run(
        inputs={"messages": [[
            lc("SystemMessage", content="Be terse."),
            lc("HumanMessage", content=[{"type": "text", "text": "Order 7?"}]),
            # Anthropic tool_use block and the same call in tool_calls: counted once
            lc("AIMessage", content=[{"type": "tool_use", "id": "t7", "name": "order", "input": {"id": 7}}],
               tool_calls=[{"name": "order", "args": {"id": 7}, "id": "t7", "type": "tool_call"}]),
            lc("ToolMessage", content="delivered", tool_call_id="t7"),
            lc("AIMessage", content="", additional_kwargs={"tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "order", "arguments": "{\"id\":8}"}}]}),
            lc("ChatMessage", content="note", role="critic"),
        ]]},
        outputs=generations(),
        extra={"invocation_params": {"model": "claude-sonnet-4-5", "tools": [
            {"name": "order", "description": "Order status", "input_schema": {"type": "object"}}]},
               "metadata": {"ls_provider": "anthropic"}},
    ), 3)
    assert [(m.role, m.texts) for m in rec.prompt] == [
        ("system", ("Be terse.",)), ("user", ("Order 7?",)), ("assistant", ("order", '{"id":7}')),
        ("tool", ("delivered",)), ("assistant", ("", "order", '{"id":8}')), ("critic", ("note",))]
    assert rec.prompt[2].tool_call and rec.prompt[4].tool_call
    assert [(t.name, dict(t.parameters)) for t in rec.tools] == [("order", {"type": "object"})]
    assert [(m.role, m.texts) for m in rec.completion] == [("assistant", ("OK",))]
    assert (rec.source, rec.line_no, rec.model) == ("langsmith", 3, "claude-sonnet-4-5")


@pytest.mark.parametrize(
    ("fields", "prompt", "completion"),
    [
        ({"inputs": {"prompts": ["Complete: fox"]}, "outputs": {"generations": [[{"text": " jumps"}]]}},
         [("user", ("Complete: fox",))], [("assistant", (" jumps",))]),
        # wrapped OpenAI SDK: raw kwargs and ChatCompletion
        ({"inputs": {"messages": [{"role": "user", "content": "Q"}], "model": "gpt-4.1"},
          "outputs": {"choices": [{"message": {"role": "assistant", "content": "A"}}]}},
         [("user", ("Q",))], [("assistant", ("A",))]),
        # wrapped Anthropic SDK: system field and content blocks
        ({"inputs": {"system": "Rules.", "messages": [{"role": "user", "content": "Q"}]},
          "outputs": {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "A"}]}},
         [("system", ("Rules.",)), ("user", ("Q",))], [("assistant", ("A",))]),
        # traceable with LangChain dict messages ({"type": "human"}) and {"message": ...} output
        ({"inputs": {"messages": [{"type": "human", "content": "Q"}, {"type": "ai", "content": "A0"}]},
          "outputs": {"message": {"role": "assistant", "content": "A"}}},
         [("user", ("Q",)), ("assistant", ("A0",))], [("assistant", ("A",))]),
        # messages_to_dict() shape
        ({"inputs": {"messages": [[{"type": "human", "data": {"content": "Q", "type": "human"}}]]}, "outputs": None},
         [("user", ("Q",))], []),
        # bulk export converted to JSON lines: JSON string columns
        ({"inputs": json.dumps({"messages": [[lc("HumanMessage", content="Q")]]}),
          "outputs": json.dumps({"generations": [[{"text": "A"}]]})}, [("user", ("Q",))], [("assistant", ("A",))]),
        # Responses API through a wrapper
        ({"inputs": {"input": "Q", "instructions": "Short."}, "outputs": {"output": [
            {"type": "message", "content": [{"type": "output_text", "text": "A"}]}]}},
         [("developer", ("Short.",)), ("user", ("Q",))], [("assistant", ("A",))]),
    ],
)
def test_input_and_output_shapes(fields: dict[str, Any], prompt: list[Any], completion: list[Any]) -> None:
    rec = to_record(run(**fields), 1)
    assert [(m.role, m.texts) for m in rec.prompt] == prompt
    assert [(m.role, m.texts) for m in rec.completion] == completion


@pytest.mark.parametrize(
    ("fields", "model"),
    [
        ({"extra": {"metadata": {"ls_model_name": "gpt-4o-mini"}, "invocation_params": {"model": "x"}}}, "gpt-4o-mini"),
        ({"extra": {"invocation_params": {"model_name": "gpt-3.5-turbo-instruct"}}}, "gpt-3.5-turbo-instruct"),
        ({"extra": {}, "inputs": {"messages": [{"role": "user", "content": "Q"}], "model": "gpt-4.1"}}, "gpt-4.1"),
        ({"extra": {}, "outputs": {"generations": [[{"text": "x"}]], "llm_output": {"model_name": "gpt-4o"}}}, "gpt-4o"),
    ],
)
def test_model(fields: dict[str, Any], model: str) -> None:
    assert to_record(run(**fields), 1).model == model


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (run(run_type="chain"), "'chain' run 'ChatOpenAI' is not a model call"),
        (run(run_type="tool"), "is not a model call"),
        (run(run_type="retriever"), "is not a model call"),
        (run(run_type="embedding"), "embeddings call"),
        (run(error="RateLimitError: 429"), "failed: RateLimitError: 429"),
        (run(status="error"), "failed: no error text"),
        (run(inputs={"messages": [[lc("HumanMessage", content="a")], [lc("HumanMessage", content="b")]]}),
         "batch of 2 prompts"),
        (run(inputs={}), "no inputs.messages or inputs.prompts and no token usage"),
        (run(inputs={"messages": [{"content": "no role"}]}), "has no \"role\""),
    ],
)
def test_skipped_with_reason(line: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        to_record(line, 1)


def test_usage_only_run() -> None:
    rec = to_record(run(inputs={"custom": 1}, prompt_tokens=5, completion_tokens=2), 1)
    assert (rec.prompt, rec.usage) == ((), Usage(5, 2))


def test_runs_page_expands() -> None:
    page = {"runs": [run(outputs=generations(usage_metadata={"input_tokens": 3, "output_tokens": 1})),
                     run(run_type="chain")], "cursors": {}}
    first, second = list(to_records(page, 1))
    assert not isinstance(first, RecordError) and first.usage == Usage(3, 1)
    assert isinstance(second, RecordError)


def test_examples_read() -> None:
    for source in SOURCES:
        records = list(to_records(json.loads(source.example), 1))
        assert records and not any(isinstance(r, RecordError) for r in records), source.title


@pytest.mark.parametrize(
    ("name", "n_in", "n_out"),
    [
        ("langchain_runs.jsonl", 1629, 75),  # 120 + 1500 + 9; 30 + 40 + 5
        ("sdk_runs.jsonl", 303, 81),  # 200 + 33 + 70; 50 + 11 + 20
        ("runs_query_page.jsonl", 10, 4),
    ],
)
def test_fixture_totals(name: str, n_in: int, n_out: int) -> None:
    a = analyze_logs([str(DATA / name)])
    assert (a.profile.input_tokens.total, a.profile.output_tokens.total) == (n_in, n_out)
    assert [f for _, formats in a.formats for f, _ in formats] == ["langsmith"]


@pytest.mark.parametrize(
    "line",
    [
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
        {"call_type": "acompletion", "model": "gpt-4o", "messages": [], "prompt_tokens": 1, "startTime": "t"},
        {"request": {"model": "gpt-4o", "messages": []}, "response": {}},
        {"id": "g", "traceId": "t", "type": "GENERATION", "startTime": "s", "input": "x"},
        {"runs": [], "cursors": {}},
        {"inputs": {"messages": []}},  # no run_type
    ],
)
def test_does_not_match_other_formats(line: dict[str, Any]) -> None:
    source = source_of(line)
    assert source is None or source.name != "langsmith"
