"""AWS Bedrock: model-invocation log records, and Converse (or InvokeModel) requests as applications log them.

Schema: docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html — one JSON record per invocation,
delivered to CloudWatch Logs (one event per record) and to S3 (gzipped JSON Lines): `schemaType` "ModelInvocationLog",
`schemaVersion`, `timestamp`, `accountId`, `region`, `requestId`, `operation` ("InvokeModel",
"InvokeModelWithResponseStream", "Converse", "ConverseStream"), `modelId` (a model id, an inference-profile id such as
"us.anthropic.claude-…", or an ARN), `errorCode` (set on failed calls), `input` {`inputContentType`, `inputBodyJson`
(or `inputBodyS3Path` when the body is too large to inline: the body is then not in the record), `inputTokenCount`,
`cacheReadInputTokenCount`, `cacheWriteInputTokenCount`}, `output` {`outputContentType`, `outputBodyJson` (an object;
for InvokeModelWithResponseStream the list of stream chunks), or `outputBodyS3Path`, `outputTokenCount`}.

The bodies are the Converse API's for Converse/ConverseStream (docs.aws.amazon.com/bedrock/latest/APIReference/
API_runtime_Converse.html: `messages[].content[]` blocks {text} / {image} / {document} / {video} / {toolUse} /
{toolResult} / {reasoningContent} / {cachePoint}, `system` [{text}], `toolConfig.tools[].toolSpec`; the response's
`output.message` and `usage`), else the model family's own InvokeModel body
(docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html): Anthropic Messages (`anthropic_version`), Amazon
Nova (Converse-shaped `messages`, `system`, `inferenceConfig`), Meta Llama (`prompt` → `generation`), Mistral
(`prompt` → `outputs[].text`, or chat `messages` → `choices`), Amazon Titan Text (`inputText` → `results[].outputText`),
Cohere (`prompt` → `generations[].text`; Command R `message`, `chat_history`, `preamble` → `text`), AI21, DeepSeek and
OpenAI chat bodies (`messages` → `choices`). Bedrock batch inference output lines {recordId, modelInput, modelOutput}
(docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html) hold the same InvokeModel bodies.

Billed tokens: the log's `inputTokenCount` counts the input tokens that were neither read from nor written to the
prompt cache (like Converse's `usage.inputTokens` and Anthropic's `input_tokens`; the three counts do not overlap, e.g.
inputTokenCount 1 with cacheReadInputTokenCount 129,709 on a cached request), so prompt_tokens = inputTokenCount +
cacheReadInputTokenCount + cacheWriteInputTokenCount. The logging page lists the fields without saying so in words;
the Converse `TokenUsage` reference and Bedrock's prompt-caching guide report the cache counts beside `inputTokens`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fineadvisor.measure.logs import parse_json
from fineadvisor.measure.records import Image, Message, Record, SourceFormat, Tool, Usage
from fineadvisor.measure.sources.base import (
    MessageReuse,
    RecordError,
    Source,
    json_field,
    model_of,
    shown,
    token_count,
    type_name,
    with_changes,
)
from fineadvisor.measure.sources.shapes import (
    anthropic_body,
    checked_usage,
    image_part,
    json_text,
    messages_list,
    openai_body,
    response_messages,
    tool_of,
    usage_of,
)

CONVERSE_OPERATIONS = frozenset({"Converse", "ConverseStream"})
NOT_TEXT_OPERATIONS = frozenset({"InvokeModelWithBidirectionalStream", "StartAsyncInvoke", "ApplyGuardrail"})
"""Logged operations that are not a text request and answer (speech streams, async video jobs, guardrail checks)."""
_EMBEDDING_MODELS = ("embed", "rerank")
_MEDIA_MODELS = ("image-generator", "titan-image", "nova-canvas", "nova-reel", "stability.", "nova-sonic")
CONVERSE_BLOCK_KEYS = frozenset({"text", "image", "document", "video", "toolUse", "toolResult", "reasoningContent",
                                 "cachePoint", "guardContent", "citationsContent", "json", "audio", "searchResult"})
"""The members of a Converse ContentBlock (a union: one key per block, no "type")."""
_MARK = "ModelInvocationLog"


# ---------------------------------------------------------------- model names


def bedrock_model(model_id: object, answered_by: str | None = None) -> str | None:
    """The Bedrock model id as logged, with an ARN reduced to its model or inference-profile id.

    An ARN that names no model (a provisioned throughput, an application inference profile) gives the model the
    response names (`answered_by`), if any; a custom model's ARN gives its base model's id.
    """
    if not isinstance(model_id, str) or not model_id:
        return answered_by
    if not model_id.startswith("arn:"):
        return model_id
    resource = model_id.split(":", 5)[-1]  # arn:partition:bedrock:region:account:type/id (the id may hold colons)
    kind, _, rest = resource.partition("/")
    if kind in ("foundation-model", "inference-profile") and rest:
        return rest
    if kind == "custom-model" and "/" in rest:
        return rest.rsplit("/", 1)[0]
    return answered_by or rest or model_id


def _answering_model(response: object) -> str | None:
    """The model a response body names (Anthropic's `model`, also in a stream's message_start chunk)."""
    if isinstance(response, dict):
        return model_of(response)
    if isinstance(response, list):
        for chunk in response[:3]:
            if isinstance(chunk, dict) and isinstance(chunk.get("message"), dict):
                return model_of(chunk["message"])
    return None


def _refuse_non_text(model: str | None, operation: object) -> None:
    name = (model or "").lower()
    if any(kind in name for kind in _EMBEDDING_MODELS):
        raise RecordError(f"{shown(model)} is an embedding or rerank model: there is no chat or text generation to "
                          "count")
    if any(kind in name for kind in _MEDIA_MODELS):
        raise RecordError(f"{shown(model)} is an image, video or speech model, not a text model")
    if isinstance(operation, str) and operation in NOT_TEXT_OPERATIONS:
        raise RecordError(f"operation {shown(operation)} is not a text request and answer")


# ---------------------------------------------------------------- billed usage


def log_usage(counts_in: object, counts_out: object) -> Usage | None:
    """Bedrock's billed counts (the log's `input`/`output`, or a stream's `amazon-bedrock-invocationMetrics`)."""
    billed_in, billed_out = token_count(counts_in, "inputTokenCount"), token_count(counts_out, "outputTokenCount")
    if billed_in is None or billed_out is None:
        return None
    read = token_count(counts_in, "cacheReadInputTokenCount") or 0
    write = token_count(counts_in, "cacheWriteInputTokenCount") or 0
    # inputTokenCount excludes cache reads and writes (see the module docstring): prompt_tokens includes them.
    return checked_usage(Usage(billed_in + read + write, billed_out, read, write, 0))


