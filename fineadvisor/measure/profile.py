"""Token counts → workload profile: static prefix (system, tools, few-shot) vs dynamic input vs output.

Few-shot examples are found, not guessed: a leading (user, assistant) pair before the final turn is a
few-shot example when the same pair sits at the same position in at least half of the records that share
its static prefix (and in at least 2 records); messages named example_user / example_assistant always are.
Pairs that do not repeat like that are conversation history. Memory stays bounded: pair frequencies are
kept with the Misra–Gries summary (any pair in more than 1/PAIR_SLOTS of the records is always kept).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

from fineadvisor.measure._fast.spill import Spill, SpillingArrays
from fineadvisor.measure.records import TOKEN_ARRAY
from fineadvisor.measure.stats import Distribution, distribution_of
from fineadvisor.measure.tokens import RecordTokens

FEW_SHOT_MIN_SHARE = 0.5
"""A repeated pair is few-shot when it appears in at least this share of its template's records."""
PAIR_SLOTS = 50_000
"""Pair-frequency entries kept (Misra–Gries); frequent pairs are never lost."""
TEMPLATE_SLOTS = 20_000
"""Distinct static prefixes tracked exactly; beyond this the template count is reported as a lower bound."""
TOP_TEMPLATES = 10
RESULT_BLOCK = 1 << 16
"""Records whose few-shot pairs are classified (and values summarised) at a time: bounds the summaries' memory."""
SPILL_ITEMS = 1 << 16
"""A merged builder moves its per-record arrays to temporary files when one holds this many values."""


@dataclass(frozen=True, slots=True)
class TemplateStats:
    """One static prefix shared by a group of records."""

    records: int
    static_prefix_tokens: int
    """System + tools + few-shot tokens of the template's first record."""
    few_shot_examples: int


@dataclass(frozen=True, slots=True)
class UsageComparison:
    """Billed (`usage` in the logs) against counted prompt tokens, over records that carry both."""

    records: int
    billed_prompt_tokens: int
    counted_prompt_tokens: int
    max_abs_difference: int
    exact_matches: int
    cached_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    records_with_cache_reads: int = 0
    """Records (with usage and a prompt) whose usage shows any tokens read from the cache: the hit count."""

    @property
    def difference(self) -> int:
        """Billed minus counted, in total."""
        return self.billed_prompt_tokens - self.counted_prompt_tokens


@dataclass(frozen=True, slots=True)
class WorkloadProfile:
    """Where a workload's tokens go, per request."""

    records: int
    input_tokens: Distribution
    """Prompt tokens per request: billed where the log has `usage`, else counted."""
    output_tokens: Distribution
    """Completion tokens per request, over records whose output is known (billed, else counted)."""
    static_prefix_tokens: Distribution
    """System/developer messages + tool schemas + few-shot examples, framing included."""
    system_tokens: Distribution
    tool_tokens: Distribution
    few_shot_tokens: Distribution
    history_tokens: Distribution
    """Earlier conversation turns (not repeated across records)."""
    query_tokens: Distribution
    """The final turn, plus 3 reply-priming tokens."""
    dynamic_tokens: Distribution
    """history + query."""
    static_share: float
    """Σ static prefix ÷ Σ counted input tokens, over records whose prompt is in the log."""
    templates: int
    templates_capped: bool
    few_shot_examples: int
    top_templates: tuple[TemplateStats, ...]
    records_with_prompt: int
    records_without_output: int
    uncounted_parts: int
    image_tokens: int
    usage: UsageComparison
    models: tuple[tuple[str, int], ...] = field(default=())
    sources: tuple[tuple[str, int], ...] = field(default=())
    """Records per log format (fine_tuning, chat_request, batch_input, …)."""


class _MisraGries:
    """Frequency summary in bounded space: count(x) ≥ true(x) − n/(k+1)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.counts: dict[tuple[int, int, int], int] = {}

    def add(self, key: tuple[int, int, int]) -> None:
        counts = self.counts
        if key in counts:
            counts[key] += 1
        elif len(counts) < self.slots:
            counts[key] = 1
        else:
            self.counts = {k: v - 1 for k, v in counts.items() if v > 1}

    def merge(self, counts: dict[tuple[int, int, int], int]) -> None:
        """Add another summary's counts, then trim back to `slots` entries (the mergeable-summaries rule)."""
        mine = self.counts
        for key, c in counts.items():
            mine[key] = mine.get(key, 0) + c
        if len(mine) > self.slots:
            cut = sorted(mine.values(), reverse=True)[self.slots]
            self.counts = {k: v - cut for k, v in mine.items() if v > cut}


