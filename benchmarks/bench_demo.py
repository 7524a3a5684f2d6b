"""`tousrisques demo` end to end, against references measured in the same session.

Run: ``python benchmarks/bench_demo.py [--repeat 3]``.

Each command runs as a user runs it, a fresh process writing into a fresh folder, after one
warm-up import (so that the file cache is warm for every measure alike). Measured, median of
``--repeat`` runs each:

- ``startup``: ``python -c "import tousrisques.cli"``, what every command pays before it works;
- ``one_run``: ``tousrisques run examples/rouen/scenarios/tempete.yaml --runs 1 --workers 1
  --no-criticality --no-report``: loading the Rouen sample and the scenario, one Monte Carlo
  run, the representative run replayed, the run folder written;
- ``demo``: ``tousrisques demo`` with its defaults (the example town validated, the storm with
  and without its plan, 60 runs each on 2 processes, the comparison, the report).

The ratios ``demo / one_run`` and ``demo / startup`` are the figures to compare between
machines and sessions (a loaded machine slows all three); the seconds go to the README.
Results: ``benchmarks/results/demo.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "examples" / "rouen" / "scenarios" / "tempete.yaml"


def timed(args: list[str], env: dict[str, str]) -> float:
    """Wall time of one command; it must succeed."""
    t0 = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} ended with {done.returncode}:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "TOUSRISQUES_LANG": "en"}
    py = sys.executable
    cli = [py, "-m", "tousrisques"]
    times: dict[str, list[float]] = {"startup": [], "one_run": [], "demo": []}
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        timed([py, "-c", "import tousrisques.cli"], env)  # warm-up
        for i in range(args.repeat):
            times["startup"].append(timed([py, "-c", "import tousrisques.cli"], env))
            times["one_run"].append(
                timed(
                    [
                        *cli,
                        "run",
                        str(SCENARIO),
                        "--runs",
                        "1",
                        "--workers",
                        "1",
                        "--no-criticality",
                        "--no-report",
                        "-o",
                        f"{tmp}/one-{i}",
                    ],
                    env,
                )
            )
            times["demo"].append(timed([*cli, "demo", "-o", f"{tmp}/demo-{i}"], env))
            print(
                f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                flush=True,
            )
    median = {k: statistics.median(v) for k, v in times.items()}
    ratios = {
        "demo_over_one_run": median["demo"] / median["one_run"],
        "demo_over_startup": median["demo"] / median["startup"],
    }
    print(
        f"median: startup {median['startup']:.2f} s, one run {median['one_run']:.2f} s, "
        f"demo {median['demo']:.1f} s; demo = {ratios['demo_over_one_run']:.1f}x one run "
        f"= {ratios['demo_over_startup']:.0f}x the start-up",
        flush=True,
    )
    out = HERE / "results" / "demo.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "repeat": args.repeat,
                "cpus": os.cpu_count(),
                "seconds": times,
                "median_s": median,
                **ratios,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
