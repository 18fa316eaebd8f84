"""Benchmark: the parent's memory as a log grows, with per-record numbers moved to temporary files (the default)
against kept in memory (the baseline: spilling switched off), in the same run.

The parent of a scan merges the workers' chunk builders and summarises them at the end. This benchmark
stands in for a scan of N records without reading N records: it counts the first records of the generated
benchmark log once (real `RecordTokens`, real chunk builders), then merges that chunk into a parent builder
until it holds N records, giving every chunk fresh random example hashes so duplicate counting has real work.
Each configuration runs in its own subprocess; the peak RSS of that process is its VmHWM.

    python benchmarks/bench_memory.py                       # 1M, 3M, 10M records
    python benchmarks/bench_memory.py --records 1000000 --records 20000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "profile_rep_100000.jsonl"
CHUNK_RECORDS = 2_000


def _hwm_mb() -> float:
    with open("/proc/self/status") as f:
        return int(f.read().split("VmHWM:")[1].split()[0]) / 1024


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0]) / 1024


def child(records: int, spill: bool) -> dict[str, object]:
    """Build a parent of `records` records from one real chunk and summarise it; report memory and time."""
    from array import array

    import numpy as np

    from fineadvisor import profile, readiness
    from fineadvisor.measure.logs import iter_chunks
    from fineadvisor.measure.profile import ProfileBuilder
    from fineadvisor.measure.readiness import ReadinessBuilder
    from fineadvisor.measure.scan import LineCounter, count_chunk

    if not spill:  # the baseline: everything stays in memory, duplicates counted in one go
        profile.SPILL_ITEMS = readiness.SPILL_ITEMS = 1 << 62
        readiness.DEDUP_ROWS = 1 << 62
    counter = LineCounter(None)
    first = None
    for chunk in iter_chunks(str(SAMPLE)):
        result = count_chunk(chunk, counter)
        if first is None:
            first = result
        else:
            first.profile.merge(result.profile)
            first.readiness.merge(result.readiness)
        if len(first.profile._input) >= CHUNK_RECORDS:
            break
    assert first is not None
    chunk_profile, chunk_readiness = first.profile, first.readiness
    examples = len(chunk_readiness._tokens)
    del counter
    start_mb = _rss_mb()
    rng = np.random.default_rng(0)
    parent, parent_readiness = ProfileBuilder(), ReadinessBuilder()
    t0 = time.perf_counter()
    done = 0
    while done < records:
        chunk_readiness._prompt_hash = array("Q", rng.integers(0, 2**63, examples, dtype=np.uint64).tobytes())
        chunk_readiness._answer_hash = array("Q", rng.integers(1, 2**63, examples, dtype=np.uint64).tobytes())
        parent.merge(chunk_profile)
        parent_readiness.merge(chunk_readiness)
        done += len(chunk_profile._input)
    merge_s = time.perf_counter() - t0
    merged_mb = _rss_mb()
    t1 = time.perf_counter()
    p = parent.result()
    r = parent_readiness.result("gpt-4o-mini")
    summary_s = time.perf_counter() - t1
    parent.close()
    parent_readiness.close()
    return {"records": done, "spill": spill, "start_mb": round(start_mb, 1), "after_merges_mb": round(merged_mb, 1),
            "peak_mb": round(_hwm_mb(), 1), "merge_s": round(merge_s, 2), "summary_s": round(summary_s, 2),
            "input_tokens": p.input_tokens.total, "p95": p.input_tokens.p95, "static_p50": p.static_prefix_tokens.p50,
            "few_shot_examples": p.few_shot_examples, "examples": r.examples, "duplicates": r.exact_duplicates}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, action="append", help="parent sizes to measure (1M, 3M, 10M)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1] == "spill")))
        return
    if not SAMPLE.exists():
        raise SystemExit(f"{SAMPLE} is missing: run `python benchmarks/bench_profile.py --generate-only --keep`")
    sizes = args.records or [1_000_000, 3_000_000, 10_000_000]
    rows = []
    print(f"{'records':>12} {'mode':>9} {'after merges MB':>16} {'peak MB':>8} {'merge s':>8} {'summary s':>10}")
    for n in sizes:
        pair = {}
        for mode in ("memory", "spill"):
            out = subprocess.run([sys.executable, __file__, "--child", str(n), mode], capture_output=True, text=True,
                                 check=True)
            row = json.loads(out.stdout)
            pair[mode] = row
            rows.append(row)
            print(f"{row['records']:>12,} {mode:>9} {row['after_merges_mb']:>16,.0f} {row['peak_mb']:>8,.0f} "
                  f"{row['merge_s']:>8.2f} {row['summary_s']:>10.2f}", flush=True)
        same = all(pair["memory"][k] == pair["spill"][k] for k in ("input_tokens", "p95", "static_p50",
                                                                     "few_shot_examples", "examples", "duplicates"))
        print(f"{'':>12} peak memory ÷ spill: {pair['memory']['peak_mb'] / pair['spill']['peak_mb']:.2f}×; "
              f"results identical: {same}", flush=True)
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "bench_memory.json").write_text(json.dumps(rows, indent=2))
    print(f"results written to {out_dir / 'bench_memory.json'}")


if __name__ == "__main__":
    main()