def converse_usage(usage: object) -> Usage | None:
    """Converse `usage` {inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens} (Nova's InvokeModel
    response spells the cache counts …TokenCount); inputTokens excludes the cache reads and writes."""
    inp, out = token_count(usage, "inputTokens"), token_count(usage, "outputTokens")
    if inp is None or out is None:
        return None
    read = token_count(usage, "cacheReadInputTokens", "cacheReadInputTokenCount") or 0
    write = token_count(usage, "cacheWriteInputTokens", "cacheWriteInputTokenCount") or 0
    return checked_usage(Usage(inp + read + write, out, read, write, 0))


def _body_usage(response: Mapping[str, Any]) -> Usage | None:
    """The usage a model family's response body reports (used when the log record carries no token counts)."""
    usage = response.get("usage")
    if isinstance(usage, dict):
        return converse_usage(usage) if "inputTokens" in usage else usage_of(usage)
    metrics = response.get("amazon-bedrock-invocationMetrics")
    if isinstance(metrics, dict):
        return log_usage(metrics, metrics)
    if "prompt_token_count" in response:  # Meta Llama
        prompt, generated = token_count(response, "prompt_token_count"), token_count(response, "generation_token_count")
        return checked_usage(Usage(prompt, generated)) if prompt is not None and generated is not None else None
    if "inputTextTokenCount" in response:  # Amazon Titan Text
        prompt = token_count(response, "inputTextTokenCount")
        results = response.get("results")
        counts = [token_count(r, "tokenCount") for r in results] if isinstance(results, list) else []
        if prompt is None or not counts or None in counts:
            return None
        return checked_usage(Usage(prompt, sum(c for c in counts if c is not None)))
    meta = response.get("meta")
    billed = meta.get("billed_units") if isinstance(meta, dict) else None
    if isinstance(billed, dict):  # Cohere
        prompt, generated = token_count(billed, "input_tokens"), token_count(billed, "output_tokens")
        return checked_usage(Usage(prompt, generated)) if prompt is not None and generated is not None else None
    return None


