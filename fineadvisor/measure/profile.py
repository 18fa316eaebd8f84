"""Token counts → workload profile: static prefix (system, tools, few-shot) vs dynamic input vs output.

Few-shot examples are found, not guessed: a leading (user, assistant) pair before the final turn is a
few-shot example when the same pair sits at the same position in at least half of the records that share
its static prefix (and in at least 2 records); messages named example_user / example_assistant always are.
Pairs that do not repeat like that are conversation history. Memory stays bounded: pair frequencies are
kept with the Misra–Gries summary (any pair in more than 1/PAIR_SLOTS of the records is always kept).

A chunk's records are collected one by one (`ProfileBuilder`) and sent on as a `ProfilePartial`: exact integer
histograms, the records grouped by template and candidate pairs, and the counts the classification needs. Partials
merge by addition, whichever engine counted them, and the classification is made once, at the end, over them all.
"""

from __future__ import annotations

import math
import os
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

from fineadvisor.errors import TempSpaceError
from fineadvisor.measure._fast.spill import temp_dir_name
from fineadvisor.measure.records import TOKEN_ARRAY
from fineadvisor.measure.stats import Distribution, add_counts, distribution_of_counts
from fineadvisor.measure.tokens import RecordTokens

FEW_SHOT_MIN_SHARE = 0.5
"""A repeated pair is few-shot when it appears in at least this share of its template's records."""
PAIR_SLOTS = 50_000
"""Pair-frequency entries kept (Misra–Gries); frequent pairs are never lost."""
TEMPLATE_SLOTS = 20_000
"""Distinct static prefixes tracked exactly; beyond this the template count is reported as a lower bound."""
TOP_TEMPLATES = 10


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


