"""The `fineadvisor` command line: thin over `analyze_logs` and `report`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from fineadvisor.advise.scenario import Scenario

from fineadvisor.advise.constants import (
    DAYS_PER_MONTH,
    DEFAULT_HIT_RATE,
    DEFAULT_REQUESTS_PER_DAY,
    default_volume_source,
)
from fineadvisor.errors import FineAdvisorError
from fineadvisor.formatting import count, percent, unit_price
from fineadvisor.measure.analysis import analyze_logs
from fineadvisor.measure.logs import file_size
from fineadvisor.measure.quality import read_quality
from fineadvisor.measure.sampling import SampleSpec
from fineadvisor.present.escape import json_text, terminal
from fineadvisor.present.report import (
    estimate_to_dict,
    estimate_to_markdown,
    estimate_to_text,
    package_version,
    to_dict,
    to_markdown,
    to_text,
)

PROGRESS_MIN_BYTES = 32 * 1024 * 1024


def shown_default(field: str) -> str:
    """A Scenario field's default as the help shows it: read from `Scenario()`, never typed twice."""
    from fineadvisor.advise.scenario import default_of  # here: the help is rendered when shown, not at import

    value = default_of(field)
    if field in ("growth_per_month", "min_saving_share", "rag_replaced_share"):
        return percent(value)  # type: ignore[arg-type]
    if isinstance(value, int) and not isinstance(value, bool):
        return count(value)
    return str(value)


_DEFAULT_MARK = re.compile(r"⟨default:(\w+)⟩")


def _d(field: str) -> str:
    """Where a help text names a Scenario default: filled in when the help is read (`_LazyHelp`)."""
    return f"⟨default:{field}⟩"


def _filled(text: str | None) -> str | None:
    """A help text with its defaults filled in (and the command's volume and horizon)."""
    if text is None:
        return None
    text = text.replace("{per_day}", count(DEFAULT_REQUESTS_PER_DAY))
    if "{horizon}" in text:
        text = text.replace("{horizon}", shown_default("horizon_months"))
    return _DEFAULT_MARK.sub(lambda m: f"(default {shown_default(m.group(1))})", text)


class _LazyHelp:
    """A help text whose Scenario defaults are filled in when it is read: the command line starts without building
    the pydantic `Scenario` (a `--sample` run is seconds, and this was a tenth of it)."""

    _help_text: str | None = None

    @property
    def help(self) -> str | None:
        return _filled(self._help_text)

    @help.setter
    def help(self, value: str | None) -> None:
        self._help_text = value


class _Option(_LazyHelp, click.Option):
    pass


class _Command(_LazyHelp, click.Command):
    pass