# ---------------------------------------------------------------- Converse bodies


def converse_blocks(content: object, where: str, texts: list[str], images: list[Image]) -> tuple[bool, int]:
    """Collect the billed text of Converse content blocks; return (calls a tool, parts that cannot be counted)."""
    if content is None:
        return False, 0
    if isinstance(content, str):
        texts.append(content)
        return False, 0
    if not isinstance(content, list):
        raise RecordError(f"{where} must be a list of content blocks, got {type_name(content)}")
    calls, other = False, 0
    for j, block in enumerate(content):
        if isinstance(block, str):
            texts.append(block)
            continue
        if not isinstance(block, dict):
            raise RecordError(f"{where}[{j}] must be a content block object, got {type_name(block)}")
        if isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif isinstance(block.get("toolUse"), dict):
            calls = True
            use = block["toolUse"]
            if isinstance(use.get("name"), str):
                texts.append(use["name"])
            arguments = use.get("input", {})
            texts.append(arguments if isinstance(arguments, str) else json_text(arguments))
        elif isinstance(block.get("toolResult"), dict):
            _, nested = converse_blocks(block["toolResult"].get("content"), f"{where}[{j}].toolResult.content",
                                        texts, images)
            other += nested
        elif "json" in block:  # a tool result's JSON part
            texts.append(json_text(block["json"]))
        elif "image" in block:
            other += _image(block["image"], images)
        elif "document" in block:
            doc = block["document"]
            source = doc.get("source") if isinstance(doc, dict) else None
            if isinstance(source, dict) and isinstance(source.get("text"), str):
                texts.append(source["text"])
            else:
                other += 1  # PDF, DOCX… bytes: not counted here
        elif isinstance(block.get("reasoningContent"), dict):
            reasoning = block["reasoningContent"]
            text = reasoning.get("reasoningText")
            text = text.get("text") if isinstance(text, dict) else reasoning.get("text")
            if isinstance(text, str):
                texts.append(text)
            else:
                other += 1  # redactedContent: encrypted
        elif isinstance(block.get("guardContent"), dict):
            guarded = block["guardContent"].get("text")
            if isinstance(guarded, dict) and isinstance(guarded.get("text"), str):
                texts.append(guarded["text"])
        elif isinstance(block.get("citationsContent"), dict):
            for part in block["citationsContent"].get("content") or ():
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
        elif "cachePoint" not in block:
            other += 1  # video, audio, or a block kind this reader does not know
    return calls, other


def _image(image: object, images: list[Image]) -> int:
    """An image block: kept when its size can be read from its base64 bytes, else 1 part not counted."""
    source = image.get("source") if isinstance(image, dict) else None
    data = source.get("bytes") if isinstance(source, dict) else None
    if isinstance(data, str) and data:
        found = image_part({"source": {"type": "base64", "data": data}})
        if found.width is not None:
            images.append(found)
            return 0
    return 1  # an s3Location, or bytes that are not a readable image


def converse_message(m: object, where: str) -> Message:
    """One Converse (or Nova) message {role, content: [blocks]}."""
    if not isinstance(m, dict):
        raise RecordError(f"{where} must be an object, got {type_name(m)}", "data_type")
    role = m.get("role")
    if not isinstance(role, str):
        raise RecordError(f'{where} has no "role" string', "message_missing_key")
    texts: list[str] = []
    images: list[Image] = []
    calls, other = converse_blocks(m.get("content"), f"{where}.content", texts, images)
    return Message(role, tuple(texts), None, tuple(images), calls, other)


def converse_tools(config: object) -> tuple[Tool, ...]:
    """The `toolConfig.tools[].toolSpec` definitions (cache points and system tools have no schema)."""
    config = json_field(config, "toolConfig")
    if config is None:
        return ()
    if not isinstance(config, dict):
        raise RecordError(f'"toolConfig" must be an object, got {type_name(config)}')
    tools = config.get("tools")
    if tools is None:
        return ()
    if not isinstance(tools, list):
        raise RecordError(f'"toolConfig.tools" must be a list, got {type_name(tools)}')
    out: list[Tool] = []
    for k, tool in enumerate(tools):
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if not isinstance(spec, dict):
            continue
        schema = spec.get("inputSchema")
        parameters = json_field(schema.get("json"), f"toolConfig.tools[{k}].toolSpec.inputSchema.json") \
            if isinstance(schema, dict) else None
        out.append(tool_of(spec.get("name"), spec.get("description"), parameters))
    return tuple(out)


