"""Advice on the Rouen storm: the whole search (screening, short list, greedy rounds, with
common-state reuse) against evaluating every candidate alone from scratch.

Run: ``python benchmarks/bench_advice.py [--runs 60] [--workers 2]``.

Goal (issue 11): 60 runs per candidate on 2 cores in under 5 minutes. The reference runs
``run_ensemble`` (every indicator of every run) once for the base and once per candidate,
``--runs`` runs each, on the same workers: one round of a greedy search without reuse and
without screening — a lower bound of what the search would cost from scratch. Both timings
are taken in the same process, one after the other, with the load average of the machine
before and after each; the ratio is printed and written to
``benchmarks/results/advice.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tousrisques.analysis import (  # noqa: E402
    advise,
    candidates,
    load_catalogue,
    run_ensemble,
)
from tousrisques.analysis._advice_eval import _sections  # noqa: E402
from tousrisques.scenario import load_scenario, scenario_plan, with_measures  # noqa: E402

ROUEN = HERE.parent / "examples" / "rouen" / "scenarios" / "tempete.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--objective", default="mix")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    s = load_scenario(ROUEN)

    load = [os.getloadavg()[0]]
    t0 = time.perf_counter()
    a = advise(s, runs=args.runs, workers=args.workers, objective=args.objective)
    ours = time.perf_counter() - t0
    load.append(os.getloadavg()[0])
    print(f"advise: {ours:.1f} s — {a.stats['candidates']} candidates, "
          f"{a.stats['replayed']} runs replayed, {a.stats['computed']} computed, "
          f"{a.stats.get('states', 0)} snapshots, {a.stats.get('candidates_s', 0):.1f} s to "
          f"find the candidates; plan {[m.key for m in a.plan]}, cost "
          f"{a.cost:,.0f} {a.currency}, objective {a.base['objective']:.4f} -> "
          f"{a.planned['objective']:.4f}; load average {load[0]:.1f} -> {load[1]:.1f}")
    result = {"runs": args.runs, "workers": args.workers, "objective": args.objective,
              "advise_s": round(ours, 1), **{k: a.stats.get(k, 0) for k in
                                              ("candidates", "replayed", "computed", "states",
                                               "candidates_s")},
              "plan": [m.key for m in a.plan],
              "gains": [[m.gain, m.gain_p10, m.gain_p90] for m in a.plan],
              "load_advise": [round(x, 1) for x in load]}
    if not args.skip_reference:
        load = [os.getloadavg()[0]]
        t0 = time.perf_counter()
        found = candidates(s, scenario_plan(s), load_catalogue(), range(args.runs))
        run_ensemble(scenario_plan(s), runs=args.runs, workers=args.workers)
        for c in found:
            v = with_measures(s, **_sections([c]))
            run_ensemble(scenario_plan(v), runs=args.runs, workers=args.workers)
        ref = time.perf_counter() - t0
        load.append(os.getloadavg()[0])
        print(f"reference (every candidate alone, from scratch, one round): {ref:.1f} s; "
              f"ratio reference / advise = {ref / ours:.2f}; load average {load[0]:.1f} -> "
              f"{load[1]:.1f}")
        result.update(reference_s=round(ref, 1), ratio=round(ref / ours, 2),
                      load_reference=[round(x, 1) for x in load])
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "advice.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
