"""The values a log line becomes: messages, tools, billed usage, in one shape for every log format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

MAX_RECORD_TOKENS = 2**31 - 1
"""More tokens than one request can have (a 32 MiB line holds far fewer): billed counts above it are refused."""
TOKEN_ARRAY = "i"
"""`array` type code of per-record token counts: a C int, 4 bytes, which holds MAX_RECORD_TOKENS."""

SourceFormat = Literal[
    "fine_tuning",  # {"messages": [...]} training examples; the final assistant message is the output
    "chat_request",  # a Chat Completions request body {"model", "messages", ...}
    "batch_input",  # an OpenAI Batch API input line {"custom_id", "body": {...}}
    "batch_output",  # an OpenAI Batch API output line {"custom_id", "response": {"body": {..., "usage"}}}
    "request_response",  # a logged pair {"request": {...}, "response": {..., "usage"}}
    "anthropic",  # an Anthropic Messages request (optionally with its response)
    "responses_request",  # an OpenAI Responses API request body {"model", "instructions", "input", ...}
    "litellm",  # a LiteLLM StandardLoggingPayload or LiteLLM_SpendLogs row
    "langfuse",  # a Langfuse generation: an exported observation or an ingestion event's generation-create body
    "langsmith",  # a LangSmith LLM run
    "helicone",  # a Helicone request export row
    "otel_genai",  # an OpenTelemetry span with GenAI semantic-convention attributes
    "bedrock",  # an AWS Bedrock model-invocation log record
    "bedrock_converse",  # an AWS Bedrock Converse request (optionally with its response)
    "vertex",  # a Vertex AI request-response logging row (Gemini)
    "openrouter",  # an OpenRouter generation record (usage, no prompt)
    "promptfoo",  # a promptfoo eval result
]


class Image(NamedTuple):
    """An image part; width/height are None when the log does not reveal them (e.g. an http URL)."""

    width: int | None
    height: int | None
    detail: str
    """OpenAI's `detail`: "low", "high" or "auto"."""


class Message(NamedTuple):
    """One chat message reduced to what is billed: its role, optional name, text fields and images.

    A named tuple rather than a dataclass: a log of 100k requests holds over a million of these.
    """

    role: str
    texts: tuple[str, ...]
    """Every string that reaches the model: text parts, refusals, tool-call names and arguments, tool results."""
    name: str | None = None
    images: tuple[Image, ...] = ()
    tool_call: bool = False
    """True for an assistant message that calls tools (it is not a plain answer)."""
    other_parts: int = 0
    """Parts fineadvisor cannot count (audio, files); reported, not guessed."""
    calls: int = 0
    """How many tool calls end `texts`, each as its (name, arguments) pair; 0 when the reader does not say."""


@dataclass(frozen=True, slots=True)
class Tool:
    """A function tool definition in OpenAI's shape (Anthropic's `input_schema` is mapped to `parameters`)."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts the provider billed, normalised so that `prompt_tokens` includes cached and cache-write."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    """Prompt tokens read from the provider's prompt cache (part of `prompt_tokens`)."""
    cache_write_tokens: int = 0
    """Prompt tokens written to the cache (Anthropic's cache_creation_input_tokens; part of `prompt_tokens`)."""
    reasoning_tokens: int = 0
    """Hidden reasoning tokens (part of `completion_tokens`)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One request as fineadvisor sees it, whatever format the log line had."""

    source: SourceFormat
    line_no: int
    model: str | None
    prompt: tuple[Message, ...]
    """The messages sent (system/developer first, as logged)."""
    tools: tuple[Tool, ...] = ()
    completion: tuple[Message, ...] = ()
    """What the model produced: the response message, or a training example's final assistant message."""
    usage: Usage | None = None
    custom_id: str | None = None
    """The Batch API `custom_id`, used to join input and output lines."""
    format_issues: tuple[str, ...] = ()
    """OpenAI fine-tuning format errors found in the raw line (the cookbook's error type names)."""
    tool_choice: str | None = None
    """The request's `tool_choice` / `function_call` when it changes the bill: "none", "tool:NAME" (a forced tool) or
    "function:NAME" (a forced legacy function); None for auto / required / not sent."""
