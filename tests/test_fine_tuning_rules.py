"""OpenAI's fine-tuning file rules: the cookbook's TV5 epoch vector and the per-example limits by model."""

from __future__ import annotations

import pytest

from fineadvisor.fine_tuning_rules import default_epochs, example_token_limit


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
    ("model", "limit"),
    [("gpt-4o-mini-2024-07-18", 65_536), ("ft:gpt-3.5-turbo-0125:o::x", 16_385), ("gpt-3.5-turbo-0613", 4_096),
     ("gpt-4.1-mini", 65_536), ("mistral-large", 65_536)],
)
def test_example_token_limit(model: str, limit: int) -> None:
    assert example_token_limit(model)[0] == limit
