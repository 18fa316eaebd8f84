"""The logs as fine-tuning data: format errors, example counts, per-example limits, epochs and billable tokens.

The rules (limits, epochs, minimum examples) are OpenAI's, in `fineadvisor.fine_tuning_rules`; duplicates are
counted in bounded memory by `_fast.dedupe.count_duplicates`, whose plain rule is `duplicate_counts` here.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import TYPE_CHECKING

from fineadvisor.fine_tuning_rules import MIN_EXAMPLES, RECOMMENDED_EXAMPLES, default_epochs, example_token_limit
from fineadvisor.measure._fast.dedupe import count_duplicates
from fineadvisor.measure._fast.spill import SpillingArrays
from fineadvisor.measure.stats import Distribution, add_counts, distribution_of_counts, weighted_value_at
from fineadvisor.measure.tokens import RecordTokens

if TYPE_CHECKING:
    pass

SPILL_ITEMS = 1 << 16
"""A merged builder moves its per-example arrays to temporary files when they hold this many examples."""
BLOCK = 1 << 16
"""Examples read back at a time."""
FORMAT_ERROR_TYPES = ("data_type", "missing_messages_list", "message_missing_key", "message_unrecognized_key",
                      "unrecognized_role", "missing_content", "example_missing_assistant_message")
"""The OpenAI cookbook's format error types (`Chat_finetuning_data_prep.ipynb`)."""


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
    sampled: bool = False
    """Estimated from a sample (`estimated`): counts scaled to the log, duplicates only those within the sample."""


class ReadinessBuilder(SpillingArrays):
    """Accumulates `RecordTokens` as training examples; `result()` gives the `Readiness`.

    Messages and tokens per example are exact histograms (merged by addition, whatever the number of examples).
    Duplicates need each example's (prompt, answer) hashes: a merged builder moves them to temporary files every
    `SPILL_ITEMS` examples, so its memory stays the same whatever the size of the log.
    """

    def __init__(self) -> None:
        self._examples = 0
        self._messages: Counter[int] = Counter()
        self._tokens: Counter[int] = Counter()
        self._assistant: Counter[int] = Counter()
        self._prompt_hash = array("Q")  # of the examples with an answer, in the same order
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

    def add(self, rt: RecordTokens, duplicates: bool = True) -> None:
        """Add one record as a training example (records without a prompt are not examples); `duplicates=False`
        leaves it out of the duplicate check (a sampled line drawn a second time is not a duplicate in the log)."""
        if rt.counted_input_tokens == 0:
            return
        self._examples += 1
        self._messages[rt.n_messages] += 1
        self._tokens[rt.example_tokens] += 1
        self._assistant[rt.assistant_tokens] += 1
        issues = example_issues(rt)
        if issues:
            self._errors.update(set(issues))
            self._with_errors += 1
        else:
            self._usable += 1
        self._missing_system += not rt.has_system
        self._missing_user += not rt.has_user
        if rt.answer_hash and duplicates:
            self._prompt_hash.append(rt.prompt_hash)
            self._answer_hash.append(rt.answer_hash)

    def merge(self, other: ReadinessBuilder, spill: bool = True) -> None:
        """Fold in a builder that accumulated other examples (e.g. a worker's chunk), after this one's; with
        `spill=False` everything stays in memory (a builder that is sent on, not summarised)."""
        assert other._spill is None, "only a builder whose numbers are all in memory can be merged in"
        for name in _ARRAYS:
            getattr(self, name).extend(getattr(other, name))
        self._examples += other._examples
        for name in _HISTOGRAMS:
            add_counts(getattr(self, name), getattr(other, name))
        self._errors.update(other._errors)
        self._with_errors += other._with_errors
        self._usable += other._usable
        self._missing_system += other._missing_system
        self._missing_user += other._missing_user
        if spill and len(self._prompt_hash) >= SPILL_ITEMS:
            self._move_out(_ARRAYS)

    def result(self, target_model: str, token_limit: int | None = None) -> Readiness:
        """Summarise the examples against a target model's per-example limit and OpenAI's epoch rule."""

        limit, source = example_token_limit(target_model)
        limit = token_limit or limit
        source = "set by the user" if token_limit else source
        self._check_open()
        n = self._examples
        hashes = zip(self._reader("_prompt_hash").blocks(BLOCK), self._reader("_answer_hash").blocks(BLOCK),
                     strict=True)
        duplicates, contradictory_prompts, contradictory_examples = count_duplicates(
            hashes, len(self._reader("_prompt_hash")))
        per_epoch = sum(min(tokens, limit) * c for tokens, c in self._tokens.items())
        over = sum(c for tokens, c in self._tokens.items() if tokens > limit)
        epochs = default_epochs(n)
        warnings = _warnings(n, self._with_errors, over, limit, duplicates,
                             contradictory_prompts, contradictory_examples)
        errors = {k: self._errors.get(k, 0) for k in FORMAT_ERROR_TYPES}

        def summary(name: str) -> Distribution:
            return distribution_of_counts(getattr(self, name))

        return Readiness(
            examples=n, usable_examples=self._usable, format_errors=errors,
            missing_system=self._missing_system, missing_user=self._missing_user,
            messages_per_example=summary("_messages"), tokens_per_example=summary("_tokens"),
            assistant_tokens_per_example=summary("_assistant"), target_model=target_model,
            token_limit=limit, token_limit_source=source, over_limit=over,
            exact_duplicates=duplicates, contradictory_prompts=contradictory_prompts,
            contradictory_examples=contradictory_examples, n_epochs=epochs,
            billable_tokens_per_epoch=per_epoch, billable_training_tokens=epochs * per_epoch,
            warnings=tuple(warnings),
        )


