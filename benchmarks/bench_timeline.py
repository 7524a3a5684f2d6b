"""A 72-hour timeline with 100 event times on a 1M-asset territory, against one full fixed
point on the same network.

Run: ``python benchmarks/bench_timeline.py [--assets 1000000]``.

Events: 50 failures of 100 random assets each, at random times over the first 48 h, each
repaired 2 to 24 h later (50 repair events): 100 event times, plus the backup timers they
start. Goal (issue "engine"): the whole timeline in under 10× one full fixed point.
Best of ``--repeat`` fixed points and timelines (default 3); then the same timeline without
the log's causes (``causes=False``, what the Monte Carlo asks), which must give the same
states.
"""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_engine import territory  # noqa: E402
from tousrisques import load_compiled  # noqa: E402
from tousrisques.engine import Event, Network, fixed_point, run_timeline  # noqa: E402

H = 3600.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    net = Network.from_compiled(load_compiled(territory(args.assets)))
    rng = np.random.default_rng(0)
    events = []
    for k in range(50):
        t = float(rng.integers(1, 48 * 60)) * 60
        rows = tuple(rng.choice(net.n, 100, replace=False).tolist())
        events.append(Event(t, rows, "fail", f"incident {k}"))
        events.append(Event(t + float(rng.integers(2 * 60, 24 * 60)) * 60, rows, "restore",
                            f"repair {k}"))
    times = {e.time_s for e in events}
    damaged = np.zeros(net.n, bool)
    one = np.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        fixed_point(net, damaged)
        one = min(one, time.perf_counter() - t0)
    whole = bare = np.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        tl = run_timeline(net, events, duration_s=72 * H, step_s=H)
        whole = min(whole, time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{net.n} assets: one full fixed point {one:.3f} s; 72 h timeline with "
          f"{len(times)} event times ({tl.computations} computations with the timers, "
          f"{len(tl.log)} rows of log) {whole:.2f} s = {whole / one:.1f}x one fixed point; "
          f"peak {rss:.0f} MiB", flush=True)
    if "causes" not in inspect.signature(run_timeline).parameters:  # an older version
        print("this version logs every cause (no causes=False)")
        return
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        states = run_timeline(net, events, duration_s=72 * H, step_s=H, causes=False)
        bare = min(bare, time.perf_counter() - t0)
    if not np.array_equal(states.snapshots, tl.snapshots):
        raise SystemExit("the timeline without causes has other states")
    print(f"without the causes (causes=False): {bare:.2f} s = {bare / one:.1f}x one fixed "
          f"point; the log's causes cost {whole / bare:.2f}x")
    out = HERE / "results" / "timeline.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"assets": net.n, "fixed_point_s": one, "timeline_s": whole,
                               "ratio": whole / one, "without_causes_s": bare,
                               "event_times": len(times),
                               "computations": tl.computations, "peak_mib": rss}, indent=2))


if __name__ == "__main__":
    main()
