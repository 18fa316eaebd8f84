"""Benchmark: the parent's memory and temporary files as a log grows, merging chunk partials (histograms, the
default) against keeping every record's counts (the baseline: per-record arrays, the design before issue 14), in
the same run.

The parent of a scan merges what the workers send and summarises it at the end. This benchmark stands in for a
scan of N records without reading N records: it counts the first records of the generated benchmark log once
(real `RecordTokens`), makes that chunk's `ProfilePartial`, and merges it into a parent until the parent holds N
records, giving every chunk fresh random example hashes so duplicate counting has real work. The baseline adds the
same records one by one to a `ProfileBuilder` (per-record arrays). Each configuration runs in its own subprocess;
the peak RSS of that process is its VmHWM. It also prints what one chunk sends: the pickled partial against its
per-record arrays.

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


def child(records: int, mode: str) -> dict[str, object]:
    """Build a parent of `records` records from one real chunk and summarise it; report memory, time and sizes."""
    import pickle
    from array import array

    import numpy as np

    from fineadvisor.measure import profile as profile_module
    from fineadvisor.measure.logs import chunk_lines, iter_chunks
    from fineadvisor.measure.profile import ProfileBuilder, ProfilePartial
    from fineadvisor.measure.readiness import ReadinessBuilder
    from fineadvisor.measure.scan import BadLine, LineCounter

    counter = LineCounter(None)
    chunk_profile, chunk_readiness, rts = ProfileBuilder(), ReadinessBuilder(), []
    for chunk in iter_chunks(str(SAMPLE)):
        for line in chunk_lines(chunk):
            for item in counter.read_line(chunk.path, line):
                if not isinstance(item, BadLine):
                    rt = counter.count(item)
                    rts.append(rt)
                    chunk_profile.add(rt)
                    chunk_readiness.add(rt)
        if len(chunk_profile) >= CHUNK_RECORDS:
            break
    part = chunk_profile.partial()
    partial_bytes = len(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
    array_bytes = sum(getattr(chunk_profile, n).itemsize * len(getattr(chunk_profile, n))
                      for n in profile_module._ARRAYS)
    examples = len(chunk_readiness._prompt_hash)
    del counter
    start_mb = _rss_mb()
    rng = np.random.default_rng(0)
    merged, kept = ProfilePartial(), ProfileBuilder()
    parent_readiness = ReadinessBuilder()
    t0 = time.perf_counter()
    done = 0
    while done < records:
        chunk_readiness._prompt_hash = array("Q", rng.integers(0, 2**63, examples, dtype=np.uint64).tobytes())
        chunk_readiness._answer_hash = array("Q", rng.integers(1, 2**63, examples, dtype=np.uint64).tobytes())
        if mode == "partials":
            merged.merge(part)
        else:
            for rt in rts:
                kept.add(rt)
        parent_readiness.merge(chunk_readiness)
        done += len(rts)
    merge_s = time.perf_counter() - t0
    merged_mb = _rss_mb()
    t1 = time.perf_counter()
    p = merged.result() if mode == "partials" else kept.result()
    r = parent_readiness.result("gpt-4o-mini")
    summary_s = time.perf_counter() - t1
    profile_bytes = 0 if mode == "partials" else sum(getattr(kept, n).itemsize * len(getattr(kept, n))
                                                     for n in profile_module._ARRAYS)
    merged.close()
    parent_readiness.close()
    return {"records": done, "mode": mode, "start_mb": round(start_mb, 1), "after_merges_mb": round(merged_mb, 1),
            "peak_mb": round(_hwm_mb(), 1), "merge_s": round(merge_s, 2), "summary_s": round(summary_s, 2),
            "profile_bytes_per_record": round(profile_bytes / done, 1),
            "readiness_temp_bytes_per_record": 16.0 * examples / len(rts),  # two 8-byte hashes an example
            "chunk_records": len(rts), "chunk_partial_bytes": partial_bytes, "chunk_array_bytes": array_bytes,
            "input_tokens": p.input_tokens.total, "p95": p.input_tokens.p95, "static_p50": p.static_prefix_tokens.p50,
            "few_shot_examples": p.few_shot_examples, "examples": r.examples, "duplicates": r.exact_duplicates}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, action="append", help="parent sizes to measure (1M, 3M, 10M)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1])))
        return
    if not SAMPLE.exists():
        raise SystemExit(f"{SAMPLE} is missing: run `python benchmarks/bench_profile.py --generate-only --keep`")
    sizes = args.records or [1_000_000, 3_000_000, 10_000_000]
    rows = []
    print(f"{'records':>12} {'mode':>9} {'after merges MB':>16} {'peak MB':>8} {'merge s':>8} {'summary s':>10} "
          f"{'profile B/record':>17}")
    for n in sizes:
        pair = {}
        for mode in ("arrays", "partials"):
            out = subprocess.run([sys.executable, __file__, "--child", str(n), mode], capture_output=True, text=True,
                                 check=True)
            row = json.loads(out.stdout)
            pair[mode] = row
            rows.append(row)
            print(f"{row['records']:>12,} {mode:>9} {row['after_merges_mb']:>16,.0f} {row['peak_mb']:>8,.0f} "
                  f"{row['merge_s']:>8.2f} {row['summary_s']:>10.2f} {row['profile_bytes_per_record']:>17.1f}",
                  flush=True)
        same = all(pair["arrays"][k] == pair["partials"][k] for k in ("input_tokens", "p95", "static_p50",
                                                                        "few_shot_examples", "examples", "duplicates"))
        row = pair["partials"]
        print(f"{'':>12} peak arrays ÷ partials: {pair['arrays']['peak_mb'] / row['peak_mb']:.2f}×; results "
              f"identical: {same}; one chunk of {row['chunk_records']:,} records sends {row['chunk_partial_bytes']:,} "
              f"bytes (its per-record arrays: {row['chunk_array_bytes']:,}); temporary files: "
              f"{row['readiness_temp_bytes_per_record']:.0f} bytes a record (duplicate hashes)", flush=True)
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "bench_memory.json").write_text(json.dumps(rows, indent=2))
    print(f"results written to {out_dir / 'bench_memory.json'}")


if __name__ == "__main__":
    main()