def option(*names: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`click.option`, with the help's defaults filled in when it is read."""
    return click.option(*names, cls=_Option, **kwargs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_version(), prog_name="fineadvisor")
def cli() -> None:
    """Should your LLM feature keep prompting, cache, add RAG or fine-tune? Measured from your own logs."""


@contextmanager
def _progress(paths: tuple[str, ...], quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    total = sum(file_size(p) for p in paths)
    if quiet or total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="Counting tokens", file=sys.stderr,
                           show_eta=True, show_percent=True) as bar:
        done = [0]

        def update(now: int, _total: int) -> None:
            bar.update(now - done[0])
            done[0] = now

        yield update


def _decimal(value: str | None, name: str, *, percent: bool = False) -> Decimal | None:
    if value is None:
        return None
    text = value.strip()
    scale = Decimal(1)
    if percent and text.endswith("%"):
        text, scale = text[:-1], Decimal(100)
    try:
        number = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not a number", param_hint=name) from None
    if not number.is_finite():
        raise click.BadParameter(f"{value!r} is not a finite number", param_hint=name)
    if percent and scale == 1 and abs(number) > 1:
        raise click.BadParameter(f"{value!r} is ambiguous: write {value}% or {number / 100}", param_hint=name)
    return number / scale


def _scenario(opts: dict[str, object]) -> tuple[Scenario, str]:
    """Build the Scenario from CLI options; only options the user gave override the documented defaults."""
    from pydantic import ValidationError

    from fineadvisor.advise.scenario import Scenario

    per_day = _decimal(opts.pop("requests_per_day"), "--requests-per-day")  # type: ignore[arg-type]
    per_month = _decimal(opts.pop("requests_per_month"), "--requests-per-month")  # type: ignore[arg-type]
    if per_day is not None and per_month is not None:
        raise click.UsageError("give --requests-per-day or --requests-per-month, not both")
    logs_per_day = _decimal(opts.pop("logs_requests_per_day"), "--logs-requests-per-day")  # type: ignore[arg-type]
    if logs_per_day is not None and logs_per_day <= 0:
        raise click.BadParameter(f"{logs_per_day} is not a positive number of requests", param_hint="--logs-requests-per-day")
    if logs_per_day is not None:
        opts["logs_requests_per_month"] = logs_per_day * DAYS_PER_MONTH
    fields: dict[str, object] = {k: v for k, v in opts.items()
                                 if v is not None and v != () and (v is not False or k == "batch")}
    for name in ("growth", "cache_hit_rate", "min_saving_share", "rag_replaced_share", "min_quality"):
        if name in fields:
            fields[name] = _decimal(str(fields[name]), "--" + name.replace("_", "-"), percent=True)
    for name in ("labour_usd_per_hour", "data_prep_hours", "mfu", "migration_hours", "min_saving_usd", "eval_hours",
                 "reasoning_multiplier"):
        if name in fields:
            fields[name] = _decimal(str(fields[name]), "--" + name.replace("_", "-"))
    if "growth" in fields:
        fields["growth_per_month"] = fields.pop("growth")
    if "fine_tune" in fields:
        fields["fine_tune_offers"] = fields.pop("fine_tune")
    source = default_volume_source()
    if per_day is not None:
        fields["requests_per_month"] = per_day * DAYS_PER_MONTH
        source = f"--requests-per-day {per_day:,}"
    elif per_month is not None:
        fields["requests_per_month"] = per_month
        source = f"--requests-per-month {per_month:,}"
    try:
        return Scenario(**fields), source  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in exc.errors())
        raise click.UsageError(problems) from None


@cli.command(cls=_Command)
@click.argument("logs", nargs=-1, required=True, metavar="LOGS...")
@option("--model", "-m", metavar="MODEL",
              help="The model the logged setup uses: counts every record with its tokenizer and prices it "
                   "(default: each record's own model; costs for the most frequent).")