def converse_request(req: dict[str, Any], line_no: int, source: SourceFormat) -> Record:
    """A Converse request (or an Amazon Nova InvokeModel body): system blocks, messages, toolConfig."""
    raw = messages_list(req)
    prompt: list[Message] = []
    system = req.get("system")
    if system is not None:
        texts: list[str] = []
        images: list[Image] = []
        _, other = converse_blocks(system, "system", texts, images)
        prompt.append(Message("system", tuple(texts), None, tuple(images), False, other))
    prompt += [converse_message(m, f"messages[{i}]") for i, m in enumerate(raw)]
    return Record(source, line_no, model_of(req, "modelId"), tuple(prompt), converse_tools(req.get("toolConfig")))


def has_converse_blocks(messages: object) -> bool:
    """Whether some message content holds Converse blocks (a typeless object with a ContentBlock member)."""
    if type(messages) is not list:
        return False
    for m in messages[:20]:
        content = m.get("content") if type(m) is dict else None
        if type(content) is list:
            for block in content[:20]:
                if type(block) is dict and "type" not in block and not block.keys().isdisjoint(CONVERSE_BLOCK_KEYS):
                    return True
    return False


# ---------------------------------------------------------------- other model families' bodies


def _prompt_messages(req: Mapping[str, Any]) -> tuple[Message, ...] | None:
    """The prompt of the families that send plain text: `prompt` (Llama, Mistral, Cohere, Claude v2, DeepSeek, AI21),
    `inputText` (Titan), or Cohere Command R's `preamble`, `chat_history` and `message`."""
    for key in ("prompt", "inputText"):
        if isinstance(req.get(key), str):
            return (Message("user", (req[key],)),)
    if not isinstance(req.get("message"), str):
        return None
    messages: list[Message] = []
    if isinstance(req.get("preamble"), str):
        messages.append(Message("system", (req["preamble"],)))
    history = req.get("chat_history")
    for turn in history if isinstance(history, list) else ():
        if isinstance(turn, dict) and isinstance(turn.get("message"), str):
            role = str(turn.get("role", "USER")).upper()
            messages.append(Message({"CHATBOT": "assistant", "SYSTEM": "system"}.get(role, "user"), (turn["message"],)))
    documents = req.get("documents")
    if isinstance(documents, list) and documents:
        messages.append(Message("user", (json_text(documents),)))
    messages.append(Message("user", (req["message"],)))
    return tuple(messages)


def _cohere_tools(tools: object) -> tuple[Tool, ...]:
    if not isinstance(tools, list):
        return ()
    return tuple(tool_of(t.get("name"), t.get("description"), t.get("parameter_definitions"))
                 for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str))


def invoke_request(body: dict[str, Any], operation: object, model: str | None, line_no: int,
                   source: SourceFormat) -> Record | None:
    """The prompt and tools of an InvokeModel (or Converse) request body, by model family; None if not recognised."""
    name = (model or "").lower()
    messages = body.get("messages")
    if operation in CONVERSE_OPERATIONS and messages is None:
        return None  # e.g. a Prompt management prompt run with promptVariables only: the prompt text is not logged
    if operation in CONVERSE_OPERATIONS or (messages is not None and (
            "amazon.nova" in name or "inferenceConfig" in body or "toolConfig" in body
            or body.get("schemaVersion") == "messages-v1" or has_converse_blocks(messages))):
        return converse_request(body, line_no, source)
    if messages is not None and ("anthropic_version" in body or "anthropic." in name or "claude" in name):
        return anthropic_body(body, None, line_no, source)
    if messages is not None:  # Mistral chat, AI21 Jamba, OpenAI and other OpenAI-shaped chat bodies
        return openai_body(body, None, line_no, source)
    prompt = _prompt_messages(body)
    if prompt is None:
        return None
    return Record(source, line_no, None, prompt, _cohere_tools(body.get("tools")))