class ProfileBuilder:
    """Accumulates `RecordTokens` one at a time, per record in compact arrays: a chunk's or a sample's records.

    `partial()` gives its mergeable summary (what a chunk sends to be merged), `result()` the `WorkloadProfile`.
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

    def __len__(self) -> int:
        """Records added."""
        return len(self._input)

    def models(self) -> Counter[str]:
        """How many records named each model."""
        return Counter(self._models)

    def _frequent(self) -> list[tuple[int, int, int]]:
        """The (template, position, pair hash) keys frequent enough in their template to be few-shot."""
        threshold = [max(2, math.ceil(FEW_SHOT_MIN_SHARE * c)) for c in self._template_count]
        return [(t, p, h) for (t, p, h), c in self._pairs.counts.items() if t >= 0 and c >= threshold[t]]

    def partial(self) -> ProfilePartial:
        """These records as a `ProfilePartial`: histograms instead of per-record arrays (see there)."""
        out = ProfilePartial()
        for name in ("input", "output", "system", "tools", "query"):
            out.counts[name] = Counter(getattr(self, f"_{name}"))
        hashes = self._template_hashes
        out.template_records = dict(zip(hashes, self._template_count, strict=True))
        out.template_named = dict(zip(hashes, self._template_named, strict=True))
        firsts = out.template_first
        out.templates_capped = self._templates_capped
        out.pairs.counts = {(hashes[t], pos, h): c for (t, pos, h), c in self._pairs.counts.items()}
        pair_hash, pair_tokens, groups = self._pair_hash, self._pair_tokens, out.groups
        j = 0
        last_slice, last_key = None, _NO_PAIRS  # consecutive records often share their pairs (few-shot examples)
        for n_pairs, t, system, tools, named, history, query in zip(
                self._n_pairs, self._template, self._system, self._tools, self._named, self._history, self._query,
                strict=True):
            template = hashes[t] if t >= 0 else _UNTRACKED
            if n_pairs:
                these = pair_hash[j:j + n_pairs]
                if these == last_slice and last_key[0] == template and \
                        pair_tokens[j:j + n_pairs] == pair_tokens[j - n_pairs:j]:
                    key = last_key
                else:
                    key = last_key = (template, tuple(these), tuple(pair_tokens[j:j + n_pairs]))
                    last_slice = these
                j += n_pairs
            else:
                key = _NO_PAIRS
            group = groups.get(key)
            if group is None:
                group = groups[key] = {}
            static = system + tools + named
            row = (static, named, history, history + query)
            group[row] = group.get(row, 0) + 1
            if t >= 0 and template not in firsts:
                firsts[template] = (static, key)
        out.records_without_output = self._records_without_output
        out.uncounted, out.images = self._uncounted, self._images
        out.model_records, out.sources, out.usage = Counter(self._models), Counter(self._sources), list(self._usage)
        return out

    def result(self) -> WorkloadProfile:
        """The `WorkloadProfile` of these records."""
        return self.partial().result()


_UNTRACKED = -(1 << 70)
"""The template key of records whose template was not tracked (the table was full): their pairs are history."""
GroupKey = tuple[int | None, tuple[int, ...], tuple[int, ...]]
"""Records with the same template (its hash), the same candidate pairs (their hashes) and the same pairs' tokens:
they are classified the same way."""
Rows = dict[tuple[int, int, int, int], int]
"""A group's records: how many have each (system + tools + named examples, named examples, history, history +
query). Once the group's first k pairs are known to be few-shot, each record's static prefix and few-shot tokens
grow by those k pairs' tokens, and its history and dynamic tokens by the other pairs'."""
_NO_PAIRS: GroupKey = (None, (), ())
"""The one group of every record without candidate pairs (nothing to classify: template does not matter)."""
GROUP_SLOTS = 1 << 15
"""Groups (template and pair sequence) a merged partial keeps in memory; groups first seen after that are moved
to a temporary file, so that logs whose every record has its own history stay in bounded memory."""


class ProfilePartial:
    """A mergeable summary of any number of records: what the engines send between processes and machines.

    Exact integer histograms of every per-record count, the records grouped by (template, candidate pairs), the
    templates' counts, the pairs' Misra–Gries frequencies and the usage sums; `merge` adds another partial of later
    records. Its size follows the distinct values and groups, not the records: a chunk of 10,000 single-turn
    requests sends a few hundred numbers. The classification of pairs into few-shot and history waits for
    `result`, which needs every record's pair frequencies; it is the same as classifying record by record.
    """

    def __init__(self) -> None:
        self.counts: dict[str, Counter[int]] = {name: Counter() for name in ("input", "output", "system", "tools",
                                                                              "query")}
        self.template_records: dict[int, int] = {}
        """Records per template (its hash), in the order first seen."""
        self.template_named: dict[int, int] = {}
        """Per template, its named examples (example_user / example_assistant messages)."""
        self.template_first: dict[int, tuple[int, GroupKey]] = {}
        """Per template, its first record: its system + tools + named examples tokens and its group."""
        self.templates_capped = False
        self.pairs = _MisraGries(PAIR_SLOTS)
        self.groups: dict[GroupKey, Rows] = {}
        self.records_without_output = 0
        self.uncounted = 0
        self.images = 0
        self.model_records: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.usage = [0] * 9
        self._moved: IO[bytes] | None = None
        self._moving: list[tuple[GroupKey, Rows]] = []
        self._closed = False

    def __getstate__(self) -> dict[str, object]:
        state = {k: getattr(self, k) for k in _PARTIAL_STATE}
        state["_moving"] = list(self._moved_groups())  # sent along: the receiver holds them until it merges them
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]
        for k, v in state.items():
            setattr(self, k, v)

    def merge(self, other: ProfilePartial) -> None:
        """Add another partial's records, as if they came after these (the first of each template stays this one's)."""
        self._check_open()
        for name, counts in other.counts.items():
            add_counts(self.counts[name], counts)
        tracked = set()
        records, named, first = self.template_records, self.template_named, self.template_first
        for h, n in other.template_records.items():
            if h not in records:
                if len(records) >= TEMPLATE_SLOTS:
                    self.templates_capped = True
                    continue
                records[h] = 0
                named[h] = other.template_named[h]
            records[h] += n
            if h not in first and h in other.template_first:
                first[h] = other.template_first[h]
            tracked.add(h)
        self.templates_capped |= other.templates_capped
        self.pairs.merge({key: c for key, c in other.pairs.counts.items() if key[0] in tracked})
        for key, members in other._all_groups():  # those it moved to its temporary file too
            if key[0] not in (None, _UNTRACKED) and key[0] not in records:
                key = (_UNTRACKED, key[1], key[2])  # a template with no room here: its pairs are history
            group = self.groups.get(key)
            if group is not None:
                for row, n in members.items():
                    group[row] = group.get(row, 0) + n
            elif len(self.groups) < GROUP_SLOTS:
                self.groups[key] = dict(members)
            else:
                self._move_out(key, members)
        self.records_without_output += other.records_without_output
        self.uncounted += other.uncounted
        self.images += other.images
        self.model_records.update(other.model_records)
        self.sources.update(other.sources)
        mine_u, theirs_u = self.usage, other.usage
        for i in range(len(mine_u)):
            mine_u[i] = max(mine_u[i], theirs_u[i]) if i == 3 else mine_u[i] + theirs_u[i]

    def _move_out(self, key: GroupKey, group: Rows) -> None:
        """Keep a group beyond `GROUP_SLOTS` in a temporary file (written `MOVE_GROUPS` at a time)."""
        self._moving.append((key, dict(group)))
        if len(self._moving) >= MOVE_GROUPS:
            self._flush()

    def _flush(self) -> None:
        import pickle

        if not self._moving:
            return
        try:
            if self._moved is None:
                self._moved = tempfile.TemporaryFile(prefix="fineadvisor-")  # noqa: SIM115 - closed by `close`
            self._moved.seek(0, os.SEEK_END)
            pickle.dump(self._moving, self._moved, protocol=pickle.HIGHEST_PROTOCOL)
            self._moved.flush()
        except OSError as exc:
            raise TempSpaceError(temp_dir_name(), exc) from exc
        self._moving = []

    def _all_groups(self) -> Iterator[tuple[GroupKey, Rows]]:
        """Every group: those in memory, then those moved to the temporary file, then those waiting to be moved (a
        key can come up more than once: its rows add up)."""
        yield from self.groups.items()
        yield from self._moved_groups()

    def _moved_groups(self) -> Iterator[tuple[GroupKey, Rows]]:
        """The groups past `GROUP_SLOTS`: in the temporary file, then waiting to be written there."""
        import pickle

        if self._moved is not None:
            self._moved.seek(0)
            while True:
                try:
                    batch = pickle.load(self._moved)  # our own temporary file, written above
                except EOFError:
                    break
                yield from batch
        yield from list(self._moving)

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("ProfilePartial is closed: its temporary file is deleted")

    def close(self) -> None:
        """Delete the temporary file; the partial cannot be merged into or summarised after this."""
        self._closed = True
        if self._moved is not None:
            self._moved.close()

    def models(self) -> Counter[str]:
        """How many records named each model."""
        return Counter(self.model_records)

    def _frequent(self) -> set[tuple[int, int, int]]:
        """The (template, position, pair hash) keys frequent enough in their template to be few-shot."""
        records = self.template_records
        return {(t, p, h) for (t, p, h), c in self.pairs.counts.items()
                if t in records and c >= max(2, math.ceil(FEW_SHOT_MIN_SHARE * records[t]))}

    def result(self) -> WorkloadProfile:
        """Classify each group's pairs (a pair is few-shot when its key is frequent and so is every pair before it
        in the record), move the group's counts by what that adds to each part, and summarise every histogram."""
        self._check_open()
        frequent = self._frequent()
        parts: dict[str, Counter[int]] = {name: Counter() for name in ("static", "few_shot", "history", "dynamic")}
        static_c, few_c, history_c, dynamic_c = parts["static"], parts["few_shot"], parts["history"], parts["dynamic"]
        found: set[tuple[int, int, int]] = set()
        firsts = {key for _, key in self.template_first.values()}
        few_of: dict[GroupKey, int] = {}
        for key, group in self._all_groups():
            t, hashes, tokens = key
            k = 0
            while k < len(hashes) and (t, k, hashes[k]) in frequent:
                found.add((t, k, hashes[k]))  # type: ignore[arg-type]  # t is a template hash here
                k += 1
            few = sum(tokens[:k])
            other = sum(tokens) - few
            if key in firsts:
                few_of[key] = few
            for (static, named, history, dynamic), n in group.items():
                static_c[static + few] += n
                few_c[named + few] += n
                history_c[history + other] += n
                dynamic_c[dynamic + other] += n
        static_d, dynamic_d = distribution_of_counts(parts["static"]), distribution_of_counts(parts["dynamic"])
        counted_total = static_d.total + dynamic_d.total
        per_template_pairs = Counter(t for t, _, _ in found)
        tops = sorted(((c, i, h) for i, (h, c) in enumerate(self.template_records.items())),
                      reverse=True)[:TOP_TEMPLATES]
        top_templates = tuple(
            TemplateStats(c, first[0] + few_of.get(first[1], 0), per_template_pairs[h] + self.template_named[h])
            for c, _, h in tops if (first := self.template_first.get(h)) is not None
        )
        few_shot_examples = sum(per_template_pairs.values()) + sum(self.template_named.values())
        summary = {name: distribution_of_counts(counts) for name, counts in self.counts.items()}
        return WorkloadProfile(
            records=summary["input"].count,
            input_tokens=summary["input"],
            output_tokens=summary["output"],
            static_prefix_tokens=static_d,
            system_tokens=summary["system"],
            tool_tokens=summary["tools"],
            few_shot_tokens=distribution_of_counts(parts["few_shot"]),
            history_tokens=distribution_of_counts(parts["history"]),
            query_tokens=summary["query"],
            dynamic_tokens=dynamic_d,
            static_share=static_d.total / counted_total if counted_total else 0.0,
            templates=len(self.template_records),
            templates_capped=self.templates_capped,
            few_shot_examples=few_shot_examples,
            top_templates=top_templates,
            records_with_prompt=static_d.count,
            records_without_output=self.records_without_output,
            uncounted_parts=self.uncounted,
            image_tokens=self.images,
            usage=UsageComparison(*self.usage),
            models=tuple(self.model_records.most_common(20)),
            sources=tuple(self.sources.most_common()),
        )