@option("--format", "-f", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@option("--json", "json_", is_flag=True, help="Same as --format json: one JSON object on stdout.")
@option("--profile-only", is_flag=True, help="Only measure the logs: no prices, costs or advice.")
@option("--requests-per-day", metavar="N", help=f"Volume now, per day (default {count(DEFAULT_REQUESTS_PER_DAY)}).")
@option("--requests-per-month", metavar="N", help="Volume now, per month (instead of per day).")
@option("--growth", metavar="PCT", help=f"Monthly volume growth, e.g. 5% or 0.05 {_d('growth_per_month')}.")
@option("--horizon-months", type=click.IntRange(1, 120), metavar="N",
              help=f"Months to compare over {_d('horizon_months')}.")
@option("--start", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="When the change would start (default today); offers closing before then are excluded.")
@option("--fine-tune", multiple=True, metavar="OFFER",
              help="A fine-tuning offer to compare (repeatable; default: every offer open for new jobs). "
                   "`fineadvisor prices offer` lists them.")
@option("--pricing", "pricing_files", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="A TOML price file whose rows override or add to the bundled ones (repeatable).")
@option("--batch/--no-batch", default=None,
              help="Latency allows the Batch API (24 h): price at batch rates (default: yes for Batch API logs).")
@option("--output-tokens", type=click.IntRange(0, 10**6), metavar="N",
              help="Output tokens per request (default: measured from the logs' outputs; without any, none are "
                   "priced and the answer says so).")
@option("--cache-hit-rate", metavar="PCT",
              help=f"Prompt-cache hit rate (default: measured, else {percent(DEFAULT_HIT_RATE)}).")
@option("--logs-requests-per-day", metavar="N",
              help="The traffic the logs were captured at: the logs' cache hit rate then follows your volume by the "
                   "arrival model, up as well as down (default: unknown; the logs' rate, capped by your traffic).")
@option("--rag-chunks", type=click.IntRange(0, 100), metavar="K",
              help=f"Chunks retrieved per request {_d('rag_chunks')}.")
@option("--rag-chunk-tokens", type=click.IntRange(1), metavar="N", help=f"Tokens per chunk {_d('rag_chunk_tokens')}.")
@option("--rag-corpus-tokens", type=click.IntRange(0), metavar="N",
              help=f"Tokens in the knowledge base {_d('rag_corpus_tokens')}.")
@option("--rag-replaced-share", metavar="PCT",
              help=f"Share of the system prompt RAG moves into the corpus, e.g. 50% {_d('rag_replaced_share')}.")
@option("--rag-embedding", metavar="ID", help=f"Embedding model id {_d('rag_embedding')}.")
@option("--rag-vector-store", metavar="ID", help=f"Vector store id {_d('rag_vector_store')}.")
@option("--residual-prompt-tokens", type=click.IntRange(0), metavar="N",
              help=f"Prompt tokens still sent after fine-tuning {_d('residual_prompt_tokens')}.")
@option("--training-examples", type=click.IntRange(1), metavar="N",
              help="Training examples (default: the logs' usable examples).")
@option("--epochs", type=click.IntRange(1, 50), metavar="N", help="Training epochs (default: OpenAI's auto rule).")
@option("--retrain-every-months", type=click.IntRange(1), metavar="N",
              help=f"Retraining interval in months {_d('retrain_every_months')}.")
@option("--labour-usd-per-hour", metavar="USD", help=f"Cost of an engineering hour in USD {_d('labour_usd_per_hour')}.")
@option("--data-prep-hours", metavar="H", help=f"Hours to prepare training data {_d('data_prep_hours')}.")
@option("--quality", "quality_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Pass rates you measured, per strategy or model (CSV, JSON or a promptfoo results file): "
                   "adds the cost per successful answer.")
@option("--min-quality", metavar="PCT", help="Exclude strategies whose measured pass rate is below this.")
@option("--consider-model", "consider_models", multiple=True, metavar="MODEL",
              help="Also price the logged prompt, as is, on this model (repeatable; the logged model's successor "
                   "is always priced when one is known).")
@option("--reasoning-multiplier", metavar="X",
              help=f"Hidden reasoning tokens per output token assumed for a reasoning model {_d('reasoning_multiplier')}.")
@option("--eval-hours", metavar="H",
              help=f"Hours to evaluate each change of behaviour or trained model {_d('eval_hours')}.")
@option("--migration-hours", metavar="H",
              help=f"Hours to move the prompt to another model when the logged one shuts down {_d('migration_hours')}.")
@option("--min-saving-usd", metavar="USD",
              help=f"Least a change of behaviour must save over the horizon to be recommended {_d('min_saving_usd')}.")
@option("--min-saving-share", metavar="PCT",
              help=f"Least share of the logged setup's cost any change must save, e.g. 5% {_d('min_saving_share')}.")
@option("--knowledge-changes", is_flag=True, help="The facts the model must know change often.")
@option("--self-host-model", metavar="ID", help=f"Open model to LoRA-tune and self-host {_d('self_host_model')}.")
@option("--self-host-gpu", metavar="ID", help="GPU id for self-hosting (default: the model's).")
@option("--mfu", metavar="SHARE", help=f"Model FLOPs utilisation of LoRA training {_d('mfu')}.")
@option("--strict", is_flag=True, help="Stop at the first line that is not a valid record (exit 1).")
@option("--sample", "sample_text", metavar="N|P%",
              help="Count only a uniform random sample: N lines (shared among the inputs by size), or P% of the "
                   "lines; every figure is then an estimate with its 95% interval (see the README's Sampling).")
@option("--seed", type=click.IntRange(0), metavar="N", help="Seed of --sample's random draws (default 0).")
@option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Count on this machine, or with Ray tasks on a cluster (pip install 'fineadvisor[ray]'): the same "
                   "profile either way.")
@option("--ray-address", metavar="ADDRESS", envvar="RAY_ADDRESS",
              help="The Ray cluster to join, e.g. ray://head:10001 (default: RAY_ADDRESS, else a local Ray for the "
                   "run).")
@option("--workers", type=click.IntRange(1, 64), metavar="N",
              help="Worker processes for counting (default: 2 for inputs over 16 MB, else 1).")
@option("--example-token-limit", type=click.IntRange(1), metavar="TOKENS",
              help="Tokens allowed per training example (default: the target model's published limit).")
