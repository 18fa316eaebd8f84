"""(being written: the langsmith adapter; registered in fineadvisor.measure.sources.REGISTRY)."""

from __future__ import annotations

from fineadvisor.measure.sources.base import Source

SOURCES: tuple[Source, ...] = ()
