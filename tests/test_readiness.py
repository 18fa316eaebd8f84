"""Fine-tuning readiness: the cookbook's TV4 and TV5 vectors, limits, duplicates and contradictions."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor import readiness
from fineadvisor.analysis import analyze_logs
from fineadvisor.readiness import _duplicates, default_epochs, example_token_limit

from .conftest import DATA

TOY = str(DATA / "toy_chat_fine_tuning.jsonl")  # the cookbook's toy_chat_fine_tuning.jsonl (5 examples)


@pytest.mark.parametrize(
    ("n_examples", "epochs"),
    [  # TV5: 3 epochs unless n×3 < 100 → min(25, 100 // n), or n×3 > 25,000 → max(1, 25,000 // n)
        (1, 25), (3, 25), (4, 25), (5, 20), (10, 10), (20, 5), (33, 3), (34, 3), (50, 3), (100, 3),
        (8333, 3), (8334, 2), (12500, 2), (12501, 1), (25000, 1), (100000, 1), (0, 0),
    ],
)
def test_tv5_default_epochs(n_examples: int, epochs: int) -> None:
    assert default_epochs(n_examples) == epochs


@pytest.mark.parametrize(
    ("model", "limit", "per_epoch", "charged", "over"),
    [
        # TV4, cl100k (as the cookbook counts): lengths [45, 111, 26, 28, 8032]
        ("gpt-3.5-turbo", 16_385, 8242, 164_840, 0),  # 20 epochs × 8242
        ("gpt-3.5-turbo-0613", 4_096, 4306, 86_120, 1),  # 45+111+26+28+min(4096, 8032) = 4306; × 20
        # o200k counts the same file as 8233 tokens
        ("gpt-4o-mini", 65_536, 8233, 164_660, 0),
    ],
)
def test_tv4_toy_dataset(model: str, limit: int, per_epoch: int, charged: int, over: int) -> None:
    r = analyze_logs([TOY], model=model).readiness
    assert (r.examples, r.token_limit, r.billable_tokens_per_epoch, r.billable_training_tokens, r.over_limit) == (
        5, limit, per_epoch, charged, over)
    assert r.n_epochs == 20
    assert sum(r.format_errors.values()) == 0
    assert (r.missing_system, r.missing_user) == (1, 1)


def test_tv4_distributions() -> None:
    """The notebook's printed statistics: messages 2–9 (mean 3.8), tokens mean 1648.4 / median 45, assistant 1610.2."""
    r = analyze_logs([TOY], model="gpt-3.5-turbo").readiness
    assert (r.messages_per_example.max, r.messages_per_example.mean, r.messages_per_example.p50) == (9, 3.8, 3.0)
    assert (r.tokens_per_example.mean, r.tokens_per_example.p50, r.tokens_per_example.max) == (1648.4, 45.0, 8032)
    assert r.tokens_per_example.p90 == pytest.approx(4863.6)
    assert (r.assistant_tokens_per_example.mean, r.assistant_tokens_per_example.p50) == (1610.2, 10.0)
    assert r.warnings[0].startswith("5 examples: OpenAI requires at least 10")


def test_duplicates_and_contradictions(write_log: Callable[..., Path]) -> None:
    def ex(q: str, a: str) -> dict[str, object]:
        return {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": q},
                             {"role": "assistant", "content": a}]}

    path = write_log([ex("q1", "a1"), ex("q1", "a1"), ex("q1", "a1"), ex("q2", "a2"), ex("q2", "b2"),
                      ex("q3", "a3")] + [ex(f"x{i}", "y") for i in range(10)])
    r = analyze_logs([str(path)]).readiness
    # q1 ×3 → 2 exact duplicates; q2 has two answers → 1 contradictory prompt over 2 examples
    assert (r.exact_duplicates, r.contradictory_prompts, r.contradictory_examples) == (2, 1, 2)
    assert r.examples == 16
    assert any("50–100" in w for w in r.warnings)


def test_format_errors_count_skipped_lines(write_log: Callable[..., Path]) -> None:
    ok = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    path = write_log([ok, [1], {"prompt": "x"}, {"messages": [{"role": "user", "content": "q", "x": 1}]}])
    r = analyze_logs([str(path)]).readiness
    assert r.format_errors["data_type"] == 1
    assert r.format_errors["missing_messages_list"] == 1
    assert r.format_errors["message_unrecognized_key"] == 1
    assert r.format_errors["example_missing_assistant_message"] == 1
    assert (r.examples, r.usable_examples) == (2, 1)


def test_example_limit_override() -> None:
    r = analyze_logs([TOY], model="gpt-3.5-turbo", example_token_limit=100).readiness
    # 45 + 100 + 26 + 28 + 100 = 299 per epoch; 20 epochs
    assert (r.token_limit, r.billable_tokens_per_epoch, r.over_limit) == (100, 299, 2)
    assert r.token_limit_source == "set by the user"


@pytest.mark.parametrize(
    ("model", "limit"),
    [("gpt-4o-mini-2024-07-18", 65_536), ("ft:gpt-3.5-turbo-0125:o::x", 16_385), ("gpt-3.5-turbo-0613", 4_096),
     ("gpt-4.1-mini", 65_536), ("mistral-large", 65_536)],
)
def test_example_token_limit(model: str, limit: int) -> None:
    assert example_token_limit(model)[0] == limit


