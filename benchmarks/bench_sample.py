#!/usr/bin/env python
"""Benchmark: `--sample N` against the full count, in the same run, on the log `bench_profile.py` writes.

1. Speed: the whole `fineadvisor estimate LOG --profile-only --json` process, full and with `--sample N`,
   alternated for `--rounds` rounds, on a byte-compiled copy of the package (as installed); prints each time and
   the ratio (full ÷ sampled).
2. Coverage: for seeds 0..S−1, whether each 95% interval of the mean (input, output, static prefix, query tokens)
   contains the full count's exact mean; prints the share per figure (a 95% interval should cover ≈ 95%: over 100
   seeds, 95 ± 2.2 points for a perfectly calibrated interval), and the calibration behind it: the mean and spread
   of z = (estimate − exact mean) ÷ standard error, which are 0 and 1 for an unbiased estimate with a right error.

Usage:  python benchmarks/bench_sample.py [--records 100000] [--sample 2000] [--seeds 100] [--rounds 3]
Writes benchmarks/out/bench_sample.json.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PARTS = {"input": "input_tokens", "output": "output_tokens", "static": "static_prefix_tokens", "query": "query_tokens"}


def repetitive_log(records: int) -> Path:
    """`bench_profile.py`'s repetitive log of `records` records, generated if it is not there yet."""
    log = HERE / "data" / f"profile_rep_{records}.jsonl"
    if not log.exists():
        subprocess.run([sys.executable, str(HERE / "bench_profile.py"), "--records", str(records), "--generate-only"],
                       check=True)
    return log


def snapshot() -> tuple[Path, dict[str, str]]:
    """The package copied and byte-compiled, as an installed package is: with PYTHONDONTWRITEBYTECODE set (as on
    this machine) an editable checkout would be compiled again by every process, ~0.25 s of a sampled run."""
    root = Path(tempfile.mkdtemp(prefix="fineadvisor-bench-"))
    shutil.copytree(HERE.parent / "fineadvisor", root / "fineadvisor", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(root / "fineadvisor", quiet=1)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")]))
    return root, env


def timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, dict[str, object]]:
    """Wall time of one CLI process, and its JSON (run from the snapshot: `-m` puts the working directory first
    on the import path, and the checkout's own `fineadvisor/` would win)."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "fineadvisor", "estimate", *args, "--profile-only", "--json", "-q"],
                         capture_output=True, text=True, check=True, env=env, cwd=cwd)
    return time.perf_counter() - start, json.loads(run.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000, help="records of bench_profile's repetitive log")
    ap.add_argument("--sample", default="2000", help="--sample value (2000)")
    ap.add_argument("--seeds", type=int, default=100, help="seeds for the coverage table (100)")
    ap.add_argument("--rounds", type=int, default=3, help="full / sampled process pairs timed (3)")
    a = ap.parse_args(argv)
    log = repetitive_log(a.records)
    root, env = snapshot()
    full_s, sampled_s = [], []
    full_doc: dict[str, object] = {}
    try:
        for _ in range(a.rounds):
            t, full_doc = timed([str(log)], env, root)
            full_s.append(t)
            t, _doc = timed([str(log), "--sample", a.sample], env, root)
            sampled_s.append(t)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ratios = [f / s for f, s in zip(full_s, sampled_s, strict=True)]
    print(f"log: {log.name} ({log.stat().st_size / 1e9:.2f} GB)")
    print(f"full run     {', '.join(f'{t:.2f}' for t in full_s)} s")
    print(f"--sample {a.sample}  {', '.join(f'{t:.2f}' for t in sampled_s)} s")
    print(f"ratio        {', '.join(f'{r:.1f}×' for r in ratios)} (median {statistics.median(ratios):.1f}×)")

    from fineadvisor import analyze_logs

    profile = full_doc["profile"]
    assert isinstance(profile, dict)
    truth = {part: float(profile[attr]["mean"]) for part, attr in PARTS.items()}
    exact = analyze_logs([str(log)]).profile  # the unrounded means, for z
    exact_mean = {part: getattr(exact, attr).mean for part, attr in PARTS.items()}
    covered = dict.fromkeys(PARTS, 0)
    width = {part: [] for part in PARTS}  # type: dict[str, list[float]]
    zs = {part: [] for part in PARTS}  # type: dict[str, list[float]]
    start = time.perf_counter()
    for seed in range(a.seeds):
        s = analyze_logs([str(log)], sample=a.sample, seed=seed).sample
        assert s is not None
        for part in PARTS:
            e = s.of(part)
            # the JSON rounds means to 0.1 token: an interval covers the truth when it covers that rounding
            covered[part] += e.mean_ci95.low - 0.05 <= truth[part] <= e.mean_ci95.high + 0.05
            width[part].append(e.mean_ci95.high - e.mean_ci95.low)
            se = (e.mean_ci95.high - e.mean_ci95.low) / (2 * 1.959964)
            zs[part].append((e.mean - exact_mean[part]) / se if se else 0.0)
    print(f"coverage over {a.seeds} seeds ({time.perf_counter() - start:.0f} s in-process):")
    seeds = max(a.seeds, 1)
    for part in PARTS:
        spread = statistics.stdev(zs[part]) if len(zs[part]) > 1 else 0.0
        print(f"  {part:7s} mean {truth[part]:9.1f}  covered {covered[part] / seeds:5.0%}  "
              f"median interval width {statistics.median(width[part]):.1f} tokens  "
              f"z mean {statistics.mean(zs[part]):+.2f} spread {spread:.2f}")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_sample.json").write_text(json.dumps({
        "log": log.name, "sample": a.sample, "full_seconds": full_s, "sampled_seconds": sampled_s, "ratios": ratios,
        "coverage": {p: covered[p] / max(a.seeds, 1) for p in PARTS}, "seeds": a.seeds, "truth": truth,
        "z_mean": {p: statistics.mean(zs[p]) for p in PARTS},
        "z_spread": {p: statistics.stdev(zs[p]) if len(zs[p]) > 1 else 0.0 for p in PARTS}}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
