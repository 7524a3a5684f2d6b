"""Synthetic territories, and coverage checked against a brute-force distance matrix."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from tousrisques import load_territory
from tousrisques.territory.synthetic import write_synthetic


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "a", n_assets=800, seed=7)
    write_synthetic(tmp_path / "b", n_assets=800, seed=7)
    write_synthetic(tmp_path / "c", n_assets=800, seed=8)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


@pytest.mark.parametrize(("n", "fmt", "links"), [(1000, "csv", 0.0), (5000, "geojson", 0.5),
                                                  (20000, "csv", 1.0)])
def test_synthetic_territory_is_valid_and_of_the_asked_size(tmp_path: Path, n: int, fmt: str,
                                                            links: float) -> None:
    count = write_synthetic(tmp_path / "t", n_assets=n, seed=1, link_factor=links,
                            asset_format=fmt)
    t = load_territory(tmp_path / "t")
    assert count == n == len(t.assets)
    s = t.summary()
    for kind in ("substation", "transformer", "line", "antenna", "backhaul", "fibre_node",
                 "core", "siren", "site"):
        assert s.by_kind[kind] > 0, kind
    assert len(t.links) >= int(links * n)
    c = t.compile()
    # every power asset reaches a source substation when nothing is broken
    import scipy.sparse.csgraph as csgraph
    power = next(g for g in c.layers if g.name == "power")
    _, labels = csgraph.connected_components(power.adjacency, directed=False)
    assert np.isin(labels, labels[power.sources]).all()
    # antennas sit where people live: the whole population is within an antenna's range
    assert s.coverage["antenna"]["population_share"] > 0.9


def test_coverage_equals_brute_force(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "t", n_assets=3000, seed=3)
    t = load_territory(tmp_path / "t")
    a, z = t.assets, t.zones
    cov = t.coverage
    for kind in cov.kinds:
        code = t.kind_names.index(kind)
        rows = np.nonzero((a.kind == code) & np.isfinite(a.x))[0]
        d = np.hypot(z.x[:, None] - a.x[rows][None, :], z.y[:, None] - a.y[rows][None, :])
        expected = d <= a.range_m[rows][None, :]
        got = cov.zones[kind][:, rows].toarray() > 0
        np.testing.assert_array_equal(got, expected, err_msg=kind)
        assert cov.zones[kind][:, np.setdiff1d(np.arange(len(a)), rows)].nnz == 0
        sites = t.actor_sites
        ds = np.hypot(a.x[sites][:, None] - a.x[rows][None, :],
                      a.y[sites][:, None] - a.y[rows][None, :])
        np.testing.assert_array_equal(cov.actors[kind][:, rows].toarray() > 0,
                                      ds <= a.range_m[rows][None, :])


def test_asset_range_overrides_the_kind(make_territory) -> None:
    # A1 stands about 140 m from the zone's representative point: 10 m misses, 5 km reaches
    csv = ("id,kind,lon,lat,requires,range_m\nCORE,core,1.02,49.32,T1,\n"
           "A1,antenna,1.011,49.311,T1@2h,{r}\nSITE,site,1.012,49.312,T1,\n")
    near = load_territory(make_territory(**{"assets/telecom.csv": csv.format(r=5000)}))
    far = load_territory(make_territory(**{"assets/telecom.csv": csv.format(r=10)}))
    assert near.coverage.zones["antenna"].nnz == 1
    assert far.coverage.zones["antenna"].nnz == 0
    assert near.summary().coverage["antenna"]["population_share"] == 1.0
