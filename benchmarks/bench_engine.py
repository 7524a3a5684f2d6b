"""The fixed point against a plain networkx reference and against the bare scipy floor.

Run: ``python benchmarks/bench_engine.py`` (after ``make bench`` has built the synthetic
territories, or it builds them).

* 100k assets: the engine vs the networkx reference of ``tests/engine/reference.py`` (the same
  semantics, written plainly) — goal: at least 30× faster;
* 1M assets: the engine (with causes) vs a bare scipy fixed point without causes or timers,
  the floor — goal: within 1.5×.

Damage: 2 % of the assets chosen at random (seed 0), no backups. Best of ``--repeat`` runs;
both sides must give the same working set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.engine.reference import reference_fixed_point  # noqa: E402

from tousrisques import load_compiled  # noqa: E402
from tousrisques.engine import Network, fixed_point  # noqa: E402
from tousrisques.territory.synthetic import write_synthetic  # noqa: E402


def bare_fixed_point(net: Network, damaged: np.ndarray) -> np.ndarray:
    """The floor: the same rules with nothing but scipy, no causes, no rounds recorded."""
    working = ~damaged
    while True:
        cut = False
        while True:
            met = (net.groups @ working.view(np.int8)) > 0
            owners = net.group_owner[~met]
            hit = owners[working[owners]]
            if len(hit) == 0:
                break
            working[hit] = False
        for layer in net.layers:
            w = working[layer.members]
            keep = w[layer.edge_row] & w[layer.indices]
            m = len(layer.members)
            ptr = np.zeros(m + 1, np.int64)
            np.cumsum(np.bincount(layer.edge_row[keep], minlength=m), out=ptr[1:])
            g = sp.csr_matrix((np.ones(int(keep.sum()), np.int8), layer.indices[keep], ptr),
                              shape=(m, m))
            _, labels = connected_components(g, directed=False)
            fed = np.zeros(int(labels.max()) + 1, bool)
            fed[labels[w & layer.sources]] = True
            lost = layer.members[w & ~fed[labels]]
            if len(lost):
                working[lost] = False
                cut = True
        if not cut:
            return working


def timed(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def territory(n: int) -> Path:
    folder = HERE / "_data" / f"synthetic-{n}-csv-1.52"
    if not (folder / "territory.yaml").exists():
        write_synthetic(folder, n_assets=n, seed=0, link_factor=1.52)
    return folder


def as_lists(net: Network):
    g = net.groups.tocsr()
    groups = [(int(net.group_owner[k]), g.indices[g.indptr[k]:g.indptr[k + 1]].tolist(), 0.0)
              for k in range(net.n_groups)]
    layers = []
    for layer in net.layers:
        members = layer.members
        a = members[layer.edge_row]
        b = members[layer.indices]
        half = a < b
        layers.append((members.tolist(), list(zip(a[half].tolist(), b[half].tolist(),
                                                  strict=True)),
                       layer.sources.tolist()))
    return groups, layers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-size", type=int, default=100_000)
    parser.add_argument("--floor-size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {}

    net = Network.from_compiled(load_compiled(territory(args.reference_size)))
    damaged = np.random.default_rng(0).random(net.n) < 0.02
    t_engine, r = timed(lambda: fixed_point(net, damaged), args.repeat)
    groups, layers = as_lists(net)
    t_ref, ref = timed(lambda: reference_fixed_point(net.n, groups, layers,
                                                      set(np.nonzero(damaged)[0].tolist())), 1)
    assert set(np.nonzero(r.working)[0].tolist()) == ref, "engine and reference disagree"
    results["reference"] = {"assets": net.n, "engine_s": t_engine, "networkx_s": t_ref,
                            "speedup": t_ref / t_engine, "rounds": r.rounds,
                            "down": int((~r.working).sum())}
    print(f"{net.n:>9} assets  engine {t_engine:7.3f} s  networkx reference {t_ref:7.2f} s  "
          f"speed-up {t_ref / t_engine:6.1f}x  ({r.rounds} rounds, "
          f"{int((~r.working).sum())} down)", flush=True)

    net = Network.from_compiled(load_compiled(territory(args.floor_size)))
    damaged = np.random.default_rng(0).random(net.n) < 0.02
    t_engine, r = timed(lambda: fixed_point(net, damaged), args.repeat)
    t_floor, floor = timed(lambda: bare_fixed_point(net, damaged), args.repeat)
    assert (floor == r.working).all(), "engine and floor disagree"
    results["floor"] = {"assets": net.n, "engine_s": t_engine, "floor_s": t_floor,
                        "ratio": t_engine / t_floor}
    print(f"{net.n:>9} assets  engine {t_engine:7.3f} s  bare scipy floor {t_floor:7.3f} s  "
          f"ratio {t_engine / t_floor:5.2f}")
    out = HERE / "results" / "engine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
