"""End-to-end tests of the `fineadvisor` command line through click's CliRunner (and a few real subprocesses)."""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fineadvisor.measure.logs import CHUNK_BYTES, iter_chunks
from fineadvisor.present.cli import cli

REPO = Path(__file__).resolve().parents[2]
SUPPORT_BOT = REPO / "examples" / "support_bot.jsonl"
SYSTEM = "You are Acme's support assistant. Answer briefly and politely; never promise refunds."



@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Free cyclic garbage at the end of each test, so a leaked file is blamed on the test that leaked it."""
    yield
    gc.collect()


# ---------------------------------------------------------------- builders


def example(i: int, *, user: str | None = None) -> dict[str, object]:
    """One fine-tuning example with a shared system prompt."""
    return {"messages": [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": user or f"Where is my order number {1000 + i}? It was due on day {i}."},
        {"role": "assistant", "content": f"Order {1000 + i} ships tomorrow; you will get a tracking email."},
    ]}


def line(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def good_bytes(n: int = 12) -> bytes:
    return b"".join(line(example(i)) for i in range(n))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(*args: str | Path, input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def run_json(*args: str | Path, input: bytes | None = None) -> dict[str, object]:
    result = run("estimate", *args, "--json", input=input)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


# ---------------------------------------------------------------- version and help


def test_version() -> None:
    """--version prints the program name and version."""
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("fineadvisor, version ")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_group_help_lists_estimate(flag: str) -> None:
    """The top-level help describes the tool and lists the estimate command."""
    result = run(flag)
    assert result.exit_code == 0
    assert "estimate" in result.stdout
    assert "Usage:" in result.stdout


def test_estimate_help_shows_options_and_examples() -> None:
    """estimate --help documents every option and shows the usage examples verbatim."""
    result = run("estimate", "--help")
    assert result.exit_code == 0
    out = result.stdout
    for option in ("--model", "--format", "--json", "--strict", "--workers", "--example-token-limit", "--quiet"):
        assert option in out
    assert "Examples:" in out
    assert "  fineadvisor estimate examples/support_bot.jsonl --requests-per-day 20000\n" in out  # \b: unwrapped
    assert "zcat logs.jsonl.gz | fineadvisor estimate - --profile-only --strict" in out


# ---------------------------------------------------------------- a good log


def test_text_report(tmp_path: Path) -> None:
    """A small fine-tuning log gives a text report with the static share and readiness."""
    path = write(tmp_path, "good.jsonl", good_bytes())
    result = run("estimate", path)
    assert result.exit_code == 0, result.stderr
    assert "Static share" in result.stdout
    assert "Fine-tuning readiness" in result.stdout
    assert "Read 12 records from 12 lines (0 skipped)" in result.stdout
    assert result.stderr == ""


DIST_KEYS = {"mean", "p50", "p95", "max", "total"}


@pytest.mark.parametrize("args", [["--json"], ["--format", "json"], ["-f", "json"]])
def test_json_report_has_documented_keys(tmp_path: Path, args: list[str]) -> None:
    """--json (and --format json) print one JSON object with the documented keys."""
    path = write(tmp_path, "good.jsonl", good_bytes())
    result = run("estimate", path, *args)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["records"]["read"] == 12
    assert doc["records"]["skipped"] == 0
    assert doc["records"]["lines"] == 12
    assert doc["records"]["skipped_examples"] == []
    profile = doc["profile"]
    for key in ("input_tokens", "output_tokens", "static_prefix_tokens", "few_shot_tokens", "query_tokens"):
        assert profile[key].keys() >= DIST_KEYS, key
    assert profile["input_tokens"]["total"] > 0
    assert profile["static_prefix_tokens"]["total"] > 0
    assert 0 < profile["static_share"] < 1
    readiness = doc["readiness"]
    assert readiness["examples"] == 12
    assert isinstance(readiness["format_errors"], dict)
    assert not any(readiness["format_errors"].values())
    assert isinstance(readiness["n_epochs"], int) and readiness["n_epochs"] >= 1
    assert readiness["billable_training_tokens"] > 0
    assert isinstance(doc["encoding"], str) and doc["encoding"]
    assert doc["approximate"] is False
    assert doc["inputs"] == [{"file": str(path), "formats": {"fine_tuning": 12}}]


def test_markdown_report(tmp_path: Path) -> None:
    """--format markdown prints a Markdown document."""
    path = write(tmp_path, "good.jsonl", good_bytes())
    result = run("estimate", path, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# fineadvisor report")
    assert "| tokens per request |" in result.stdout


def test_support_bot_example() -> None:
    """The shipped example log is analysed without skipped lines."""
    if not SUPPORT_BOT.is_file():
        pytest.skip("examples/support_bot.jsonl is not written yet")
    doc = run_json(SUPPORT_BOT)
    assert doc["records"]["read"] > 0
    assert doc["records"]["skipped"] == 0


# ---------------------------------------------------------------- bad inputs

Builder = Callable[[Path], Path]


def file_of(data: bytes, name: str = "bad.jsonl") -> Builder:
    return lambda tmp_path: write(tmp_path, name, data)


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "bad.jsonl").mkdir()
    return tmp_path / "bad.jsonl"


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "bad.jsonl"


def _truncated_gzip(tmp_path: Path) -> Path:
    data = gzip.compress(line(example(1)))
    return write(tmp_path, "bad.jsonl.gz", data[: len(data) // 2])


def _huge_line(tmp_path: Path) -> Path:
    path = tmp_path / "bad.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"messages": [{"role": "user", "content": "')
        block = b"a" * 1_000_000
        for _ in range(50):
            fh.write(block)
        fh.write(b'"}]}\n')
    return path


UTF16 = (b"".join(line(example(i)) for i in range(3))).decode().encode("utf-16")
AT_LINE_1 = True
NO_LINE = False

_BAD_INPUT_ROWS = [
    # (id, builder, exit code, names `bad.jsonl:1:`, substrings expected in stderr)
    ("truncated-json", file_of(b'{"messages": [{"role": "user", "content": "hi"}\n'), 1, AT_LINE_1,
     ["invalid JSON", "truncated"]),
    ("list-line", file_of(b"[1, 2, 3]\n"), 1, AT_LINE_1, ["must be a JSON object, got a list"]),
    ("string-line", file_of(b'"hello"\n'), 1, AT_LINE_1, ["must be a JSON object, got a string"]),
    ("number-line", file_of(b"42\n"), 1, AT_LINE_1, ["must be a JSON object, got a number"]),
    ("messages-is-string", file_of(b'{"messages": "hello"}\n'), 1, AT_LINE_1,
     ['"messages" must be a non-empty list', "got a string"]),
    ("content-is-number", file_of(b'{"messages": [{"role": "user", "content": 5}]}\n'), 1, AT_LINE_1,
     ["messages[0].content must be a string or a list of parts, got a number"]),
    ("role-missing", file_of(b'{"messages": [{"content": "hi"}]}\n'), 1, AT_LINE_1,
     ['messages[0] has no "role"']),
    ("missing-messages", file_of(b'{"prompt": "hi", "completion": "hello"}\n'), 1, AT_LINE_1,
     ['no "messages" list', "keys found: completion, prompt", "fineadvisor formats"]),
    ("latin-1", file_of('{"messages": [{"role": "user", "content": "café"}]}\n'.encode("latin-1")), 1,
     AT_LINE_1, ["not valid UTF-8", "0xe9", "save the file as UTF-8"]),
    ("utf-16", file_of(UTF16), 1, NO_LINE, ["UTF-16", "UTF-8"]),
    ("utf-16-gzip", file_of(gzip.compress(UTF16), "bad.jsonl.gz"), 1, NO_LINE, ["UTF-16", "UTF-8"]),
    ("empty-file", file_of(b""), 1, NO_LINE, ["no records", "empty", "JSON Lines"]),
    ("blank-lines-only", file_of(b"\n\n   \n\r\n\t\n"), 1, NO_LINE, ["no records", "only blank lines"]),
    ("truncated-gzip", _truncated_gzip, 1, NO_LINE,
     ["bad.jsonl.gz", "gzip stream is truncated or corrupt", "gzip -t"]),
    ("directory", _directory, 1, NO_LINE, ["bad.jsonl is a directory", "give a .jsonl"]),
    ("missing-file", _missing, 1, NO_LINE, ["bad.jsonl: no such file", "check the path"]),
    ("50-MB-line", _huge_line, 1, AT_LINE_1, ["line is 47.7 MiB", "over the 32 MiB limit", "JSON Lines"]),
]


BAD_INPUTS = [pytest.param(*row[1:], id=row[0])
              for row in _BAD_INPUT_ROWS]


@pytest.mark.parametrize(("build", "exit_code", "at_line", "expected"), BAD_INPUTS)
def test_bad_input_is_explained(tmp_path: Path, build: Builder, exit_code: int, at_line: bool,
                                expected: list[str]) -> None:
    """Each kind of bad input exits 1 with one `Error:` message that locates the fault and says what to do."""
    path = build(tmp_path)
    result = run("estimate", path)
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    err = result.stderr
    assert err.startswith("Error: "), err
    assert "Traceback" not in err and "Traceback" not in result.stdout
    assert result.stdout == ""
    if at_line:
        assert f"{path}:1: " in err
    for text in expected:
        assert text in err, f"{text!r} not in {err!r}"
    assert len(err) < 1000, "one short message, not a dump of the input"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_bom_prefixed_file_succeeds(tmp_path: Path, fmt: str) -> None:
    """A UTF-8 BOM at the start of the file is ignored; every record is read."""
    path = write(tmp_path, "bom.jsonl", b"\xef\xbb\xbf" + good_bytes(3))
    result = run("estimate", path, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert doc["records"]["read"] == 3 and doc["records"]["skipped"] == 0
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["estimate"], "Missing argument"),
        (["estimate", "x.jsonl", "--format", "foo"], "Invalid value for '--format'"),
        (["estimate", "x.jsonl", "--workers", "0"], "Invalid value for '--workers'"),
        (["estimate", "x.jsonl", "--workers", "many"], "Invalid value for '--workers'"),
        (["estimate", "x.jsonl", "--example-token-limit", "0"], "Invalid value for '--example-token-limit'"),
        (["estimate", "x.jsonl", "--bogus"], "No such option"),
        (["frobnicate"], "No such command"),
        (["estimate", "x.jsonl", "--logs-requests-per-day", "0"], "Invalid value for --logs-requests-per-day"),
        (["estimate", "x.jsonl", "--logs-requests-per-day", "lots"], "Invalid value for --logs-requests-per-day"),
    ],
    ids=["no-logs", "format-foo", "workers-0", "workers-text", "token-limit-0", "unknown-option", "unknown-command",
         "logs-traffic-0", "logs-traffic-text"],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    """Command-line mistakes are click usage errors: exit 2 with a usage line."""
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Usage:" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- good and bad lines mixed


MIXED_LINES = [
    line(example(0)),
    b"[1, 2]\n",  # line 2
    line(example(1)),
    b"\n",  # blank: neither a record nor skipped
    b'{"messages": [{"role": "user", "content": "hi"}\n',  # line 5: truncated
    line(example(2)),
    b'{"messages": "hello"}\n',  # line 7
    line(example(3)),
]
MIXED_BAD = [2, 5, 7]


def test_mixed_file_skips_bad_lines(tmp_path: Path) -> None:
    """Bad lines are skipped and reported with file, line and reason; the run still succeeds."""
    path = write(tmp_path, "mixed.jsonl", b"".join(MIXED_LINES))
    result = run("estimate", path, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # stdout is pure JSON
    records = doc["records"]
    assert records["read"] == 4
    assert records["skipped"] == len(MIXED_BAD)
    assert records["lines"] == len(MIXED_LINES)
    examples = records["skipped_examples"]
    assert [e["line"] for e in examples] == MIXED_BAD
    assert examples[0]["file"] == str(path)
    assert "must be a JSON object" in examples[0]["reason"]
    assert set(examples[0]) >= {"file", "line", "reason"}
    assert sum(records["skipped_reasons"].values()) == len(MIXED_BAD)
    err = result.stderr
    assert err.startswith("Warning: skipped 3 lines")
    assert err.count("\n") == 1 and err.endswith("\n"), "one warning line"
    assert f"{path}:2:" in err


def test_mixed_file_text_lists_skipped_lines(tmp_path: Path) -> None:
    """The text report lists the skipped lines with their locations."""
    path = write(tmp_path, "mixed.jsonl", b"".join(MIXED_LINES))
    result = run("estimate", path)
    assert result.exit_code == 0, result.stderr
    assert "(3 skipped)" in result.stdout
    for n in MIXED_BAD:
        assert f"{path}:{n}: " in result.stdout


def test_strict_stops_at_first_bad_line(tmp_path: Path) -> None:
    """--strict exits 1 naming the first bad line as file:N."""
    path = write(tmp_path, "mixed.jsonl", b"".join(MIXED_LINES))
    result = run("estimate", path, "--strict", "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}:2: a line must be a JSON object")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_strict_on_good_file_succeeds(tmp_path: Path) -> None:
    """--strict changes nothing for a file without bad lines (blank lines are allowed)."""
    path = write(tmp_path, "good.jsonl", good_bytes(3) + b"\n\n" + line(example(9)))
    doc = run_json(path, "--strict")
    assert doc["records"]["read"] == 4


# ---------------------------------------------------------------- stdin, gzip, several files


def test_stdin(tmp_path: Path) -> None:
    """`-` reads the log from stdin and names it <stdin>."""
    doc = run_json("-", input=good_bytes(5))
    assert doc["records"]["read"] == 5
    assert [i["file"] for i in doc["inputs"]] == ["<stdin>"]
    assert doc["profile"] == run_json(write(tmp_path, "good.jsonl", good_bytes(5)))["profile"]


def test_stdin_bad_line_is_located() -> None:
    """A bad line on stdin is reported as <stdin>:N."""
    result = run("estimate", "-", "--strict", input=good_bytes(2) + b"nope\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: <stdin>:3: invalid JSON")


@pytest.mark.parametrize("name", ["logs.jsonl.gz", "logs.jsonl"])
def test_gzip_gives_same_profile_as_plain(tmp_path: Path, name: str) -> None:
    """A gzipped log (detected by its bytes, whatever its name) gives the same profile as the plain file."""
    data = good_bytes(20) + b"[]\n"
    plain = run_json(write(tmp_path, "plain.jsonl", data))
    zipped = run_json(write(tmp_path, name, gzip.compress(data)))
    assert zipped["profile"] == plain["profile"]
    assert zipped["readiness"] == plain["readiness"]
    assert zipped["records"]["skipped_examples"][0]["line"] == 21


def test_several_files_are_combined(tmp_path: Path) -> None:
    """Records of several files are added up; skipped lines name their own file."""
    a = write(tmp_path, "a.jsonl", good_bytes(3))
    b = write(tmp_path, "b.jsonl", good_bytes(2) + b"42\n")
    doc = run_json(a, b)
    assert doc["records"]["read"] == 5
    assert doc["records"]["skipped_examples"] == [
        {"file": str(b), "line": 3, "unit": "line", "reason": "a line must be a JSON object, got a number"}]
    assert [i["file"] for i in doc["inputs"]] == [str(a), str(b)]
    assert all(sum(i["formats"].values()) > 0 for i in doc["inputs"])  # each file says what it was read as


# ---------------------------------------------------------------- the user's files are only read


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


@pytest.mark.parametrize(
    ("name", "data", "exit_code"),
    [
        ("good.jsonl", good_bytes(5), 0),
        ("mixed.jsonl", b"".join(MIXED_LINES), 0),
        ("bad.jsonl", b"[1]\n{oops\n", 1),
        pytest.param("good.jsonl.gz", gzip.compress(good_bytes(5)), 0),
        ("bom.jsonl", b"\xef\xbb\xbf" + good_bytes(2), 0),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_input_files_are_never_modified(tmp_path: Path, name: str, data: bytes, exit_code: int, fmt: str) -> None:
    """A run neither changes the log file (bytes, mtime) nor writes anything next to it."""
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    path = write(logs_dir, name, data)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = _snapshot(logs_dir)
    result = run("estimate", path, "--format", fmt)
    assert result.exit_code == exit_code, result.stderr
    assert _snapshot(logs_dir) == before


# ---------------------------------------------------------------- real processes


def test_python_dash_m_version() -> None:
    """`python -m fineadvisor --version` works."""
    proc = subprocess.run([sys.executable, "-m", "fineadvisor", "--version"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("fineadvisor, version ")


def _python_m(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONWARNINGS": "error::ResourceWarning"}
    return subprocess.run([sys.executable, "-m", "fineadvisor", *args], input=stdin, capture_output=True,
                          timeout=120, check=False, env=env)


def test_real_stdin_gzip() -> None:
    """Gzipped bytes piped to `-` are detected and decompressed."""
    proc = _python_m(["estimate", "-", "--json"], gzip.compress(good_bytes(4)))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["records"]["read"] == 4


def test_real_stdin_utf16_is_explained() -> None:
    """UTF-16 piped to `-` is rejected with an Error: that says to convert to UTF-8."""
    proc = _python_m(["estimate", "-"], UTF16)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith("Error: <stdin> is UTF-16 text"), err
    assert "Traceback" not in err


# ---------------------------------------------------------------- worker processes


def _big_log(tmp_path: Path) -> tuple[Path, list[int]]:
    """About 9 MB: 4,500 lines of ~2 KB, bad lines spread through it (also right at the start and end)."""
    rng = random.Random(7)
    words = [f"w{k}" for k in range(2000)] + ["order", "refund", "shipping", "parcel", "delay", "invoice"]
    bad_at = {1: b"[1, 2]\n", 1234: b"{not json\n", 2345: b'{"messages": "hello"}\n', 3456: b"42\n",
              4500: b'{"prompt": "x"}\n'}
    out = []
    for n in range(1, 4501):
        if n in bad_at:
            out.append(bad_at[n])
        elif n % 997 == 0:
            out.append(b"\n")
        else:
            text = " ".join(rng.choice(words) for _ in range(400))
            out.append(line(example(n, user=text)))
    return write(tmp_path, "big.jsonl", b"".join(out)), sorted(bad_at)


def test_workers_give_same_result_as_one_process(tmp_path: Path) -> None:
    """--workers 2 (chunks counted in worker processes) gives the same profile, readiness and bad line numbers."""
    path, bad = _big_log(tmp_path)
    chunks = list(iter_chunks(str(path)))
    assert len(chunks) >= 3, f"want several {CHUNK_BYTES}-byte chunks, got {len(chunks)}"
    one = run_json(path, "--workers", "1")
    two = run_json(path, "--workers", "2")
    assert one["records"]["skipped"] == len(bad)
    assert [e["line"] for e in one["records"]["skipped_examples"]] == bad
    assert two["records"] == one["records"]
    assert two["profile"] == one["profile"]
    assert two["readiness"] == one["readiness"]
    assert one["records"]["lines"] == 4500


# ---------------------------------------------------------------- costs, break-even, recommendation, prices

def _support(*args: str) -> Result:
    if not SUPPORT_BOT.exists():
        pytest.skip("examples/support_bot.jsonl is missing")
    return run("estimate", str(SUPPORT_BOT), *args)


def test_estimate_json_has_costs_break_even_and_recommendation() -> None:
    from decimal import Decimal

    result = _support("--requests-per-day", "20000", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["scenario"]["requests_per_month"] == "608750.0000"  # 20,000 × 30.4375
    ids = [s["id"] for s in doc["strategies"]]
    assert {"as_logged", "prompt_only", "prompt_caching", "rag"} <= set(ids)
    assert any(i.startswith("fine_tune:openai/gpt-4o-mini") for i in ids)
    for s in doc["strategies"]:
        for key in ("per_request_usd", "monthly_usd", "one_off_usd"):
            assert Decimal(s[key]) >= 0  # decimal strings
        assert s["line_items"] and all({"name", "kind", "usd", "formula"} <= set(li) for li in s["line_items"])
    closing = next(b for b in doc["break_even"] if b["b"].startswith("fine_tune:openai/gpt-4o-mini"))
    assert "2027-01-14" in closing["reason"] and closing["worth_it"] is False
    rec = doc["recommendation"]
    assert rec["strategy"] in ids and rec["reasons"] and Decimal(rec["monthly_savings_usd"]) >= 0
    assert any(a["name"] == "requests per month" and "--requests-per-day" in a["source"] for a in doc["assumptions"])


def test_estimate_text_and_markdown_show_the_advice() -> None:
    text = _support("--requests-per-day", "20000").stdout
    assert "Recommendation: " in text and "Break-even against the logged setup:" in text
    assert "What would change the choice:" in text and "Assumptions" in text
    md = _support("--requests-per-day", "20000", "--format", "markdown").stdout
    assert "## Cost of each strategy" in md and "## What would change the choice" in md


def test_profile_only_has_no_costs() -> None:
    doc = json.loads(_support("--profile-only", "--json").stdout)
    assert "strategies" not in doc and "profile" in doc


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--requests-per-day", "10", "--requests-per-month", "300"], 2, "not both"),
        (["--requests-per-day", "lots"], 2, "is not a number"),
        (["--requests-per-day", "-5"], 2, "requests-per-month"),
        (["--cache-hit-rate", "150%"], 2, "cache-hit-rate"),
        (["--horizon-months", "0"], 2, "horizon-months"),
        (["--fine-tune", "openai/gpt-4o-mini"], 1, "Did you mean: openai/gpt-4o-mini-2024-07-18"),
        (["--model", "no-such-model-xyz"], 1, "no price for model 'no-such-model-xyz'"),
        (["--rag-vector-store", "pinecone"], 0, ""),  # unknown store: RAG is skipped with a warning, not an error
    ],
)
def test_estimate_flag_errors(args: list[str], code: int, message: str) -> None:
    result = _support(*args)
    assert result.exit_code == code, result.output
    if code:
        assert message in result.stderr and "Traceback" not in result.stderr


def test_growth_percent_and_pricing_override(tmp_path: Path) -> None:
    override = tmp_path / "mine.toml"
    override.write_text(
        '[[offer]]\nid = "mine/cheap-ft"\nprovider = "mine"\nbase_model = "gpt-4o-mini-2024-07-18"\n'
        'source = "our negotiated contract, 2026"\nchecked = 2026-11-01\ntraining_usd_per_mtok = 1.0\n'
        "input_usd_per_mtok = 0.2\noutput_usd_per_mtok = 0.8\n")
    doc = json.loads(_support("--growth", "5%", "--pricing", str(override), "--fine-tune", "mine/cheap-ft",
                              "--json").stdout)
    assert doc["scenario"]["growth_per_month"] == "0.05"
    assert [s["id"] for s in doc["strategies"] if s["kind"] == "fine_tune"] == ["fine_tune:mine/cheap-ft"]


def test_bad_pricing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[offer]]\nid = "x"\n')
    result = _support("--pricing", str(bad))
    assert result.exit_code == 1 and f"{bad}:" in result.stderr and "source" in result.stderr


def test_prices_command() -> None:
    result = run("prices", "offer")
    assert result.exit_code == 0
    assert "openai/gpt-4o-mini-2024-07-18" in result.stdout and "checked 20" in result.stdout
    assert all(line.startswith("offer") for line in result.stdout.splitlines())
    assert "input $0.15/MTok" in run("prices", "--model", "gpt-4o-mini").stdout
    missing = run("prices", "zzz-nothing")
    assert missing.exit_code == 1 and "nothing priced matches" in missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--growth", "5"], "ambiguous: write 5% or 0.05"),
        (["--growth", "-100%"], "growth"),
        (["--requests-per-month", "1e999999"], "requests-per-month"),
    ],
)
def test_scenario_values_that_make_no_sense(args: list[str], message: str) -> None:
    result = _support(*args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("\xff\xfe[[offer]]".encode("latin-1"), "not UTF-8"),
        (b'[[offer]]\nid = "x"\nprovider = "p"\nbase_model = "gpt-4o-mini"\nsource = "our contract"\n'
         b"checked = 2026-11-01\ninput_usd_per_mtok = 0.2\noutput_usd_per_mtok = 0.8\n", "needs training_usd_per_mtok"),
    ],
)
def test_price_files_that_cannot_be_used(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "prices.toml"
    bad.write_bytes(content)
    result = _support("--pricing", str(bad))
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_batch_logs_are_priced_at_batch_rates_by_default() -> None:
    ins, outs = REPO / "examples" / "classify_batch_input.jsonl", REPO / "examples" / "classify_batch_output.jsonl"
    doc = json.loads(run("estimate", str(ins), str(outs), "--json").stdout)
    assert doc["scenario"]["batch"] is True
    assert any(a["name"] == "Batch API" and a["value"] == "yes" and "Batch API lines" in a["source"]
               for a in doc["assumptions"])
    forced = json.loads(run("estimate", str(ins), str(outs), "--no-batch", "--json").stdout)
    assert forced["scenario"]["batch"] is False
    assert "(batch)" not in forced["strategies"][0]["label"] and "(batch)" in doc["strategies"][0]["label"]


def test_a_temporary_directory_that_cannot_take_the_numbers_is_explained(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Large logs keep per-record numbers in $TMPDIR; when it cannot be written: exit 1, what and how to fix."""
    import tempfile

    from fineadvisor.measure import readiness

    monkeypatch.setattr(readiness, "SPILL_ITEMS", 2)  # spill at once, as a log of millions of records would
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-dir"))
    path = write(tmp_path, "log.jsonl", good_bytes(12))
    result = run("estimate", path, "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write temporary data in {tmp_path / 'no-such-dir'}: ")
    assert "set TMPDIR to a directory you can write to" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # with room: the same numbers as without spilling
    spilled = json.loads(run("estimate", path, "--json").stdout)
    monkeypatch.setattr(readiness, "SPILL_ITEMS", 1 << 16)
    assert json.loads(run("estimate", path, "--json").stdout) == spilled


