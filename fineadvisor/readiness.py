"""The logs as fine-tuning data: format errors, example counts, per-example limits, epochs and billable tokens.

Rules from OpenAI's cookbook `Chat_finetuning_data_prep.ipynb` and fine-tuning guide:
    n_epochs = 3, unless n × 3 < 100 → min(25, 100 // n), or n × 3 > 25,000 → max(1, 25,000 // n)
    billable_training_tokens = n_epochs × Σ_examples min(limit, example_tokens)
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fineadvisor.encodings import normalize_model
from fineadvisor.records import TOKEN_ARRAY
from fineadvisor.spill import Spill, SpillingArrays
from fineadvisor.stats import Distribution, distribution_of
from fineadvisor.tokens import RecordTokens

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

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

SPILL_ITEMS = 1 << 16
"""A merged builder moves its per-example arrays to temporary files when they hold this many examples."""
BLOCK = 1 << 16
"""Examples read back at a time."""
DEDUP_ROWS = 1 << 20
"""Examples whose duplicates are counted in memory at once; more are counted part by part (see `_duplicates`)."""
MAX_PART_BITS = 6
"""At most 64 parts per round and level: whatever the log's size, ~210 temporary files are open at the most
(both rounds and one level of re-splitting, 64 each, and the builders' 16)."""
_MIX = 0x9E3779B97F4A7C15
"""2⁶⁴ ÷ the golden ratio, odd: multiplying by it (mod 2⁶⁴) spreads keys over the top bits."""


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


class ReadinessBuilder(SpillingArrays):
    """Accumulates `RecordTokens` as training examples; `result()` gives the `Readiness`.

    As in `ProfileBuilder`, a merged builder moves its per-example arrays to temporary files every
    `SPILL_ITEMS` examples, so its memory stays the same whatever the size of the log.
    """

    def __init__(self) -> None:
        self._messages = array(TOKEN_ARRAY)
        self._tokens = array(TOKEN_ARRAY)
        self._assistant = array(TOKEN_ARRAY)
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
        """Fold in a builder that accumulated other examples (e.g. a worker's chunk), after this one's."""
        assert other._spill is None, "only a builder whose numbers are all in memory can be merged in"
        for name in _ARRAYS:
            getattr(self, name).extend(getattr(other, name))
        self._errors.update(other._errors)
        self._with_errors += other._with_errors
        self._usable += other._usable
        self._missing_system += other._missing_system
        self._missing_user += other._missing_user
        if len(self._tokens) >= SPILL_ITEMS:
            self._move_out(_ARRAYS)

    def result(self, target_model: str, token_limit: int | None = None) -> Readiness:
        """Summarise the examples against a target model's per-example limit and OpenAI's epoch rule."""
        import numpy as np  # here, not at the top: counting workers import this module but never summarise

        limit, source = example_token_limit(target_model)
        limit = token_limit or limit
        source = "set by the user" if token_limit else source
        n = len(self._reader("_tokens"))
        hashes = zip(self._reader("_prompt_hash").blocks(BLOCK), self._reader("_answer_hash").blocks(BLOCK),
                     strict=True)
        duplicates, contradictory_prompts, contradictory_examples = _duplicates(
            hashes, len(self._reader("_prompt_hash")))
        per_epoch = over = 0
        for tokens in self._reader("_tokens").blocks(BLOCK):
            per_epoch += int(np.minimum(tokens.astype(np.int64), limit).sum())
            over += int(np.count_nonzero(tokens > limit))
        epochs = default_epochs(n)
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

        def summary(name: str) -> Distribution:
            return distribution_of(lambda: self._reader(name).blocks(BLOCK))

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


_ARRAYS = ("_messages", "_tokens", "_assistant", "_prompt_hash", "_answer_hash")
_ROW = [("prompt", "<u8"), ("answer", "<u8"), ("count", "<i8")]
"""A distinct (prompt, answer) of a block of examples, with how many examples have it."""
_PROMPT_ROW = [("prompt", "<u8"), ("answers", "<i8"), ("count", "<i8")]
"""A prompt with how many distinct answers and examples it has (in one part of the examples)."""


def _duplicates(blocks: Iterable[tuple[npt.NDArray[Any], npt.NDArray[Any]]], n: int
                ) -> tuple[int, int, int]:
    """(exact duplicates, prompts with several answers, examples carrying those prompts) of n (prompt, answer)s.

    Up to `DEDUP_ROWS` examples are counted in memory. Beyond, in bounded memory, in two rounds over P parts
    (P = the power of two ≥ 2n ÷ DEDUP_ROWS, at most 2**MAX_PART_BITS), each in a temporary file:
    1. each block's distinct (prompt, answer, count) rows go to a part chosen by a hash of (prompt, answer), so
       every copy of an example lands in one part: there, duplicates = Σ count − distinct rows;
    2. each part's (prompt, distinct answers, examples) rows go to a part chosen by a hash of the prompt: there,
       a prompt with two or more answers in total is contradictory.
    A part still over DEDUP_ROWS rows is split again by the next bits of its hash (see `_Parts`).
    """
    import numpy as np

    bits = min(MAX_PART_BITS, math.ceil(math.log2(2 * n / DEDUP_ROWS))) if n > DEDUP_ROWS else 0
    first = _Parts(bits, np.dtype(_ROW), lambda rows: rows["prompt"] ^ (rows["answer"] * np.uint64(_MIX)))
    second = _Parts(bits, np.dtype(_PROMPT_ROW), lambda rows: rows["prompt"])
    try:
        for prompts, answers in blocks:
            first.add(_distinct(prompts, answers, np.ones(len(prompts), dtype=np.int64)))
        duplicates = 0
        with closing(first.each()) as parts:  # on an error, the part being split again is closed at once
            for rows in parts:
                rows = _distinct(rows["prompt"], rows["answer"], rows["count"])
                duplicates += int(rows["count"].sum()) - len(rows)
                second.add(_per_prompt(rows["prompt"], np.ones(len(rows), dtype=np.int64), rows["count"]))
        prompts_with_several = examples = 0
        with closing(second.each()) as parts:
            for rows in parts:
                per_prompt = _per_prompt(rows["prompt"], rows["answers"], rows["count"])
                several = per_prompt["answers"] > 1
                prompts_with_several += int(np.count_nonzero(several))
                examples += int(per_prompt["count"][several].sum())
    finally:
        first.close()
        second.close()
    return duplicates, prompts_with_several, examples


def _distinct(prompts: npt.NDArray[np.uint64], answers: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64]
              ) -> npt.NDArray[np.void]:
    """The distinct (prompt, answer) rows, sorted, each with the sum of its counts."""
    import numpy as np

    order = np.lexsort((answers, prompts))
    p, a, c = prompts[order], answers[order], counts[order]
    starts = np.flatnonzero(np.concatenate(([True], (p[1:] != p[:-1]) | (a[1:] != a[:-1])))) if len(p) else order
    rows = np.empty(len(starts), dtype=_ROW)
    rows["prompt"], rows["answer"] = p[starts], a[starts]
    rows["count"] = np.add.reduceat(c, starts) if len(starts) else c
    return rows


