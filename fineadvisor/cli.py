"""The `fineadvisor` command line: thin over `analyze_logs` and `report`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from fineadvisor.analysis import analyze_logs
from fineadvisor.errors import FineAdvisorError
from fineadvisor.logs import file_size
from fineadvisor.report import package_version, to_dict, to_markdown, to_text

PROGRESS_MIN_BYTES = 32 * 1024 * 1024


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


@cli.command()
@click.argument("logs", nargs=-1, required=True, metavar="LOGS...")
@click.option("--model", "-m", metavar="MODEL",
              help="Count every record as this model and judge readiness for it "
                   "(default: each record's own model; readiness for the most frequent).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@click.option("--json", "json_", is_flag=True, help="Same as --format json: one JSON object on stdout.")
@click.option("--strict", is_flag=True, help="Stop at the first line that is not a valid record (exit 1).")
@click.option("--workers", type=click.IntRange(1, 64), metavar="N",
              help="Worker processes for counting (default: 2 for inputs over 16 MB, else 1).")
@click.option("--example-token-limit", type=click.IntRange(1), metavar="TOKENS",
              help="Tokens allowed per training example (default: the target model's published limit).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def estimate(logs: tuple[str, ...], model: str | None, fmt: str, json_: bool, strict: bool,
             workers: int | None, example_token_limit: int | None, quiet: bool) -> None:
    """Profile request logs: where input tokens go and how ready they are as fine-tuning data.

    LOGS are .jsonl or .jsonl.gz files, or - for stdin. Each line may be a fine-tuning example
    {"messages": [...]}, a Chat Completions request body, an OpenAI Batch API input or output line
    (give both files to join them by custom_id), a logged {"request", "response"} pair, or an
    Anthropic Messages request. Your files are only read, never changed.

    \b
    Examples:
      fineadvisor estimate examples/support_bot.jsonl
      fineadvisor estimate logs.jsonl.gz --model gpt-4o-mini --json
      fineadvisor estimate batch_input.jsonl batch_output.jsonl --format markdown > report.md
      zcat logs.jsonl.gz | fineadvisor estimate - --strict
    """
    if json_:
        fmt = "json"
    try:
        with _progress(logs, quiet) as progress:
            analysis = analyze_logs(list(logs), model=model, strict=strict, workers=workers,
                                    example_token_limit=example_token_limit, progress=progress)
    except FineAdvisorError as exc:
        raise click.ClickException(str(exc)) from None
    if analysis.records_skipped and fmt == "json":
        first = analysis.skipped_examples[0]
        click.echo(f"Warning: skipped {analysis.records_skipped:,} lines that are not valid records "
                   f"(first: {first}); see records.skipped_examples.", err=True)
    if fmt == "json":
        click.echo(json.dumps(to_dict(analysis), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(to_markdown(analysis), nl=False)
    else:
        click.echo(to_text(analysis), nl=False)


def main() -> None:
    """Entry point that keeps Ctrl-C and a closed pipe quiet."""
    try:
        cli()
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
