"""Quality scores the user measured (`--quality FILE`): per strategy or model, a pass rate and how many answers it
rests on. Read from CSV, JSON or a promptfoo results file; validated where it comes in.

    CSV       a header with `strategy` (or `model`), `pass_rate` (or `score`; 0–1, or a percentage "92%"), `n`
    JSON      {"prompt_only": {"pass_rate": 0.91, "n": 200}, …}, or a list of {"strategy" | "model", "pass_rate", "n"}
    promptfoo the `-o results.json` document: per provider, successes ÷ (successes + failures); errors not counted
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fineadvisor.errors import InputError

MAX_QUALITY_FILE_BYTES = 64 * 1024 * 1024
"""A quality file larger than this is refused unread (a promptfoo results file of 100k results is ~50 MB)."""
_PROVIDER_PREFIXES = ("openai:chat:", "openai:responses:", "openai:", "anthropic:messages:", "anthropic:",
                      "google:", "vertex:", "bedrock:", "azure:chat:", "azure:", "openrouter:")


@dataclass(frozen=True, slots=True)
class QualityScore:
    """A measured pass rate (0–1) over `n` answers."""

    key: str
    """A strategy id (`as_logged`, `prompt_only`, `rag`, `fine_tune:<offer>`, `switch_model:<model>`) or a model."""
    pass_rate: Decimal
    n: int

    def interval95(self) -> tuple[Decimal, Decimal]:
        """Wilson score interval, 95%. Formula: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n), z = 1.96."""
        if self.n <= 0:
            return Decimal(0), Decimal(1)
        z, p, n = 1.96, float(self.pass_rate), self.n
        centre = p + z * z / (2 * n)
        spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        scale = 1 + z * z / n
        low, high = (centre - spread) / scale, (centre + spread) / scale
        return Decimal(repr(round(max(0.0, low), 6))), Decimal(repr(round(min(1.0, high), 6)))


def read_quality(path: str) -> dict[str, QualityScore]:
    """The scores in a quality file, by key; `InputError` saying what is wrong and where."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_QUALITY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such quality file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return read_quality_bytes(path, data)


def read_quality_bytes(path: str, data: bytes) -> dict[str, QualityScore]:
    """`read_quality` of a file held in memory (an upload); `path` names it in every message."""
    if len(data) > MAX_QUALITY_FILE_BYTES:
        raise InputError(f"{path}: over {MAX_QUALITY_FILE_BYTES // 2**20} MiB, larger than any quality file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8 CSV or JSON") from None
    body = text.lstrip()
    scores = _from_json(text, path) if body[:1] in ("{", "[") else _from_csv(text, path)
    if not scores:
        raise InputError(f"{path}: holds no quality scores (expected rows of strategy or model, pass_rate, n)")
    return scores


def _rate(value: object, where: str) -> Decimal:
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        rate = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise InputError(f"{where}: pass rate {text[:40]!r} is not a number") from None
    if percent or rate > 1:
        rate /= 100
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise InputError(f"{where}: pass rate {text[:40]!r} is not between 0 and 1 (or 0% and 100%)")
    return rate


def _count(value: object, where: str) -> int:
    try:
        n = int(str(value).strip() or "0")
    except ValueError:
        raise InputError(f"{where}: n {str(value)[:40]!r} is not a whole number") from None
    if n < 0:
        raise InputError(f"{where}: n is negative")
    return n


def _row(row: dict[str, object], where: str) -> QualityScore:
    key = str(row.get("strategy") or row.get("model") or "").strip()
    if not key:
        raise InputError(f"{where}: no strategy or model named")
    rate = row.get("pass_rate", row.get("score"))
    if rate is None or rate == "":
        raise InputError(f"{where}: no pass_rate (or score) for {key!r}")
    return QualityScore(key, _rate(rate, where), _count(row.get("n", 0), where))


def _from_csv(text: str, path: str) -> dict[str, QualityScore]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower() for f in reader.fieldnames or ()}
    if not fields & {"strategy", "model"} or not fields & {"pass_rate", "score"}:
        raise InputError(f"{path}: a CSV quality file needs a header with strategy (or model) and pass_rate (or "
                         "score), and n")
    out: dict[str, QualityScore] = {}
    for i, raw in enumerate(reader, start=2):
        row = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
        score = _row(row, f"{path}:{i}")
        out[score.key] = score
    return out


def _from_json(text: str, path: str) -> dict[str, QualityScore]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{path}: not valid JSON ({str(exc)[:120]})") from None
    if isinstance(doc, dict) and isinstance(doc.get("results"), dict) and isinstance(doc["results"].get("results"),
                                                                                     list):
        return _from_promptfoo(doc["results"]["results"], path)
    rows: list[tuple[str, object]] = []
    if isinstance(doc, dict):
        rows = [(f"{path}: {k}", {"strategy": k, **v} if isinstance(v, dict) else {"strategy": k, "pass_rate": v})
                for k, v in doc.items()]
    elif isinstance(doc, list):
        rows = [(f"{path}: item {i + 1}", v) for i, v in enumerate(doc)]
    out: dict[str, QualityScore] = {}
    for where, row in rows:
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected an object with strategy (or model), pass_rate and n")
        score = _row(row, where)
        out[score.key] = score
    return out


def _from_promptfoo(results: list[object], path: str) -> dict[str, QualityScore]:
    """Pass rates per provider of a promptfoo results document (the model named by its provider id)."""
    passed: dict[str, int] = {}
    total: dict[str, int] = {}
    for r in results:
        if not isinstance(r, dict) or r.get("failureReason") == 2:  # an error, not an answer that was graded
            continue
        provider = r.get("provider")
        pid = provider.get("id") if isinstance(provider, dict) else provider
        if not isinstance(pid, str) or not pid:
            continue
        model = next((pid[len(p):] for p in _PROVIDER_PREFIXES if pid.startswith(p)), pid)
        total[model] = total.get(model, 0) + 1
        passed[model] = passed.get(model, 0) + bool(r.get("success"))
    if not total:
        raise InputError(f"{path}: a promptfoo results file with no graded results")
    return {m: QualityScore(m, Decimal(passed[m]) / total[m], total[m]) for m in total}