def _warnings(examples: int, with_errors: int, over: int, limit: int, duplicates: int, contradictory_prompts: int,
              contradictory_examples: int, about: str = "", within: str = "") -> list[str]:
    """The readiness warnings (`about`: "about " before estimated counts; `within`: where duplicates were seen)."""
    out: list[str] = []
    if examples < MIN_EXAMPLES:
        out.append(f"{about}{examples:,} examples: OpenAI requires at least {MIN_EXAMPLES} to start a fine-tuning job")
    elif examples < RECOMMENDED_EXAMPLES[0]:
        out.append(f"{about}{examples:,} examples: improvements usually show only from {RECOMMENDED_EXAMPLES[0]}–"
                   f"{RECOMMENDED_EXAMPLES[1]} well-crafted examples")
    if with_errors:
        out.append(f"{about}{with_errors:,} examples have format errors OpenAI would reject")
    if over:
        out.append(f"{about}{over:,} examples exceed {limit:,} tokens and would be truncated")
    if duplicates:
        out.append(f"{duplicates:,} examples{within} are exact duplicates of an earlier one")
    if contradictory_prompts:
        out.append(f"{contradictory_prompts:,} prompts{within} have different answers in different examples "
                   f"({contradictory_examples:,} examples)")
    return out


def example_issues(rt: RecordTokens) -> tuple[str, ...]:
    """The cookbook format errors of one example (its own, and a missing assistant message)."""
    return rt.format_issues if rt.has_assistant else (*rt.format_issues, "example_missing_assistant_message")


@dataclass(slots=True)
class WeightedExamples:
    """A sample's training examples, each counted with the weight of its line (the lines it stands for in the log):
    what `estimated` scales readiness's counts by, so that a draw that favours long lines does not favour long
    examples."""

    examples: float = 0.0
    usable: float = 0.0
    missing_system: float = 0.0
    missing_user: float = 0.0
    errors: dict[str, float] = field(default_factory=dict)
    tokens: dict[int, float] = field(default_factory=dict)
    """Weight per example length (tokens); `messages` and `assistant` likewise per message count and answer tokens."""
    messages: dict[int, float] = field(default_factory=dict)
    assistant: dict[int, float] = field(default_factory=dict)

    def add(self, rt: RecordTokens, weight: float) -> None:
        """One record of a line of weight `weight` (records without a prompt are not examples)."""
        if rt.counted_input_tokens == 0:
            return
        self.examples += weight
        for hist, value in ((self.tokens, rt.example_tokens), (self.messages, rt.n_messages),
                            (self.assistant, rt.assistant_tokens)):
            hist[value] = hist.get(value, 0.0) + weight
        issues = example_issues(rt)
        for issue in set(issues):
            self.errors[issue] = self.errors.get(issue, 0.0) + weight
        if not issues:
            self.usable += weight
        self.missing_system += weight * (not rt.has_system)
        self.missing_user += weight * (not rt.has_user)

    def add_skipped(self, issue: str | None, weight: float) -> None:
        """A skipped line of weight `weight`, under its cookbook error type."""
        if issue:
            self.errors[issue] = self.errors.get(issue, 0.0) + weight


