"""LangSmith: LLM runs as the SDK's `Run` schema, `Client.list_runs`, the REST `/runs/query` and bulk export write them.

Schemas: docs.smith.langchain.com/reference/data_formats/run_data_format (the Run fields: `run_type`, `inputs`,
`outputs`, `extra`, `error`, `status`, `prompt_tokens`, `completion_tokens`, `prompt_token_details`,
`completion_token_details`); docs.langchain.com/langsmith/log-llm-trace (what an LLM run holds: `inputs.messages` in
LangChain, OpenAI or Anthropic shape, `outputs.choices` / `outputs.message`, `outputs.usage_metadata`, and
`extra.metadata.ls_model_name` / `ls_provider`); docs.langchain.com/langsmith/data-export (bulk export: Parquet with the
Run fields, whose JSON columns may arrive as strings once converted to JSON lines). A LangChain chat model run holds
`inputs.messages` as [[serialized messages]] ({"lc": 1, "type": "constructor", "id": [..., "HumanMessage"], "kwargs"})
and `outputs.generations` [[{"text", "message"}]] with `llm_output.token_usage`; its tools are in
`extra.invocation_params.tools`. `usage_metadata` (langsmith.schemas.UsageMetadata) counts `input_tokens` including
cache reads and writes (`input_token_details.cache_read` / `cache_creation`, or the TTL split
`ephemeral_5m_input_tokens` / `ephemeral_1h(r)_input_tokens` that the JS SDK writes instead) and `output_tokens`
including `output_token_details.reasoning`: the same convention as `Usage`.

The LangChain message helpers here (roles, serialized messages, LangChain tool calls, tools) are shared with the
Langfuse reader, whose LangChain integration logs the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fineadvisor.measure.records import Image, Message, Record, Tool, Usage
from fineadvisor.measure.sources.base import (
    MessageReuse,
    RecordError,
    Source,
    json_field,
    model_of,
    shown,
    token_count,
    type_name,
)
from fineadvisor.measure.sources.shapes import (
    MAX_MESSAGES_PER_RECORD,
    anthropic_blocks,
    checked_usage,
    content_parts,
    function_strings,
    json_text,
    response_messages,
    responses_body,
    tool_of,
    usage_of,
)

# ---------------------------------------------------------------- LangChain messages (shared with langfuse.py)

LANGCHAIN_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool", "function": "function",
                   "developer": "developer", "user": "user", "assistant": "assistant", "model": "assistant"}
"""LangChain message types (and OpenAI roles) → the role billed."""
_CLASS_ROLES = {"HumanMessage": "user", "AIMessage": "assistant", "SystemMessage": "system", "ToolMessage": "tool",
                "FunctionMessage": "function"}
_ANTHROPIC_BLOCKS = frozenset({"tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use",
                               "web_search_tool_result"})


def as_dict(value: object) -> dict[str, Any]:
    """`value` if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def langchain_role(m: Mapping[str, Any]) -> tuple[object, Mapping[str, Any]]:
    """A message in any LangChain serialization (or OpenAI's) as (role, its fields)."""
    kwargs = m.get("kwargs")
    if m.get("lc") == 1 and isinstance(kwargs, dict):  # dumpd(): {"lc": 1, "type": "constructor", "id": [...], "kwargs"}
        ident = m.get("id")
        cls = ident[-1] if isinstance(ident, list) and ident and isinstance(ident[-1], str) else ""
        role = _CLASS_ROLES.get(cls.removesuffix("Chunk"))
        return role or kwargs.get("role") or kwargs.get("type"), kwargs
    data = m.get("data")
    if isinstance(data, dict) and "role" not in m and isinstance(m.get("type"), str):  # messages_to_dict()
        return data.get("role") if m["type"] == "chat" else m["type"], data
    return m.get("role") if m.get("role") is not None else m.get("type"), m


