"""OpenAI's published rules for a fine-tuning training file: per-example token limits, automatic epochs, minimum
examples. Shared by `measure.readiness` (the logs judged as training data) and `advise` (training cost, advice).

Sources: OpenAI's fine-tuning guide and the cookbook's `Chat_finetuning_data_prep.ipynb`:
    n_epochs = 3, unless n × 3 < 100 → min(25, 100 // n), or n × 3 > 25,000 → max(1, 25,000 // n)
    billable_training_tokens = n_epochs × Σ_examples min(limit, example_tokens)
"""

from __future__ import annotations

from fineadvisor.model_names import normalize_model

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
MIN_EXAMPLES = 10
"""OpenAI requires at least 10 training examples."""
RECOMMENDED_EXAMPLES = (50, 100)
"""OpenAI: improvements usually show with 50–100 well-crafted examples."""

# (model prefix, tokens per training example, source); longest prefix wins.
_EXAMPLE_LIMITS: tuple[tuple[str, int, str], ...] = (
    ("gpt-3.5-turbo-0613", 4_096, "OpenAI fine-tuning guide (gpt-3.5-turbo-0613: 4,096)"),
    ("gpt-3.5-turbo", 16_385, "OpenAI fine-tuning guide (gpt-3.5-turbo-0125: 16,385)"),
    ("gpt-4o-mini", 65_536, "OpenAI fine-tuning guide (gpt-4o-mini: 65,536)"),
    ("gpt-4o", 65_536, "OpenAI fine-tuning guide (gpt-4o: 65,536)"),
    ("gpt-4.1", 65_536, "assumed equal to gpt-4o's 65,536 (OpenAI publishes no gpt-4.1 figure)"),
)
DEFAULT_EXAMPLE_LIMIT = 65_536


def example_token_limit(model: str) -> tuple[int, str]:
    """Tokens allowed per training example for a target model, and where the figure comes from."""
    base = normalize_model(model)
    for prefix, limit, source in sorted(_EXAMPLE_LIMITS, key=lambda row: len(row[0]), reverse=True):
        if base.startswith(prefix):
            return limit, source
    return DEFAULT_EXAMPLE_LIMIT, f"no published limit for {model!r}; assumed {DEFAULT_EXAMPLE_LIMIT:,} (gpt-4o's)"


def default_epochs(n_examples: int) -> int:
    """OpenAI's automatic epoch count for a training file of `n_examples` examples."""
    if n_examples <= 0:
        return 0
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS
