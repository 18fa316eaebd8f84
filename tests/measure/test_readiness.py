"""Fine-tuning readiness: the cookbook's TV4 vector, limits, duplicates and contradictions, spilled builders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fineadvisor.measure import readiness
from fineadvisor.measure._fast import dedupe
from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.stats import Distribution
from tests.conftest import DATA

EMPTY = Distribution(0, 0.0, 0.0, 0.0, 0.0, 0, 0)

TOY = str(DATA / "toy_chat_fine_tuning.jsonl")  # the cookbook's toy_chat_fine_tuning.jsonl (5 examples)


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


HASHES = st.sampled_from([0, 1, 2, 3, 5, 2**63, 2**64 - 2, 2**64 - 1])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(HASHES, st.integers(0, 3), st.integers(1, 200_000)), min_size=1, max_size=40),
       st.lists(st.integers(1, 9), min_size=1, max_size=6), st.integers(1, 5), st.integers(1, 7))
def test_merged_builders_moved_to_temporary_files_give_the_same_readiness(
        examples: list[tuple[int, int, int]], chunk_sizes: list[int], spill_at: int, block: int) -> None:
    """Chunks merged into a builder that spills every few examples, read back a few at a time and deduplicated
    in parts, give exactly the readiness of one builder that kept everything in memory."""
    from fineadvisor.measure.encodings import choose_encoding
    from fineadvisor.measure.readiness import ReadinessBuilder
    from fineadvisor.measure.sources import to_record
    from fineadvisor.measure.tokens import RecordCounter

    line = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    base = RecordCounter(choose_encoding("gpt-4o")).count(to_record(line, 1))
    rts = [base._replace(prompt_hash=p, answer_hash=a, example_tokens=tokens, assistant_tokens=tokens // 3,
                         n_messages=2 + a) for p, a, tokens in examples]
    whole = ReadinessBuilder()
    for rt in rts:
        whole.add(rt)
    expected = whole.result("gpt-4o-mini")
    with (mock.patch.object(readiness, "SPILL_ITEMS", spill_at), mock.patch.object(readiness, "BLOCK", block),
          mock.patch.object(dedupe, "BLOCK", block), mock.patch.object(dedupe, "DEDUP_ROWS", spill_at)):
        merged, i = ReadinessBuilder(), 0
        while i < len(rts):
            chunk = ReadinessBuilder()
            size = chunk_sizes[i % len(chunk_sizes)]
            for rt in rts[i:i + size]:
                chunk.add(rt)
            i += size
            merged.merge(chunk)
            assert len(merged._prompt_hash) < spill_at + 9  # the per-example hashes; the rest are histograms
        assert merged.result("gpt-4o-mini") == expected
        merged.close()


def test_training_tokens_include_tool_definitions(write_log: Callable[..., Path]) -> None:
    """OpenAI bills an example's rendered `tools` as training tokens."""
    tool = {"type": "function", "function": {
        "name": "get_current_weather", "description": "Get the current weather in a given location",
        "parameters": {"type": "object", "required": ["location"], "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "The unit of temperature to return",
                     "enum": ["celsius", "fahrenheit"]}}}}}
    messages = [{"role": "user", "content": "What's the weather like in San Francisco?"},
                {"role": "assistant", "content": "Sunny."}]
    path = write_log([{"messages": messages, "tools": [tool]}] * 10)
    r = analyze_logs([str(path)], model="gpt-4o-mini").readiness
    # user 3+1+8 + assistant 3+1+2 + 3 priming = 21, + tools: rendered text 69 + 3 (no system message) = 93
    assert r.billable_tokens_per_epoch == 10 * 93


