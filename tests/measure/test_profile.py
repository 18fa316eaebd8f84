"""The workload profile: static prefix vs dynamic input, few-shot found by repetition, billed vs counted."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fineadvisor.measure import profile
from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.encodings import choose_encoding
from fineadvisor.measure.profile import ProfileBuilder, ProfilePartial, parts
from fineadvisor.measure.sources import to_record
from fineadvisor.measure.stats import distribution
from fineadvisor.measure.tokens import RecordCounter, RecordTokens

SYSTEM = {"role": "system", "content": "You are the support assistant for Larkspur. Be brief and exact."}
SHOTS = [
    {"role": "user", "content": "How do I export my data?"},
    {"role": "assistant", "content": "Settings → Data → Export. You get a ZIP by email."},
    {"role": "user", "content": "Can I pay yearly?"},
    {"role": "assistant", "content": "Yes: Billing → Plan → Yearly saves 15%."},
]


def req(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": list(messages), **extra}


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def test_few_shot_pairs_are_found_by_repetition(write_log: Callable[..., Path]) -> None:
    """Two identical leading pairs on every request are few-shot; a customer's earlier turn is history."""
    lines = [req(SYSTEM, *SHOTS, user(f"My invoice {i} is wrong")) for i in range(8)]
    lines += [req(SYSTEM, *SHOTS, user(f"login fails for {i}"), assistant("Try a reset."), user("Still fails"))
              for i in range(2)]
    p = analyze_logs([str(write_log(lines))]).profile
    assert p.few_shot_examples == 2
    assert p.templates == 1
    # few-shot tokens are the same on every request; history only on the two multi-turn requests
    assert p.few_shot_tokens.p50 == p.few_shot_tokens.max > 0
    assert p.history_tokens.count == 10 and p.history_tokens.p50 == 0 and p.history_tokens.max > 0
    assert p.static_prefix_tokens.total == p.system_tokens.total + p.few_shot_tokens.total
    assert p.input_tokens.total == p.static_prefix_tokens.total + p.dynamic_tokens.total


def test_pairs_that_vary_are_not_few_shot(write_log: Callable[..., Path]) -> None:
    """Examples retrieved per request (all different) are dynamic input, not a static prefix."""
    lines = [req(SYSTEM, user(f"example q {i}"), assistant(f"example a {i}"), user(f"real question {i}"))
             for i in range(10)]
    p = analyze_logs([str(write_log(lines))]).profile
    assert p.few_shot_examples == 0
    assert p.few_shot_tokens.total == 0
    assert p.history_tokens.total > 0


def test_a_pair_repeated_in_a_minority_is_history(write_log: Callable[..., Path]) -> None:
    """Threshold: a pair must sit in ≥ 50% of its template's records (here 3 of 10 → history)."""
    shared = [user("same opener"), assistant("same reply")]
    lines = [req(SYSTEM, *shared, user(f"q{i}")) for i in range(3)]
    lines += [req(SYSTEM, user(f"other {i}"), assistant(f"r {i}"), user(f"q{i}")) for i in range(7)]
    assert analyze_logs([str(write_log(lines))]).profile.few_shot_examples == 0


def test_templates_and_static_share(write_log: Callable[..., Path]) -> None:
    other = {"role": "system", "content": "You classify tickets."}
    lines = [req(SYSTEM, user("a")), req(SYSTEM, user("b")), req(other, user("c"))]
    p = analyze_logs([str(write_log(lines))]).profile
    assert p.templates == 2
    assert [t.records for t in p.top_templates] == [2, 1]
    assert 0 < p.static_share < 1
    assert p.static_share == p.static_prefix_tokens.total / p.input_tokens.total


def test_billed_usage_wins_and_the_difference_is_reported(write_log: Callable[..., Path]) -> None:
    messages = [SYSTEM, user("Where is my invoice?")]
    counted = RecordCounter(choose_encoding("gpt-4o-mini")).count(
        to_record(req(*messages), 1)).counted_input_tokens

    def pair(prompt_tokens: int) -> dict[str, Any]:
        return {"request": req(*messages), "response": {
            "choices": [{"message": assistant("Billing → Invoices.")}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 5,
                      "prompt_tokens_details": {"cached_tokens": 0}}}}

    p = analyze_logs([str(write_log([pair(counted), pair(counted + 4)]))]).profile
    u = p.usage
    assert (u.records, u.exact_matches, u.difference, u.max_abs_difference) == (2, 1, 4, 4)
    assert p.input_tokens.total == 2 * counted + 4  # billed numbers are the input
    assert p.output_tokens.total == 10


