"""The scenario's constants that need no validation: what the command line's help names without building `Scenario`."""

from __future__ import annotations

from decimal import Decimal

DEFAULT_REQUESTS_PER_DAY = 1_000
"""The volume assumed when none is given."""
DEFAULT_HIT_RATE = Decimal("0.8")
"""The prompt-cache hit rate assumed when the logs show none and none is given."""
DAYS_PER_MONTH = Decimal("30.4375")
"""365.25 / 12."""
HOURS_PER_MONTH = Decimal("730.5")
"""24 × 30.4375."""


def default_volume_source() -> str:
    """How the volume is described when the user gave none."""
    return f"default: {DEFAULT_REQUESTS_PER_DAY:,} requests a day"