@option("--quiet", "-q", is_flag=True, help="No progress bar.")
def estimate(logs: tuple[str, ...], model: str | None, fmt: str, json_: bool, profile_only: bool,
             pricing_files: tuple[str, ...], start: datetime | None, strict: bool, sample_text: str | None,
             seed: int | None, engine: str, ray_address: str | None, workers: int | None,
             example_token_limit: int | None, quiet: bool, **scenario_opts: object) -> None:
    """Measure request logs, cost every strategy at your volume, and recommend one.

    LOGS are JSON Lines (.jsonl, .gz, .zst), JSON documents, CSV or Parquet files, or - for stdin: OpenAI,
    Anthropic, Batch API, Responses API and fine-tuning files, and the exports of LiteLLM, Langfuse, LangSmith,
    Helicone, OpenTelemetry, Bedrock, Vertex AI, OpenRouter and promptfoo (`fineadvisor formats` lists them;
    give Batch input and output files together to join them by custom_id). Your files are only read, never changed.

    With no flags it answers for {per_day} requests a day over {horizon} months; every assumption is printed
    with the answer and can be set with a flag.

    \b
    Examples:
      fineadvisor estimate examples/support_bot.jsonl --requests-per-day 20000
      fineadvisor estimate logs.jsonl.gz --model gpt-4o-mini --growth 5% --json
      fineadvisor estimate logs.jsonl --fine-tune openai/gpt-4o-mini-2024-07-18 --horizon-months 24
      fineadvisor estimate batch_input.jsonl batch_output.jsonl --batch --format markdown > report.md
      zcat logs.jsonl.gz | fineadvisor estimate - --profile-only --strict
    """
    if json_:
        fmt = "json"
    quality_file = scenario_opts.pop("quality_file", None)
    if ray_address and engine != "ray":
        ray_address = None  # RAY_ADDRESS in the environment only matters with --engine ray
    if seed is not None and sample_text is None:
        raise click.UsageError("--seed sets the draws of --sample: give --sample too")
    try:
        sample = None if sample_text is None else SampleSpec.parse(sample_text, seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc).removeprefix(f"--sample {sample_text}: "), param_hint="--sample") from None
    if sample is not None and engine == "ray" and not quiet:
        click.echo("Note: a sample is drawn and counted on this machine: --engine ray (and its address) is not "
                   "used with --sample.", err=True)
    scenario, volume_source = (None, "") if profile_only else _scenario(dict(scenario_opts, model=model))
    if scenario is not None and start is not None:
        scenario = scenario.model_copy(update={"start": start.date()})
    try:
        catalog = None
        if not profile_only:  # imported here: --profile-only needs no prices, and starts faster without them
            from fineadvisor.advise.catalog import load_catalog

            catalog = load_catalog([Path(p) for p in pricing_files])
        quality = read_quality(str(quality_file)) if quality_file and not profile_only else None
        with _progress(logs, quiet) as progress:
            analysis = analyze_logs(list(logs), model=model, strict=strict, workers=workers,
                                    example_token_limit=example_token_limit, progress=progress, sample=sample,
                                    engine=engine, ray_address=ray_address)
        result = None
        if scenario is not None:
            from fineadvisor.advise.estimate import estimate as run_estimate

            result = run_estimate(analysis, scenario, catalog, volume_source=volume_source, quality=quality)
    except FineAdvisorError as exc:
        raise click.ClickException(terminal(str(exc))) from None
    if analysis.records_skipped and fmt == "json":
        first = analysis.skipped_examples[0]
        click.echo(terminal(f"Warning: skipped {analysis.records_skipped:,} lines that are not valid records "
                            f"(first: {first}); see records.skipped_examples."), err=True)
    if fmt == "json":
        doc = to_dict(analysis) if result is None else estimate_to_dict(result)
        click.echo(json_text(json.dumps(doc, indent=2, ensure_ascii=False)))
    elif fmt == "markdown":
        click.echo(terminal(to_markdown(analysis) if result is None else estimate_to_markdown(result)), nl=False)
    else:
        click.echo(terminal(to_text(analysis) if result is None else estimate_to_text(result)), nl=False)


# the defaults the help names are Scenario's, not typed here: filled in when the help is read (`_Command`)


