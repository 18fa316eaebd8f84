"""Errors fineadvisor expects and explains; anything else is a bug."""

from __future__ import annotations


class FineAdvisorError(Exception):
    """An expected fault: its message says what is wrong, where, and how to fix it."""


class InputError(FineAdvisorError):
    """A log file that cannot be opened or read as a whole (missing, a directory, corrupt gzip, empty)."""


class LogFormatError(FineAdvisorError):
    """One log line that is not a record fineadvisor understands."""

    def __init__(self, path: str, line_no: int, reason: str) -> None:
        self.path = path
        self.line_no = line_no
        self.reason = reason
        super().__init__(f"{path}:{line_no}: {reason}")


class NoRecordsError(FineAdvisorError):
    """The input held no valid record at all."""


class EncodingDataError(FineAdvisorError):
    """The bundled tokenizer data is missing or does not match its expected hash."""