def chat_message(m: object, where: str) -> Message:
    """One message of OpenAI, Anthropic or LangChain shape (serialized, dict or ("human", "text") pair)."""
    if isinstance(m, str):
        return Message("user", (m,))
    if isinstance(m, list) and len(m) == 2 and isinstance(m[0], str) and isinstance(m[1], str):
        return Message(LANGCHAIN_ROLES.get(m[0], m[0]), (m[1],))
    if not isinstance(m, dict):
        raise RecordError(f"{where} must be a message object, got {type_name(m)}", "data_type")
    role, fields = langchain_role(m)
    if not isinstance(role, str) or not role:
        raise RecordError(f'{where} has no "role" (nor a LangChain message type)', "message_missing_key")
    role = LANGCHAIN_ROLES.get(role, role)
    texts: list[str] = []
    images: list[Image] = []
    calls, other = message_parts(fields.get("content"), f"{where}.content", texts, images)
    extra = as_dict(fields.get("additional_kwargs"))
    if not calls:  # Anthropic-shaped content already holds the calls as tool_use blocks; count them once
        tool_calls = fields.get("tool_calls") or extra.get("tool_calls")
        calls = tool_call_strings(tool_calls, f"{where}.tool_calls", texts)
        function_call = fields.get("function_call") or extra.get("function_call")
        if isinstance(function_call, dict):
            function_strings(function_call, texts)
            calls = True
    refusal = fields.get("refusal")
    if isinstance(refusal, str):
        texts.append(refusal)
    name = fields.get("name")
    return Message(role, tuple(texts), name if isinstance(name, str) else None, tuple(images), calls, other)


def message_parts(content: object, where: str, texts: list[str], images: list[Image]) -> tuple[bool, int]:
    """Text and images of content that mixes OpenAI parts, Anthropic blocks and LangChain blocks: (calls, uncounted)."""
    if content is None:
        return False, 0
    if isinstance(content, str):
        texts.append(content)
        return False, 0
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        raise RecordError(f"{where} must be a string or a list of parts, got {type_name(content)}", "missing_content")
    calls, other = False, 0
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if isinstance(part, dict) and (kind in _ANTHROPIC_BLOCKS or (kind == "image" and "source" in part)):
            found, uncounted = anthropic_blocks([part], f"{where}[{j}]", texts, images)
            calls, other = calls or found, other + uncounted
        elif isinstance(part, dict) and kind == "tool_call":  # LangChain standard block {"name", "args", "id"}
            calls = tool_call_strings([part], f"{where}[{j}]", texts) or calls
        elif isinstance(part, dict) and kind == "reasoning" and isinstance(part.get("reasoning"), str):
            texts.append(part["reasoning"])
        else:
            other += content_parts([part], where, texts, images)
    return calls, other


def tool_call_strings(calls: object, where: str, texts: list[str]) -> bool:
    """Names and arguments of OpenAI ({"function": {...}}) or LangChain ({"name", "args"}) tool calls."""
    if calls is None:
        return False
    if not isinstance(calls, list):
        raise RecordError(f"{where} must be a list, got {type_name(calls)}")
    for k, call in enumerate(calls):
        if not isinstance(call, dict):
            raise RecordError(f"{where}[{k}] must be an object, got {type_name(call)}")
        fn = call.get("function")
        if isinstance(fn, dict):
            function_strings(fn, texts)
            continue
        if isinstance(call.get("name"), str):
            texts.append(call["name"])
        args = call.get("args", call.get("arguments", call.get("input")))
        if args is not None:
            texts.append(args if isinstance(args, str) else json_text(args))
    return bool(calls)


def chat_messages(raw: object, where: str) -> tuple[Message, ...]:
    """A list of messages of any of the shapes `chat_message` reads."""
    if not isinstance(raw, list):
        raise RecordError(f"{where} must be a list of messages, got {type_name(raw)}", "missing_messages_list")
    if len(raw) > MAX_MESSAGES_PER_RECORD:
        raise RecordError(f"{len(raw):,} messages in one record, over the limit of {MAX_MESSAGES_PER_RECORD:,}")
    return tuple(chat_message(m, f"{where}[{i}]") for i, m in enumerate(raw))


