#!/usr/bin/env python
"""Hostile input at volume: mutated lines through the CLI and the library, and the memory of pathological inputs.

1. Fuzz: `--lines` (default 1,000,000) seeded mutations (tests/mutations.py) of short valid lines of every format,
   in files of `--per-file` lines. The library (`analyze_logs`) reads all of them in one run, the CLI
   (`fineadvisor estimate FILE --json --profile-only`) each file. Printed: tracebacks (must be 0), lost lines
   (records + skipped ≠ non-blank lines; must be 0), exit codes seen, peak RSS of the process tree, time.
2. Memory: each pathological input of the README's reliability table (gzip bombs of 1 and 8 GiB, /dev/zero, an
   endless FIFO, a sparse 3 GB one-line file, 1 GiB of newlines, …) through the CLI: peak RSS, time, exit code and
   the first line of stderr. Targets: peak RSS under 600 MB for every input; 1 GiB of newlines under 10 s.

Usage:  python benchmarks/fuzz.py [--lines N] [--per-file N] [--seed S] [--skip-fuzz] [--skip-memory] [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]

from bench_profile import TreeMonitor  # noqa: E402

from tests.mutations import is_blank, mutated_lines, small_seeds  # noqa: E402

TARGET_RSS_MB = 600.0
TARGET_NEWLINES_S = 10.0
GIB = 1024**3


def run_monitored(cmd: list[str], *, cwd: Path = REPO, stdin: Any = None, timeout: float = 900,
                  interrupt_after: float | None = None) -> dict[str, Any]:
    """Run a command, sampling the RSS of its process tree; optionally send SIGINT after some seconds."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mon = TreeMonitor(proc.pid)
    mon.start()
    if interrupt_after is not None:
        def interrupt() -> None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)

        threading.Timer(interrupt_after, interrupt).start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    mon.stop_event.set()
    mon.join()
    return {"rc": proc.returncode, "seconds": time.perf_counter() - t0, "peak_mb": mon.peak_sum_kb / 1024,
            "stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace")}


# ====================================================================================== 1. fuzz


def write_fuzz_files(directory: Path, lines: int, per_file: int, seed: int) -> list[tuple[Path, int, Counter[str]]]:
    """The mutated lines in files; per file: its path, its non-blank lines and the mutations used."""
    files: list[tuple[Path, int, Counter[str]]] = []
    stream = mutated_lines(lines, seed, small_seeds())
    for k in range(0, lines, per_file):
        path = directory / f"fuzz_{k // per_file:04d}.jsonl"
        kinds: Counter[str] = Counter()
        non_blank = 0
        with path.open("wb") as fh:
            for _ in range(min(per_file, lines - k)):
                kind, line = next(stream)
                kinds[kind] += 1
                non_blank += not is_blank(line)
                fh.write(line + b"\n")
        files.append((path, non_blank, kinds))
    return files


LIBRARY = """
import json, sys, traceback
from fineadvisor import FineAdvisorError, analyze_logs
paths = sys.argv[1:]
try:
    a = analyze_logs(paths)
    print(json.dumps({"read": a.records_read, "skipped": a.records_skipped, "lines": a.lines_read,
                      "repaired": a.surrogates_replaced, "reasons": dict(a.skipped_reasons)}))
except FineAdvisorError as exc:
    print(json.dumps({"error": str(exc)}))
except BaseException:
    traceback.print_exc()
    sys.exit(3)
"""


