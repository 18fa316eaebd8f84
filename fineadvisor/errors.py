"""Errors fineadvisor expects and explains; anything else is a bug."""

from __future__ import annotations


class FineAdvisorError(Exception):
    """An expected fault: its message says what is wrong, where, and how to fix it."""


class InputError(FineAdvisorError):
    """A log file that cannot be opened or read as a whole (missing, a directory, corrupt gzip, empty)."""


class LogFormatError(FineAdvisorError):
    """One log line that is not a record fineadvisor understands."""

    def __init__(self, path: str, line_no: int, reason: str, where: str | None = None) -> None:
        self.path = path
        self.line_no = line_no
        self.reason = reason
        super().__init__(f"{where or f'{path}:{line_no}'}: {reason}")


class NoRecordsError(FineAdvisorError):
    """The input held no valid record at all."""


class CatalogError(FineAdvisorError):
    """A pricing file that cannot be read or does not follow the format."""


class UnknownPriceError(FineAdvisorError):
    """A model or offer the catalog has no price for."""


class EncodingDataError(FineAdvisorError):
    """The bundled tokenizer data is missing or does not match its expected hash."""


class TempSpaceError(FineAdvisorError):
    """The temporary directory cannot take the per-record numbers of a large log."""

    def __init__(self, directory: str, exc: OSError) -> None:
        import errno

        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            fix = "free some space there or set TMPDIR to a directory with room"
        elif exc.errno in (errno.EMFILE, errno.ENFILE):
            fix = "raise the limit on open files (`ulimit -n`; fineadvisor needs about 250)"
        else:
            fix = "set TMPDIR to a directory you can write to"
        super().__init__(
            f"cannot write temporary data in {directory}: {exc.strerror or exc}. For large logs fineadvisor keeps "
            f"per-record token counts there (about 120–200 bytes per record, deleted when it ends); {fix}")