class ProfileBuilder(SpillingArrays):
    """Accumulates `RecordTokens` one at a time; `result()` gives the `WorkloadProfile`.

    Per-record numbers are kept in compact arrays; a merged builder (the parent's) moves them to temporary
    files every `SPILL_ITEMS` records, so its memory stays the same whatever the size of the log.
    """

    def __init__(self) -> None:
        self._input = array(TOKEN_ARRAY)
        self._output = array(TOKEN_ARRAY)
        # One entry per record with a prompt, in the same order:
        self._system = array(TOKEN_ARRAY)
        self._tools = array(TOKEN_ARRAY)
        self._named = array(TOKEN_ARRAY)
        self._history = array(TOKEN_ARRAY)
        self._query = array(TOKEN_ARRAY)
        self._template = array("i")  # template index (< TEMPLATE_SLOTS), or -1 when untracked
        self._n_pairs = array("i")
        # One entry per candidate few-shot pair, record after record:
        self._pair_hash = array("Q")
        self._pair_tokens = array(TOKEN_ARRAY)
        self._template_index: dict[int, int] = {}
        self._template_hashes: list[int] = []
        self._template_count: list[int] = []
        self._template_named: list[int] = []
        self._templates_capped = False
        self._pairs = _MisraGries(PAIR_SLOTS)
        self._records_without_output = 0
        self._uncounted = 0
        self._images = 0
        self._models: Counter[str] = Counter()
        self._sources: Counter[str] = Counter()
        self._usage = [0, 0, 0, 0, 0, 0, 0, 0, 0]  # records, billed, counted, max|diff|, exact, cached, write, reasoning,
        # records with cache reads

    def add(self, rt: RecordTokens) -> None:
        """Add one record."""
        counted = rt.counted_input_tokens
        has_prompt = rt.n_messages > 0 and counted > 0
        u = rt.usage
        self._input.append(u.prompt_tokens if u else counted)
        if u is not None:
            self._output.append(u.completion_tokens)
        elif rt.output_tokens is not None:
            self._output.append(rt.output_tokens)
        else:
            self._records_without_output += 1
        if u is not None and has_prompt:
            s = self._usage
            diff = u.prompt_tokens - counted
            s[0] += 1
            s[1] += u.prompt_tokens
            s[2] += counted
            s[3] = max(s[3], abs(diff))
            s[4] += diff == 0
            s[8] += u.cached_tokens > 0
        if u is not None:
            self._usage[5] += u.cached_tokens
            self._usage[6] += u.cache_write_tokens
            self._usage[7] += u.reasoning_tokens
        self._uncounted += rt.uncounted_parts
        self._images += rt.image_tokens
        if rt.model:
            self._models[rt.model] += 1
        self._sources[rt.source] += 1
        if not has_prompt:
            return
        self._system.append(rt.system_tokens)
        self._tools.append(rt.tool_tokens)
        self._named.append(rt.named_example_tokens)
        self._history.append(rt.history_tokens)
        self._query.append(rt.query_tokens)
        t = self._template_slot(rt.template, rt.named_examples)
        if t >= 0:
            self._template_count[t] += 1
        self._template.append(t)
        self._n_pairs.append(len(rt.pairs))
        for pos, (h, tokens) in enumerate(rt.pairs):
            self._pair_hash.append(h)
            self._pair_tokens.append(tokens)
            if t >= 0:
                self._pairs.add((t, pos, h))

    def _template_slot(self, template: int, named_examples: int) -> int:
        """The index of a template, registering it while there is room; -1 once the table is full."""
        t = self._template_index.get(template)
        if t is None:
            if len(self._template_count) >= TEMPLATE_SLOTS:
                self._templates_capped = True
                return -1
            t = self._template_index[template] = len(self._template_count)
            self._template_hashes.append(template)
            self._template_count.append(0)
            self._template_named.append(named_examples)
        return t

    def merge(self, other: ProfileBuilder) -> None:
        """Fold in a builder that accumulated other records (e.g. a worker's chunk), after this one's."""
        assert other._spill is None, "only a builder whose numbers are all in memory can be merged in"
        remap = [self._template_slot(h, named) for h, named in zip(other._template_hashes, other._template_named,
                                                                    strict=True)]
        for t, c in enumerate(other._template_count):
            if remap[t] >= 0:
                self._template_count[remap[t]] += c
        self._templates_capped |= other._templates_capped
        self._template.extend([remap[t] if t >= 0 else -1 for t in other._template])
        for name in _ARRAYS:
            if name != "_template":
                getattr(self, name).extend(getattr(other, name))
        self._pairs.merge({(remap[t], pos, h): c for (t, pos, h), c in other._pairs.counts.items() if remap[t] >= 0})
        self._records_without_output += other._records_without_output
        self._uncounted += other._uncounted
        self._images += other._images
        self._models.update(other._models)
        self._sources.update(other._sources)
        mine, theirs = self._usage, other._usage
        for i in range(len(mine)):
            mine[i] = max(mine[i], theirs[i]) if i == 3 else mine[i] + theirs[i]
        if len(self._input) >= SPILL_ITEMS or len(self._pair_hash) >= SPILL_ITEMS:
            self._move_out(_ARRAYS)

    def models(self) -> Counter[str]:
        """How many records named each model."""
        return Counter(self._models)

    def _frequent(self) -> list[tuple[int, int, int]]:
        """The (template, position, pair hash) keys frequent enough in their template to be few-shot."""
        threshold = [max(2, math.ceil(FEW_SHOT_MIN_SHARE * c)) for c in self._template_count]
        return [(t, p, h) for (t, p, h), c in self._pairs.counts.items() if t >= 0 and c >= threshold[t]]

    def result(self) -> WorkloadProfile:
        """Classify few-shot pairs and summarise every part, `RESULT_BLOCK` records at a time.

        The parts that depend on the classification (static prefix, few-shot, history, dynamic) are written
        block by block to temporary files and summarised from there, so memory stays bounded by the block size.
        """
        import numpy as np  # here, not at the top: counting workers import this module but never summarise

        frequent = self._frequent()
        columns = {name: self._reader(name) for name in _PROMPT_ARRAYS}
        pair_hash, pair_tokens = self._reader("_pair_hash"), self._reader("_pair_tokens")
        n = len(columns["_template"])
        derived = Spill()
        tails: dict[str, npt.NDArray[np.int64]] = {}
        first_static: dict[int, int] = {}  # per template, the static prefix of its first record
        found: set[tuple[int, int, int]] = set()
        try:
            for r0 in range(0, n, RESULT_BLOCK):
                k = min(RESULT_BLOCK, n - r0)
                c = {name: reader.take(k).astype(np.int64) for name, reader in columns.items()}
                m = int(c["_n_pairs"].sum())
                few, other, keys = _classify_block(c["_template"], c["_n_pairs"], pair_hash.take(m),
                                                   pair_tokens.take(m).astype(np.int64), frequent)
                found.update(keys)
                few_total = c["_named"] + few
                history = c["_history"] + other
                static = c["_system"] + c["_tools"] + few_total
                firsts, index = np.unique(c["_template"], return_index=True)
                for t, i in zip(firsts.tolist(), index.tolist(), strict=True):
                    first_static.setdefault(t, int(static[i]))
                for name, values in (("static", static), ("few_shot", few_total), ("history", history),
                                     ("dynamic", history + c["_query"])):
                    if r0 + k < n:
                        derived.write(name, values)
                    else:
                        tails[name] = values

            def summary(name: str) -> Distribution:
                if name in _ARRAYS:
                    return distribution_of(lambda: self._reader(name).blocks(RESULT_BLOCK))
                return distribution_of(
                    lambda: derived.reader(name, np.int64, tails.get(name, b"")).blocks(RESULT_BLOCK))

            static_d, dynamic_d = summary("static"), summary("dynamic")
            few_shot_d, history_d = summary("few_shot"), summary("history")
        finally:
            derived.close()
        counted_total = static_d.total + dynamic_d.total
        per_template_pairs = Counter(t for t, _, _ in found)
        tops = sorted(((c, t) for t, c in enumerate(self._template_count)), reverse=True)[:TOP_TEMPLATES]
        top_templates = tuple(
            TemplateStats(c, first_static[t], per_template_pairs[t] + self._template_named[t])
            for c, t in tops if t in first_static
        )
        few_shot_examples = sum(per_template_pairs.values()) + sum(self._template_named)
        s = self._usage
        return WorkloadProfile(
            records=len(self._reader("_input")),
            input_tokens=summary("_input"),
            output_tokens=summary("_output"),
            static_prefix_tokens=static_d,
            system_tokens=summary("_system"),
            tool_tokens=summary("_tools"),
            few_shot_tokens=few_shot_d,
            history_tokens=history_d,
            query_tokens=summary("_query"),
            dynamic_tokens=dynamic_d,
            static_share=static_d.total / counted_total if counted_total else 0.0,
            templates=len(self._template_count),
            templates_capped=self._templates_capped,
            few_shot_examples=few_shot_examples,
            top_templates=top_templates,
            records_with_prompt=n,
            records_without_output=self._records_without_output,
            uncounted_parts=self._uncounted,
            image_tokens=self._images,
            usage=UsageComparison(*s),
            models=tuple(self._models.most_common(20)),
            sources=tuple(self._sources.most_common()),
        )