@cli.command(cls=_Command)
@click.argument("filter_", metavar="[FILTER]", required=False, default="")
@option("--pricing", "pricing_files", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Extra TOML price files to include.")
@option("--model", "-m", metavar="MODEL", help="Also show the resolved base prices of this model.")
def prices(filter_: str, pricing_files: tuple[str, ...], model: str | None) -> None:
    """List what is priced: fine-tuning offers, embeddings, vector stores, GPUs, open models.

    FILTER keeps rows whose kind or id contains it (e.g. `offer`, `openai`, `h100`). Every row shows
    its source and the date it was checked. Base model prices come from genai-prices (see --model).

    \b
    Examples:
      fineadvisor prices
      fineadvisor prices offer
      fineadvisor prices --model gpt-4o-mini
    """
    try:
        from fineadvisor.advise.catalog import load_catalog

        catalog = load_catalog([Path(p) for p in pricing_files])
        if model:
            p = catalog.model_prices(model)
            click.echo(f"model {p.model} ({p.provider}): input {unit_price(p.input_usd_per_mtok)}/MTok, cached "
                       f"{unit_price(p.cached_input_usd_per_mtok)}, output {unit_price(p.output_usd_per_mtok)}"
                       + (f", batch {unit_price(p.batch_input_usd_per_mtok)} / "
                          f"{unit_price(p.batch_output_usd_per_mtok or p.output_usd_per_mtok)}"
                          if p.batch_input_usd_per_mtok is not None else "")
                       + f" — {p.source}, checked {p.checked}")
            if p.lifecycle is not None:
                life = p.lifecycle
                click.echo(f"  stops serving on {life.available_until}"
                           + (f", new fine-tuning jobs until {life.new_jobs_until}" if life.new_jobs_until else "")
                           + (f"; successor {life.successor}" if life.successor else "")
                           + f" — {life.source}, checked {life.checked} ({life.tier} source)")
            if p.cache_rule:
                click.echo(f"  caching: {p.min_cacheable_tokens:,}+ tokens"
                           + (f" in {p.cache_increment_tokens}-token steps" if p.cache_increment_tokens > 1 else "")
                           + f", TTL {p.cache_ttl_seconds} s, under batch: {p.batch_caching} — {p.cache_rule}")
    except FineAdvisorError as exc:
        raise click.ClickException(terminal(str(exc))) from None
    shown = 0
    for kind, rows in catalog.tables():
        for row in rows:
            if filter_.lower() in f"{kind} {row.id}".lower():
                click.echo(f"{kind:12s} {row.id:42s} {row.summary()}  [{row.source}, checked {row.checked}]")
                shown += 1
    if not shown and not model:
        raise click.ClickException(f"nothing priced matches {filter_!r}; run `fineadvisor prices` to see all")


CONTAINERS = ("Containers, told by content: JSON Lines (plain, .gz, .zst); one JSON document — an array of records, "
              "or an object holding them under data, results.results, batch, resourceSpans, runs, observations, "
              "records, items… (pretty-printed or not); CSV / TSV (cells holding JSON are parsed, dotted column "
              "names such as usage.input nest); Parquet.")


@cli.command(cls=_Command)
@option("--json", "json_", is_flag=True, help="One JSON object: every format with its example and documentation.")
def formats(json_: bool) -> None:
    """List every log format read, most specific first, with a one-line example and where its schema is documented."""
    from fineadvisor.measure.sources import REGISTRY

    listed = [s for s in REGISTRY if s.expand is None] + [s for s in REGISTRY if s.expand is not None]
    if json_:
        click.echo(json.dumps({"containers": CONTAINERS, "formats": [
            {"name": s.name, "title": s.title, "container": s.expand is not None, "docs": s.docs, "fields": s.fields,
             "example": json.loads(s.example)} for s in listed]}, indent=2, ensure_ascii=False))
        return
    click.echo("Formats, tried in this order on each record (the first that matches reads it):\n")
    for s in listed:
        click.echo(f"{s.name}  —  {s.title}{' (a container of records)' if s.expand else ''}")
        click.echo(f"  reads:    {s.fields}")
        click.echo(f"  schema:   {s.docs}")
        click.echo(f"  example:  {s.example}\n")
    click.echo(CONTAINERS)


def main() -> None:
    """Entry point: errors as one line (exit 1 for data, 2 for usage), Ctrl-C as "Interrupted." with exit 130."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:  # click turns KeyboardInterrupt (and EOF at a prompt) into Abort
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`): nothing more to say
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that the interpreter's final flush is quiet
        sys.exit(1)
    except OSError as exc:  # e.g. writing the report to a full disk
        click.echo(f"Error: cannot write the output: {exc.strerror or exc}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
