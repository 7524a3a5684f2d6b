"""Compilation to the engine's arrays, and their save/load round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse.csgraph as csgraph

from tests.conftest import EXAMPLE
from tousrisques import CompiledFormatError, CompiledTerritory, load_territory


@pytest.fixture(scope="module")
def example():
    return load_territory(EXAMPLE)


def _groups(c: CompiledTerritory, ident: str) -> list[tuple[list[str], float]]:
    row = c.asset_ids.to_pylist().index(ident)
    ids = c.asset_ids.to_pylist()
    return [([ids[a] for a in alts], b) for alts, b in c.requires.groups_of(row)]


def test_requirements_are_csr_with_backups(example) -> None:
    c = example.compile()
    # CSV "T-SUD@4h": the group's own backup; antenna kind default (2 h, overridden in
    # territory.yaml) for a power-only group without one
    assert _groups(c, "ANT-SUD") == [(["T-SUD"], 4 * 3600.0)]
    assert _groups(c, "ANT-NORD") == [(["T-NORD"], 2 * 3600.0)]
    # two groups, alternatives, a non-power group gets no default backup
    assert _groups(c, "MAIL-PV") == [(["DC-PV"], 0.0), (["NRO-PV"], 0.0)]
    assert _groups(c, "MAIRIE") == [(["T-NORD", "GE-MAIRIE"], 0.0)]
    m = c.requires.matrix(c.n_assets)
    assert m.shape == (c.requires.n_groups, c.n_assets)
    working = np.ones(c.n_assets, bool)
    working[c.asset_ids.to_pylist().index("T-NORD")] = False
    met = (m @ working) > 0
    mairie_group = c.requires.owner_ptr[c.asset_ids.to_pylist().index("MAIRIE")]
    assert met[mairie_group]  # the generator still feeds the town hall


def test_layers_join_links_and_line_assets(example) -> None:
    c = example.compile()
    ids = c.asset_ids.to_pylist()
    power = next(g for g in c.layers if g.name == "power")
    members = [ids[i] for i in power.members]
    assert set(members) == {"PS-ELBEUF", "L-NORD", "L-SUD", "T-NORD", "T-SUD", "GE-MAIRIE"}
    n, labels = csgraph.connected_components(power.adjacency, directed=False)
    comp = dict(zip(members, labels, strict=True))
    # the substation reaches both transformers through the lines; the generator stands alone
    assert comp["PS-ELBEUF"] == comp["T-NORD"] == comp["T-SUD"] == comp["L-NORD"]
    assert comp["GE-MAIRIE"] != comp["PS-ELBEUF"]
    assert n == 2
    # removing the line L-NORD cuts T-NORD from the substation
    keep = np.array([m != "L-NORD" for m in members])
    sub = power.adjacency[keep][:, keep]
    _, labels2 = csgraph.connected_components(sub, directed=False)
    kept = [m for m in members if m != "L-NORD"]
    comp2 = dict(zip(kept, labels2, strict=True))
    assert comp2["T-NORD"] != comp2["PS-ELBEUF"] and comp2["T-SUD"] == comp2["PS-ELBEUF"]
    assert [ids[i] for i in power.members[power.sources]] == ["PS-ELBEUF", "GE-MAIRIE"]
    telecom = next(g for g in c.layers if g.name == "telecom")
    assert telecom.adjacency.nnz == 8  # 2 links + backhaul line (2 edges), both directions


def test_actor_and_channel_tables(example) -> None:
    c = example.compile()
    actors = c.actor_ids.tolist()
    channels = c.channel_ids.tolist()
    assert c.actor_ids[c.crisis_cell].tolist() == ["MAIRIE-PCS", "PREF-COD"]
    cis = actors.index("CIS")
    assert sorted(channels[j] for j in c.actor_channels[cis].indices) == \
        ["fixe", "mobile", "radio-secours"]
    assert c.reports_to.tolist().count([cis, actors.index("MAIRIE-PCS")]) == 1
    fr_alert = channels.index("fr-alert")
    assert c.channel_broadcast[fr_alert] and c.channel_latency_s[fr_alert] == 600
    # triggered_by: [prefecture] is a role: the prefecture actor may trigger it
    assert [actors[j] for j in c.channel_triggers[fr_alert].indices] == ["PREF-COD"]
    assert c.coverage_kinds[c.channel_coverage[fr_alert]] == "antenna"


def test_round_trip_through_npz(example, tmp_path: Path) -> None:
    c = example.compile()
    path = tmp_path / "sub" / "example.npz"
    c.save(path)
    d = CompiledTerritory.load(path)
    assert d.asset_ids.to_pylist() == c.asset_ids.to_pylist()
    assert d.zone_ids.to_pylist() == c.zone_ids.to_pylist()
    for name in ("kind", "layer", "source", "repair_s", "population", "actor_site",
                 "crisis_cell", "reports_to", "channel_latency_s", "channel_coverage"):
        np.testing.assert_array_equal(getattr(d, name), getattr(c, name), err_msg=name)
    for name in ("requires", "zone_requires", "channel_requires"):
        a, b = getattr(c, name), getattr(d, name)
        for f in ("owner_ptr", "alt_ptr", "alt", "backup_s"):
            np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    for g1, g2 in zip(c.layers, d.layers, strict=True):
        assert g1.name == g2.name
        assert (g1.adjacency != g2.adjacency).nnz == 0
    for k in c.coverage_kinds:
        assert (c.zone_coverage[k] != d.zone_coverage[k]).nnz == 0
        assert (c.actor_coverage[k] != d.actor_coverage[k]).nnz == 0
    assert d.kind_names == c.kind_names and d.layer_names == c.layer_names
    assert not list(tmp_path.glob("sub/*.tmp"))  # nothing half-written left behind


def test_load_refuses_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CompiledFormatError, match="not a compiled territory"):
        CompiledTerritory.load(bad)
    other = tmp_path / "other.npz"
    np.savez(other, format_version=np.array(99))
    with pytest.raises(CompiledFormatError, match="compile the territory again"):
        CompiledTerritory.load(other)