def fuzz(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    files = write_fuzz_files(work, args.lines, args.per_file, args.seed)
    size = sum(p.stat().st_size for p, _, _ in files)
    kinds = sum((k for _, _, k in files), Counter())
    non_blank = sum(n for _, n, _ in files)
    print(f"fuzz: {args.lines:,} lines ({non_blank:,} non-blank) in {len(files)} files, {size / 1e6:,.0f} MB, "
          f"written in {time.perf_counter() - t0:.1f} s; mutations: {dict(kinds.most_common())}", flush=True)
    lib = run_monitored([sys.executable, "-c", LIBRARY, *(str(p) for p, _, _ in files)])
    lib_doc = json.loads(lib["stdout"].strip().splitlines()[-1]) if lib["rc"] == 0 and lib["stdout"] else {}
    lib_lost = non_blank - lib_doc.get("read", 0) - lib_doc.get("skipped", 0) if "read" in lib_doc else None
    print(f"library: exit {lib['rc']}, {lib['seconds']:.1f} s, peak {lib['peak_mb']:,.0f} MB, read "
          f"{lib_doc.get('read', 0):,} + skipped {lib_doc.get('skipped', 0):,}, lost {lib_lost}, "
          f"{lib_doc.get('repaired', 0):,} lone surrogates replaced", flush=True)
    codes: Counter[int] = Counter()
    cli_tracebacks = cli_lost = 0
    cli_peak = cli_seconds = 0.0
    for path, expected, _ in files:
        r = run_monitored([sys.executable, "-m", "fineadvisor", "estimate", str(path), "--json", "--profile-only",
                           "--quiet"])
        codes[r["rc"]] += 1
        cli_peak, cli_seconds = max(cli_peak, r["peak_mb"]), cli_seconds + r["seconds"]
        cli_tracebacks += "Traceback" in r["stderr"]
        if r["rc"] == 0:
            doc = json.loads(r["stdout"])
            cli_lost += expected - doc["records"]["read"] - doc["records"]["skipped"]
        elif r["rc"] == 1 and "no valid record" in r["stderr"]:
            pass  # every line of the file was skipped, with a reason: nothing lost
        else:
            print(f"  {path.name}: exit {r['rc']}: {r['stderr'].strip()[:300]}", flush=True)
    print(f"CLI: {len(files)} runs, exit codes {dict(codes)}, tracebacks {cli_tracebacks}, lost lines {cli_lost}, "
          f"peak {cli_peak:,.0f} MB, {cli_seconds:.1f} s", flush=True)
    return {"lines": args.lines, "non_blank": non_blank, "files": len(files), "mb": size / 1e6,
            "mutations": dict(kinds), "library": {k: lib[k] for k in ("rc", "seconds", "peak_mb")} | {
                "lost": lib_lost, "tracebacks": int(lib["rc"] == 3), **lib_doc},
            "cli": {"exit_codes": dict(codes), "tracebacks": cli_tracebacks, "lost": cli_lost, "peak_mb": cli_peak,
                    "seconds": cli_seconds}}


# ====================================================================================== 2. memory


def gzip_of(path: Path, block: bytes, total: int) -> Path:
    """A gzip file of `total` bytes made of `block` repeated, written in a stream (never held whole)."""
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    with path.open("wb") as fh:
        done = 0
        while done < total:
            piece = block[: total - done]
            fh.write(comp.compress(piece))
            done += len(piece)
        fh.write(comp.flush())
    return path


def plain_of(path: Path, block: bytes, total: int) -> Path:
    with path.open("wb") as fh:
        done = 0
        while done < total:
            piece = block[: total - done]
            fh.write(piece)
            done += len(piece)
    return path


def memory_cases(work: Path, quick: bool) -> list[tuple[str, Callable[[], list[str]], dict[str, Any]]]:
    scale = 1 if not quick else 1 / 64
    good = small_seeds()[0] + b"\n"
    zeros, letters, newlines = b"\0" * (1 << 20), b"a" * (1 << 20), b"\n" * (1 << 20)

    def sparse() -> list[str]:
        path = work / "sparse_3g.jsonl"
        with path.open("wb") as fh:
            fh.write(b'{"messages": "')
            fh.truncate(int(3 * GIB * scale))
        return [str(path)]

    def fifo_cmd() -> list[str]:
        path = work / "endless.fifo"
        if not path.exists():
            os.mkfifo(path)

        def feed() -> None:
            try:
                with path.open("wb") as fh:
                    while True:
                        fh.write(good * 1000)
            except (BrokenPipeError, OSError):
                pass

        threading.Thread(target=feed, daemon=True).start()
        return [str(path)]

    return [
        ("gzip bomb: 1 GiB of zeros", lambda: [str(gzip_of(work / "zeros1.jsonl.gz", zeros, int(GIB * scale)))], {}),
        ("gzip bomb: 8 GiB of zeros", lambda: [str(gzip_of(work / "zeros8.jsonl.gz", zeros, int(8 * GIB * scale)))], {}),
        ("gzip: a 1 GiB line without a newline",
         lambda: [str(gzip_of(work / "line1.jsonl.gz", letters, int(GIB * scale)))], {}),
        ("gzip: 1 GiB of newlines", lambda: [str(gzip_of(work / "nl1.jsonl.gz", newlines, int(GIB * scale)))], {}),
        ("plain: 1 GiB of newlines", lambda: [str(plain_of(work / "nl1.jsonl", newlines, int(GIB * scale)))], {}),
        ("plain: a 1 GiB line without a newline",
         lambda: [str(plain_of(work / "line1.jsonl", letters, int(GIB * scale)))], {}),
        ("sparse 3 GB one-line file", sparse, {}),
        ("/dev/zero", lambda: ["/dev/zero"], {}),
        ("endless FIFO of valid lines (Ctrl-C after 20 s)", fifo_cmd, {"interrupt_after": 20 if not quick else 3}),
        ("--pricing /dev/zero", lambda: [str(REPO / "examples" / "support_bot.jsonl"), "--pricing", "/dev/zero"],
         {"estimate": True}),
        ("truncated gzip", lambda: [str(_truncated(work))], {}),
        ("UTF-16 file", lambda: [str(_utf16(work))], {}),
        ("empty file", lambda: [str(_empty(work))], {}),
        ("a directory", lambda: [str(work)], {}),
    ]


def _truncated(work: Path) -> Path:
    path = work / "trunc.jsonl.gz"
    data = gzip.compress(b"".join(line + b"\n" for line in small_seeds()) * 20)
    path.write_bytes(data[: len(data) // 2])
    return path


def _utf16(work: Path) -> Path:
    path = work / "utf16.jsonl"
    path.write_bytes(small_seeds()[0].decode().encode("utf-16"))
    return path


def _empty(work: Path) -> Path:
    path = work / "empty.jsonl"
    path.write_bytes(b"")
    return path


def memory(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    print(f"\n{'input':48} {'exit':>4} {'peak MB':>8} {'seconds':>8}  stderr (first line)")
    for name, make, options in memory_cases(work, args.quick):
        t0 = time.perf_counter()
        inputs = make()
        made = time.perf_counter() - t0
        only = [] if options.pop("estimate", False) else ["--profile-only"]
        r = run_monitored([sys.executable, "-m", "fineadvisor", "estimate", *inputs, *only, "--quiet"], **options)
        first = (r["stderr"].strip().splitlines() or [""])[0][:110]
        rows.append({"input": name, "rc": r["rc"], "peak_mb": r["peak_mb"], "seconds": r["seconds"],
                     "stderr": first, "traceback": "Traceback" in r["stderr"], "made_s": made})
        print(f"{name:48} {r['rc']:>4} {r['peak_mb']:>8,.0f} {r['seconds']:>8.1f}  {first}", flush=True)
        for path in inputs:
            p = Path(path)
            if p.parent == work and p.is_file():
                p.unlink()
    worst = max(r["peak_mb"] for r in rows)
    newline_rows = [r for r in rows if "newlines" in r["input"]]
    print(f"\n{'PASS' if worst < TARGET_RSS_MB else 'FAIL'}  peak RSS of every input {worst:,.0f} MB "
          f"(target < {TARGET_RSS_MB:g} MB)")
    if newline_rows and not args.quick:
        slowest = max(r["seconds"] for r in newline_rows)
        print(f"{'PASS' if slowest < TARGET_NEWLINES_S else 'FAIL'}  1 GiB of newlines in {slowest:.1f} s "
              f"(target < {TARGET_NEWLINES_S:g} s)")
    print(f"{'PASS' if not any(r['traceback'] for r in rows) else 'FAIL'}  no traceback")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000, help="mutated lines to fuzz with (1,000,000)")
    ap.add_argument("--per-file", type=int, default=20_000, help="lines per fuzz file, one CLI run each (20,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-fuzz", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--quick", action="store_true", help="the memory inputs at 1/64 of their size")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="fineadvisor-fuzz-", dir=os.environ.get("FUZZ_DIR")))
    report: dict[str, Any] = {}
    try:
        if not args.skip_fuzz:
            report["fuzz"] = fuzz(args, work)
            for p in work.glob("fuzz_*.jsonl"):
                p.unlink()
        if not args.skip_memory:
            report["memory"] = memory(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = HERE / "out" / "fuzz.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults written to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