MOVE_GROUPS = 4096
"""Groups past `GROUP_SLOTS` written to the temporary file at a time."""
_PARTIAL_STATE = ("counts", "template_records", "template_named", "template_first", "templates_capped", "pairs",
                  "groups", "records_without_output", "uncounted", "images", "model_records", "sources", "usage")


def parts(builder: ProfileBuilder) -> dict[str, npt.NDArray[np.int64]]:
    """Every per-record count, in memory, in the order the records were added (for a sample: small by design).

    "input" and "output" have one value per record that has them (see `WorkloadProfile`); the others one per record
    with a prompt, the few-shot pairs classified as `result` classifies them."""
    import numpy as np

    b = builder
    whole = {name: np.asarray(getattr(b, name), dtype=np.int64) for name in _ARRAYS if name != "_pair_hash"}
    few, other, _ = _classify_block(whole["_template"], whole["_n_pairs"], np.asarray(b._pair_hash, dtype=np.uint64),
                                    whole["_pair_tokens"], b._frequent())
    few_shot, history = whole["_named"] + few, whole["_history"] + other
    return {"input": whole["_input"], "output": whole["_output"], "system": whole["_system"],
            "tools": whole["_tools"], "few_shot": few_shot, "history": history, "query": whole["_query"],
            "static": whole["_system"] + whole["_tools"] + few_shot, "dynamic": history + whole["_query"]}


_ARRAYS = ("_input", "_output", "_system", "_tools", "_named", "_history", "_query", "_template", "_n_pairs",
           "_pair_hash", "_pair_tokens")


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