def test_records_without_output(write_log: Callable[..., Path]) -> None:
    p = analyze_logs([str(write_log([req(SYSTEM, user("x")), req(SYSTEM, user("y"))]))]).profile
    assert (p.records_without_output, p.output_tokens.count) == (2, 0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.text(min_size=1, max_size=30)),
                min_size=1, max_size=12))
def test_parts_always_add_up(spec: list[tuple[int, int, str]]) -> None:
    """Whatever the mix of prompts, shots and history: static + dynamic = counted input, per record and in total."""
    counter = RecordCounter(choose_encoding("gpt-4o"))
    builder = ProfileBuilder()
    for n_system, n_history, text in spec:
        messages: list[dict[str, Any]] = [{"role": "system", "content": f"rule {k}"} for k in range(n_system)]
        messages += SHOTS[: 2 * min(n_history, 2)]
        messages.append(user(text))
        rt = counter.count(to_record(req(*messages), 1))
        builder.add(rt)
    p = builder.result()
    assert p.static_prefix_tokens.total + p.dynamic_tokens.total == p.input_tokens.total
    assert p.dynamic_tokens.total == p.history_tokens.total + p.query_tokens.total
    assert 0.0 <= p.static_share <= 1.0


def _reference_few_shot(records: list[tuple[int, list[tuple[int, int]]]]
                        ) -> tuple[list[int], list[int], set[tuple[int, int, int]]]:
    """The few-shot rule written plainly: per record, leading pairs whose (template, position, pair) key is in
    at least half (and ≥ 2) of the template's records; returns (few-shot tokens, other pair tokens, the keys)."""
    per_template = Counter(t for t, _ in records)
    keys = Counter((t, pos, h) for t, pairs in records for pos, (h, _) in enumerate(pairs))
    few, rest, found = [], [], set()
    for t, pairs in records:
        k = 0
        while k < len(pairs) and keys[(t, k, pairs[k][0])] >= max(2, math.ceil(0.5 * per_template[t])):
            found.add((t, k, pairs[k][0]))
            k += 1
        few.append(sum(tok for _, tok in pairs[:k]))
        rest.append(sum(tok for _, tok in pairs[k:]))
    return few, rest, found


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.lists(st.tuples(st.sampled_from([1, 2, 2**63 + 1, 2**64 - 1]),
                                                                  st.integers(1, 50)), max_size=4)),
                min_size=1, max_size=30))
# A block (of 3) whose pairs sit at lower positions than the frequent keys: positions must not collide.
@example(records=[(1, [(1, 1), (1, 1)]), (1, [(1, 1), (1, 1)]), (0, []), (0, [(1, 1)])])
def test_few_shot_classification_matches_the_plain_rule(records: list[tuple[int, list[tuple[int, int]]]]) -> None:
    # Four pair hashes (two at the top of the 64-bit range) and templates 0–2 collide often, so some pairs are
    # frequent and some are not.
    base = RecordCounter(choose_encoding("gpt-4o")).count(to_record(req(SYSTEM, user("q")), 1))
    builder = ProfileBuilder()
    for t, pairs in records:
        builder.add(base._replace(template=t, pairs=tuple(pairs), history_tokens=0))
    p = builder.result()
    few, rest, found = _reference_few_shot(records)
    # the sampler's per-record view classifies the same way
    assert (parts(builder)["few_shot"] - base.named_example_tokens).tolist() == few
    assert (p.few_shot_tokens.total, p.few_shot_tokens.max, p.few_shot_tokens.p50) == (
        sum(few), max(few), distribution(few).p50)
    assert p.history_tokens.total == sum(rest) and p.history_tokens.max == max(rest)
    assert p.few_shot_examples == len(found)
    # Per template: its records, the static prefix of its first record, and its few-shot examples.
    first = {t: i for i, (t, _) in reversed(list(enumerate(records)))}
    expected = sorted((sum(r[0] == t for r in records), base.system_tokens + few[i],
                       sum(k[0] == t for k in found)) for t, i in first.items())
    assert sorted((s.records, s.static_prefix_tokens, s.few_shot_examples) for s in p.top_templates) == expected