# ---------------------------------------------------------------- defaults come from Scenario, once

# option → the Scenario field whose default its help shows (volume and hit rate have their own constants)
SCENARIO_OPTIONS = {
    "growth": "growth_per_month", "horizon_months": "horizon_months", "rag_chunks": "rag_chunks",
    "rag_chunk_tokens": "rag_chunk_tokens", "rag_corpus_tokens": "rag_corpus_tokens", "rag_embedding": "rag_embedding",
    "rag_vector_store": "rag_vector_store", "residual_prompt_tokens": "residual_prompt_tokens",
    "retrain_every_months": "retrain_every_months", "labour_usd_per_hour": "labour_usd_per_hour",
    "data_prep_hours": "data_prep_hours", "self_host_model": "self_host_model", "mfu": "mfu",
}


def _shown_default(help_text: str) -> str:
    import re

    match = re.search(r"\(default(?::)? ([^)]*?)\)\.?$", help_text)
    assert match, help_text
    return match.group(1)


def _value(text: str) -> object:
    from decimal import Decimal, InvalidOperation

    if text.endswith("%"):
        return Decimal(text[:-1].replace(",", "")) / 100
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text


@pytest.mark.parametrize(("option", "field"), sorted(SCENARIO_OPTIONS.items()))
def test_every_shown_default_is_scenarios(option: str, field: str) -> None:
    """What `--help` says each option defaults to is what `Scenario()` uses."""
    from decimal import Decimal

    from fineadvisor.advise.scenario import Scenario

    command = cli.commands["estimate"]  # type: ignore[attr-defined]
    param = next(p for p in command.params if p.name == option)
    shown = _value(_shown_default(param.help))
    actual = getattr(Scenario(), field)
    assert shown == (Decimal(actual) if isinstance(actual, (int, Decimal)) else actual), (option, shown, actual)