def weighted_distribution(hist: dict[int, float]) -> Distribution:
    """The distribution of weighted values: count Σ W and total Σ W·v (rounded), mean Σ W·v ÷ Σ W, percentile q the
    smallest value whose cumulative weight reaches q · Σ W, max the largest value seen."""
    items = sorted((v, w) for v, w in hist.items() if w > 0)
    weight = sum(w for _, w in items)
    if not items or weight <= 0:
        return Distribution(0, 0.0, 0.0, 0.0, 0.0, 0, 0)
    total = sum(v * w for v, w in items)
    values, cumulative = [v for v, _ in items], list(accumulate(w for _, w in items))
    p50, p90, p95 = (weighted_value_at(values, cumulative, q) for q in (0.5, 0.9, 0.95))
    return Distribution(round(weight), total / weight, p50, p90, p95, items[-1][0], round(total))


def estimated(r: Readiness, w: WeightedExamples) -> Readiness:
    """A sample's readiness as an estimate for the whole log: every count the sum of its examples' line weights
    (Hansen–Hurwitz: Σ W·x), the epochs OpenAI's rule gives that many examples, and the duplicates as they are
    (within the sample); the distributions per example weighted likewise.

    Formula: billable_training_tokens = default_epochs(round(Σ W)) × round(Σ W · min(tokens, limit))."""
    limit = r.token_limit
    examples = round(w.examples)
    usable = min(examples, round(w.usable))
    per_epoch = round(sum(min(tokens, limit) * weight for tokens, weight in w.tokens.items()))
    over = round(sum(weight for tokens, weight in w.tokens.items() if tokens > limit))
    epochs = default_epochs(examples)
    errors = {k: round(w.errors.get(k, 0.0)) for k in r.format_errors}
    with_errors = max(0, examples - usable)
    warnings = _warnings(examples, with_errors, over, limit, r.exact_duplicates, r.contradictory_prompts,
                         r.contradictory_examples, about="about ", within=" in the sample")
    return replace(r, examples=examples, usable_examples=usable, format_errors=errors,
                   missing_system=round(w.missing_system), missing_user=round(w.missing_user), over_limit=over,
                   messages_per_example=weighted_distribution(w.messages),
                   tokens_per_example=weighted_distribution(w.tokens),
                   assistant_tokens_per_example=weighted_distribution(w.assistant),
                   n_epochs=epochs, billable_tokens_per_epoch=per_epoch, billable_training_tokens=epochs * per_epoch,
                   warnings=tuple(warnings), sampled=True)


_ARRAYS = ("_prompt_hash", "_answer_hash")
_HISTOGRAMS = ("_messages", "_tokens", "_assistant")


def duplicate_counts(pairs: Iterable[tuple[int, int]]) -> tuple[int, int, int]:
    """The plain rule `count_duplicates` computes in bounded memory, over (prompt hash, answer hash) pairs:
    (copies beyond the first of each pair, prompts with two or more answers, examples carrying those prompts)."""
    seen = list(pairs)
    copies = Counter(seen)
    answers: dict[int, set[int]] = {}
    for prompt, answer in seen:
        answers.setdefault(prompt, set()).add(answer)
    several = {prompt for prompt, found in answers.items() if len(found) > 1}
    return sum(c - 1 for c in copies.values()), len(several), sum(prompt in several for prompt, _ in seen)
