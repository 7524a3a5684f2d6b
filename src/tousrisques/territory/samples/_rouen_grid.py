"""The Rouen sample's power grid and mobile networks, built by documented rules
(docs/sample-territory.md, "Power grid" and "Mobile networks").

Power: source substations (postes sources HTB/HTA) at population-weighted centres; each
MV/LV transformer (poste HTA/BT, about 400 inhabitants) on the nearest one; the
transformers of a substation cut into radial MV feeders (départs HTA) of about
``TRANSFORMERS_PER_FEEDER`` by direction, each a tree (minimum spanning tree from the
transformer nearest the substation) of cable or line sections from one transformer to the
next; a normally-open switch (bouclage HTA) from the far end of each feeder to the nearest
transformer of another feeder, within ``TIE_MAX_M``. Sections are underground in the dense
core and overhead in the outer communes, drawn by the density of the cell they cross
(``UNDERGROUND_SHARE``).

Mobile: four operators (Orange, SFR, Bouygues Telecom, Free) over antenna sites of which
some are shared, each site with its backhaul to the nearest fibre node, fibre nodes joined to
every operator's core, batteries of one to four hours at the sites.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

TRANSFORMERS_PER_FEEDER = 22
TIE_MAX_M = 4000.0
ROUTE_FACTOR = 1.3  # a line follows roads and field edges, not the straight line
#: (density from, inhabitants per km²) → share of underground sections
UNDERGROUND_SHARE = ((3000.0, 0.95), (1000.0, 0.75), (300.0, 0.4), (0.0, 0.15))
OPERATORS = ("Orange", "SFR", "Bouygues Telecom", "Free")
OPERATOR_WEIGHTS = np.array([0.32, 0.24, 0.24, 0.20])
#: how many operators a site hosts: 1 (65 %), 2 (22 %), 3 (9 %), 4 (4 %)
SHARING = np.array([0.65, 0.22, 0.09, 0.04])
#: battery hours of an antenna site: 1 h (25 %), 2 h (35 %), 3 h (25 %), 4 h (15 %)
BATTERY = np.array([0.25, 0.35, 0.25, 0.15])

Rows = list[list[Any]]


@dataclass
class Grid:
    """The power assets' rows, each zone's supply, and the transformer nearest a point."""

    rows: Rows
    supply: list[list[str]]
    nearest: Callable[[float, float], str]
    tx: np.ndarray
    ty: np.ndarray


def _underground(rng: np.random.Generator, density: float) -> bool:
    share = next(s for d, s in UNDERGROUND_SHARE if density >= d)
    return bool(rng.random() < share)


def power_grid(rng: np.random.Generator, zx: np.ndarray, zy: np.ndarray, zpop: np.ndarray,
               zdensity: np.ndarray, n_tr: int, sources: tuple[np.ndarray, np.ndarray],
               lonlat: Callable[[float, float], tuple[float, float]]) -> Grid:
    """Transformers where people live, radial feeders out of each source substation."""
    cells = rng.choice(len(zx), n_tr, p=zpop / zpop.sum())
    tx = zx[cells] + rng.uniform(-300, 300, n_tr)
    ty = zy[cells] + rng.uniform(-300, 300, n_tr)
    sx, sy = sources
    zone_tree = cKDTree(np.c_[zx, zy])
    src_of = cKDTree(np.c_[sx, sy]).query(np.c_[tx, ty])[1]
    rows: Rows = [["id", "kind", "name", "lon", "lat", "source", "requires", "connects",
                   "construction", "length_m", "feeder", "normally_open"]]
    for s in range(len(sx)):
        rows.append([f"PS{s}", "substation", f"Poste source {s}", *lonlat(sx[s], sy[s]),
                     "true", "", "", "", "", "", ""])
    for i in range(n_tr):
        rows.append([f"T{i:04d}", "transformer", "", *lonlat(tx[i], ty[i]), "", "", "", "",
                     "", "", ""])
    feeder_of = np.full(n_tr, -1)
    ends: list[tuple[int, int]] = []  # (feeder number, its farthest transformer)
    feeder_names: list[str] = []
    for s in range(len(sx)):
        mine = np.nonzero(src_of == s)[0]
        if not len(mine):
            continue
        angle = np.arctan2(ty[mine] - sy[s], tx[mine] - sx[s])
        mine = mine[np.argsort(angle, kind="stable")]
        n_feeders = max(1, round(len(mine) / TRANSFORMERS_PER_FEEDER))
        for f, part in enumerate(np.array_split(mine, n_feeders)):
            name = f"D{s}-{f + 1:02d}"
            feeder_of[part] = len(feeder_names)
            feeder_names.append(name)
            pts = np.c_[tx[part], ty[part]]
            head = int(np.argmin(np.hypot(pts[:, 0] - sx[s], pts[:, 1] - sy[s])))
            tree = minimum_spanning_tree(cdist(pts, pts) + 1e-9 * (1 - np.eye(len(pts))))
            order, parent = breadth_first_order(tree, head, directed=False,
                                                return_predecessors=True)
            depth = np.zeros(len(pts))
            sections: list[tuple[str, int, float, float]] = []  # (from, to row, mid x, y)
            for k, node in enumerate(order.tolist()):
                if node == head:
                    up, ux, uy = f"PS{s}", sx[s], sy[s]
                else:
                    p = int(parent[node])
                    up, ux, uy = f"T{part[p]:04d}", pts[p, 0], pts[p, 1]
                    depth[node] = depth[p] + np.hypot(*(pts[node] - pts[p]))
                sections.append((up, int(part[node]), (ux + pts[node, 0]) / 2,
                                 (uy + pts[node, 1]) / 2))
                del k
            for k, (up, tr, mx, my) in enumerate(sections):
                x0, y0 = (sx[s], sy[s]) if up.startswith("PS") else \
                    (tx[int(up[1:])], ty[int(up[1:])])
                length = ROUTE_FACTOR * float(np.hypot(tx[tr] - x0, ty[tr] - y0))
                cell = int(zone_tree.query([mx, my])[1])
                kind = "underground" if _underground(rng, float(zdensity[cell])) \
                    else "overhead"
                rows.append([f"L-{name}-{k:03d}", "line", "", "", "", "", "",
                             f"{up};T{tr:04d}", kind, f"{max(length, 50.0):.0f}", name, ""])
            ends.append((len(feeder_names) - 1, int(part[int(np.argmax(depth))])))
    tr_tree = cKDTree(np.c_[tx, ty])
    for f, end in ends:
        dist, near = tr_tree.query([tx[end], ty[end]], k=min(40, n_tr))
        other = [(d, int(j)) for d, j in zip(np.atleast_1d(dist), np.atleast_1d(near),
                                             strict=True) if feeder_of[int(j)] != f]
        if other and other[0][0] <= TIE_MAX_M:
            d, j = other[0]
            rows.append([f"SW-{feeder_names[f]}", "switch", "Interrupteur de bouclage HTA", "",
                         "", "", "", f"T{end:04d};T{j:04d}", "underground",
                         f"{ROUTE_FACTOR * d:.0f}", feeder_names[f], "true"])
    # each zone's homes on the transformers drawn in it, else on the nearest one
    supply: list[list[str]] = [[] for _ in range(len(zx))]
    for i, c in enumerate(cells.tolist()):
        supply[c].append(f"T{i:04d}")
    for z in range(len(zx)):
        if not supply[z] and zpop[z] > 0:
            supply[z].append(f"T{int(tr_tree.query([zx[z], zy[z]])[1]):04d}")

    def nearest(x: float, y: float) -> str:
        return f"T{int(tr_tree.query([x, y])[1]):04d}"

    return Grid(rows, supply, nearest, tx, ty)


def mobile_networks(rng: np.random.Generator, sites: tuple[np.ndarray, np.ndarray],
                    nodes: tuple[np.ndarray, np.ndarray], cores: list[tuple[float, float]],
                    nearest: Callable[[float, float], str],
                    lonlat: Callable[[float, float], tuple[float, float]]
                    ) -> tuple[Rows, Rows]:
    """Antenna sites of four operators, fibre nodes, one core per operator; the rows of the
    telecom assets and of the links between fibre nodes and cores."""
    ax, ay = sites
    fx, fy = nodes
    n_ant, n_fn = len(ax), len(fx)
    rows: Rows = [["id", "kind", "name", "lon", "lat", "requires", "connects", "operator"]]
    codes = ["ORANGE", "SFR", "BOUYGUES", "FREE"]
    for k, ((x, y), op) in enumerate(zip(cores, OPERATORS, strict=True)):
        rows.append([f"CORE-{codes[k]}", "core", f"Cœur de réseau {op}", *lonlat(x, y),
                     nearest(x, y), "", op])
    for k in range(n_fn):
        rows.append([f"NRO{k:02d}", "fibre_node", "", *lonlat(fx[k], fy[k]),
                     f"{nearest(fx[k], fy[k])}@4h", "", "|".join(OPERATORS)])
    fn_of = cKDTree(np.c_[fx, fy]).query(np.c_[ax, ay])[1]
    hours = rng.choice(np.arange(1, 5), n_ant, p=BATTERY)
    shared = rng.choice(np.arange(1, 5), n_ant, p=SHARING)
    for k in range(n_ant):
        ops = rng.choice(len(OPERATORS), shared[k], replace=False, p=OPERATOR_WEIGHTS)
        names = "|".join(OPERATORS[i] for i in sorted(ops.tolist()))
        rows.append([f"ANT{k:03d}", "antenna", "", *lonlat(ax[k], ay[k]),
                     f"{nearest(ax[k], ay[k])}|GE-ANT{k:03d}@{hours[k]}h", "", names])
    for k in range(n_ant):
        rows.append([f"BH{k:03d}", "backhaul", "", "", "", "", f"ANT{k:03d};NRO{fn_of[k]:02d}",
                     rows[1 + len(cores) + n_fn + k][7]])
    links: Rows = [["from", "to", "layer"]]
    links += [[f"NRO{k:02d}", f"CORE-{c}", "telecom"] for k in range(n_fn) for c in codes]
    links += [[f"CORE-{a}", f"CORE-{b}", "telecom"] for i, a in enumerate(codes)
              for b in codes[i + 1:]]
    return rows, links
