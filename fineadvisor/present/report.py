"""Presentation of a `LogAnalysis`: a JSON-able dict, readable text tables, and Markdown."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the profile's reports need no price catalog: `--profile-only` starts without one
    from fineadvisor.advise.estimate import Estimate
from fineadvisor.fine_tuning_rules import MIN_EXAMPLES, RECOMMENDED_EXAMPLES
from fineadvisor.formatting import count, money, months, percent, signed_percent
from fineadvisor.measure.analysis import LogAnalysis
from fineadvisor.measure.logs import describe
from fineadvisor.measure.sources import TITLES
from fineadvisor.measure.stats import Distribution
from fineadvisor.present.escape import markdown as esc

JSON_SCHEMA_VERSION = 2
"""2: the logged setup's id is `as_logged` (was `few_shot`); `fixed_monthly_usd` excludes retraining, which is a
`per_retraining` line item charged in the months it falls; `months_run` per strategy; `break_even[]` has
`definition` and `amortised_over_months`; payback is a whole month (the first whose cumulative cost is at or below
the logged setup's)."""


def package_version() -> str:
    """The installed fineadvisor version."""
    try:
        return version("fineadvisor")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


FORMAT_NAMES = TITLES
"""How each `Record.source` is named for people."""


def _formats(a: LogAnalysis) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    """Per input, the formats found (an analysis made without them lists each input with none)."""
    return a.formats or tuple((p, ()) for p in a.paths)


SHOWN_INPUTS = 5
"""Inputs named one by one in the text and Markdown (a directory or prefix may hold thousands); the JSON has all."""


def inputs_named(paths: tuple[str, ...]) -> str:
    """The inputs, the first `SHOWN_INPUTS` by name, then how many more."""
    names = ", ".join(describe(x) for x in paths[:SHOWN_INPUTS])
    more = len(paths) - SHOWN_INPUTS
    return f"{names} and {count(more)} more file{'s' if more != 1 else ''}" if more > 0 else names


def formats_line(a: LogAnalysis) -> str:
    """One line: what each input was read as ("Read as: examples/x.jsonl: 400 request/response pairs.")."""
    parts = []
    inputs = _formats(a)
    for name, found in inputs[:SHOWN_INPUTS]:
        kinds = ", ".join(f"{count(n)} {FORMAT_NAMES.get(kind, kind)}" for kind, n in found) or "no record"
        parts.append(f"{describe(name)}: {kinds}")
    if len(inputs) > SHOWN_INPUTS:
        rest: dict[str, int] = {}
        for _, found in inputs[SHOWN_INPUTS:]:
            for kind, n in found:
                rest[kind] = rest.get(kind, 0) + n
        kinds = ", ".join(f"{count(n)} {FORMAT_NAMES.get(kind, kind)}" for kind, n in rest.items()) or "no record"
        parts.append(f"{count(len(inputs) - SHOWN_INPUTS)} more files: {kinds}")
    return "Read as: " + "; ".join(parts) + "."


def _read_line(a: LogAnalysis) -> str:
    """"Read 3 records from 4 lines (1 skipped)." — or records of documents, rows of tables."""
    if a.sample is not None:
        return (f"Sampled {a.records_read:,} records from {a.lines_read:,} drawn lines ({a.records_skipped:,} "
                "skipped).")
    if a.units == ("record",):
        return f"Read {a.records_read:,} of {a.lines_read:,} records ({a.records_skipped:,} skipped)."
    plural = "" if a.lines_read == 1 else "s"
    return (f"Read {a.records_read:,} records from {a.lines_read:,} {' and '.join(u + plural for u in a.units)} "
            f"({a.records_skipped:,} skipped).")


def to_dict(a: LogAnalysis) -> dict[str, Any]:
    """The `--json` document (schema documented in the README)."""
    p, r = a.profile, a.readiness
    u = p.usage
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "repairs": {"lone_surrogates_replaced": a.surrogates_replaced},
        "fineadvisor_version": package_version(),
        "inputs": [{"file": describe(name), "formats": dict(found)} for name, found in _formats(a)],
        "records": {
            "lines": a.lines_read,
            "units": list(a.units),
            "read": a.records_read,
            "skipped": a.records_skipped,
            "skipped_reasons": dict(a.skipped_reasons),
            "skipped_examples": [{"file": describe(b.path), "line": b.line_no, "unit": b.unit, "reason": b.reason}
                                 for b in a.skipped_examples],
        },
        "model": a.model,
        "model_source": a.model_source,
        "encoding": a.encoding,
        "approximate": a.approximate,
        "approximate_reasons": list(a.approximate_reasons),
        "sample": _sample_dict(a),
        "profile": {
            "records": p.records,
            "records_with_prompt": p.records_with_prompt,
            "records_without_output": p.records_without_output,
            "input_tokens": _dist(a, p.input_tokens, "input"),
            "output_tokens": _dist(a, p.output_tokens, "output"),
            "static_prefix_tokens": _dist(a, p.static_prefix_tokens, "static"),
            "system_tokens": _dist(a, p.system_tokens, "system"),
            "tool_tokens": _dist(a, p.tool_tokens, "tools"),
            "few_shot_tokens": _dist(a, p.few_shot_tokens, "few_shot"),
            "dynamic_tokens": _dist(a, p.dynamic_tokens, "dynamic"),
            "history_tokens": _dist(a, p.history_tokens, "history"),
            "query_tokens": _dist(a, p.query_tokens, "query"),
            "static_share": round(p.static_share, 4),
            **({"static_share_ci95": [round(a.sample.static_share_ci95.low, 4), round(a.sample.static_share_ci95.high, 4)]}
               if a.sample else {}),
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
            "estimated_from_sample": r.sampled,
            "warnings": list(r.warnings),
        },
    }