@pytest.mark.parametrize(
    ("examples", "usable", "tokens", "weight", "expected"),
    [
        # 2,000 drawn of 1,000,000 (weight 500 each), 3,000 tokens each: 1,000,000 examples × 3 > 25,000 →
        # max(1, 25,000 // 1,000,000) = 1 epoch (the sample alone would give 3); per epoch 3,000 × 1,000,000
        (2_000, 1_900, 3_000, 500.0, (1_000_000, 950_000, 1, 3_000_000_000, 3_000_000_000)),
        # 100 drawn of 400 (weight 4), 3,050 tokens each: 400 × 3 = 1,200 within [100, 25,000] → 3 epochs;
        # 3,050 × 400 = 1,220,000 per epoch
        (100, 100, 3_050, 4.0, (400, 400, 3, 1_220_000, 3_660_000)),
        # 4 drawn of 30 (weight 7.5), 200 tokens each: 30 × 3 < 100 → min(25, 100 // 30) = 3; the sample's 4 would
        # give 25; 200 × 30 = 6,000; usable 3 × 7.5 = 22.5 → 22 (to even)
        (4, 3, 200, 7.5, (30, 22, 3, 6_000, 18_000)),
    ],
)
def test_estimated_weights_counts_and_takes_the_epochs_of_the_whole_log(
        examples: int, usable: int, tokens: int, weight: float, expected: tuple[int, ...]) -> None:
    drawn = readiness.Readiness(
        examples=examples, usable_examples=usable, format_errors={"missing_content": examples - usable},
        missing_system=1, missing_user=0, messages_per_example=EMPTY, tokens_per_example=EMPTY,
        assistant_tokens_per_example=EMPTY, target_model="gpt-4o-mini", token_limit=65_536, token_limit_source="t",
        over_limit=0, exact_duplicates=2, contradictory_prompts=1, contradictory_examples=3, n_epochs=0,
        billable_tokens_per_epoch=tokens * examples, billable_training_tokens=0, warnings=())
    w = readiness.WeightedExamples(examples * weight, usable * weight, weight, 0.0,
                                   {"missing_content": (examples - usable) * weight}, {tokens: examples * weight})
    r = readiness.estimated(drawn, w)
    assert (r.examples, r.usable_examples, r.n_epochs, r.billable_tokens_per_epoch,
            r.billable_training_tokens) == expected
    assert r.sampled and not drawn.sampled
    assert r.format_errors["missing_content"] == round((examples - usable) * weight)
    # duplicates are those within the sample: not scaled, and said so
    assert (r.exact_duplicates, r.contradictory_prompts, r.contradictory_examples) == (2, 1, 3)
    assert any(w.startswith("2 examples in the sample are exact duplicates") for w in r.warnings)
    if usable < examples:
        assert any(w.startswith(f"about {expected[0] - expected[1]:,} examples have format")
                   for w in r.warnings)


def test_estimated_counts_weigh_each_example_by_its_line() -> None:
    """Byte offsets draw long lines more often, and weight them less: a 10,000-token example of weight 1 and a
    100-token one of weight 99 stand for 100 examples, 1 over a 5,000 limit; per epoch 5,000 × 1 + 100 × 99 =
    14,900; 100 × 3 = 300 within [100, 25,000] → 3 epochs, 44,700 tokens; mean (10,000 + 9,900) ÷ 100 = 199."""
    drawn = readiness.Readiness(
        examples=2, usable_examples=2, format_errors={"missing_content": 0}, missing_system=0, missing_user=0,
        messages_per_example=EMPTY, tokens_per_example=EMPTY, assistant_tokens_per_example=EMPTY,
        target_model="gpt-4o-mini", token_limit=5_000, token_limit_source="t", over_limit=1, exact_duplicates=0,
        contradictory_prompts=0, contradictory_examples=0, n_epochs=0, billable_tokens_per_epoch=0,
        billable_training_tokens=0, warnings=())
    w = readiness.WeightedExamples(100.0, 100.0, tokens={10_000: 1.0, 100: 99.0})
    r = readiness.estimated(drawn, w)
    assert (r.examples, r.over_limit, r.billable_tokens_per_epoch, r.n_epochs, r.billable_training_tokens) == (
        100, 1, 14_900, 3, 44_700)
    assert (r.tokens_per_example.count, r.tokens_per_example.mean, r.tokens_per_example.p50,
            r.tokens_per_example.p95, r.tokens_per_example.max) == (100, 199.0, 100.0, 100.0, 10_000)


def test_a_line_drawn_twice_is_not_a_duplicate(write_log: Callable[..., Path]) -> None:
    """Byte offsets draw with replacement: 15 draws from 20 distinct examples repeat lines, none a duplicate."""
    from fineadvisor.measure.sampling import SampleSpec, draw, seeded

    path = write_log([{"messages": [{"role": "user", "content": f"question {i}"},
                                    {"role": "assistant", "content": f"answer {i}"}]} for i in range(20)])
    sampled = analyze_logs([str(path)], sample=15, seed=3)
    assert sampled.sample is not None and sampled.sample.method == "offsets"
    assert sampled.lines_read == 15
    spec = SampleSpec(15, None, 3)
    drawn = draw(str(path), spec, seeded(spec), None)  # the same draws, to see which lines came up
    assert len({d.chunk.first_line_no for d in drawn.lines}) < 15  # some line drawn more than once
    r = sampled.readiness
    assert (r.exact_duplicates, r.contradictory_prompts) == (0, 0)
    assert r.examples == 20 and r.sampled  # 15 examples drawn, standing for the log's 20
    assert analyze_logs([str(path)]).readiness.exact_duplicates == 0


def test_add_without_duplicates_counts_the_example_but_not_its_hashes() -> None:
    from fineadvisor.measure.encodings import choose_encoding
    from fineadvisor.measure.sources import to_record
    from fineadvisor.measure.tokens import RecordCounter

    line = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    rt = RecordCounter(choose_encoding("gpt-4o")).count(to_record(line, 1))
    b = readiness.ReadinessBuilder()
    b.add(rt)
    b.add(rt, duplicates=False)  # the same line drawn again: an example counted, no copy
    b.add(rt)  # the same example in another line: a duplicate
    r = b.result("gpt-4o-mini")
    assert (r.examples, r.usable_examples, r.exact_duplicates) == (3, 3, 1)
