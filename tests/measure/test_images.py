"""Image tokens by OpenAI's published vision rules; unknown sizes or models are not guessed."""

from __future__ import annotations

import pytest

from fineadvisor.measure.images import image_tokens
from fineadvisor.measure.records import Image


@pytest.mark.parametrize(
    ("model", "width", "height", "detail", "tokens"),
    [
        # tile rule: 1024² → shortest side 768 → 768×768 → 2×2 tiles: 85 + 4 × 170 = 765
        ("gpt-4o", 1024, 1024, "high", 765),
        # 2048×4096 → fit 2048: 1024×2048 → shortest 768: 768×1536 → 2×3 tiles: 85 + 6 × 170 = 1105
        ("gpt-4o", 2048, 4096, "auto", 1105),
        # 500×500 → one tile: 85 + 170 = 255; 513×500 → two tiles: 425
        ("gpt-4o-2024-08-06", 500, 500, "high", 255),
        ("gpt-4o", 513, 500, "high", 425),
        ("gpt-4o", 4000, 3000, "low", 85),  # low detail: base only
        ("gpt-4o-mini", 512, 512, "high", 2833 + 5667),  # 4o-mini's own constants
        ("gpt-4o-mini", 512, 512, "low", 2833),
        # patch rule: 1024×1024 → 32×32 = 1024 patches × 1.62 = 1658.88 → 1659
        ("gpt-4.1-mini", 1024, 1024, "high", 1659),
        # 1800×2400 → over 1536 patches → scaled to 1056×1408 → 33×44 = 1452 patches × 2.46 → 3572
        ("gpt-4.1-nano", 1800, 2400, "high", 3572),
        ("o4-mini", 100, 100, "high", 28),  # 4×4 = 16 patches × 1.72 = 27.52 → 28
    ],
)
def test_image_rules(model: str, width: int, height: int, detail: str, tokens: int) -> None:
    assert image_tokens(model, Image(width, height, detail)) == tokens


@pytest.mark.parametrize(
    ("model", "image"),
    [
        ("gpt-4o", Image(None, None, "auto")),  # an http URL: size unknown
        ("claude-sonnet-4-5", Image(100, 100, "auto")),  # no published rule we apply
        ("gpt-5", Image(100, 100, "auto")),
    ],
)
def test_unknown_is_not_guessed(model: str, image: Image) -> None:
    assert image_tokens(model, image) is None