def test_largest_billed_counts_are_kept_and_summed_exactly() -> None:
    # Per-record counts are stored in 4 bytes; sums are taken in 64 bits: 2 × (2**31 − 1) = 4,294,967,294.
    from fineadvisor.measure.records import MAX_RECORD_TOKENS, Usage

    base = RecordCounter(choose_encoding("gpt-4o")).count(to_record(req(SYSTEM, user("q")), 1))
    builder = ProfileBuilder()
    for _ in range(2):
        builder.add(base._replace(usage=Usage(MAX_RECORD_TOKENS, MAX_RECORD_TOKENS)))
    p = builder.result()
    assert (p.input_tokens.total, p.input_tokens.max) == (2 * MAX_RECORD_TOKENS, MAX_RECORD_TOKENS)
    assert p.output_tokens.total == 4_294_967_294


def _record_tokens(records: list[tuple[int, list[tuple[int, int]], int, int | None]]) -> list[RecordTokens]:
    """Records of templates 0–2 with pairs drawn from three hashes, some history, some billed, some without output."""
    from fineadvisor.measure.records import Usage

    base = RecordCounter(choose_encoding("gpt-4o")).count(to_record(req(SYSTEM, user("q")), 1))
    return [base._replace(template=t, pairs=tuple(pairs), history_tokens=h, query_tokens=3 + h,
                          usage=None if billed is None else Usage(billed, billed // 2),
                          output_tokens=None if h == 3 else h, model=f"m{t}")
            for t, pairs, h, billed in records]


def _partials(rts: list[RecordTokens], sizes: list[int]) -> list[ProfilePartial]:
    """`rts` cut into chunks of the given sizes (cycled), each chunk's partial."""
    out, i = [], 0
    while i < len(rts):
        chunk = ProfileBuilder()
        for rt in rts[i:i + sizes[len(out) % len(sizes)]]:
            chunk.add(rt)
        i += len(chunk)
        out.append(chunk.partial())
    return out


_RECORDS = st.lists(st.tuples(st.integers(0, 2), st.lists(st.tuples(st.sampled_from([1, 2, 2**64 - 1]),
                                                                      st.integers(1, 50)), max_size=3),
                              st.integers(0, 3), st.sampled_from([None, 0, 7, 2**31 - 1])),
                    min_size=1, max_size=40)


@settings(max_examples=100, deadline=None)
@given(_RECORDS, st.lists(st.integers(1, 9), min_size=1, max_size=8), st.integers(1, 5), st.integers(1, 3))
def test_partials_merged_in_any_chunks_give_the_profile_of_one_builder(
        records: list[tuple[int, list[tuple[int, int]], int, int | None]], chunk_sizes: list[int], slots: int,
        move_at: int) -> None:
    """Chunk partials merged in file order, into a partial that keeps only a few groups in memory and moves the
    rest to a temporary file, give exactly the profile of one builder that saw every record; and the partial holds
    no more groups in memory than its table allows."""
    rts = _record_tokens(records)
    whole = ProfileBuilder()
    for rt in rts:
        whole.add(rt)
    expected = whole.result()
    with mock.patch.object(profile, "GROUP_SLOTS", slots), mock.patch.object(profile, "MOVE_GROUPS", move_at):
        merged = ProfilePartial()
        for part in _partials(rts, chunk_sizes):
            merged.merge(part)
            assert len(merged.groups) <= slots
        assert merged.result() == expected
        merged.close()


@settings(max_examples=100, deadline=None)
@given(_RECORDS, st.lists(st.integers(1, 9), min_size=3, max_size=3), st.integers(1, 5), st.integers(1, 3))
def test_merging_partials_is_associative(records: list[tuple[int, list[tuple[int, int]], int, int | None]],
                                         cuts: list[int], slots: int, move_at: int) -> None:
    """(a + b) + c and a + (b + c) give the same profile (what lets a cluster merge partials in a tree), also when
    b + c has moved groups to its temporary file; and a partial sent to another process (pickled, its moved groups
    with it) merges as the original does."""
    import pickle

    rts = _record_tokens(records)
    whole = ProfileBuilder()
    for rt in rts:
        whole.add(rt)
    i, j = min(cuts[0], len(rts)), min(cuts[0] + cuts[1], len(rts))
    with mock.patch.object(profile, "GROUP_SLOTS", slots), mock.patch.object(profile, "MOVE_GROUPS", move_at):
        a, b, c = (_partials(part, [len(part) or 1])[0] if part else ProfilePartial()
                   for part in (rts[:i], rts[i:j], rts[j:]))
        left = ProfilePartial()
        for p in (a, b, c):
            left.merge(pickle.loads(pickle.dumps(p)))
        bc = ProfilePartial()
        bc.merge(b)
        bc.merge(c)
        right, sent = ProfilePartial(), ProfilePartial()
        right.merge(a)
        right.merge(bc)
        sent.merge(a)
        sent.merge(pickle.loads(pickle.dumps(bc)))
        assert left.result() == right.result() == sent.result() == whole.result()
        for partial in (a, b, c, left, bc, right, sent):
            partial.close()


@settings(max_examples=50, deadline=None)
@given(_RECORDS, st.integers(1, 4), st.integers(1, 4))
def test_partials_merged_in_groups_then_together_give_the_whole_profile(
        records: list[tuple[int, list[tuple[int, int]], int, int | None]], per_task: int, slots: int) -> None:
    """As the Ray engine merges: chunk partials folded in groups (a task's chunks), each group sent (pickled) and
    folded in order into one partial, with only `slots` groups in memory anywhere: the profile of one builder."""
    import pickle

    rts = _record_tokens(records)
    whole = ProfileBuilder()
    for rt in rts:
        whole.add(rt)
    with mock.patch.object(profile, "GROUP_SLOTS", slots), mock.patch.object(profile, "MOVE_GROUPS", 1):
        chunks = _partials(rts, [1, 2])
        merged = ProfilePartial()
        for k in range(0, len(chunks), per_task):
            task = ProfilePartial()
            for part in chunks[k:k + per_task]:
                task.merge(part)
            merged.merge(pickle.loads(pickle.dumps(task)))
            task.close()
        assert merged.result() == whole.result()
        for partial in (*chunks, merged):
            partial.close()


@pytest.mark.parametrize(("records", "histogram_entries"), [
    # 10,000 single-turn requests of 3 prompt lengths and 5 output lengths: 3 + 5 + 1 (system) + 1 (tools) + 3
    # (query) histogram entries, and one group holding 3 distinct (static, named, history, dynamic) rows.
    (10_000, 3 + 5 + 1 + 1 + 3),
])
def test_a_chunk_sends_distinct_values_not_records(records: int, histogram_entries: int) -> None:
    """What a chunk sends is as large as its distinct counts, not its records."""
    import pickle

    counter = RecordCounter(choose_encoding("gpt-4o"))
    asked = [counter.count(to_record(req(SYSTEM, user(q)), 1)) for q in ("yes", "yes yes", "yes yes yes")]
    assert len({rt.counted_input_tokens for rt in asked}) == len({rt.query_tokens for rt in asked}) == 3
    builder = ProfileBuilder()
    for i in range(records):
        builder.add(asked[i % 3]._replace(output_tokens=10 + i % 5))
    part = builder.partial()
    assert sum(len(c) for c in part.counts.values()) == histogram_entries
    assert len(part.groups) == 1 and len(next(iter(part.groups.values()))) == 3
    assert len(pickle.dumps(part)) < 2_000 < 4 * records  # a per-record array of 4-byte counts is 40,000 bytes
    assert part.result() == builder.result()


def test_a_closed_partial_refuses_to_summarise() -> None:
    """After `close` the temporary file is gone: summarising would silently miss its groups, so it raises."""
    base = RecordCounter(choose_encoding("gpt-4o")).count(to_record(req(SYSTEM, user("q")), 1))
    with mock.patch.object(profile, "GROUP_SLOTS", 1), mock.patch.object(profile, "MOVE_GROUPS", 1):
        merged = ProfilePartial()
        for i in range(7):
            chunk = ProfileBuilder()
            chunk.add(base._replace(pairs=((i, 5),)))
            merged.merge(chunk.partial())
        assert merged.result().records == 7
        merged.close()
        with pytest.raises(ValueError, match="ProfilePartial is closed"):
            merged.result()


def test_groups_that_cannot_be_moved_out_say_where_and_how(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary directory that cannot take the groups past the table: `TempSpaceError`, naming it."""
    import tempfile

    from fineadvisor.errors import TempSpaceError

    base = RecordCounter(choose_encoding("gpt-4o")).count(to_record(req(SYSTEM, user("q")), 1))
    monkeypatch.setattr(profile, "GROUP_SLOTS", 1)
    monkeypatch.setattr(profile, "MOVE_GROUPS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-dir"))
    merged = ProfilePartial()
    chunk = ProfileBuilder()
    for i in range(2):
        chunk.add(base._replace(pairs=((i, 5),)))
    with pytest.raises(TempSpaceError, match="no-such-dir"):
        merged.merge(chunk.partial())