def test_volume_and_hit_rate_defaults_are_the_scenario_constants() -> None:
    from fineadvisor.advise.scenario import DAYS_PER_MONTH, DEFAULT_HIT_RATE, DEFAULT_REQUESTS_PER_DAY, Scenario

    command = cli.commands["estimate"]  # type: ignore[attr-defined]
    helps = {p.name: p.help for p in command.params}
    assert _value(_shown_default(helps["requests_per_day"])) * DAYS_PER_MONTH == Scenario().requests_per_month
    assert _shown_default(helps["requests_per_day"]) == f"{DEFAULT_REQUESTS_PER_DAY:,}"
    assert helps["cache_hit_rate"].endswith(f"else {DEFAULT_HIT_RATE * 100:.0f}%).")
    every = [p for p in command.params if p.name in SCENARIO_OPTIONS]
    assert len(every) == len(SCENARIO_OPTIONS)  # no option of the table has gone missing


# ---------------------------------------------------------------- hostile inputs: bounded, explained, no traceback


def _cli(*args: str, env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fineadvisor", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, cwd=REPO)


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: Path("/dev/zero"), "binary"),
    (lambda tmp: _gz(tmp, b"\x00" * 50_000_000), "binary"),  # a 50 MB gzip bomb of zeros
    (lambda tmp: _gz(tmp, b"a" * 40_000_000), "over the 32 MiB limit"),  # one 40 MB line without a newline
])
def test_bombs_and_devices_end_with_one_line(tmp_path: Path, make: Callable[[Path], Path], message: str) -> None:
    out = _cli("estimate", str(make(tmp_path)), "--profile-only")
    assert out.returncode == 1, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def _gz(tmp: Path, data: bytes) -> Path:
    path = tmp / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(data, compresslevel=1))
    return path