def _dist(a: LogAnalysis, d: Distribution, part: str) -> dict[str, Any]:
    """A distribution for JSON; from a sample, with each figure's 95% interval (`*_ci95`: [low, high])."""
    out: dict[str, Any] = dict(d.as_dict())
    if a.sample is not None:
        e = a.sample.of(part)
        out.update(sampled_records=e.sampled, count_ci95=e.count_ci95.as_list(0), mean_ci95=e.mean_ci95.as_list(),
                   total_ci95=e.total_ci95.as_list(0), p50_ci95=e.p50_ci95.as_list(), p90_ci95=e.p90_ci95.as_list(),
                   p95_ci95=e.p95_ci95.as_list(), max_note="the largest in the sample: the log's is at least this")
        for name in e.open_above:
            out[f"{name}_ci95_note"] = ("the upper end is the sample's largest value: too few lines to bound it, "
                                        "the log's may lie above")
    return out


def _sample_dict(a: LogAnalysis) -> dict[str, Any] | None:
    """`sample`: null for a full count; else what was drawn, how, and the estimated size of the log."""
    s = a.sample
    if s is None:
        return None
    return {"spec": s.spec.describe(), "method": s.method, "seed": s.spec.seed, "lines": s.lines,
            "records": s.records, "population_estimate": round(s.population_records),
            "population_ci95": s.population_records_ci95.as_list(0),
            "cache_hit_share": None if s.cache_hit_share is None else round(s.cache_hit_share, 4),
            "cache_hit_share_ci95": None if s.cache_hit_share_ci95 is None else
            [round(s.cache_hit_share_ci95.low, 4), round(s.cache_hit_share_ci95.high, 4)],
            "skipped_lines_estimate": round(s.skipped_lines), "skipped_lines_ci95": s.skipped_lines_ci95.as_list(0),
            "every_line": s.every_line, "not_estimated": [] if s.every_line else list(NOT_ESTIMATED)}


NOT_ESTIMATED = ("templates and few-shot examples: those seen in the sample (the log may have more)",
                 "readiness's duplicates and conflicting answers: those within the sample (a sample cannot "
                 "estimate them; count the full log)",
                 "max: the largest in the sample (the log's is at least this)")
"""What a sample does not estimate, said wherever its figures are shown."""