def parts(builder: ProfileBuilder) -> dict[str, npt.NDArray[np.int64]]:
    """Every per-record count, in memory, in the order the records were added (for a sample: small by design).

    "input" and "output" have one value per record that has them (see `WorkloadProfile`); the others one per record
    with a prompt, the few-shot pairs classified as `result` classifies them."""
    import numpy as np

    b = builder
    whole = {name: b._reader(name).take(len(b._reader(name))).astype(np.int64) for name in _ARRAYS}
    few, other, _ = _classify_block(whole["_template"], whole["_n_pairs"], b._reader("_pair_hash").take(
        len(whole["_pair_hash"])), whole["_pair_tokens"], b._frequent())
    few_shot, history = whole["_named"] + few, whole["_history"] + other
    return {"input": whole["_input"], "output": whole["_output"], "system": whole["_system"],
            "tools": whole["_tools"], "few_shot": few_shot, "history": history, "query": whole["_query"],
            "static": whole["_system"] + whole["_tools"] + few_shot, "dynamic": history + whole["_query"]}


_PROMPT_ARRAYS = ("_system", "_tools", "_named", "_history", "_query", "_template", "_n_pairs")
_ARRAYS = ("_input", "_output", *_PROMPT_ARRAYS, "_pair_hash", "_pair_tokens")


