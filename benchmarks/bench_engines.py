#!/usr/bin/env python
"""Benchmark: the Ray engine against the local one, in the same run, and what a billion records would take.

1. `analyze_logs(LOG)` locally (2 worker processes) and with `engine="ray"` on a local Ray of `--cpus` CPUs (its
   start-up timed apart); checks the two profiles are equal.
2. The merge cost: every chunk counted in this process first, then only the driver's merge timed.
3. The sizing estimate for N records on a cluster of C cores, from the measured per-core throughput (records/s/core
   of the Ray run, start-up excluded) and the merge cost per chunk (serial, on the driver).

Usage:  python benchmarks/bench_engines.py [--records 100000] [--cpus 2] [--cluster-cores 256] [--target 1e9]
Writes benchmarks/out/bench_engines.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from bench_sample import repetitive_log  # the same log, found or generated the same way

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--cluster-cores", type=int, default=256)
    ap.add_argument("--target", type=float, default=1e9, help="records to size for (1e9)")
    a = ap.parse_args(argv)
    log = repetitive_log(a.records)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    from fineadvisor import analyze_logs
    from fineadvisor.measure.containers import read_chunks
    from fineadvisor.measure.scan import LineCounter, Scan, _merge_all, count_chunk

    t = time.perf_counter()
    local = analyze_logs([str(log)], workers=a.cpus)
    local_s = time.perf_counter() - t

    t = time.perf_counter()
    ray.init(num_cpus=a.cpus, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    start_s = time.perf_counter() - t
    t = time.perf_counter()
    distributed = analyze_logs([str(log)], engine="ray")
    ray_s = time.perf_counter() - t
    ray.shutdown()
    assert distributed.profile == local.profile and distributed.readiness == local.readiness

    counter = LineCounter(None)
    results = [(c, count_chunk(c, counter)) for c in read_chunks(str(log))]
    t = time.perf_counter()
    scan = _merge_all([str(log)], Scan(), False, None, lambda _p: iter(results))
    merge_s = time.perf_counter() - t
    scan.close()

    records = local.records_read
    per_core = records / ray_s / a.cpus
    chunks = len(results)
    merge_per_chunk = merge_s / chunks
    bytes_per_record = log.stat().st_size / records
    target_chunks = a.target * bytes_per_record / (4 * 2**20)
    count_hours = a.target / (per_core * a.cluster_cores) / 3600
    merge_hours = target_chunks * merge_per_chunk / 3600
    print(f"log: {log.name}, {records:,} records, {log.stat().st_size / 1e9:.2f} GB, {chunks} chunks of 4 MiB")
    print(f"local engine ({a.cpus} processes):  {local_s:.1f} s")
    print(f"ray engine ({a.cpus} CPUs):         {ray_s:.1f} s (+ {start_s:.1f} s to start Ray)"
          f"  → overhead {ray_s / local_s:.2f}× ({(ray_s + start_s) / local_s:.2f}× with the start)")
    print(f"per-core throughput (ray):   {per_core:,.0f} records/s/core")
    print(f"driver merge:                {merge_s:.2f} s for {chunks} chunks = {merge_per_chunk * 1000:.2f} ms a chunk")
    print(f"sizing, {a.target:.0e} records ({a.target * bytes_per_record / 1e12:.1f} TB at {bytes_per_record:,.0f} "
          f"B/record) on {a.cluster_cores} cores: counting {count_hours:.1f} h in parallel, the driver's merge "
          f"{merge_hours:.1f} h ({target_chunks:,.0f} chunks) — whichever is longer bounds the run")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_engines.json").write_text(json.dumps({
        "log": log.name, "records": records, "local_seconds": local_s, "ray_seconds": ray_s,
        "ray_start_seconds": start_s, "records_per_second_per_core": per_core, "chunks": chunks,
        "merge_seconds": merge_s, "merge_seconds_per_chunk": merge_per_chunk, "target_records": a.target,
        "cluster_cores": a.cluster_cores, "count_hours": count_hours, "merge_hours": merge_hours}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