def test_runs_of_blank_lines_are_stepped_over(tmp_path: Path) -> None:
    """20 MB of newlines around two records: read at byte-scan speed, the lines counted, nothing skipped."""
    good = good_bytes().splitlines()[0]
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b"\n" * 10_000_000 + good + b"\n" + b" \r\n" * 3_000_000 + good + b"\n\n")
    doc = run_json(path)
    assert (doc["records"]["read"], doc["records"]["skipped"]) == (2, 0)
    assert doc["records"]["lines"] == 10_000_000 + 1 + 3_000_000 + 1 + 1


def test_no_usable_temporary_directory_is_not_a_traceback(tmp_path: Path) -> None:
    """No usable temporary directory anywhere (every candidate missing): the log is counted in one process and the
    answer is the same; a log large enough to spill would get TempSpaceError's one line (tests/measure/_fast)."""
    code = ("import sys, tempfile\n"
            f"tempfile._candidate_tempdir_list = lambda: [{str(tmp_path / 'missing')!r}]\n"
            "tempfile.tempdir = None\n"
            "from fineadvisor.present.cli import main\n"
            f"sys.argv = ['fineadvisor', 'estimate', {str(SUPPORT_BOT)!r}, '--profile-only', '--json', '--workers', '2']\n"
            "main()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert json.loads(out.stdout)["records"]["read"] == 400


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    """SIGINT while an endless FIFO is read: "Interrupted.", exit 130, nothing else on stderr."""
    import signal
    import threading
    import time

    fifo = tmp_path / "endless"
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed() -> None:
        line = good_bytes().splitlines()[0] + b"\n"
        with contextlib.suppress(OSError), open(fifo, "wb") as fh:  # the reader goes away: also at close
            while not stop.is_set():
                fh.write(line * 200)

    proc = subprocess.Popen([sys.executable, "-m", "fineadvisor", "estimate", str(fifo), "--profile-only"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    stop.set()
    assert proc.returncode == 130
    assert err.decode().strip() == "Interrupted."


def test_log_text_cannot_drive_the_terminal(tmp_path: Path) -> None:
    """A key holding an escape sequence is shown as \\x1b…, in the error and in the report, never sent raw."""
    path = tmp_path / "esc.jsonl"
    path.write_bytes(b'{"\\u001b]0;pwned\\u0007x": 1}\n' + good_bytes())
    for args in (["--profile-only"], ["--json"]):
        result = run("estimate", path, *args)
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    text = run("estimate", path, "--profile-only").stdout
    assert "\\x1b]0;pwned\\x07x" in text


def test_formats_lists_every_source_with_its_example() -> None:
    import json

    from click.testing import CliRunner

    from fineadvisor.measure.sources import REGISTRY
    from fineadvisor.present.cli import cli

    text = CliRunner().invoke(cli, ["formats"])
    assert text.exit_code == 0
    for s in REGISTRY:
        assert f"{s.name}  —  {s.title}" in text.output and s.example in text.output
    listed = json.loads(CliRunner().invoke(cli, ["formats", "--json"]).output)
    assert {f["name"] for f in listed["formats"]} == {s.name for s in REGISTRY}
    assert "Parquet" in listed["containers"]


def test_quality_file_adds_the_cost_per_success_and_min_quality_excludes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fineadvisor.present.cli import cli

    q = tmp_path / "quality.csv"
    q.write_text("strategy,pass_rate,n\nas_logged,94%,200\nprompt_only,0.81,200\n")
    example = Path(__file__).resolve().parents[2] / "examples" / "support_bot.jsonl"
    out = CliRunner().invoke(cli, ["estimate", str(example), "--quality", str(q), "--min-quality", "85%", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    by_id = {s["id"]: s for s in doc["strategies"]}
    assert by_id["as_logged"]["quality"]["n"] == 200 and by_id["prompt_only"]["quality"]["pass_rate"] == "0.81"
    # cost per successful answer = per request ÷ pass rate
    assert Decimal(by_id["prompt_only"]["quality"]["usd_per_success"]) == Decimal(
        by_id["prompt_only"]["per_request_usd"]) / Decimal("0.81")
    assert not by_id["prompt_only"]["eligible"]
    assert any("below your minimum 85%" in why for why in by_id["prompt_only"]["excluded_because"])


def test_prices_shows_the_end_date_successor_tier_and_caching_rule() -> None:
    from click.testing import CliRunner

    from fineadvisor.present.cli import cli

    out = CliRunner().invoke(cli, ["prices", "--model", "gpt-4o-mini-2024-07-18", "lifecycle"])
    assert out.exit_code == 0, out.output
    assert "stops serving on 2027-01-14" in out.output and "successor gpt-6-luna" in out.output
    assert "(primary source)" in out.output and "in 128-token steps" in out.output
    assert "lifecycle    gpt-4o-mini-2024-07-18" in out.output  # the lifecycle rows are listed with the rest


def test_the_logs_traffic_moves_the_logged_hit_rate() -> None:
    """--logs-requests-per-day: at 10× the logs' traffic the agent's 84% hit rate becomes 1 − 0.16^10 ≈ 100%, and the
    assumption says how; without it the logs' rate stands (capped only by the traffic)."""
    agent = Path(__file__).parents[2] / "examples" / "agent_anthropic.jsonl"
    moved = run_json(agent, "--requests-per-day", "20000", "--logs-requests-per-day", "2000")
    kept = run_json(agent, "--requests-per-day", "20000")
    hit = {a["name"]: a for a in moved["assumptions"]}["cache hit rate"]  # type: ignore[index, union-attr]
    assert hit["value"] == "100%" and "1 − (1 − m)^(λ'/λ) with λ'/λ = 10" in hit["source"]
    assert {a["name"]: a for a in kept["assumptions"]}["cache hit rate"]["value"] == "84%"  # type: ignore[index, union-attr]
    cost = {c["id"]: c for c in moved["strategies"]}["as_logged"]["per_request_usd"]  # type: ignore[index, union-attr]
    before = {c["id"]: c for c in kept["strategies"]}["as_logged"]["per_request_usd"]  # type: ignore[index, union-attr]
    assert Decimal(cost) < Decimal(before)  # fewer misses write the prefix at 1.25×
