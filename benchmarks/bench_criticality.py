"""Criticality of single losses against the plain way of computing it.

Run: ``python benchmarks/bench_criticality.py`` (part of ``make bench``).

On the Rouen sample (4,360 assets, 93 actors, 1,380 zones; backups run out):

* **tousrisques**: ``tousrisques.analysis.criticality`` — each loss is a fixed point started
  from the healthy state, layers the loss does not reach are not searched again, and losses
  that put down the same relevant assets share one evaluation of reach and talk;
* **tousrisques, 2 processes**: the same, the assets shared between two processes;
* **plain**: for each asset, the bare scipy fixed point (``bench_engine.bare_fixed_point``)
  from scratch, then the full evaluation of reach and talk (``indicators.snapshot``) — the
  same work with none of the shortcuts.

The plain loop is timed on a sample of assets (``--sample``, every k-th asset) and scaled to
all of them; both must agree on every sampled asset.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_engine import bare_fixed_point  # noqa: E402
from tousrisques.analysis import criticality, present_after_mitigations  # noqa: E402
from tousrisques.analysis._criticality import _owners_ok  # noqa: E402
from tousrisques.engine import Network  # noqa: E402
from tousrisques.indicators import snapshot  # noqa: E402
from tousrisques.scenario import load_scenario  # noqa: E402

SCENARIO = HERE.parent / "examples" / "rouen" / "scenarios" / "tempete.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=400, help="assets timed the plain way")
    args = parser.parse_args()
    s = load_scenario(SCENARIO)
    c = s.compiled
    absent = present_after_mitigations(s)
    t0 = time.perf_counter()
    result = criticality(c, absent=absent, territory=s.territory)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert criticality(c, absent=absent, workers=2,
                       territory=s.territory).table.equals(result.table)
    t_two = time.perf_counter() - t0
    n_eval = len(result.table)

    net = Network.from_compiled(c)
    damaged = np.zeros(c.n_assets, bool)
    damaged[absent] = True
    base = bare_fixed_point(net, damaged.copy())
    n = c.n_assets

    def plain(asset: int) -> tuple[float, int]:
        hit = damaged.copy()
        hit[asset] = True
        working = bare_fixed_point(net, hit)
        snap = snapshot(c, working, _owners_ok(c.zone_requires, working, n, None),
                        _owners_ok(c.channel_requires, working, n, None))
        return float(snap.zone_reached[-1] @ c.population), int(np.isfinite(snap.latency).sum())

    snap = snapshot(c, base, _owners_ok(c.zone_requires, base, n, None),
                    _owners_ok(c.channel_requires, base, n, None))
    base_pop = float(snap.zone_reached[-1] @ c.population)
    base_act = int(np.isfinite(snap.latency).sum())
    rows = {r["asset"]: r for r in result.table.to_pylist()}
    candidates = np.nonzero(~damaged)[0]
    sample = candidates[:: max(1, len(candidates) // args.sample)]
    t0 = time.perf_counter()
    for a in sample.tolist():
        pop, act = plain(a)
        r = rows[c.asset_ids[a].as_py()]
        assert abs(r["population_lost"] - (base_pop - pop)) < 1e-6, "population disagrees"
        assert r["actors_cut"] == base_act - act, "actors disagree"
    t_plain = (time.perf_counter() - t0) / len(sample) * n_eval
    out = {"assets": int(n_eval), "tousrisques_s": t_fast, "tousrisques_2_workers_s": t_two,
           "plain_s_scaled": t_plain, "sampled": len(sample), "speedup": t_plain / t_fast,
           "speedup_2_workers": t_plain / t_two}
    print(f"{n_eval} assets  tousrisques {t_fast:6.2f} s (2 processes {t_two:6.2f} s)  plain "
          f"(scaled from {len(sample)}) {t_plain:6.2f} s  speed-up {t_plain / t_fast:4.1f}x "
          f"({t_plain / t_two:4.1f}x with 2 processes)")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "criticality.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
