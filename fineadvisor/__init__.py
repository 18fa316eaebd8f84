"""fineadvisor: from your own LLM request logs, what to do about prompt overhead, and what it costs."""

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
