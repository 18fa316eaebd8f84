"""fineadvisor: from your own LLM request logs, what to do about prompt overhead, and what it costs."""

from fineadvisor.analysis import LogAnalysis, analyze_logs
from fineadvisor.encodings import EncodingChoice, choose_encoding, load_encoding, normalize_model
from fineadvisor.errors import FineAdvisorError, InputError, LogFormatError, NoRecordsError
from fineadvisor.profile import TemplateStats, UsageComparison, WorkloadProfile
from fineadvisor.readiness import Readiness, default_epochs, example_token_limit
from fineadvisor.records import Image, Message, Record, Tool, Usage
from fineadvisor.stats import Distribution
from fineadvisor.tokens import RecordCounter, RecordTokens, TokenCounter

__all__ = (
    "Distribution",
    "EncodingChoice",
    "FineAdvisorError",
    "Image",
    "InputError",
    "LogAnalysis",
    "LogFormatError",
    "Message",
    "NoRecordsError",
    "Readiness",
    "Record",
    "RecordCounter",
    "RecordTokens",
    "TemplateStats",
    "TokenCounter",
    "Tool",
    "Usage",
    "UsageComparison",
    "WorkloadProfile",
    "analyze_logs",
    "choose_encoding",
    "default_epochs",
    "example_token_limit",
    "load_encoding",
    "normalize_model",
)
