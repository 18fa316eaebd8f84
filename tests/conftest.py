"""Shared helpers: write small JSONL logs in a test's tmp dir."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def write_log(tmp_path: Path) -> Callable[..., Path]:
    """Write records (dicts, or raw str/bytes lines) as a JSONL file and return its path."""

    def write(lines: Iterable[Any], name: str = "log.jsonl") -> Path:
        path = tmp_path / name
        with path.open("wb") as fh:
            for line in lines:
                if isinstance(line, bytes):
                    fh.write(line + b"\n")
                elif isinstance(line, str):
                    fh.write(line.encode() + b"\n")
                else:
                    fh.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        return path

    return write


def stop(proc: subprocess.Popen[Any], timeout_s: float = 10) -> None:
    """Stop a server a test started: SIGTERM, then SIGKILL if it has not exited within `timeout_s`."""
    proc.terminate()
    try:
        proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
