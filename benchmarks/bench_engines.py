#!/usr/bin/env python
"""Benchmark: the Ray engine against the local one, in the same run, and what a billion records would take.

1. `analyze_logs(LOG)` locally (2 worker processes) and with `engine="ray"` on a local Ray of `--cpus` CPUs (its
   start-up timed apart); checks the two profiles are equal.
2. The merge cost: every chunk counted in this process first and folded into tasks of `TASK_CHUNKS` chunks as a
   Ray task does, then only the driver's merge of the task results timed; and what a task sends (pickled bytes).
3. The sizing estimate for N records on a cluster of C cores, from the measured per-core throughput (records/s/core
   of the Ray run, start-up excluded) and the merge cost per task (serial, on the driver).

Usage:  python benchmarks/bench_engines.py [--records 100000] [--cpus 2] [--cluster-cores 256] [--target 1e9]
Writes benchmarks/out/bench_engines.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import statistics
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
    from fineadvisor.measure.distributed import TASK_CHUNKS
    from fineadvisor.measure.scan import LineCounter, Scan, _merge_all, count_chunk, fold

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
    tasks = []
    for i in range(0, len(results), TASK_CHUNKS):
        group = results[i:i + TASK_CHUNKS]
        folded = group[0][1]
        for _, r in group[1:]:
            fold(folded, r)
        tasks.append((dataclasses.replace(group[0][0], end=group[-1][0].end), folded))
    sent = statistics.mean(len(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)) for _, r in tasks)
    t = time.perf_counter()
    scan = _merge_all([str(log)], Scan(), False, None, lambda _p: iter(tasks))
    merge_s = time.perf_counter() - t
    assert scan.profile.result() == local.profile
    scan.close()

    records = local.records_read
    per_core = records / ray_s / a.cpus
    chunks = len(results)
    merge_per_task = merge_s / len(tasks)
    bytes_per_record = log.stat().st_size / records
    target_tasks = a.target * bytes_per_record / (4 * 2**20) / TASK_CHUNKS
    count_hours = a.target / (per_core * a.cluster_cores) / 3600
    merge_hours = target_tasks * merge_per_task / 3600
    print(f"log: {log.name}, {records:,} records, {log.stat().st_size / 1e9:.2f} GB, {chunks} chunks of 4 MiB")
    print(f"local engine ({a.cpus} processes):  {local_s:.1f} s")
    print(f"ray engine ({a.cpus} CPUs):         {ray_s:.1f} s (+ {start_s:.1f} s to start Ray)"
          f"  → overhead {ray_s / local_s:.2f}× ({(ray_s + start_s) / local_s:.2f}× with the start)")
    print(f"per-core throughput (ray):   {per_core:,.0f} records/s/core")
    print(f"driver merge:                {merge_s:.2f} s for {len(tasks)} tasks of {TASK_CHUNKS} chunks = "
          f"{merge_per_task * 1000:.2f} ms a task; a task sends {sent / 1024:,.0f} KiB "
          f"({sent / (records / len(tasks)):.1f} B a record)")
    print(f"sizing, {a.target:.0e} records ({a.target * bytes_per_record / 1e12:.1f} TB at {bytes_per_record:,.0f} "
          f"B/record) on {a.cluster_cores} cores: counting {count_hours:.1f} h in parallel, the driver's merge "
          f"{merge_hours:.2f} h ({target_tasks:,.0f} tasks) — whichever is longer bounds the run")
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_engines.json").write_text(json.dumps({
        "log": log.name, "records": records, "local_seconds": local_s, "ray_seconds": ray_s,
        "ray_start_seconds": start_s, "records_per_second_per_core": per_core, "chunks": chunks,
        "tasks": len(tasks), "task_chunks": TASK_CHUNKS, "task_result_bytes": sent,
        "merge_seconds": merge_s, "merge_seconds_per_task": merge_per_task, "target_records": a.target,
        "cluster_cores": a.cluster_cores, "count_hours": count_hours, "merge_hours": merge_hours}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