def _generated_texts(chunk: Mapping[str, Any]) -> list[str]:
    """The generated text of the text-completion families' responses (and their stream chunks)."""
    texts = [chunk[key] for key in ("generation", "completion", "outputText", "text") if isinstance(chunk.get(key), str)]
    for key, field in (("outputs", "text"), ("results", "outputText"), ("generations", "text"), ("choices", "text")):
        items = chunk.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get(field), str):
                texts.append(item[field])
            elif key == "choices" and isinstance(item, dict):  # a chat stream's delta
                delta = item.get("delta")
                if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                    texts.append(delta["content"])
    completions = chunk.get("completions")  # AI21 Jurassic
    for item in completions if isinstance(completions, list) else ():
        data = item.get("data") if isinstance(item, dict) else None
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            texts.append(data["text"])
    return texts


def _stream(chunks: list[Any]) -> tuple[tuple[Message, ...], Usage | None]:
    """The message and usage of InvokeModelWithResponseStream chunks (Anthropic events, Converse-shaped events, or a
    text family's chunks), each content block's pieces joined."""
    pieces: dict[tuple[str, int], list[str]] = {}
    calls = False
    usage: Usage | None = None
    anthropic: dict[str, Any] = {}
    for chunk in chunks:
        if not isinstance(chunk, dict):
            continue
        metrics = chunk.get("amazon-bedrock-invocationMetrics")
        if isinstance(metrics, dict):
            usage = log_usage(metrics, metrics) or usage
        index = chunk.get("index", chunk.get("contentBlockIndex", 0))
        index = index if isinstance(index, int) else 0
        kind = chunk.get("type")
        if kind == "message_start" and isinstance(chunk.get("message"), dict):
            start_usage = chunk["message"].get("usage")
            anthropic.update(start_usage if isinstance(start_usage, dict) else {})
        elif kind == "message_delta" and isinstance(chunk.get("usage"), dict):
            anthropic.update(chunk["usage"])
        elif kind == "content_block_start" and isinstance(chunk.get("content_block"), dict):
            block = chunk["content_block"]
            if block.get("type") == "tool_use":
                calls = True
                pieces.setdefault(("name", index), []).append(str(block.get("name", "")))
            for key in ("text", "thinking"):
                if isinstance(block.get(key), str):
                    pieces.setdefault(("text", index), []).append(block[key])
        elif kind == "content_block_delta" and isinstance(chunk.get("delta"), dict):
            delta = chunk["delta"]
            for key in ("text", "partial_json", "thinking"):
                if isinstance(delta.get(key), str):
                    pieces.setdefault(("text", index), []).append(delta[key])
        elif isinstance(chunk.get("contentBlockStart"), dict):
            event = chunk["contentBlockStart"]
            index = event["contentBlockIndex"] if isinstance(event.get("contentBlockIndex"), int) else index
            start = event.get("start")
            tool = start.get("toolUse") if isinstance(start, dict) else None
            if isinstance(tool, dict):
                calls = True
                pieces.setdefault(("name", index), []).append(str(tool.get("name", "")))
        elif isinstance(chunk.get("contentBlockDelta"), dict):
            event = chunk["contentBlockDelta"]
            index = event["contentBlockIndex"] if isinstance(event.get("contentBlockIndex"), int) else index
            delta = event.get("delta")
            delta = delta if isinstance(delta, dict) else {}
            tool, reasoning = delta.get("toolUse"), delta.get("reasoningContent")
            for value in (delta.get("text"), tool.get("input") if isinstance(tool, dict) else None,
                          reasoning.get("text") if isinstance(reasoning, dict) else None):
                if isinstance(value, str):
                    pieces.setdefault(("text", index), []).append(value)
        elif isinstance(chunk.get("metadata"), dict):
            usage = converse_usage(chunk["metadata"].get("usage")) or usage
        elif kind is None:
            for text in _generated_texts(chunk):
                pieces.setdefault(("text", 0), []).append(text)
    if usage is None and "input_tokens" in anthropic:
        usage = usage_of(anthropic)
    texts = tuple("".join(p) for p in pieces.values())
    return ((Message("assistant", texts, tool_call=calls),) if texts else ()), usage


def answer(response: object) -> tuple[tuple[Message, ...], Usage | None]:
    """The generated message and the usage of any Bedrock response body (an object, or a list of stream chunks)."""
    if isinstance(response, list):
        return _stream(response)
    if not isinstance(response, dict) or not response:
        return (), None
    output = response.get("output")
    if isinstance(output, dict) and isinstance(output.get("message"), dict):  # Converse, Amazon Nova
        message = {"role": "assistant", **output["message"]}
        return (converse_message(message, "output.message"),), converse_usage(response.get("usage"))
    messages = response_messages(response)  # Anthropic content blocks, OpenAI-shaped choices[0].message
    if not messages:
        texts = _generated_texts(response)
        messages = (Message("assistant", tuple(texts)),) if texts else ()
    return messages, _body_usage(response)


