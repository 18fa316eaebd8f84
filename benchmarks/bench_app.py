"""How fast the app answers a control change on a 100k-record log, against profiling the log again.

In one run: (a) baseline — profile the log (what every slider move would cost without the app's cache);
(b) what a slider move does with the profile cached — `estimate()` plus every chart frame, chart spec and
download the page builds — for several volumes, median and max; (c) the same through Streamlit's AppTest
on the bundled sample (script rerun included). Prints the ratios.

    python benchmarks/bench_app.py [--records N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_profile  # noqa: E402 - the same deterministic log generator as the profiling benchmark

from fineadvisor import Scenario, analyze_logs, charts, estimate, load_catalog  # noqa: E402
from fineadvisor.present.report import estimate_to_dict, estimate_to_markdown  # noqa: E402

VOLUMES_PER_DAY = [1_000, 5_000, 20_000, 100_000, 500_000]


def repaint(analysis, catalog, per_day: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds for everything the page recomputes on a control change."""
    t = time.perf_counter()
    e = estimate(analysis, Scenario.per_day(per_day), catalog)
    charts.cost_curve_chart(charts.cost_curve_frame(e), charts.break_even_frame(e),
                            float(e.scenario.requests_per_month)).to_dict()
    charts.cumulative_chart(charts.cumulative_frame(e)).to_dict()
    charts.token_breakdown_chart(charts.token_breakdown_frame(e)).to_dict()
    charts.distribution_chart(charts.distribution_frame(e)).to_dict()
    charts.sensitivity_frame(e)
    charts.strategies_frame(e)
    charts.curves_csv(e)
    estimate_to_markdown(e)
    json.dumps(estimate_to_dict(e))
    return time.perf_counter() - t


def apptest_slider_seconds() -> list[float]:
    """Wall time of a slider change through AppTest (the whole script reruns, profile cached)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(HERE.parent / "app.py"), default_timeout=120)
    at.run()
    out = []
    for v in VOLUMES_PER_DAY:
        t = time.perf_counter()
        at.select_slider(key="requests_per_day").set_value(v).run()
        out.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated log for later runs")
    args = ap.parse_args(argv)

    spec = bench_profile.DataSpec("rep", args.records, bench_profile.SEED)
    _, created = bench_profile.prepare([spec], regenerate=False)
    path = spec.path
    catalog = load_catalog()

    t = time.perf_counter()
    analysis = analyze_logs([str(path)])
    profile_s = time.perf_counter() - t
    repaint(analysis, catalog, 1_000)  # warm imports
    times = [repaint(analysis, catalog, v) for v in VOLUMES_PER_DAY for _ in range(3)]
    median, worst = statistics.median(times), max(times)
    app = apptest_slider_seconds()

    print(f"\nlog: {path.name}, {analysis.records_read:,} records, {path.stat().st_size / 1e6:,.0f} MB")
    print(f"(a) profile the log (baseline: no cache)        {profile_s * 1000:10,.0f} ms")
    print(f"(b) re-price + charts + downloads, profile cached  median {median * 1000:,.0f} ms, max {worst * 1000:,.0f} ms")
    print(f"(c) AppTest slider change, bundled sample page      median {statistics.median(app) * 1000:,.0f} ms, "
          f"max {max(app) * 1000:,.0f} ms")
    print(f"ratio (a)/(b): {profile_s / median:,.0f}x faster with the cache")
    verdict = "PASS" if worst < 1.0 else "FAIL"
    print(f"{verdict}  slider change on {analysis.records_read:,} records: max {worst * 1000:,.0f} ms (target < 1,000 ms)")
    if not args.keep:
        for p in created:
            p.unlink(missing_ok=True)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
