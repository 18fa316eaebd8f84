"""fineadvisor: from your own LLM request logs, what to do about prompt overhead, and what it costs.

The package has three layers, each importing only what lies below it:
    measure/  logs → records → token counts → profile and readiness    (`analyze_logs` → `LogAnalysis`)
    advise/   scenario, prices, costs, timeline, break-even, the plan   (`estimate` → `Estimate`)
    present/  formats for people and machines: text, JSON, Markdown, charts, the CLI
and small shared modules at the top (`errors`, `model_names`, `fine_tuning_rules`, `formatting`).

`API` below is the one table of public names. Each is imported on first use (PEP 562): a counting worker that
imports `fineadvisor.measure.scan` loads neither pydantic nor the price catalog, and the command line starts sooner.
The `TYPE_CHECKING` block repeats the table for type checkers only; a test keeps the two equal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

API: dict[str, str] = {
    # measure: what the logs say
    "analyze_logs": "measure.analysis",
    "LogAnalysis": "measure.analysis",
    "WorkloadProfile": "measure.profile",
    "TemplateStats": "measure.profile",
    "UsageComparison": "measure.profile",
    "Readiness": "measure.readiness",
    "Distribution": "measure.stats",
    "Record": "measure.records",
    "Message": "measure.records",
    "Tool": "measure.records",
    "Usage": "measure.records",
    "Image": "measure.records",
    "RecordCounter": "measure.tokens",
    "RecordTokens": "measure.tokens",
    "TokenCounter": "measure.tokens",
    "EncodingChoice": "measure.encodings",
    "choose_encoding": "measure.encodings",
    "load_encoding": "measure.encodings",
    # advise: what it costs and what to do
    "estimate": "advise.estimate",
    "Estimate": "advise.estimate",
    "workload_from": "advise.estimate",
    "Scenario": "advise.scenario",
    "load_catalog": "advise.catalog",
    "Catalog": "advise.catalog",
    "ModelPrices": "advise.catalog",
    "Workload": "advise.costs",
    "StrategyCost": "advise.costs",
    "LineItem": "advise.costs",
    "cost_as_logged": "advise.costs",
    "cost_prompt_only": "advise.costs",
    "cost_prompt_caching": "advise.costs",
    "cost_rag": "advise.costs",
    "cost_fine_tune": "advise.costs",
    "cost_self_hosted": "advise.costs",
    "cash_flow": "advise.timeline",
    "horizon_cost": "advise.timeline",
    "find_break_even": "advise.breakeven",
    "BreakEven": "advise.breakeven",
    "recommend": "advise.recommend",
    "Recommendation": "advise.recommend",
    # shared
    "normalize_model": "model_names",
    "default_epochs": "fine_tuning_rules",
    "example_token_limit": "fine_tuning_rules",
    "FineAdvisorError": "errors",
    "InputError": "errors",
    "LogFormatError": "errors",
    "NoRecordsError": "errors",
    "CatalogError": "errors",
    "UnknownPriceError": "errors",
}

if TYPE_CHECKING:
    from fineadvisor.advise.breakeven import BreakEven as BreakEven
    from fineadvisor.advise.breakeven import find_break_even as find_break_even
    from fineadvisor.advise.catalog import Catalog as Catalog
    from fineadvisor.advise.catalog import ModelPrices as ModelPrices
    from fineadvisor.advise.catalog import load_catalog as load_catalog
    from fineadvisor.advise.costs import LineItem as LineItem
    from fineadvisor.advise.costs import StrategyCost as StrategyCost
    from fineadvisor.advise.costs import Workload as Workload
    from fineadvisor.advise.costs import cost_as_logged as cost_as_logged
    from fineadvisor.advise.costs import cost_fine_tune as cost_fine_tune
    from fineadvisor.advise.costs import cost_prompt_caching as cost_prompt_caching
    from fineadvisor.advise.costs import cost_prompt_only as cost_prompt_only
    from fineadvisor.advise.costs import cost_rag as cost_rag
    from fineadvisor.advise.costs import cost_self_hosted as cost_self_hosted
    from fineadvisor.advise.estimate import Estimate as Estimate
    from fineadvisor.advise.estimate import estimate as estimate
    from fineadvisor.advise.estimate import workload_from as workload_from
    from fineadvisor.advise.recommend import Recommendation as Recommendation
    from fineadvisor.advise.recommend import recommend as recommend
    from fineadvisor.advise.scenario import Scenario as Scenario
    from fineadvisor.advise.timeline import cash_flow as cash_flow
    from fineadvisor.advise.timeline import horizon_cost as horizon_cost
    from fineadvisor.errors import CatalogError as CatalogError
    from fineadvisor.errors import FineAdvisorError as FineAdvisorError
    from fineadvisor.errors import InputError as InputError
    from fineadvisor.errors import LogFormatError as LogFormatError
    from fineadvisor.errors import NoRecordsError as NoRecordsError
    from fineadvisor.errors import UnknownPriceError as UnknownPriceError
    from fineadvisor.fine_tuning_rules import default_epochs as default_epochs
    from fineadvisor.fine_tuning_rules import example_token_limit as example_token_limit
    from fineadvisor.measure.analysis import LogAnalysis as LogAnalysis
    from fineadvisor.measure.analysis import analyze_logs as analyze_logs
    from fineadvisor.measure.encodings import EncodingChoice as EncodingChoice
    from fineadvisor.measure.encodings import choose_encoding as choose_encoding
    from fineadvisor.measure.encodings import load_encoding as load_encoding
    from fineadvisor.measure.profile import TemplateStats as TemplateStats
    from fineadvisor.measure.profile import UsageComparison as UsageComparison
    from fineadvisor.measure.profile import WorkloadProfile as WorkloadProfile
    from fineadvisor.measure.readiness import Readiness as Readiness
    from fineadvisor.measure.records import Image as Image
    from fineadvisor.measure.records import Message as Message
    from fineadvisor.measure.records import Record as Record
    from fineadvisor.measure.records import Tool as Tool
    from fineadvisor.measure.records import Usage as Usage
    from fineadvisor.measure.stats import Distribution as Distribution
    from fineadvisor.measure.tokens import RecordCounter as RecordCounter
    from fineadvisor.measure.tokens import RecordTokens as RecordTokens
    from fineadvisor.measure.tokens import TokenCounter as TokenCounter
    from fineadvisor.model_names import normalize_model as normalize_model

__all__ = sorted(API)


def __getattr__(name: str) -> Any:
    module = API.get(name)
    if module is None:
        raise AttributeError(f"module 'fineadvisor' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"fineadvisor.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(API))
