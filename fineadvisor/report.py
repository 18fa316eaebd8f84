"""Presentation of a `LogAnalysis`: a JSON-able dict, readable text tables, and Markdown."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fineadvisor.analysis import LogAnalysis
from fineadvisor.logs import describe
from fineadvisor.readiness import MIN_EXAMPLES, RECOMMENDED_EXAMPLES
from fineadvisor.stats import Distribution

JSON_SCHEMA_VERSION = 1


def package_version() -> str:
    """The installed fineadvisor version."""
    try:
        return version("fineadvisor")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def to_dict(a: LogAnalysis) -> dict[str, Any]:
    """The `--json` document (schema documented in the README)."""
    p, r = a.profile, a.readiness
    u = p.usage
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "fineadvisor_version": package_version(),
        "inputs": [describe(x) for x in a.paths],
        "records": {
            "lines": a.lines_read,
            "read": a.records_read,
            "skipped": a.records_skipped,
            "skipped_reasons": dict(a.skipped_reasons),
            "skipped_examples": [{"file": describe(b.path), "line": b.line_no, "reason": b.reason}
                                 for b in a.skipped_examples],
        },
        "model": a.model,
        "model_source": a.model_source,
        "encoding": a.encoding,
        "approximate": a.approximate,
        "approximate_reasons": list(a.approximate_reasons),
        "profile": {
            "records": p.records,
            "records_with_prompt": p.records_with_prompt,
            "records_without_output": p.records_without_output,
            "input_tokens": p.input_tokens.as_dict(),
            "output_tokens": p.output_tokens.as_dict(),
            "static_prefix_tokens": p.static_prefix_tokens.as_dict(),
            "system_tokens": p.system_tokens.as_dict(),
            "tool_tokens": p.tool_tokens.as_dict(),
            "few_shot_tokens": p.few_shot_tokens.as_dict(),
            "dynamic_tokens": p.dynamic_tokens.as_dict(),
            "history_tokens": p.history_tokens.as_dict(),
            "query_tokens": p.query_tokens.as_dict(),
            "static_share": round(p.static_share, 4),
            "templates": p.templates,
            "templates_capped": p.templates_capped,
            "few_shot_examples": p.few_shot_examples,
            "top_templates": [{"records": t.records, "static_prefix_tokens": t.static_prefix_tokens,
                               "few_shot_examples": t.few_shot_examples} for t in p.top_templates],
            "image_tokens": p.image_tokens,
            "uncounted_parts": p.uncounted_parts,
            "models": dict(p.models),
            "billed_vs_counted": {
                "records": u.records,
                "billed_prompt_tokens": u.billed_prompt_tokens,
                "counted_prompt_tokens": u.counted_prompt_tokens,
                "difference": u.difference,
                "exact_matches": u.exact_matches,
                "max_abs_difference": u.max_abs_difference,
                "cached_tokens": u.cached_tokens,
                "cache_write_tokens": u.cache_write_tokens,
                "reasoning_tokens": u.reasoning_tokens,
            },
        },
        "readiness": {
            "target_model": r.target_model,
            "examples": r.examples,
            "usable_examples": r.usable_examples,
            "minimum_examples": MIN_EXAMPLES,
            "recommended_examples": list(RECOMMENDED_EXAMPLES),
            "format_errors": r.format_errors,
            "missing_system": r.missing_system,
            "missing_user": r.missing_user,
            "messages_per_example": r.messages_per_example.as_dict(),
            "tokens_per_example": r.tokens_per_example.as_dict(),
            "assistant_tokens_per_example": r.assistant_tokens_per_example.as_dict(),
            "token_limit": r.token_limit,
            "token_limit_source": r.token_limit_source,
            "over_limit": r.over_limit,
            "exact_duplicates": r.exact_duplicates,
            "contradictory_prompts": r.contradictory_prompts,
            "contradictory_examples": r.contradictory_examples,
            "n_epochs": r.n_epochs,
            "billable_tokens_per_epoch": r.billable_tokens_per_epoch,
            "billable_training_tokens": r.billable_training_tokens,
            "warnings": list(r.warnings),
        },
    }


# ---------------------------------------------------------------- text


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


_COLUMNS = ("mean", "p50", "p90", "p95", "max", "total")


def _rows(a: LogAnalysis) -> list[tuple[str, Distribution]]:
    p = a.profile
    billed = " (billed)" if p.usage.records else ""
    return [
        (f"Input{billed}", p.input_tokens),
        ("  Static prefix", p.static_prefix_tokens),
        ("    system / developer", p.system_tokens),
        ("    tool schemas", p.tool_tokens),
        ("    few-shot examples", p.few_shot_tokens),
        ("  Dynamic input", p.dynamic_tokens),
        ("    history", p.history_tokens),
        ("    query (final turn)", p.query_tokens),
        (f"Output{billed}", p.output_tokens),
    ]


def _table(rows: list[tuple[str, Distribution]], markdown: bool) -> list[str]:
    if markdown:
        out = ["| tokens per request | " + " | ".join(_COLUMNS) + " |",
               "|---|" + "---:|" * len(_COLUMNS)]
        for label, d in rows:
            cells = [_n(d.mean), _n(d.p50), _n(d.p90), _n(d.p95), _n(d.max), _n(d.total)]
            out.append(f"| {label.strip()} | " + " | ".join(cells) + " |")
        return out
    width = max(len(label) for label, _ in rows) + 2
    out = ["Tokens per request".ljust(width) + "".join(c.rjust(11) for c in _COLUMNS)]
    for label, d in rows:
        cells = [_n(d.mean), _n(d.p50), _n(d.p90), _n(d.p95), _n(d.max), _n(d.total)]
        out.append(label.ljust(width) + "".join(c.rjust(11) for c in cells))
    return out


def _summary_lines(a: LogAnalysis) -> list[str]:
    p, r = a.profile, a.readiness
    u = p.usage
    exact = "approximate" if a.approximate else "exact"
    lines = [
        f"Read {a.records_read:,} records from {a.lines_read:,} lines ({a.records_skipped:,} skipped). "
        f"Counted for {a.model} ({a.model_source}) with {a.encoding}: {exact}.",
        "",
    ]
    lines += [f"Static share of input: {_pct(p.static_share)} — sent unchanged on every request: "
              "what prompt caching discounts and fine-tuning can drop.",
              f"Templates (distinct static prefixes): {p.templates:,}{'+' if p.templates_capped else ''}; "
              f"few-shot examples found: {p.few_shot_examples}."]
    if u.records:
        diff = u.difference
        lines.append(f"Billed vs counted prompt tokens: {u.records:,} records with usage, {u.exact_matches:,} exact; "
                     f"billed {_n(u.billed_prompt_tokens)} vs counted {_n(u.counted_prompt_tokens)} "
                     f"({'+' if diff >= 0 else ''}{diff:,}; largest per-request gap {u.max_abs_difference:,}).")
        if u.cached_tokens or u.cache_write_tokens:
            lines.append(f"Prompt cache: {_n(u.cached_tokens)} cached tokens read "
                         f"({_pct(u.cached_tokens / u.billed_prompt_tokens) if u.billed_prompt_tokens else 'n/a'}"
                         f" of billed input), {_n(u.cache_write_tokens)} written.")
        if u.reasoning_tokens:
            lines.append(f"Reasoning tokens (billed as output, not in the logged text): {_n(u.reasoning_tokens)}.")
    if p.records_without_output:
        lines.append(f"{p.records_without_output:,} records have no logged output; output statistics cover the rest.")
    if p.uncounted_parts:
        lines.append(f"{p.uncounted_parts:,} parts could not be counted (images of unknown size, audio, files).")
    if p.image_tokens:
        lines.append(f"Image tokens counted by OpenAI's vision rule: {_n(p.image_tokens)}.")
    lines.append("")
    verdict = (f"below OpenAI's minimum of {MIN_EXAMPLES}" if r.examples < MIN_EXAMPLES else
               f"enough to start (minimum {MIN_EXAMPLES}); gains usually show from "
               f"{RECOMMENDED_EXAMPLES[0]}–{RECOMMENDED_EXAMPLES[1]}")
    errors = {k: v for k, v in r.format_errors.items() if v}
    lines += [
        f"Fine-tuning readiness (target {r.target_model})",
        f"  Examples: {r.examples:,} ({r.usable_examples:,} usable) — {verdict}.",
        "  Format errors: " + (", ".join(f"{k} {v:,}" for k, v in errors.items()) if errors else "none") + ".",
        f"  Missing a system message: {r.missing_system:,}; missing a user message: {r.missing_user:,}.",
        f"  Tokens per example: mean {_n(r.tokens_per_example.mean)}, p95 {_n(r.tokens_per_example.p95)}, "
        f"max {_n(r.tokens_per_example.max)}; limit {r.token_limit:,} ({r.token_limit_source}): "
        f"{r.over_limit:,} over.",
        f"  Duplicates: {r.exact_duplicates:,} exact; {r.contradictory_prompts:,} prompts with conflicting answers "
        f"({r.contradictory_examples:,} examples).",
        f"  Default epochs: {r.n_epochs} → billable training tokens {r.n_epochs} × "
        f"{_n(r.billable_tokens_per_epoch)} = {_n(r.billable_training_tokens)}.",
    ]
    return lines


def _notes(a: LogAnalysis) -> list[str]:
    out: list[str] = []
    for reason in a.approximate_reasons:
        out.append(f"Approximate: {reason}.")
    for w in a.readiness.warnings:
        out.append(f"Warning: {w}.")
    if a.records_skipped:
        out.append(f"Skipped {a.records_skipped:,} lines; the first {len(a.skipped_examples)}:")
        out += [f"  {b}" for b in a.skipped_examples]
    return out


def to_text(a: LogAnalysis) -> str:
    """Readable tables for a terminal."""
    head = f"fineadvisor {package_version()} — {', '.join(describe(x) for x in a.paths)}"
    summary = _summary_lines(a)
    notes = _notes(a)
    lines = [head, "", *summary[:2], *_table(_rows(a), False), "", *summary[2:], *([""] if notes else []), *notes]
    return "\n".join(lines) + "\n"


def to_markdown(a: LogAnalysis) -> str:
    """A Markdown report to paste into a ticket or a doc."""
    summary = _summary_lines(a)
    body = summary[2:]
    split = body.index("")
    lines = [f"# fineadvisor report: {', '.join(describe(x) for x in a.paths)}", "", summary[0], "",
             "## Where input tokens go", "", *_table(_rows(a), True), ""]
    lines += [f"- {x}" for x in body[:split]]
    lines += ["", f"## {body[split + 1]}", ""] + [f"- {x.strip()}" for x in body[split + 2:]]
    notes = _notes(a)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {x.strip()}" for x in notes]
    return "\n".join(lines) + "\n"