def sample_lines(a: LogAnalysis) -> list[str]:
    """The lines that say a report's figures are sampled estimates, with the intervals of the main ones."""
    s = a.sample
    if s is None:
        return []
    how = {"offsets": "random byte offsets, weighted by line length", "reservoir": "reservoir sampling",
           "bernoulli": "each line kept at random"}
    method = " and ".join(how.get(m, m) for m in s.method.split("+"))
    if s.every_line:
        lines = [f"Sampled: {s.spec.describe()} ({method}; seed {s.spec.seed}): the sample holds every line of the log "
                 f"({s.lines:,} lines, {s.records:,} records), so the figures below are exact (intervals of zero "
                 "width):"]
    else:
        lines = [f"Sampled: {s.spec.describe()} ({method}; seed {s.spec.seed}): {s.records:,} records standing for "
                 f"about {count(s.population_records)} (95%: {count(s.population_records_ci95.low)}–"
                 f"{count(s.population_records_ci95.high)}). Every figure below is an estimate; the 95% intervals:"]
    for label, part in (("input", "input"), ("static prefix", "static"), ("dynamic", "dynamic"),
                        ("query", "query"), ("output", "output")):
        e = s.of(part)
        lines.append(f"  {label}: mean {count(e.mean)} ({count(e.mean_ci95.low)}–{count(e.mean_ci95.high)}), "
                     f"p95 {count(e.p95)} ({count(e.p95_ci95.low)}–{'≥' if 'p95' in e.open_above else ''}"
                     f"{count(e.p95_ci95.high)}), total "
                     f"{count(e.total)} ({count(e.total_ci95.low)}–{count(e.total_ci95.high)})")
    lines.append(f"  static share: {percent(s.static_share, 1)} ({percent(s.static_share_ci95.low, 1)}–"
                 f"{percent(s.static_share_ci95.high, 1)})"
                 + ("" if s.cache_hit_share is None or s.cache_hit_share_ci95 is None else
                    f"; cache hits: {percent(s.cache_hit_share, 1)} of requests ({percent(s.cache_hit_share_ci95.low, 1)}"
                    f"–{percent(s.cache_hit_share_ci95.high, 1)})"))
    if s.skipped_lines:
        lines.append(f"  lines that are not valid records: about {count(s.skipped_lines)} "
                     f"({count(s.skipped_lines_ci95.low)}–{count(s.skipped_lines_ci95.high)})")
    if not s.every_line:
        lines.append("  Not estimated: " + "; ".join(NOT_ESTIMATED) + ".")
    return lines


# ---------------------------------------------------------------- text


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


def _table(rows: list[tuple[str, Distribution]], markdown: bool, sampled: bool = False) -> list[str]:
    title = "Tokens per request" + (" (sampled estimates)" if sampled else "")
    if markdown:
        out = [f"| {title.lower()} | " + " | ".join(_COLUMNS) + " |",
               "|---|" + "---:|" * len(_COLUMNS)]
        for label, d in rows:
            cells = [count(d.mean), count(d.p50), count(d.p90), count(d.p95), count(d.max), count(d.total)]
            out.append(f"| {esc(label.strip())} | " + " | ".join(cells) + " |")
        return out
    width = max(len(title), *(len(label) for label, _ in rows)) + 2
    out = [title.ljust(width) + "".join(c.rjust(11) for c in _COLUMNS)]
    for label, d in rows:
        cells = [count(d.mean), count(d.p50), count(d.p90), count(d.p95), count(d.max), count(d.total)]
        out.append(label.ljust(width) + "".join(c.rjust(11) for c in cells))
    return out


