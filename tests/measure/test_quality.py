"""fineadvisor.measure.quality: pass rates from CSV, JSON and promptfoo files, refused with a reason when wrong."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from fineadvisor.errors import InputError
from fineadvisor.measure.quality import QualityScore, read_quality

D = Decimal
PROMPTFOO = Path(__file__).resolve().parents[1] / "data" / "sources" / "promptfoo" / "results.json"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("q.csv", "strategy,pass_rate,n\nas_logged,0.94,200\nprompt_only,81%,200\n",
         {"as_logged": (D("0.94"), 200), "prompt_only": (D("0.81"), 200)}),  # 81% → 0.81
        ("q.csv", "model,score,n\ngpt-6-luna,90,120\n", {"gpt-6-luna": (D("0.9"), 120)}),  # 90 → 90% → 0.9
        ("q.json", json.dumps({"rag": {"pass_rate": 0.7, "n": 50}, "as_logged": 0.95}),
         {"rag": (D("0.7"), 50), "as_logged": (D("0.95"), 0)}),
        ("q.json", json.dumps([{"strategy": "fine_tune:x", "pass_rate": "88%", "n": 300}]),
         {"fine_tune:x": (D("0.88"), 300)}),
    ],
)
def test_read_quality(name: str, text: str, expected: dict[str, tuple[Decimal, int]], tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(text)
    got = read_quality(str(path))
    assert {k: (v.pass_rate, v.n) for k, v in got.items()} == expected


def test_a_promptfoo_results_file_gives_a_pass_rate_per_model() -> None:
    # the fixture's graded results: gpt-4o-mini 2 (res-0 passed, res-3 from promptfoo's cache, passed), o4-mini 1
    # passed, claude-sonnet-4-5-20250929 1 failed assertion; res-4 (an API error, failureReason 2) is not graded
    got = read_quality(str(PROMPTFOO))
    assert {k: (v.pass_rate, v.n) for k, v in got.items()} == {
        "gpt-4o-mini": (D(1), 2), "o4-mini": (D(1), 1), "claude-sonnet-4-5-20250929": (D(0), 1)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("strategy,n\nas_logged,3\n", "needs a header with strategy"),
        ("strategy,pass_rate,n\nas_logged,lots,3\n", "q.csv:2: pass rate 'lots' is not a number"),
        ("strategy,pass_rate,n\nas_logged,140%,3\n", "is not between 0 and 1"),
        ("strategy,pass_rate,n\nas_logged,0.5,-1\n", "n is negative"),
        ("strategy,pass_rate,n\n", "holds no quality scores"),
        ('{"as_logged": ', "not valid JSON"),
    ],
)
def test_a_bad_quality_file_is_refused_with_the_reason(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_quality(str(path))


@pytest.mark.parametrize(
    ("rate", "n", "low", "high"),
    [
        # Wilson, z = 1.96: p = 0.9, n = 100: centre 0.919208, spread 1.96 × √(0.0009 + 0.000096) = 0.061859,
        # ÷ 1.038416 → 0.825633–0.944771
        ("0.9", 100, "0.825633", "0.944771"),
        ("1", 10, "0.722460", "1.0"),  # all passed on 10: the interval still reaches down to 72%
        ("0.5", 0, "0", "1"),  # no answers: anything
    ],
)
def test_interval95(rate: str, n: int, low: str, high: str) -> None:
    lo, hi = QualityScore("x", D(rate), n).interval95()
    assert (abs(lo - D(low)) < D("0.000002"), abs(hi - D(high)) < D("0.000002")) == (True, True)
