"""The logs as fine-tuning data: format errors, example counts, per-example limits, epochs and billable tokens.

Rules from OpenAI's cookbook `Chat_finetuning_data_prep.ipynb` and fine-tuning guide:
    n_epochs = 3, unless n × 3 < 100 → min(25, 100 // n), or n × 3 > 25,000 → max(1, 25,000 // n)
    billable_training_tokens = n_epochs × Σ_examples min(limit, example_tokens)
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass

from fineadvisor.encodings import normalize_model
from fineadvisor.records import TOKEN_ARRAY
from fineadvisor.stats import Distribution, distribution
from fineadvisor.tokens import RecordTokens

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
MIN_EXAMPLES = 10
"""OpenAI requires at least 10 training examples."""
RECOMMENDED_EXAMPLES = (50, 100)
"""OpenAI: improvements usually show with 50–100 well-crafted examples."""

FORMAT_ERROR_TYPES = ("data_type", "missing_messages_list", "message_missing_key", "message_unrecognized_key",
                      "unrecognized_role", "missing_content", "example_missing_assistant_message")

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


@dataclass(frozen=True, slots=True)
class Readiness:
    """How usable the logs are as a fine-tuning training file."""

    examples: int
    """Records with a prompt (each is a candidate training example)."""
    usable_examples: int
    """Examples with an assistant answer and no format error."""
    format_errors: dict[str, int]
    """Count per cookbook error type (lines skipped as unreadable count as data_type / missing_messages_list)."""
    missing_system: int
    missing_user: int
    messages_per_example: Distribution
    tokens_per_example: Distribution
    assistant_tokens_per_example: Distribution
    target_model: str
    token_limit: int
    token_limit_source: str
    over_limit: int
    exact_duplicates: int
    """Examples identical (prompt and answer) to an earlier one."""
    contradictory_prompts: int
    """Distinct prompts that appear with two or more different answers."""
    contradictory_examples: int
    n_epochs: int
    billable_tokens_per_epoch: int
    billable_training_tokens: int
    warnings: tuple[str, ...]


class ReadinessBuilder:
    """Accumulates `RecordTokens` as training examples; `result()` gives the `Readiness`."""

    def __init__(self) -> None:
        self._messages = array(TOKEN_ARRAY)
        self._tokens = array(TOKEN_ARRAY)
        self._assistant = array(TOKEN_ARRAY)
        self._prompt_hash = array("Q")
        self._answer_hash = array("Q")
        self._errors: Counter[str] = Counter()
        self._with_errors = 0
        self._usable = 0
        self._missing_system = 0
        self._missing_user = 0

    def add_skipped(self, issue: str | None) -> None:
        """Count a line skipped as unreadable under its cookbook error type."""
        if issue:
            self._errors[issue] += 1

    def add(self, rt: RecordTokens) -> None:
        """Add one record as a training example (records without a prompt are not examples)."""
        if rt.counted_input_tokens == 0:
            return
        self._messages.append(rt.n_messages)
        self._tokens.append(rt.example_tokens)
        self._assistant.append(rt.assistant_tokens)
        issues = rt.format_issues
        if not rt.has_assistant:
            issues = (*issues, "example_missing_assistant_message")
        if issues:
            self._errors.update(set(issues))
            self._with_errors += 1
        else:
            self._usable += 1
        self._missing_system += not rt.has_system
        self._missing_user += not rt.has_user
        if rt.answer_hash:
            self._prompt_hash.append(rt.prompt_hash)
            self._answer_hash.append(rt.answer_hash)

    def merge(self, other: ReadinessBuilder) -> None:
        """Fold in a builder that accumulated other examples (e.g. a worker's chunk)."""
        for name in ("_messages", "_tokens", "_assistant", "_prompt_hash", "_answer_hash"):
            getattr(self, name).extend(getattr(other, name))
        self._errors.update(other._errors)
        self._with_errors += other._with_errors
        self._usable += other._usable
        self._missing_system += other._missing_system
        self._missing_user += other._missing_user

    def result(self, target_model: str, token_limit: int | None = None) -> Readiness:
        """Summarise the examples against a target model's per-example limit and OpenAI's epoch rule."""
        limit, source = example_token_limit(target_model)
        limit = token_limit or limit
        source = "set by the user" if token_limit else source
        n = len(self._tokens)
        duplicates, contradictory_prompts, contradictory_examples = _duplicates(self._prompt_hash,
                                                                                self._answer_hash)
        import numpy as np  # here, not at the top: counting workers import this module but never summarise

        tokens = np.asarray(self._tokens, dtype=np.int64)
        per_epoch = int(np.minimum(tokens, limit).sum())
        epochs = default_epochs(n)
        over = int(np.count_nonzero(tokens > limit))
        warnings: list[str] = []
        if n < MIN_EXAMPLES:
            warnings.append(f"{n} examples: OpenAI requires at least {MIN_EXAMPLES} to start a fine-tuning job")
        elif n < RECOMMENDED_EXAMPLES[0]:
            warnings.append(f"{n} examples: improvements usually show only from {RECOMMENDED_EXAMPLES[0]}–"
                            f"{RECOMMENDED_EXAMPLES[1]} well-crafted examples")
        if self._with_errors:
            warnings.append(f"{self._with_errors} examples have format errors OpenAI would reject")
        if over:
            warnings.append(f"{over} examples exceed {limit:,} tokens and would be truncated")
        if duplicates:
            warnings.append(f"{duplicates} examples are exact duplicates of an earlier one")
        if contradictory_prompts:
            warnings.append(f"{contradictory_prompts} prompts have different answers in different examples "
                            f"({contradictory_examples} examples)")
        errors = {k: self._errors.get(k, 0) for k in FORMAT_ERROR_TYPES}
        return Readiness(
            examples=n, usable_examples=self._usable, format_errors=errors,
            missing_system=self._missing_system, missing_user=self._missing_user,
            messages_per_example=distribution(self._messages), tokens_per_example=distribution(self._tokens),
            assistant_tokens_per_example=distribution(self._assistant), target_model=target_model,
            token_limit=limit, token_limit_source=source, over_limit=over,
            exact_duplicates=duplicates, contradictory_prompts=contradictory_prompts,
            contradictory_examples=contradictory_examples, n_epochs=epochs,
            billable_tokens_per_epoch=per_epoch, billable_training_tokens=epochs * per_epoch,
            warnings=tuple(warnings),
        )


def _duplicates(prompts: array[int], answers: array[int]) -> tuple[int, int, int]:
    """(exact duplicates, prompts with several answers, examples carrying those prompts)."""
    import numpy as np

    if not prompts:
        return 0, 0, 0
    p, a = np.asarray(prompts, dtype=np.uint64), np.asarray(answers, dtype=np.uint64)
    order = np.lexsort((a, p))  # by prompt, then answer
    p, a = p[order], a[order]
    same_prompt = p[1:] == p[:-1]
    duplicates = int(np.count_nonzero(same_prompt & (a[1:] == a[:-1])))
    starts = np.flatnonzero(np.concatenate(([True], ~same_prompt)))  # first example of each prompt
    new_answer = np.concatenate(([0], same_prompt & (a[1:] != a[:-1]))).astype(np.int64)
    several = np.add.reduceat(new_answer, starts) > 0  # prompts with more than one distinct answer
    sizes = np.diff(np.append(starts, len(p)))
    return duplicates, int(np.count_nonzero(several)), int(sizes[several].sum())