def system_message(system: object) -> tuple[Message, ...]:
    """An Anthropic-style `system` field (a string or text blocks) as a system message."""
    if system is None or system == "":
        return ()
    texts: list[str] = []
    anthropic_blocks(system, "system", texts, [])
    return (Message("system", tuple(texts)),)


def tools_of(*lists: object) -> tuple[Tool, ...]:
    """Function tools in OpenAI ({"function": {...}} or flat), Anthropic (input_schema) or MCP (inputSchema) shape."""
    out: list[Tool] = []
    for raw in lists:
        if raw is None:
            continue
        if not isinstance(raw, list):
            raise RecordError(f'"tools" must be a list, got {type_name(raw)}')
        for tool in raw:
            fn = tool.get("function", tool) if isinstance(tool, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("name"), str):  # built-in tools (web_search, …) have no schema
                params = next((fn[k] for k in ("parameters", "input_schema", "inputSchema") if k in fn), None)
                out.append(tool_of(fn["name"], fn.get("description"), params))
    return tuple(out)


def single_prompt(raw: list[Any], what: str) -> object:
    """The one prompt of a LangChain `[[messages]]` (or `prompts`) list; a batch of several is refused."""
    if len(raw) != 1:
        raise RecordError(f"{what} holds a batch of {len(raw)} prompts in one run; fineadvisor reads one request per "
                          "record (LangChain logs one run per prompt)")
    return raw[0]


def completion_of(out: object, where: str, depth: int = 0) -> tuple[Message, ...]:
    """What a model produced, however a tracer logged it (LangChain generations, OpenAI/Anthropic/Responses bodies,
    a message, a string)."""
    if out is None or depth > 3:
        return ()
    if isinstance(out, str):
        return (Message("assistant", (out,)),) if out else ()
    if isinstance(out, list):
        return tuple(chat_message(m, f"{where}[{i}]") if not isinstance(m, str) else Message("assistant", (m,))
                     for i, m in enumerate(out))
    if not isinstance(out, dict):
        return ()
    gens = out.get("generations")
    if isinstance(gens, list) and gens:
        first = gens[0][0] if isinstance(gens[0], list) and gens[0] else gens[0]
        if isinstance(first, dict):
            if isinstance(first.get("message"), dict):
                return (chat_message(first["message"], f"{where}.generations[0][0].message"),)
            if isinstance(first.get("text"), str):
                return (Message("assistant", (first["text"],)),)
        return ()
    if "choices" in out or isinstance(out.get("output"), list) or (
            isinstance(out.get("content"), list) and "role" not in out):
        return response_messages(out)
    if isinstance(out.get("message"), dict):
        return (chat_message(out["message"], f"{where}.message"),)
    if "role" in out or out.get("lc") == 1 or ("type" in out and "content" in out):
        return (chat_message(out, where),)
    if isinstance(out.get("content"), str):
        return (Message("assistant", (out["content"],)),)
    for key in ("output", "text", "completion", "response", "messages"):
        if key in out:
            return completion_of(out[key], f"{where}.{key}", depth + 1)
    return ()


def usage_metadata(um: object) -> Usage | None:
    """LangChain/LangSmith `usage_metadata`: input_tokens and output_tokens already include their details."""
    if not isinstance(um, dict):
        return None
    inp, out = token_count(um, "input_tokens"), token_count(um, "output_tokens")
    if inp is None or out is None or inp + out == 0:
        return None
    d_in, d_out = as_dict(um.get("input_token_details")), as_dict(um.get("output_token_details"))
    write = token_count(d_in, "cache_creation")
    if write is None:  # the JS SDK writes only the TTL split for Anthropic cache writes
        write = sum(token_count(d_in, k) or 0 for k in d_in if "ephemeral" in k)
    return checked_usage(Usage(inp, out, token_count(d_in, "cache_read") or 0, write,
                               token_count(d_out, "reasoning") or 0))


# ---------------------------------------------------------------- LangSmith runs


def _is_run(obj: Mapping[str, Any]) -> bool:
    return "run_type" in obj and ("inputs" in obj or "outputs" in obj)


def _is_runs_page(obj: Mapping[str, Any]) -> bool:
    runs = obj.get("runs")
    return isinstance(runs, list) and bool(runs) and isinstance(runs[0], dict) and "run_type" in runs[0]


def _runs(obj: dict[str, Any]) -> Iterable[object]:
    runs: list[object] = obj["runs"]
    return runs


def _object(value: object, where: str) -> dict[str, Any]:
    parsed = json_field(value, where)
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise RecordError(f"{where} must be an object, got {type_name(parsed)}")
    return parsed


def _run(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    run_type, name = obj.get("run_type"), obj.get("name")
    label = f"LangSmith {shown(run_type)} run" + (f" {shown(name)}" if isinstance(name, str) else "")
    if run_type == "embedding":
        raise RecordError(f"{label} is an embeddings call, not a chat or completion call")
    if run_type != "llm":
        raise RecordError(f'{label} is not a model call (only run_type "llm" runs are read; chains, tools, retrievers '
                          "and parsers are steps around the calls)")
    error = obj.get("error")
    if (error is not None and error != "") or obj.get("status") == "error":
        text = error if isinstance(error, str) else json_text(error) if error is not None else "no error text"
        raise RecordError(f"{label} failed: {text[:300]}")
    inputs = _object(obj.get("inputs"), "LangSmith inputs")
    outputs = _object(obj.get("outputs"), "LangSmith outputs")
    extra = _object(obj.get("extra"), "LangSmith extra")
    metadata, params = as_dict(extra.get("metadata")), as_dict(extra.get("invocation_params"))
    prompt = _prompt(inputs, line_no)
    tools = tools_of(params.get("tools"), params.get("functions"), inputs.get("tools"), inputs.get("functions"))
    completion = completion_of(outputs, "outputs")
    usage = _usage(obj, outputs, metadata)
    if not prompt and usage is None:
        raise RecordError(f"{label} has no inputs.messages or inputs.prompts and no token usage: nothing to count")
    return Record("langsmith", line_no, _model(inputs, outputs, metadata, params), prompt, tools, completion, usage)


def _prompt(inputs: dict[str, Any], line_no: int) -> tuple[Message, ...]:
    messages = inputs.get("messages")
    if isinstance(messages, list) and messages and all(isinstance(m, list) for m in messages):
        messages = single_prompt(messages, "inputs.messages")  # LangChain chat models: [[messages]]
    if messages is not None:
        return system_message(inputs.get("system")) + chat_messages(messages, "inputs.messages")
    prompts = inputs.get("prompts")
    if isinstance(prompts, list) and prompts:  # completion LLMs
        text = single_prompt(prompts, "inputs.prompts")
        return (Message("user", (text if isinstance(text, str) else json_text(text),)),)
    if isinstance(inputs.get("prompt"), str):
        return (Message("user", (inputs["prompt"],)),)
    if "input" in inputs and isinstance(inputs["input"], (str, list)):  # a wrapped Responses API call
        request = {"input": inputs["input"], "instructions": inputs.get("instructions")}
        return responses_body(request, None, line_no, "langsmith").prompt
    return ()


def _generation_message(outputs: dict[str, Any]) -> dict[str, Any]:
    """The fields of the first LangChain generation's message ({} if none)."""
    gens = outputs.get("generations")
    first = gens[0] if isinstance(gens, list) and gens else None
    first = first[0] if isinstance(first, list) and first else first
    msg = first.get("message") if isinstance(first, dict) else None
    if not isinstance(msg, dict):
        return {}
    fields = msg.get("kwargs") if isinstance(msg.get("kwargs"), dict) else msg.get("data", msg)
    return fields if isinstance(fields, dict) else {}


def _usage(run: dict[str, Any], outputs: dict[str, Any], metadata: dict[str, Any]) -> Usage | None:
    """The billed usage, provider-reported first: usage_metadata (outputs, metadata, the generation's message), the
    raw response's usage, LangChain's llm_output, then the run's own counts (LangSmith's, which it estimates with a
    tokenizer when the run reported none)."""
    message = _generation_message(outputs)
    for um in (outputs.get("usage_metadata"), metadata.get("usage_metadata"), run.get("usage_metadata"),
               message.get("usage_metadata")):
        usage = usage_metadata(um)
        if usage is not None:
            return usage
    llm_output = as_dict(outputs.get("llm_output"))
    for raw in (outputs.get("usage"), llm_output.get("token_usage"), llm_output.get("usage")):
        usage = usage_of(raw)
        if usage is not None and usage.prompt_tokens + usage.completion_tokens > 0:
            return usage
    prompt, completion = token_count(run, "prompt_tokens"), token_count(run, "completion_tokens")
    if prompt is None or completion is None or prompt + completion == 0:
        return None
    p_details = _object(run.get("prompt_token_details"), "prompt_token_details")
    c_details = _object(run.get("completion_token_details"), "completion_token_details")
    write = token_count(p_details, "cache_creation", "cache_write")
    if write is None:
        write = sum(token_count(p_details, k) or 0 for k in p_details if "ephemeral" in k)
    return checked_usage(Usage(prompt, completion, token_count(p_details, "cache_read") or 0, write,
                               token_count(c_details, "reasoning") or 0))


def _model(inputs: dict[str, Any], outputs: dict[str, Any], metadata: dict[str, Any],
           params: dict[str, Any]) -> str | None:
    llm_output = as_dict(outputs.get("llm_output"))
    response_meta = as_dict(_generation_message(outputs).get("response_metadata"))
    return (model_of(metadata, "ls_model_name") or model_of(params) or model_of(params, "model_name")
            or model_of(inputs) or model_of(inputs, "model_name") or model_of(outputs)
            or model_of(llm_output, "model_name") or model_of(response_meta, "model_name"))


RUNS_PAGE = Source(
    "langsmith", "LangSmith run pages", _is_runs_page, _run,
    '{"runs": [{"run_type": "llm", "inputs": {"messages": [{"role": "user", "content": "Hi"}]}, "outputs": {"choices": '
    '[{"message": {"role": "assistant", "content": "Hello!"}}]}, "extra": {"metadata": {"ls_model_name": '
    '"gpt-4o-mini"}}}]}',
    "docs.langchain.com/langsmith/smith-api (POST /api/v1/runs/query: {\"runs\": [...], \"cursors\"})",
    "runs[] (each read as a LangSmith run)",
    expand=_runs)
RUN = Source(
    "langsmith", "LangSmith LLM runs", _is_run, _run,
    '{"run_type": "llm", "name": "ChatOpenAI", "inputs": {"messages": [[{"lc": 1, "type": "constructor", "id": '
    '["langchain", "schema", "messages", "HumanMessage"], "kwargs": {"content": "Hi"}}]]}, "outputs": {"generations": '
    '[[{"text": "Hello!", "message": {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", '
    '"AIMessage"], "kwargs": {"content": "Hello!", "usage_metadata": {"input_tokens": 8, "output_tokens": 2, '
    '"total_tokens": 10}}}}]]}, "extra": {"metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"}}, '
    '"error": null}',
    "docs.smith.langchain.com/reference/data_formats/run_data_format (Run); docs.langchain.com/langsmith/log-llm-trace",
    "run_type (\"llm\" only); error/status (failures skipped); inputs.messages ([[…]] LangChain, OpenAI or Anthropic "
    "messages), inputs.system, inputs.prompts; outputs.generations[0][0].message/.text, outputs.choices / content; "
    "usage_metadata (outputs, extra.metadata, message) {input_tokens, output_tokens, input_token_details.cache_read/"
    "cache_creation, output_token_details.reasoning}, outputs.usage, llm_output.token_usage, prompt_tokens/"
    "completion_tokens; extra.metadata.ls_model_name, extra.invocation_params.model/.tools")

SOURCES: tuple[Source, ...] = (RUNS_PAGE, RUN)
"""The run (last, so that it names the format for people) and the REST page that holds runs."""
