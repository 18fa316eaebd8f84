"""Model names as logs write them → the names prices and tokenizers are looked up by (no tiktoken here)."""

from __future__ import annotations

import re

DEFAULT_MODEL = "gpt-4o-mini"
"""The model assumed when the logs name none."""

PROVIDER_PREFIXES: tuple[str, ...] = (
    "openai/", "azure/", "azure_ai/", "openrouter/", "bedrock/", "vertex_ai/", "together/", "fireworks/",
    "anthropic/", "google/", "gemini/", "groq/", "mistral/")
"""Prefixes gateways and logs put in front of model names (LiteLLM's and OpenRouter's `provider/model` style)."""

_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$|-latest$")


def normalize_model(model: str) -> str:
    """`ft:gpt-4.1-mini-2025-04-14:org::id` → `gpt-4.1-mini-2025-04-14`; `openai/gpt-4o` → `gpt-4o`."""
    name = model.strip()
    lowered = name.lower()
    for prefix in PROVIDER_PREFIXES:
        if lowered.startswith(prefix):
            name = name[len(prefix):]
            lowered = name.lower()
            break
    if lowered.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    return name.lower()


def family(model: str) -> str:
    """The model without its snapshot date: `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`."""
    return _SNAPSHOT.sub("", normalize_model(model))


def same_family(a: str, b: str) -> bool:
    """gpt-4o-mini-2024-07-18 and gpt-4o-mini are the same model family; gpt-4o-mini and gemini-2.5-flash are not."""
    return family(a) == family(b)