def _summary_lines(a: LogAnalysis) -> list[str]:
    p, r = a.profile, a.readiness
    u = p.usage
    exact = "approximate" if a.approximate else "exact"
    est = " (sampled estimate)" if a.sample else ""
    lines = [
        f"{_read_line(a)} "
        f"Counted for {a.model} ({a.model_source}) with {a.encoding}: {exact}.",
        formats_line(a),
        "",
    ]
    share = (f"Static share of input{est}: {percent(p.static_share, 1)} — sent unchanged on every request: "
             "what prompt caching discounts and fine-tuning can drop." if p.records_with_prompt else
             "Static share of input: unknown — no record carries its prompt (usage only), so nothing here is known "
             "to repeat; log the prompts (or give the request file) to measure it.")
    lines += [share,
              f"Templates (distinct static prefixes): {p.templates:,}{'+' if p.templates_capped else ''}; "
              f"few-shot examples found: {p.few_shot_examples}."]
    if u.records:
        diff = u.difference
        lines.append(f"Billed vs counted prompt tokens{est}: {u.records:,} records with usage, {u.exact_matches:,} exact; "
                     f"billed {count(u.billed_prompt_tokens)} vs counted {count(u.counted_prompt_tokens)} "
                     f"({'+' if diff >= 0 else ''}{diff:,}; largest per-request gap {u.max_abs_difference:,}).")
        if u.cached_tokens or u.cache_write_tokens:
            lines.append(f"Prompt cache{est}: {count(u.cached_tokens)} cached tokens read "
                         f"({percent(u.cached_tokens / u.billed_prompt_tokens, 1) if u.billed_prompt_tokens else 'n/a'}"
                         f" of billed input), {count(u.cache_write_tokens)} written.")
        if u.reasoning_tokens:
            lines.append(f"Reasoning tokens{est} (billed as output, not in the logged text): {count(u.reasoning_tokens)}.")
    if a.surrogates_replaced:
        lines.append(f"Repaired: {count(a.surrogates_replaced)} lone surrogates (unpaired halves of \\u escapes, not "
                     "valid text) replaced by U+FFFD before counting.")
    if p.records_without_output:
        lines.append(f"{p.records_without_output:,} records have no logged output; output statistics cover the rest.")
    if p.records_with_prompt < p.records:
        lines.append(f"{p.records - p.records_with_prompt:,} records have billed usage but no content: they count in "
                     f"the totals; the static/dynamic split is of the {p.records_with_prompt:,} with a prompt.")
    if p.uncounted_parts:
        lines.append(f"{p.uncounted_parts:,} parts could not be counted (images of unknown size, audio, files).")
    if p.image_tokens:
        lines.append(f"Image tokens counted by OpenAI's vision rule: {count(p.image_tokens)}.")
    lines.append("")
    verdict = (f"below OpenAI's minimum of {MIN_EXAMPLES}" if r.examples < MIN_EXAMPLES else
               f"enough to start (minimum {MIN_EXAMPLES}); gains usually show from "
               f"{RECOMMENDED_EXAMPLES[0]}–{RECOMMENDED_EXAMPLES[1]}")
    errors = {k: v for k, v in r.format_errors.items() if v}
    lines += [
        f"Fine-tuning readiness (target {r.target_model})" + ("; sampled: counts are estimates for the whole log, "
                                                               "duplicates those within the sample" if r.sampled else ""),
        f"  Examples: {r.examples:,} ({r.usable_examples:,} usable) — {verdict}.",
        "  Format errors: " + (", ".join(f"{k} {v:,}" for k, v in errors.items()) if errors else "none") + ".",
        f"  Missing a system message: {r.missing_system:,}; missing a user message: {r.missing_user:,}.",
        f"  Tokens per example: mean {count(r.tokens_per_example.mean)}, p95 {count(r.tokens_per_example.p95)}, "
        f"max {count(r.tokens_per_example.max)}; limit {r.token_limit:,} ({r.token_limit_source}): "
        f"{r.over_limit:,} over.",
        f"  Duplicates: {r.exact_duplicates:,} exact; {r.contradictory_prompts:,} prompts with conflicting answers "
        f"({r.contradictory_examples:,} examples).",
        f"  Default epochs: {r.n_epochs} → billable training tokens {r.n_epochs} × "
        f"{count(r.billable_tokens_per_epoch)} = {count(r.billable_training_tokens)}.",
    ]
    return lines


def _notes(a: LogAnalysis) -> list[str]:
    out: list[str] = []
    for reason in a.approximate_reasons:
        out.append(f"Approximate: {reason}.")
    for w in a.readiness.warnings:
        out.append(f"Warning: {w}.")
    if a.records_skipped:
        units = " or ".join(u + "s" for u in a.units)
        out.append(f"Skipped {a.records_skipped:,} {units}; the first {len(a.skipped_examples)}:")
        out += [f"  {b}" for b in a.skipped_examples]
    return out


def to_text(a: LogAnalysis) -> str:
    """Readable tables for a terminal."""
    head = f"fineadvisor {package_version()} — {inputs_named(a.paths)}"
    summary = _summary_lines(a)
    notes = _notes(a)
    sampled = [*sample_lines(a), ""] if a.sample else []
    table = _table(_rows(a), False, a.sample is not None)
    lines = [head, "", *summary[:3], *sampled, *table, "", *summary[3:], *([""] if notes else []), *notes]
    return "\n".join(lines) + "\n"