@pytest.mark.parametrize(("pairs", "expected"), [
    ([], (0, 0, 0)),
    ([(1, 1)], (0, 0, 0)),
    ([(1, 1), (1, 1), (1, 1)], (2, 0, 0)),  # one example and two exact copies
    ([(1, 1), (1, 2)], (0, 1, 2)),  # one prompt, two answers, two examples
    ([(1, 1), (2, 5), (1, 2), (1, 1), (3, 3)], (1, 1, 3)),  # prompt 1: answers 1, 2, 1 → 1 copy; 3 examples
    ([(2**64 - 1, 0), (2**64 - 1, 2**64 - 1)], (0, 1, 2)),  # full 64-bit hashes
])
def test_duplicate_and_contradiction_counts(pairs: list[tuple[int, int]], expected: tuple[int, int, int]) -> None:
    assert _count(pairs) == expected


def _count(pairs: list[tuple[int, int]], block: int = 1 << 16) -> tuple[int, int, int]:
    """`_duplicates` of (prompt, answer) pairs given `block` at a time."""
    p, a = array("Q", [p for p, _ in pairs]), array("Q", [a for _, a in pairs])
    blocks = [(np.frombuffer(p, np.uint64)[i:i + block], np.frombuffer(a, np.uint64)[i:i + block])
              for i in range(0, len(pairs), block)]
    return _duplicates(blocks, len(pairs))


def _plain_count(pairs: list[tuple[int, int]]) -> tuple[int, int, int]:
    """The three counts written plainly: copies beyond the first; prompts with several answers; their examples."""
    copies = Counter(pairs)
    answers: dict[int, set[int]] = {}
    for p, a in pairs:
        answers.setdefault(p, set()).add(a)
    several = {p for p, seen in answers.items() if len(seen) > 1}
    return sum(c - 1 for c in copies.values()), len(several), sum(p in several for p, _ in pairs)


HASHES = st.sampled_from([0, 1, 2, 3, 5, 2**63, 2**64 - 2, 2**64 - 1])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(HASHES, st.integers(1, 4)), max_size=60), st.integers(1, 8), st.integers(1, 70))
def test_duplicates_match_the_plain_count(pairs: list[tuple[int, int]], block: int, in_memory: int) -> None:
    """In memory, or in parts in temporary files (few rows per part), in blocks of any size: the plain counts."""
    expected = _plain_count(pairs)
    assert _count(pairs) == expected
    with mock.patch.object(readiness, "DEDUP_ROWS", in_memory):  # 60 rows over up to 64 parts
        assert _count(pairs, block) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(HASHES, st.integers(0, 3), st.integers(1, 200_000)), min_size=1, max_size=40),
       st.lists(st.integers(1, 9), min_size=1, max_size=6), st.integers(1, 5), st.integers(1, 7))
def test_merged_builders_moved_to_temporary_files_give_the_same_readiness(
        examples: list[tuple[int, int, int]], chunk_sizes: list[int], spill_at: int, block: int) -> None:
    """Chunks merged into a builder that spills every few examples, read back a few at a time and deduplicated
    in parts, give exactly the readiness of one builder that kept everything in memory."""
    from fineadvisor.encodings import choose_encoding
    from fineadvisor.formats import to_record
    from fineadvisor.readiness import ReadinessBuilder
    from fineadvisor.tokens import RecordCounter

    line = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    base = RecordCounter(choose_encoding("gpt-4o")).count(to_record(line, 1))
    rts = [base._replace(prompt_hash=p, answer_hash=a, example_tokens=tokens, assistant_tokens=tokens // 3,
                         n_messages=2 + a) for p, a, tokens in examples]
    whole = ReadinessBuilder()
    for rt in rts:
        whole.add(rt)
    expected = whole.result("gpt-4o-mini")
    with (mock.patch.object(readiness, "SPILL_ITEMS", spill_at), mock.patch.object(readiness, "BLOCK", block),
          mock.patch.object(readiness, "DEDUP_ROWS", spill_at)):
        merged, i = ReadinessBuilder(), 0
        while i < len(rts):
            chunk = ReadinessBuilder()
            size = chunk_sizes[i % len(chunk_sizes)]
            for rt in rts[i:i + size]:
                chunk.add(rt)
            i += size
            merged.merge(chunk)
            assert len(merged._tokens) < spill_at + 9
        assert merged.result("gpt-4o-mini") == expected
        merged.close()


def test_parts_still_too_large_are_split_again() -> None:
    """1,000 examples, 8 rows counted in memory, 2 parts per split: parts are split again, level after level,
    until each fits; the counts are the plain ones (prompts come in twos; every 7th example has another answer)."""
    pairs = [(i // 2, 1 if i % 7 else 2) for i in range(1000)]
    expected = _plain_count(pairs)
    levels: list[int] = []
    real = readiness._Parts.__init__

    def spy(self: Any, bits: int, dtype: Any, key: Any, level: int = 0) -> None:
        levels.append(level)
        real(self, bits, dtype, key, level)

    sizes: list[int] = []
    distinct = readiness._distinct

    def counted(prompts: Any, answers: Any, counts: Any) -> Any:
        sizes.append(len(prompts))
        return distinct(prompts, answers, counts)

    with (mock.patch.object(readiness, "DEDUP_ROWS", 8), mock.patch.object(readiness, "MAX_PART_BITS", 1),
          mock.patch.object(readiness._Parts, "__init__", spy), mock.patch.object(readiness, "_distinct", counted)):
        assert _count(pairs, block=64) == expected
    assert max(levels) >= 6  # ~500 distinct rows ÷ 8 per part needs ≥ 6 halvings
    assert max(sizes) <= 64  # what is counted at once: a block of 64, or a part of ≤ 8 rows