def _classify_block(template: npt.NDArray[np.int64], n_pairs: npt.NDArray[np.int64],
                    pair_hash: npt.NDArray[Any], pair_tokens: npt.NDArray[np.int64],
                    frequent: list[tuple[int, int, int]],
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[tuple[int, int, int]]]:
    """Per record of a block, the tokens of its few-shot pairs and of its other pairs; the few-shot keys seen.

    A pair is few-shot when its (template, position, pair) key is frequent enough in its template, and so is
    every pair before it in the record.
    """
    import numpy as np

    k = len(template)
    rec = np.repeat(np.arange(k, dtype=np.int64), n_pairs)  # each pair's record, and its position there
    pos = np.arange(len(rec), dtype=np.int64) - (np.cumsum(n_pairs) - n_pairs)[rec]
    keys, decode, freq = _pair_keys(template[rec], pos, pair_hash, frequent)
    ok = np.isin(keys, freq)
    first_miss = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_miss, rec[~ok], pos[~ok])
    fewshot = pos < first_miss[rec]
    few = np.bincount(rec[fewshot], weights=pair_tokens[fewshot], minlength=k).astype(np.int64)
    other = np.bincount(rec[~fewshot], weights=pair_tokens[~fewshot], minlength=k).astype(np.int64)
    return few, other, decode(np.unique(keys[fewshot]))


def _pair_keys(template: npt.NDArray[np.int64], pos: npt.NDArray[np.int64], pair_hash: npt.NDArray[np.uint64],
               frequent: list[tuple[int, int, int]],
               ) -> tuple[npt.NDArray[np.int64], Callable[[npt.NDArray[np.int64]], list[tuple[int, int, int]]],
                          npt.NDArray[np.int64]]:
    """Exact integer keys for (template, position, pair hash): the pairs', a decoder back to triples, the frequent ones'.

    Hashes and (template, position) combinations are numbered by `np.unique`, so a key is
    hash number × combinations + combination number: below n_pairs², which int64 holds for any feasible log.
    Frequent triples that no pair has get key −1 (they match nothing).
    """
    import numpy as np

    # Wide enough for every position, the pairs' and the frequent keys', so that no two combinations collide.
    width = 1 + max(int(pos.max()) if len(pos) else 0, max((p for _, p, _ in frequent), default=0))
    hashes, hash_no = np.unique(pair_hash, return_inverse=True)
    combos, combo_no = np.unique((template + 1) * width + pos, return_inverse=True)
    assert len(hashes) * len(combos) < 2**63, "too many pairs for int64 keys"
    keys = hash_no.astype(np.int64) * len(combos) + combo_no

    f_hash = np.array([h for _, _, h in frequent], dtype=np.uint64)
    f_combo = np.array([(t + 1) * width + p for t, p, _ in frequent], dtype=np.int64)
    i_hash = np.minimum(np.searchsorted(hashes, f_hash), max(len(hashes) - 1, 0))
    i_combo = np.minimum(np.searchsorted(combos, f_combo), max(len(combos) - 1, 0))
    found = (hashes[i_hash] == f_hash) & (combos[i_combo] == f_combo) if len(keys) else np.zeros(len(frequent), bool)
    freq = np.where(found, i_hash.astype(np.int64) * len(combos) + i_combo, -1)

    def decode(k: npt.NDArray[np.int64]) -> list[tuple[int, int, int]]:
        """The (template, position, pair hash) of each key."""
        if not len(k):
            return []
        combo = combos[k % len(combos)]
        return list(zip((combo // width - 1).tolist(), (combo % width).tolist(), hashes[k // len(combos)].tolist(),
                        strict=True))

    return keys, decode, freq.astype(np.int64)