def to_markdown(a: LogAnalysis) -> str:
    """A Markdown report to paste into a ticket or a doc."""
    summary = _summary_lines(a)
    body = summary[3:]
    split = body.index("")
    lines = [f"# fineadvisor report: {esc(inputs_named(a.paths))}", "", esc(summary[0]),
             esc(summary[1]), "", *(f"- {esc(x.strip())}" for x in sample_lines(a)), *([""] if a.sample else []),
             "## Where input tokens go", "", *_table(_rows(a), True, a.sample is not None), ""]
    lines += [f"- {esc(x)}" for x in body[:split]]
    lines += ["", f"## {esc(body[split + 1])}", ""] + [f"- {esc(x.strip())}" for x in body[split + 2:]]
    notes = _notes(a)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {esc(x.strip())}" for x in notes]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- costs, break-even, recommendation

def _dec(x: Decimal | None) -> str | None:
    """Money and other exact numbers as decimal strings in JSON (full precision)."""
    return None if x is None else format(x, "f")


def estimate_to_dict(e: Estimate) -> dict[str, Any]:
    """The `--json` document with costs: the analysis keys plus strategies, break_even and recommendation."""
    out = to_dict(e.analysis) if e.analysis is not None else {}
    s, r = e.scenario, e.recommendation
    ranked = {x.cost.id: x for x in r.ranking}
    out["scenario"] = json.loads(s.model_dump_json())
    out["prices"] = {"model": e.prices.model, "provider": e.prices.provider, "source": e.prices.source,
                     "checked": e.prices.checked.isoformat(),
                     "input_usd_per_mtok": _dec(e.prices.input_usd_per_mtok),
                     "cached_input_usd_per_mtok": _dec(e.prices.cached_input_usd_per_mtok),
                     "cache_write_usd_per_mtok": _dec(e.prices.cache_write_usd_per_mtok),
                     "output_usd_per_mtok": _dec(e.prices.output_usd_per_mtok),
                     "batch_input_usd_per_mtok": _dec(e.prices.batch_input_usd_per_mtok),
                     "batch_output_usd_per_mtok": _dec(e.prices.batch_output_usd_per_mtok)}
    out["strategies"] = [{
        "id": c.id, "label": c.label, "kind": c.kind, "price_tier": c.price_tier,
        "changes_behaviour": c.changes_behaviour,
        "per_request_usd": _dec(c.per_request_usd), "per_request_low_usd": _dec(c.per_request_low_usd),
        "per_request_high_usd": _dec(c.per_request_high_usd),
        "monthly_usd": _dec(c.monthly_usd(s.requests_per_month)), "fixed_monthly_usd": _dec(c.fixed_monthly_usd),
        "one_off_usd": _dec(c.one_off_usd), "horizon_usd": _dec(ranked[c.id].horizon_usd),
        "months_run": ranked[c.id].months_run, "retrain_usd": _dec(c.retrain_usd),
        "retrain_every_months": c.retrain_every_months,
        "eligible": ranked[c.id].eligible, "excluded_because": list(ranked[c.id].excluded_because),
        "available_until": c.available_until.isoformat() if c.available_until else None,
        "new_jobs_until": c.new_jobs_until.isoformat() if c.new_jobs_until else None,
        "notes": list(c.notes),
        "quality": None if c.pass_rate is None else {
            "pass_rate": _dec(c.pass_rate), "n": c.quality_n, "usd_per_success": _dec(c.usd_per_success)},
        "line_items": [{"name": li.name, "kind": li.kind, "usd": _dec(li.usd), "formula": li.formula}
                       for li in c.line_items],
    } for c in e.strategies]
    out["break_even"] = [{
        "a": b.a, "b": b.b, "kind": b.kind, "requests_per_month": _dec(b.requests_per_month),
        "b_cheaper_above": b.b_cheaper_above, "payback_months": _dec(b.payback_months),
        "payback_kind": b.payback_kind, "worth_it": b.worth_it, "reason": b.reason,
        "payback_stays_from": _dec(b.payback_stays_from),
        "definition": b.definition, "amortised_over_months": b.amortised_over_months,
    } for b in e.break_evens]
    out["recommendation"] = {
        "strategy": r.strategy, "label": r.label, "baseline": r.baseline,
        "monthly_savings_usd": _dec(r.monthly_savings_usd), "horizon_savings_usd": _dec(r.horizon_savings_usd),
        "payback_months": _dec(r.payback_months), "reasons": list(r.reasons), "warnings": list(r.warnings),
        "plan": [{"stage": p.stage, "action": p.action, "strategy": p.strategy, "saving_usd": _dec(p.saving_usd),
                  "payback_months": p.payback_months, "reasons": list(p.reasons)} for p in e.plan],
    }
    out["sensitivity"] = [{"input": x.input, "current": x.current, "flips_at": x.flips_at, "to": x.to,
                           "note": x.note} for x in e.sensitivity]
    out["assumptions"] = [{"name": a.name, "value": a.value, "source": a.source} for a in e.assumptions]
    out["warnings"] = list(e.warnings)
    life = e.prices.lifecycle
    out["lifecycle"] = None if life is None else {
        "model": e.prices.model, "available_until": life.available_until.isoformat(),
        "new_jobs_until": life.new_jobs_until.isoformat() if life.new_jobs_until else None,
        "successor": life.successor, "tier": life.tier, "source": life.source, "checked": life.checked.isoformat(),
        "within_horizon": e.lifecycle is not None, "notice": e.lifecycle}
    return out