def _per_prompt(prompts: npt.NDArray[np.uint64], answers: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]
                ) -> npt.NDArray[np.void]:
    """One row per distinct prompt, with the sums of its answers and counts."""
    import numpy as np

    order = np.argsort(prompts, kind="stable")
    p = prompts[order]
    starts = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1]))) if len(p) else order
    rows = np.empty(len(starts), dtype=_PROMPT_ROW)
    rows["prompt"] = p[starts]
    rows["answers"] = np.add.reduceat(answers[order], starts) if len(starts) else answers
    rows["count"] = np.add.reduceat(counts[order], starts) if len(starts) else counts
    return rows


class _Parts:
    """Rows split into 2**bits parts by a 64-bit hash of their key: in memory when bits is 0, else in temporary
    files. Level L uses bits L·bits … (L+1)·bits − 1 (from the top) of the hash, so a part that is still too
    large is split again at level L + 1; rows with the same key always stay together."""

    def __init__(self, bits: int, dtype: np.dtype[np.void],
                 key: Callable[[npt.NDArray[Any]], npt.NDArray[np.uint64]], level: int = 0) -> None:
        self._bits, self._dtype, self._key, self._level = bits, dtype, key, level
        self._memory: list[npt.NDArray[Any]] = []
        self._spill = Spill()

    def add(self, rows: npt.NDArray[Any]) -> None:
        """File `rows` under their parts."""
        import numpy as np

        if not self._bits:
            self._memory.append(rows)
            return
        hashed = self._key(rows) * np.uint64(_MIX)  # Fibonacci hashing: spreads even small keys over the top bits
        part = (hashed >> np.uint64(64 - self._bits * (self._level + 1))) & np.uint64((1 << self._bits) - 1)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange((1 << self._bits) + 1, dtype=np.uint64))
        for i in range(1 << self._bits):
            if bounds[i] < bounds[i + 1]:
                self._spill.write(str(i), rows[order[bounds[i]:bounds[i + 1]]])

    def each(self) -> Generator[npt.NDArray[Any], None, None]:
        """Each part's rows, one part at a time (a part over DEDUP_ROWS rows comes as its own parts)."""
        import numpy as np

        if not self._bits:
            yield np.concatenate(self._memory) if self._memory else np.empty(0, dtype=self._dtype)
            return
        for i in range(1 << self._bits):
            reader = self._spill.reader(str(i), self._dtype)
            if len(reader) <= DEDUP_ROWS or self._bits * (self._level + 2) > 64:
                yield reader.take(len(reader))
            else:
                smaller = _Parts(self._bits, self._dtype, self._key, self._level + 1)
                try:
                    for rows in reader.blocks(BLOCK):
                        smaller.add(rows)
                    yield from smaller.each()
                finally:
                    smaller.close()
            self._spill.drop(str(i))

    def close(self) -> None:
        self._spill.close()
