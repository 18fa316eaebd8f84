"""Input tokens of an image, by OpenAI's published vision rules, when its size is known.

Tile rule (gpt-4o, gpt-4.1, gpt-4.5, o1, o3): fit in 2048×2048, then scale the shortest side to 768,
count 512-px tiles: tokens = base + per_tile × tiles; `detail: low` costs `base` only.
Patch rule (gpt-4.1-mini, gpt-4.1-nano, o4-mini): 32-px patches, capped at 1536 by scaling down,
times a per-model multiplier. Source: platform.openai.com/docs/guides/images-vision ("Calculating costs").
"""

from __future__ import annotations

import math

from fineadvisor.measure.records import Image

# model prefix → (base tokens, tokens per 512-px tile); longest prefix wins.
_TILE_RULES: dict[str, tuple[int, int]] = {
    "gpt-4o-mini": (2833, 5667),
    "gpt-4o": (85, 170),
    "chatgpt-4o": (85, 170),
    "gpt-4.1": (85, 170),
    "gpt-4.5": (85, 170),
    "o1": (85, 170),
    "o3": (85, 170),
}
# model prefix → multiplier on 32-px patches.
_PATCH_RULES: dict[str, float] = {"gpt-4.1-mini": 1.62, "gpt-4.1-nano": 2.46, "o4-mini": 1.72}
_PATCH_CAP = 1536


def _rule(base_model: str) -> tuple[str, tuple[int, int] | float] | None:
    for table, kind in ((_PATCH_RULES, "patch"), (_TILE_RULES, "tile")):
        for prefix in sorted(table, key=len, reverse=True):
            if base_model.startswith(prefix):
                return kind, table[prefix]
    return None


def image_tokens(base_model: str, image: Image) -> int | None:
    """Tokens for one image, or None when the model's rule or the image's size is unknown."""
    rule = _rule(base_model)
    if rule is None or image.width is None or image.height is None or image.width <= 0 or image.height <= 0:
        return None
    kind, params = rule
    width, height = float(image.width), float(image.height)
    if kind == "patch":
        assert isinstance(params, float)
        patches = math.ceil(width / 32) * math.ceil(height / 32)
        if patches > _PATCH_CAP:
            shrink = math.sqrt(_PATCH_CAP * 32 * 32 / (width * height))
            width, height = width * shrink, height * shrink
            shrink *= min(math.floor(width / 32) / (width / 32), math.floor(height / 32) / (height / 32))
            width, height = image.width * shrink, image.height * shrink
            patches = math.ceil(width / 32) * math.ceil(height / 32)
        return math.ceil(min(patches, _PATCH_CAP) * params)
    assert isinstance(params, tuple)
    base, per_tile = params
    if image.detail == "low":
        return base
    if max(width, height) > 2048:
        scale = 2048 / max(width, height)
        width, height = width * scale, height * scale
    if min(width, height) > 768:
        scale = 768 / min(width, height)
        width, height = width * scale, height * scale
    return base + per_tile * math.ceil(width / 512) * math.ceil(height / 512)