def _cost_lines(e: Estimate, markdown: bool) -> list[str]:
    s, r = e.scenario, e.recommendation
    head = (f"Costs at {count(s.requests_per_month)} requests/month"
            f"{f', growing {signed_percent(s.growth_per_month)} a month' if s.growth_per_month else ''}, "
            f"{s.horizon_months}-month horizon from {s.start:%Y-%m-%d}; base prices {e.prices.model} "
            f"({e.prices.source}, checked {e.prices.checked:%Y-%m-%d})"
            + ("; tokens per request from a sample (estimates, see its intervals above)"
               if e.analysis is not None and e.analysis.sample else ""))
    cols = ("per request", "monthly", "one-off", f"{s.horizon_months}-mo total")
    rows = []
    for x in r.ranking:
        c = x.cost
        mark = "▶" if c.id == r.strategy else ("✗" if not x.eligible else " ")
        short = "†" if x.months_run < s.horizon_months else ""
        rows.append((mark, c.label, money(c.per_request_usd), money(x.monthly_usd), money(c.one_off_usd),
                     money(x.horizon_usd) + short))
    lines: list[str] = []
    if markdown:
        lines += ["## Cost of each strategy", "", esc(head + "."), "",
                  "| | strategy | " + " | ".join(cols) + " |", "|---|---|" + "---:|" * len(cols)]
        lines += [f"| {m} | {esc(label)} | " + " | ".join(esc(x) for x in v) + " |" for m, label, *v in rows]
    else:
        width = max(len(label) for _, label, *_ in rows) + 2
        lines += [head + ".", "", "  " + "Strategy".ljust(width) + "".join(c.rjust(14) for c in cols)]
        lines += [f"{m} " + label.ljust(width) + "".join(v.rjust(14) for v in vals) for m, label, *vals in rows]
        lines.append("  (▶ recommended; ✗ not recommendable: shuts down or takes no new jobs within your horizon, or too "
                     "few training examples; per request at the mean output length; monthly: a month at your volume "
                     "without retraining; total: one-off + every month, retraining when due"
                     + ("; † stops inside the horizon: the total covers the months it runs" if any(
                         x.months_run < s.horizon_months for x in r.ranking) else "") + ")")
    return lines


def _quality_lines(e: Estimate) -> list[str]:
    """Measured pass rates and the cost per successful answer they imply (none without --quality)."""
    from fineadvisor.measure.quality import QualityScore

    rows = []
    for c in e.strategies:
        if c.pass_rate is None:
            continue
        low, high = QualityScore(c.id, c.pass_rate, c.quality_n).interval95()
        per = c.usd_per_success
        rows.append(f"{c.label}: pass rate {percent(c.pass_rate)} (95% interval {percent(low)}–{percent(high)}, "
                    f"n = {c.quality_n:,}) → {money(per) if per is not None else 'no successful answer'} per "
                    "successful answer")
    return rows