def _failure(response: object) -> str | None:
    """The error a logged response holds instead of an answer (boto3's {"Error": {...}}, {"error": ...})."""
    if not isinstance(response, dict) or "output" in response or "content" in response:
        return None
    error = response.get("Error", response.get("error"))
    if error is None:
        return None
    text = error.get("Message", error.get("message", error.get("Code"))) if isinstance(error, dict) else error
    return text[:300] if isinstance(text, str) else type_name(text)


# ---------------------------------------------------------------- the invocation log record


def _section(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f'Bedrock log "{key}" must be an object, got {type_name(value)}')
    return value


def _is_invocation(obj: Mapping[str, Any]) -> bool:
    if obj.get("schemaType") == _MARK:
        return True
    inp = obj.get("input")
    return "modelId" in obj and "requestId" in obj and isinstance(inp, dict) and (
        "inputBodyJson" in inp or "inputTokenCount" in inp or "inputBodyS3Path" in inp)


def _invocation(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    error = obj.get("errorCode")
    if error:
        raise RecordError(f"Bedrock logged a failed invocation (errorCode {shown(error)}): failed calls are not counted")
    model_id, operation = obj.get("modelId"), obj.get("operation")
    operation = operation if isinstance(operation, str) else None
    inp, out = _section(obj, "input"), _section(obj, "output")
    response = json_field(out.get("outputBodyJson"), "output.outputBodyJson")
    model = bedrock_model(model_id, _answering_model(response))
    _refuse_non_text(model, operation)
    body = json_field(inp.get("inputBodyJson"), "input.inputBodyJson")
    if body is not None and not isinstance(body, dict):
        raise RecordError(f'"input.inputBodyJson" must be an object, got {type_name(body)}')
    billed = log_usage(inp, out)
    completion, body_usage = answer(response)
    rec = invoke_request(body, operation, model, line_no, "bedrock") if body else None
    if rec is None:
        usage = billed or body_usage
        if usage is None:
            where = "is stored in S3 (input.inputBodyS3Path)" if inp.get("inputBodyS3Path") else (
                "is not logged (text data delivery off?)" if not body else
                f"has a shape this reader does not know (keys: {', '.join(sorted(body)[:8])})")
            raise RecordError(f"Bedrock log record without usable counts: its request body {where}, and it has no "
                              "input.inputTokenCount / output.outputTokenCount")
        return Record("bedrock", line_no, model, (), (), completion, usage)  # usage-only: billed counts, no prompt
    return with_changes(rec, model=model or rec.model, completion=completion, usage=billed or body_usage)


# ---------------------------------------------------------------- containers and application logs


def _message_of(obj: Mapping[str, Any]) -> object:
    return obj.get("message", obj.get("@message"))


def _is_cloudwatch_event(obj: Mapping[str, Any]) -> bool:
    """A CloudWatch Logs event ({"timestamp", "message"} or Logs Insights' "@message") holding an invocation record."""
    message = _message_of(obj)
    return isinstance(message, str) and _MARK in message[:400] and "schemaType" not in obj


def _cloudwatch_event(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    text = _message_of(obj)
    assert isinstance(text, str)
    try:
        inner = parse_json(text.encode("utf-8", "replace"))
    except ValueError as exc:
        raise RecordError(f"the CloudWatch event's message is not valid JSON ({exc})") from None
    if not isinstance(inner, dict) or not _is_invocation(inner):
        raise RecordError("the CloudWatch event's message is not a Bedrock model-invocation log record")
    return _invocation(inner, line_no, reuse)


def _events_of(obj: Mapping[str, Any]) -> object:
    return obj.get("events", obj.get("logEvents"))


def _is_cloudwatch_export(obj: Mapping[str, Any]) -> bool:
    """`aws logs filter-log-events` output {"events": [...]}, or a subscription's {"logEvents": [...]}."""
    events = _events_of(obj)
    return isinstance(events, list) and bool(events) and isinstance(events[0], dict) and _is_cloudwatch_event(events[0])


def _cloudwatch_events(obj: dict[str, Any]) -> Iterator[object]:
    events = _events_of(obj)
    yield from events if isinstance(events, list) else ()  # each is read as one CloudWatch event (or refused)


def _is_batch_output(obj: Mapping[str, Any]) -> bool:
    return "recordId" in obj and "modelInput" in obj


def _batch_output(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    error = obj.get("error")
    if error:
        text = error.get("errorMessage", error.get("message")) if isinstance(error, dict) else error
        raise RecordError(f"Bedrock batch inference record {shown(str(obj.get('recordId')))} failed: "
                          f"{text[:300] if isinstance(text, str) else type_name(text)}")
    body = json_field(obj.get("modelInput"), "modelInput")
    if not isinstance(body, dict):
        raise RecordError(f'"modelInput" must be an object, got {type_name(body)}')
    response = json_field(obj.get("modelOutput"), "modelOutput")
    rec = invoke_request(body, None, model_of(body, "modelId"), line_no, "bedrock")
    if rec is None:
        raise RecordError(f"Bedrock batch modelInput has a shape this reader does not know (keys: "
                          f"{', '.join(sorted(body)[:8])})")
    completion, usage = answer(response)  # the batch job names the model; Anthropic's response names it too
    return with_changes(rec, model=rec.model or _answering_model(response), completion=completion, usage=usage)


def _is_converse_pair(obj: Mapping[str, Any]) -> bool:
    request, response = obj.get("request"), obj.get("response")
    if type(request) is not dict:
        return False
    if "modelId" in request or "toolConfig" in request or "inferenceConfig" in request:
        return True
    output = response.get("output") if type(response) is dict else None
    if type(output) is dict and "message" in output:
        return True
    return "model" not in request and has_converse_blocks(request.get("messages"))


def _converse_pair(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    request = obj["request"]
    response = json_field(obj.get("response"), "response")
    if response is not None and not isinstance(response, (dict, list)):
        raise RecordError(f'"response" must be an object, got {type_name(response)}')
    failure = _failure(response)
    if failure is not None:
        raise RecordError(f"the logged Bedrock call failed: {failure}")
    model = bedrock_model(request.get("modelId"), _answering_model(response))
    _refuse_non_text(model, None)
    body = request
    if "messages" not in request and "body" in request:  # boto3 invoke_model(modelId=..., body=...)
        body = json_field(request["body"], "request.body")
        if not isinstance(body, dict):
            raise RecordError(f'"request.body" must be an object, got {type_name(body)}')
    rec = invoke_request(body, None, model, line_no, "bedrock_converse")
    if rec is None:
        raise RecordError('the Bedrock request has no "messages" (nor a prompt of a known model family)',
                          "missing_messages_list")
    completion, usage = answer(response)
    return with_changes(rec, model=model or rec.model, completion=completion, usage=usage)


def _converse_line(obj: dict[str, Any], line_no: int, reuse: MessageReuse | None) -> Record:
    model = bedrock_model(obj.get("modelId"))
    _refuse_non_text(model, None)
    return with_changes(converse_request(obj, line_no, "bedrock_converse"), model=model)


INVOCATION = Source(
    "bedrock", "Bedrock model-invocation log records", _is_invocation, _invocation,
    '{"schemaType": "ModelInvocationLog", "schemaVersion": "1.0", "timestamp": "2026-11-02T09:14:03Z", "accountId": '
    '"123456789012", "region": "us-east-1", "requestId": "5d7c1e0a-8f7b-4d7e-9a51-2f0c3e9b6a11", "operation": '
    '"Converse", "modelId": "us.anthropic.claude-3-5-haiku-20241022-v1:0", "input": {"inputContentType": '
    '"application/json", "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}, '
    '"inputTokenCount": 8, "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0}, "output": '
    '{"outputContentType": "application/json", "outputBodyJson": {"output": {"message": {"role": "assistant", '
    '"content": [{"text": "Hello!"}]}}, "stopReason": "end_turn", "usage": {"inputTokens": 8, "outputTokens": 3, '
    '"totalTokens": 11}}, "outputTokenCount": 3}}',
    "docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html (Model invocation logging: the "
    "records in CloudWatch Logs and S3); bodies per docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html",
    "modelId (ARN reduced to its id); operation; errorCode (skipped); input.inputBodyJson (Converse, Anthropic, Nova, "
    "Llama, Mistral, Titan, Cohere, AI21, OpenAI bodies), input.inputTokenCount, .cacheReadInputTokenCount, "
    ".cacheWriteInputTokenCount; output.outputBodyJson (object or stream chunks), output.outputTokenCount")
CLOUDWATCH_EVENT = Source(
    "bedrock", "CloudWatch Logs events holding Bedrock invocation records", _is_cloudwatch_event, _cloudwatch_event,
    '{"timestamp": 1762074843000, "message": "{\\"schemaType\\": \\"ModelInvocationLog\\", \\"operation\\": '
    '\\"InvokeModel\\", \\"modelId\\": \\"meta.llama3-8b-instruct-v1:0\\", \\"input\\": {\\"inputBodyJson\\": '
    '{\\"prompt\\": \\"Hi\\"}, \\"inputTokenCount\\": 2}, \\"output\\": {\\"outputBodyJson\\": {\\"generation\\": '
    '\\"Hello!\\"}, \\"outputTokenCount\\": 3}}"}',
    "docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilteredLogEvent.html (an event's message is "
    "one invocation record)",
    "message or @message = a Bedrock invocation record as a JSON string")
CLOUDWATCH_EXPORT = Source(
    "bedrock", "CloudWatch Logs exports of Bedrock invocation records", _is_cloudwatch_export,
    _cloudwatch_event,
    '{"events": [{"timestamp": 1762074843000, "message": "{\\"schemaType\\": \\"ModelInvocationLog\\", '
    '\\"modelId\\": \\"amazon.titan-text-express-v1\\", \\"input\\": {\\"inputBodyJson\\": {\\"inputText\\": '
    '\\"Hi\\"}, \\"inputTokenCount\\": 2}, \\"output\\": {\\"outputBodyJson\\": {\\"results\\": [{\\"outputText\\": '
    '\\"Hello!\\"}]}, \\"outputTokenCount\\": 3}}"}]}',
    "docs.aws.amazon.com/cli/latest/reference/logs/filter-log-events.html (events[]) and CloudWatch Logs "
    "subscription payloads (logEvents[]), compacted to one line",
    "events[] or logEvents[] of CloudWatch events; each message read as above",
    expand=_cloudwatch_events)
BATCH_OUTPUT = Source(
    "bedrock", "Bedrock batch inference output records", _is_batch_output, _batch_output,
    '{"recordId": "r1", "modelInput": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 256, "messages": '
    '[{"role": "user", "content": "Hi"}]}, "modelOutput": {"type": "message", "model": "claude-3-5-haiku-20241022", '
    '"content": [{"type": "text", "text": "Hello!"}], "usage": {"input_tokens": 8, "output_tokens": 3}}}',
    "docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html (the .jsonl.out records)",
    "recordId; modelInput (an InvokeModel body); modelOutput (its response, with usage); error (skipped)")
CONVERSE_PAIR = Source(
    "bedrock_converse", "Bedrock Converse request/response pairs", _is_converse_pair, _converse_pair,
    '{"request": {"modelId": "amazon.nova-lite-v1:0", "system": [{"text": "Be brief."}], "messages": [{"role": '
    '"user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": 256}}, "response": {"output": '
    '{"message": {"role": "assistant", "content": [{"text": "Hello!"}]}}, "stopReason": "end_turn", "usage": '
    '{"inputTokens": 9, "outputTokens": 3, "totalTokens": 12}}}',
    "docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html (request and response as an "
    "application logs them; also boto3 invoke_model {modelId, body} pairs)",
    "request.modelId, .system, .messages[].content[] (text, image, document, toolUse, toolResult, "
    "reasoningContent), .toolConfig.tools[].toolSpec; response.output.message, .usage (cache read/write included)")
CONVERSE_REQUEST = Source(
    "bedrock_converse", "Bedrock Converse requests", lambda o: "modelId" in o and "messages" in o, _converse_line,
    '{"modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0", "messages": [{"role": "user", "content": [{"text": '
    '"Hi"}]}], "inferenceConfig": {"maxTokens": 256}}',
    "docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html (a request body with its modelId)",
    "modelId; system; messages[].content[] blocks; toolConfig.tools[].toolSpec")

SOURCES: tuple[Source, ...] = (CLOUDWATCH_EXPORT, CLOUDWATCH_EVENT, BATCH_OUTPUT, INVOCATION, CONVERSE_PAIR,
                               CONVERSE_REQUEST)
"""Their tests do not overlap; the last of each name gives its title (`TITLES`)."""
