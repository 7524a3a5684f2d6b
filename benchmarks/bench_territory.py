"""Load and compile synthetic territories; compare with the floor of just reading the files.

Run: ``make bench`` (or ``python benchmarks/bench_territory.py [--sizes 10000 100000 1000000]``).

For each size and asset format, in fresh subprocesses (so that peak memory is the process's
own), best of ``--repeat`` runs:

* ``tousrisques``: ``load_territory`` (every check) + ``compile()`` (CSR arrays, coverage);
* floor ``plain``: ``csv.reader`` over every CSV, ``json.load`` of every GeoJSON, libyaml of
  every YAML — reading the same files and nothing else;
* floor ``pyogrio``: GDAL reading every CSV and GeoJSON to Arrow (when pyogrio is installed);
* a second load from the compiled ``.npz`` (what a repeated run pays).

Edges: links are drawn so that the layers hold about two edges per asset (line assets count).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

CHILD_OURS = """
import resource, sys, time
from tousrisques import load_territory
t0 = time.perf_counter()
t = load_territory(sys.argv[1])
t1 = time.perf_counter()
c = t.compile()
t2 = time.perf_counter()
c.save(sys.argv[2])
edges = len(t.links) + int((t.assets.connects[:, 0] >= 0).sum())
import json
print(json.dumps({"load": t1 - t0, "compile": t2 - t1, "total": t2 - t0, "assets": len(t.assets),
       "edges": edges, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_PLAIN = """
import csv, json, resource, sys, time
from pathlib import Path
import yaml
root = Path(sys.argv[1])
t0 = time.perf_counter()
rows = 0
for p in sorted(root.rglob("*")):
    if p.suffix == ".csv":
        with open(p, newline="", encoding="utf-8") as fh:
            for _ in csv.reader(fh):
                rows += 1
    elif p.suffix in (".geojson", ".json"):
        with open(p, encoding="utf-8") as fh:
            rows += len(json.load(fh)["features"])
    elif p.suffix == ".yaml":
        yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
import json
print(json.dumps({"total": time.perf_counter() - t0, "rows": rows,
       "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_PYOGRIO = """
import resource, sys, time
from pathlib import Path
import pyogrio
root = Path(sys.argv[1])
t0 = time.perf_counter()
rows = 0
for p in sorted(root.rglob("*")):
    if p.suffix in (".csv", ".geojson"):
        meta, table = pyogrio.read_arrow(p)
        rows += table.num_rows
import json
print(json.dumps({"total": time.perf_counter() - t0, "rows": rows,
       "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_CACHED = """
import resource, sys, time
from tousrisques import CompiledTerritory
t0 = time.perf_counter()
c = CompiledTerritory.load(sys.argv[1])
import json
print(json.dumps({"total": time.perf_counter() - t0,
       "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                         check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def best(code: str, repeat: int, *args: str) -> dict[str, float]:
    runs = [run(code, *args) for _ in range(repeat)]
    return min(runs, key=lambda r: r["total"])


def has_pyogrio() -> bool:
    try:
        import pyogrio  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "geojson"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--link-factor", type=float, default=1.52,
                        help="extra links per asset (1.52 gives about 2 edges per asset)")
    args = parser.parse_args()
    from tousrisques.territory.synthetic import write_synthetic

    ogr = has_pyogrio()
    results = []
    header = (f"{'assets':>9} {'format':>7} {'edges':>9} {'load s':>7} {'compile s':>9} "
              f"{'total s':>7} {'peak MiB':>8} {'plain s':>7} {'ratio':>6} "
              f"{'pyogrio s':>9} {'ratio':>6} {'npz s':>6}")
    print(header)
    for n in args.sizes:
        for fmt in args.formats:
            folder = DATA / f"synthetic-{n}-{fmt}-{args.link_factor}"
            if not (folder / "territory.yaml").exists():
                write_synthetic(folder, n_assets=n, seed=0, link_factor=args.link_factor,
                                asset_format=fmt)
            npz = DATA / f"compiled-{n}-{fmt}.npz"
            ours = best(CHILD_OURS, args.repeat, str(folder), str(npz))
            plain = best(CHILD_PLAIN, args.repeat, str(folder))
            gdal = best(CHILD_PYOGRIO, args.repeat, str(folder)) if ogr else None
            cached = best(CHILD_CACHED, args.repeat, str(npz))
            row = {"assets": n, "format": fmt, **{f"ours_{k}": v for k, v in ours.items()},
                   "plain_s": plain["total"], "ratio_plain": ours["total"] / plain["total"],
                   "pyogrio_s": gdal["total"] if gdal else None,
                   "ratio_pyogrio": ours["total"] / gdal["total"] if gdal else None,
                   "npz_s": cached["total"], "npz_rss_mb": cached["rss_mb"]}
            results.append(row)
            g = (f"{gdal['total']:9.2f} {ours['total'] / gdal['total']:6.2f}" if gdal
                 else f"{'-':>9} {'-':>6}")
            print(f"{n:9d} {fmt:>7} {int(ours['edges']):9d} {ours['load']:7.2f} "
                  f"{ours['compile']:9.2f} {ours['total']:7.2f} {ours['rss_mb']:8.0f} "
                  f"{plain['total']:7.2f} {row['ratio_plain']:6.2f} {g} "
                  f"{cached['total']:6.2f}", flush=True)
    out = HERE / "results" / "territory.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nratio = tousrisques load+compile / floor (same files, same run); "
          f"results in {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
