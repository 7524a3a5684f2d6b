"""Monte Carlo of 1,000 runs on a 20k-asset territory: 2 processes against 1, same seed.

Run: ``python benchmarks/bench_montecarlo.py [--runs 1000] [--assets 20000] [--workers 1,2]
[--causes 100]``.

Each run: a storm at 1 h damages every asset with probability 3 %; damaged assets are
repaired after their kind's repair time (lognormal spread 0.5); backups spread 0.3; 24 hours
on a 1-hour grid. Goal (issue "engine"): 2 processes at least 1.7× faster than 1. Both runs
must give the same numbers. Peak memory is the parent's plus its children's.

``--causes N`` also times, in the same process, N runs replayed with the log's causes (what
``replay`` gives by default) against the same N runs without them (what the Monte Carlo
asks), indicators included, and checks that both give the same indicators.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tousrisques import load_compiled  # noqa: E402
from tousrisques.analysis import run_ensemble  # noqa: E402
from tousrisques.engine import Draws, Hazard, Plan, make_plan, replay  # noqa: E402
from tousrisques.indicators import compute_indicators  # noqa: E402
from tousrisques.territory.synthetic import write_synthetic  # noqa: E402

H = 3600.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--assets", type=int, default=20_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--causes", type=int, default=0)
    args = parser.parse_args()
    folder = HERE / "_data" / f"synthetic-{args.assets}-csv-1.0"
    if not (folder / "territory.yaml").exists():
        write_synthetic(folder, n_assets=args.assets, seed=0, link_factor=1.0)
    c = load_compiled(folder)
    storm = [Hazard(H, np.full(c.n_assets, 0.03), "storm")]
    plan = make_plan(c, hazards=storm, seed=2026, duration_s=24 * H, step_s=H,
                     draws=Draws(repair_beta=0.5, backup_beta=0.3))
    if args.causes:
        causes(plan, args.causes)
    results = {}
    outputs = {}
    for workers in (int(w) for w in args.workers.split(",")):
        t0 = time.perf_counter()
        outputs[workers] = run_ensemble(plan, runs=args.runs, workers=workers)
        results[workers] = time.perf_counter() - t0
        print(f"{workers} process(es): {args.runs} runs in {results[workers]:.1f} s "
              f"({1000 * results[workers] / args.runs:.0f} ms a run)", flush=True)
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    first = outputs[min(outputs)]
    reach = first.stat("population_reached:any", "mean")
    print(f"mean population reached by any broadcast at 0/6/12/24 h: "
          f"{', '.join(f'{reach[h]:.1%}' for h in (0, 6, 12, 24))}")
    if not {1, 2} <= set(outputs):
        print(f"peak {peak:.0f} MiB")
        return
    same = np.array_equal(outputs[1].values, outputs[2].values)
    speedup = results[1] / results[2]
    print(f"speed-up with 2 processes: {speedup:.2f}x; identical results: {same}; "
          f"peak {peak:.0f} MiB (parent + largest child)")
    out = HERE / "results" / "montecarlo.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"assets": c.n_assets, "runs": args.runs,
                               "one_process_s": results[1], "two_processes_s": results[2],
                               "speedup": speedup, "identical": same, "peak_mib": peak},
                              indent=2))
    if not same:
        raise SystemExit("the two runs differ")


def causes(plan: Plan, runs: int) -> None:
    """``runs`` runs with the log's causes and without, in this process, best of 3 each."""
    times = {}
    values = {}
    for with_causes in (True, False, True, False, True, False):
        t0 = time.perf_counter()
        out = [compute_indicators(plan.compiled, replay(plan, r, causes=with_causes)).values
               for r in range(runs)]
        took = time.perf_counter() - t0
        times[with_causes] = min(times.get(with_causes, np.inf), took)
        values[with_causes] = np.stack(out)
    same = np.array_equal(values[True], values[False])
    print(f"{runs} runs in 1 process, indicators included: with the causes "
          f"{times[True]:.2f} s, without {times[False]:.2f} s = "
          f"{times[True] / times[False]:.2f}x; identical indicators: {same}", flush=True)
    if not same:
        raise SystemExit("with and without causes differ")

if __name__ == "__main__":
    main()