def _advice_lines(e: Estimate) -> tuple[str, list[str], list[str], list[str], list[str]]:
    r = e.recommendation
    life = e.prices.lifecycle
    if r.strategy == r.baseline and e.lifecycle and life is not None:
        title = (f"Recommendation: keep the logged prompt as it is and move it to {life.successor} when "
                 f"{life.id} shuts down ({life.available_until:%Y-%m-%d}): {r.label}.")
    elif r.strategy == r.baseline:
        title = f"Recommendation: keep the logged setup ({r.label})."
    else:
        pay = f", pays back in month {r.payback_months}" if r.payback_months else ""
        title = (f"Recommendation: {r.label} — saves {money(r.monthly_savings_usd)} a month, "
                 f"{money(r.horizon_savings_usd)} over {months(e.scenario.horizon_months)}{pay}.")
    labels = {c.id: c.label for c in e.strategies}
    shown = [b for b in e.break_evens if b.kind == "crosses" or not b.worth_it]
    breaks = [f"{labels[b.b]}: {b.reason}" for b in shown]
    said = set(breaks)
    sens = [x.note if x.flips_at else f"{x.input} ({x.current}): {x.note}" for x in e.sensitivity]
    notes = [f"{a.name}: {a.value} ({a.source})" for a in e.assumptions]
    warnings = [w for w in dict.fromkeys((*r.warnings, *e.warnings)) if w not in said]
    return title, list(r.reasons), breaks, sens, notes + [f"Warning: {w}" for w in warnings]


PLAN_STAGES = {"now": "Now", "test_next": "Test next", "watch": "Watch"}


def _plan_lines(e: Estimate, markdown: bool) -> list[str]:
    """The plan: now (no change of behaviour), test next (with what it would save), watch."""
    if not e.plan:
        return []
    out = ["## Plan" if markdown else "Plan:", ""] if markdown else ["Plan:"]
    for step in e.plan:
        tail = "; ".join(step.reasons)
        text = f"{PLAN_STAGES[step.stage]}: {step.action}" + (f" — {tail}" if tail else "")
        out.append(f"- {esc(text)}" if markdown else f"  {text}")
    return [*out, ""]


def estimate_to_text(e: Estimate) -> str:
    """The terminal report: the profile, then costs, the recommendation and why."""
    base = to_text(e.analysis) if e.analysis is not None else ""
    lead = ([f"Note: {e.lifecycle}", ""] if e.lifecycle else []) + _plan_lines(e, False)
    if lead:  # said first: the date changes every total, and the plan is the answer
        head, _, rest = base.partition("\n")
        base = head + "\n\n" + "\n".join(lead) + "\n" + rest.lstrip("\n").lstrip("\n")
    title, reasons, breaks, sens, notes = _advice_lines(e)
    lines = ["", *_cost_lines(e, False), "", title, "  Why:"] + [f"  - {x}" for x in reasons]
    if breaks:
        lines += ["  Break-even against the logged setup:"] + [f"  - {x}" for x in breaks]
    lines += ["  What would change the choice:"] + [f"  - {x}" for x in sens]
    quality = _quality_lines(e)
    if quality:
        lines += ["  Quality you measured (--quality):"] + [f"  - {x}" for x in quality]
    lines += ["", "Assumptions (set any of them with the flags in `fineadvisor estimate --help`):"]
    lines += [f"  - {x}" for x in notes]
    return base + "\n".join(lines) + "\n"


def estimate_to_markdown(e: Estimate) -> str:
    """The Markdown report with costs and the recommendation."""
    base = to_markdown(e.analysis) if e.analysis is not None else ""
    lead = ([f"> **Note:** {esc(e.lifecycle)}", ""] if e.lifecycle else []) + _plan_lines(e, True)
    if lead:  # said first: the date changes every total, and the plan is the answer
        head, _, rest = base.partition("\n")
        base = head + "\n\n" + "\n".join(lead) + "\n" + rest.lstrip("\n").lstrip("\n")
    title, reasons, breaks, sens, notes = _advice_lines(e)
    lines = ["", f"## {esc(title)}", "", *[f"- {esc(x)}" for x in reasons], "",
             *_cost_lines(e, True), ""]
    if breaks:
        lines += ["## Break-even against the logged setup", "", *[f"- {esc(x)}" for x in breaks], ""]
    quality = _quality_lines(e)
    if quality:
        lines += ["## Quality you measured", "", *[f"- {esc(x)}" for x in quality], ""]
    lines += ["## What would change the choice", "", *[f"- {esc(x)}" for x in sens], "",
              "## Assumptions", "", *[f"- {esc(x)}" for x in notes]]
    return base + "\n".join(lines) + "\n"
