"""fineadvisor: from your own LLM request logs, what to do about prompt overhead, and what it costs.

The names below are imported on first use (PEP 562): a counting worker that imports `fineadvisor.scan` does not
load pydantic, the price catalog and the cost models, and the command line starts sooner.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fineadvisor.analysis import LogAnalysis, analyze_logs
    from fineadvisor.breakeven import BreakEven, find_break_even
    from fineadvisor.catalog import Catalog, CatalogError, ModelPrices, UnknownPriceError, load_catalog
    from fineadvisor.costs import (
        LineItem,
        StrategyCost,
        Workload,
        cost_few_shot,
        cost_fine_tune,
        cost_prompt_caching,
        cost_prompt_only,
        cost_rag,
        cost_self_hosted,
    )
    from fineadvisor.encodings import EncodingChoice, choose_encoding, load_encoding, normalize_model
    from fineadvisor.errors import FineAdvisorError, InputError, LogFormatError, NoRecordsError
    from fineadvisor.estimate import Estimate, estimate, workload_from
    from fineadvisor.profile import TemplateStats, UsageComparison, WorkloadProfile
    from fineadvisor.readiness import Readiness, default_epochs, example_token_limit
    from fineadvisor.recommend import Recommendation, recommend
    from fineadvisor.records import Image, Message, Record, Tool, Usage
    from fineadvisor.scenario import Scenario
    from fineadvisor.stats import Distribution
    from fineadvisor.tokens import RecordCounter, RecordTokens, TokenCounter

_MODULES: dict[str, tuple[str, ...]] = {
    "analysis": ("LogAnalysis", "analyze_logs"),
    "breakeven": ("BreakEven", "find_break_even"),
    "catalog": ("Catalog", "CatalogError", "ModelPrices", "UnknownPriceError", "load_catalog"),
    "costs": ("LineItem", "StrategyCost", "Workload", "cost_few_shot", "cost_fine_tune", "cost_prompt_caching",
              "cost_prompt_only", "cost_rag", "cost_self_hosted"),
    "encodings": ("EncodingChoice", "choose_encoding", "load_encoding", "normalize_model"),
    "errors": ("FineAdvisorError", "InputError", "LogFormatError", "NoRecordsError"),
    "estimate": ("Estimate", "estimate", "workload_from"),
    "profile": ("TemplateStats", "UsageComparison", "WorkloadProfile"),
    "readiness": ("Readiness", "default_epochs", "example_token_limit"),
    "recommend": ("Recommendation", "recommend"),
    "records": ("Image", "Message", "Record", "Tool", "Usage"),
    "scenario": ("Scenario",),
    "stats": ("Distribution",),
    "tokens": ("RecordCounter", "RecordTokens", "TokenCounter"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'fineadvisor' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"fineadvisor.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


class _Package(types.ModuleType):
    """Keeps `fineadvisor.estimate` and `fineadvisor.recommend` the functions, as an eager `__init__` would.

    Importing a submodule binds it as an attribute of its package; for the two submodules named like the
    function they export, that would hide the function from `from fineadvisor import estimate`.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = (
    "BreakEven",
    "Catalog",
    "CatalogError",
    "Distribution",
    "EncodingChoice",
    "Estimate",
    "FineAdvisorError",
    "Image",
    "InputError",
    "LineItem",
    "LogAnalysis",
    "LogFormatError",
    "Message",
    "ModelPrices",
    "NoRecordsError",
    "Readiness",
    "Recommendation",
    "Record",
    "RecordCounter",
    "RecordTokens",
    "Scenario",
    "StrategyCost",
    "TemplateStats",
    "TokenCounter",
    "Tool",
    "UnknownPriceError",
    "Usage",
    "UsageComparison",
    "Workload",
    "WorkloadProfile",
    "analyze_logs",
    "choose_encoding",
    "cost_few_shot",
    "cost_fine_tune",
    "cost_prompt_caching",
    "cost_prompt_only",
    "cost_rag",
    "cost_self_hosted",
    "default_epochs",
    "estimate",
    "example_token_limit",
    "find_break_even",
    "load_catalog",
    "load_encoding",
    "normalize_model",
    "recommend",
    "workload_from",
)
