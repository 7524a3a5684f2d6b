"""``explain``, ``compare``, ``criticality`` and ``export``: what they print and write checked
against the run folder and the engine, and every refusal of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import RUNS, Town, bad_input, copy_town, invoke
from tests.conftest import write_scenario
from tests.runs import replay_run
from tousrisques import load_territory
from tousrisques.analysis import criticality, present_after_mitigations
from tousrisques.engine import CAUSES
from tousrisques.indicators import compute_indicators
from tousrisques.results import read_run
from tousrisques.scenario import load_scenario

H = 3600.0
STATUSES = {"ok", "nobody", "requires", "coverage", "site"}


@pytest.fixture(scope="module")
def loaded(town: Town):
    """The shared run folder read back (its study and summary)."""
    got = read_run(town.run)
    return got.study, got.summary


def _worst(loaded) -> int:
    """The output time at which the fewest actors reach a crisis cell in the told run."""
    study, _ = loaded
    return int(np.argmin(study.indicators.value("actors_connected")))


def test_explain_an_asset_down_back_to_the_event(town: Town, loaded) -> None:
    study, _ = loaded
    t = study.scenario.territory
    k = _worst(loaded)
    tl = study.timeline
    down = np.nonzero(~tl.working_at(k))[0].tolist()
    # an asset down by a cascade (not itself hit), so that its chain has links
    cascade = [a for a in down
               if CAUSES[int(tl.log.cause[tl.last_change(a, tl.times_s[k])])] != "event"]
    assert cascade, "the storm puts something down by cascade in the told run"
    asset = t.assets.id_of(cascade[0])
    at = f"{k}h"
    r = invoke("explain", town.run, asset, "--at", at, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["subject"], data["type"], data["run"], data["working"]) == \
        (asset, "asset", study.run, False)
    chain = data["chain"]
    assert chain[0]["asset"] == asset and chain[0]["depth"] == 0
    assert chain[0]["cause"] in ("requirement", "backup exhausted", "disconnected")
    events = [c for c in chain if c["cause"] == "event"]
    assert events and all(c["event"] and c["depth"] > 0 for c in events)
    assert all(c["time_h"] <= k for c in chain)
    text = invoke("explain", town.run, asset, "--at", at).output
    assert f"{asset}" in text and "was down at" in text and "damaged by" in text
    fr = invoke("explain", town.run, asset, "--at", at, "--lang", "fr").output
    assert "était hors service" in fr and "dégâts causés par" in fr


def test_explain_an_actor_cut_off(town: Town, loaded) -> None:
    study, _ = loaded
    k = _worst(loaded)
    ind = study.indicators
    ids = [a.id for a in study.scenario.territory.actors]
    cut = [a for a in ids if not np.isfinite(ind.value(f"actor_latency:{a}")[k])]
    linked = [a for a in ids if np.isfinite(ind.value(f"actor_latency:{a}")[k])]
    assert cut and linked
    r = invoke("explain", town.run, cut[0], "--at", f"{k}h", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["type"], data["connected"], data["latency_s"], data["time_h"]) == \
        ("actor", False, None, float(k))
    t = study.scenario.territory
    held = set(next(a for a in t.actors if a.id == cut[0]).channels)
    talk = {c.id for c in t.channels if c.mode == "point_to_point"}
    assert held & talk <= {c["channel"] for c in data["channels"]} <= held
    assert {c["status"] for c in data["channels"]} <= STATUSES - {"ok"}
    if data["site_chain"]:
        assert data["site_chain"][0]["asset"] == data["site"]
    for ch in data["channels"]:
        if ch["status"] == "site":  # the site's chain tells why
            assert ch["assets"] == [data["site"]] and ch["chains"] == [] and data["site_chain"]
            continue
        assert len(ch["chains"]) == len(ch["assets"])
        for asset, chain in zip(ch["assets"], ch["chains"], strict=True):
            assert chain[0]["asset"] == asset
    r = invoke("explain", town.run, linked[0], "--at", f"{k}h", "--json")
    assert json.loads(r.stdout)["connected"] is True
    text = invoke("explain", town.run, cut[0], "--at", f"{k}h").output
    assert cut[0] in text and "could not reach any crisis cell" in text
    assert f"(run {study.run})" in text
    fr = invoke("explain", town.run, cut[0], "--at", f"{k}h", "--lang", "fr").output
    assert "ne pouvait joindre aucune cellule de crise" in fr


def test_explain_refuses_bad_input(town: Town) -> None:
    bad_input(invoke("explain", town.run, "NOPE", "--at", "6h"), "NOPE",
              "no asset or actor has this id")
    bad_input(invoke("explain", town.run, "NOPE", "--at", "6h", "--lang", "fr"), "NOPE",
              "aucun équipement ni acteur")
    bad_input(invoke("explain", town.run, "CIS", "--at", "90h"), "--at 90h",
              "outside the scenario (0\u00a0h to 48\u00a0h)")
    bad_input(invoke("explain", town.run, "CIS", "--at", "90h", "--lang", "fr"), "--at 90h",
              "hors du scénario (de 0\u202fh à 48\u202fh)")
    bad_input(invoke("explain", town.run, "CIS", "--at", "later"), "--at later")
    bad_input(invoke("explain", town.run, "CIS", "--at", "6h", "--run", "99"), "--run 99",
              f"{RUNS} runs, numbered 0 to {int(RUNS) - 1}")
    bad_input(invoke("explain", "nowhere.yaml", "CIS", "--at", "6h"), "nowhere.yaml")
    assert invoke("explain", town.run, "CIS").exit_code == 2  # --at is required


def test_explain_on_a_scenario_file_and_another_run(town: Town, loaded) -> None:
    study, _ = loaded
    s = study.scenario
    row = s.territory.assets.row_of("ANT-SUD")
    for args, run in (((town.scenario,), 0), ((town.scenario, "--run", "2"), 2),
                      ((town.run, "--run", str((study.run + 1) % int(RUNS))),
                       (study.run + 1) % int(RUNS))):
        r = invoke("explain", args[0], "ANT-SUD", "--at", "7h", *args[1:], "--json")
        assert r.exit_code == 0, r.output
        data = json.loads(r.stdout)
        assert data["run"] == run
        _, tl = replay_run(s, run)  # the folder's seed is the scenario's
        assert data["working"] == bool(tl.state_at(7 * H)[row])
        assert data["working"] == (data["chain"] == [])


def test_compare_two_run_folders_and_a_scenario(town: Town, tmp_path: Path) -> None:
    folder = copy_town(tmp_path / "t")
    text = town.scenario.read_text(encoding="utf-8")
    calm = write_scenario(folder, "calme.yaml", text.replace(
        "peak_kmh: 150", "peak_kmh: 90").replace("Winter storm and ransomware", "Breeze"))
    assert invoke("run", calm, "--runs", "3", "-o", "calm", "--no-report").exit_code == 0
    r = invoke("compare", town.run, "calm")
    assert r.exit_code == 0, r.output
    assert "Key figures side by side" in r.output and "Breeze" in r.output
    r = invoke("compare", town.run, "calm", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["first"] == {"path": str(town.run), "name": "Winter storm and ransomware",
                             "runs": int(RUNS)}
    assert data["second"]["name"] == "Breeze" and data["second"]["runs"] == 3
    recorded = {f["id"]: f for f in json.loads(
        (town.run / "summary.json").read_text(encoding="utf-8"))["key_figures"]}
    for f in data["figures"]:
        mean = recorded[f["id"]]["median"]
        if mean is None:
            assert f["first"] is None
        else:
            assert f["first"] == pytest.approx(mean, abs=1e-6)
        if f["first"] is not None and f["second"] is not None:
            assert f["difference"] == pytest.approx(f["second"] - f["first"])
    worst = next(f for f in data["figures"] if f["id"] == "reach_any_worst")
    assert worst["second"] > worst["first"]  # a breeze takes nobody's alerts away
    # a folder and a scenario file, run now
    r = invoke("compare", "calm", town.scenario, "--runs", "2", "--json", "--lang", "fr")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["second"]["runs"] == 2
    assert data["second"]["name"] == "Tempête hivernale et rançongiciel"
    bad_input(invoke("compare", town.run, "nowhere"), "nowhere")


#: the criticality's text columns, read as text even when every value is empty
TEXT_COLUMNS = pacsv.ConvertOptions(column_types={
    k: pa.string() for k in ("name", "commune", "feeder")}, strings_can_be_null=False)


def test_criticality_of_a_territory_and_of_a_scenario(town: Town, tmp_path: Path) -> None:
    r = invoke("criticality", town.folder, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    territory = load_territory(town.folder)
    expected = criticality(territory.compile(), territory=territory)
    assert data["assets"] == expected.table.to_pylist()  # 20 assets, all under --top 20
    assert data["baseline_population"] == expected.baseline_population
    assert data["main_channel"] == expected.main_channel == "fr-alert"
    assert [a["rank"] for a in data["assets"]] == list(range(1, 21))
    severity = [a["severity"] for a in data["assets"]]
    assert severity == sorted(severity, reverse=True) and severity[0] > 0
    # one line per group, each with its members, names and communes beside the ids
    groups = data["groups"]
    assert [g["asset"] for g in groups] == expected.heads().column("asset").to_pylist()
    assert sum(len(g["members"]) for g in groups) == 20
    assert all(len(g["members"]) == g["group_size"] and g["members"][0] == g["asset"]
               for g in groups)
    assert groups[0]["name"] == "Hôtel de ville (PCS)" and groups[0]["commune"] == "Centre"
    # a scenario: its mitigations in place; --top; --csv holds the whole ranking
    r = invoke("criticality", town.scenario, "--json", "--top", "3", "--csv", "out/crit.csv")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    s = load_scenario(town.scenario)
    expected = criticality(s.compiled, absent=present_after_mitigations(s),
                           territory=s.territory)
    assert data["assets"] == expected.top(3).to_pylist()
    table = pacsv.read_csv(tmp_path / "out" / "crit.csv", convert_options=TEXT_COLUMNS)
    assert table.num_rows == 20 and table.column_names == expected.table.column_names
    assert table.slice(0, 3).to_pylist() == data["assets"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["crit.csv"]
    # ranked by actors
    r = invoke("criticality", town.scenario, "--json", "--by", "actors", "--horizon", "1h")
    data = json.loads(r.stdout)
    assert data["by"] == "actors" and data["horizon_s"] == H
    keys = [(a["actors_cut"], a["population_lost"]) for a in data["assets"]]
    assert keys == sorted(keys, reverse=True) and keys[0][0] > 0
    # as a table, in both languages
    top = expected.table.column("asset")[0].as_py()
    assert top in invoke("criticality", town.scenario, "--top", "2").output
    assert top in invoke("criticality", town.scenario, "--top", "2", "--lang", "fr").output


def test_criticality_refuses_bad_input(town: Town) -> None:
    bad_input(invoke("criticality", "nowhere"), "nowhere")
    bad_input(invoke("criticality", town.folder, "--horizon", "soon"), "--horizon soon")
    assert invoke("criticality", town.folder, "--by", "mood").exit_code == 2
    assert invoke("criticality", town.folder, "--top", "0").exit_code == 2


def test_export_geojson_matches_the_timeline(town: Town, loaded, tmp_path: Path) -> None:
    study, _ = loaded
    t = study.scenario.territory
    k = _worst(loaded)
    r = invoke("export", town.run, "--at", f"{k}h", "--geojson", "maps/state.geojson", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"ok": True, "run": study.run,
                                    "written": ["maps/state.geojson"]}
    data = json.loads((tmp_path / "maps" / "state.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assets = {f["properties"]["id"]: f["properties"] for f in data["features"]
              if f["properties"]["layer"] == "asset"}
    working, present = study.timeline.working_at(k), study.timeline.present_at(k)
    with_geometry = [i for i in range(len(t.assets)) if t.assets.geometry[i] is not None]
    assert sorted(assets) == sorted(t.assets.id_of(i) for i in with_geometry)
    for i in with_geometry:
        p = assets[t.assets.id_of(i)]
        expected = "absent" if not present[i] else "working" if working[i] else "down"
        assert p["state"] == expected, p
        assert (p["cause"] is not None) == (expected == "down")
    assert any(p["state"] == "down" for p in assets.values())
    zones = [f["properties"] for f in data["features"] if f["properties"]["layer"] == "zone"]
    assert [z["id"] for z in zones] == list(study.ensemble.zone_ids)
    np.testing.assert_allclose([z["reached_share"] for z in zones],
                               study.ensemble.zone_reached[k, -1])
    assert all(f["geometry"]["type"] in ("Point", "LineString", "Polygon", "MultiPolygon")
               for f in data["features"])


def test_export_from_a_scenario_file_is_its_run(town: Town, tmp_path: Path) -> None:
    r = invoke("export", town.scenario, "--at", "6.5h", "--geojson", "s.geojson",
               "--indicators", "s.parquet", "--run", "1")
    assert r.exit_code == 0, r.output
    assert "s.geojson" in r.output and "s.parquet" in r.output
    s = load_scenario(town.scenario)
    result, tl = replay_run(s, 1)
    data = json.loads((tmp_path / "s.geojson").read_text(encoding="utf-8"))
    assert data["name"] == "tempete at 6 h"  # the state at the output time before
    state = {f["properties"]["id"]: f["properties"]["state"] for f in data["features"]
             if f["properties"]["layer"] == "asset"}
    working = tl.working_at(6)
    for i in range(len(s.territory.assets)):
        if s.territory.assets.id_of(i) in state:
            assert (state[s.territory.assets.id_of(i)] == "working") == working[i]
    zones = [f["properties"] for f in data["features"] if f["properties"]["layer"] == "zone"]
    assert zones and all("reached_share" not in z for z in zones)  # one run: no share
    table = pq.read_table(tmp_path / "s.parquet")
    assert table.column_names == ["name", "time_s", "time_h", "value", "count"]
    expected = compute_indicators(s.compiled, tl).to_table()
    np.testing.assert_array_equal(table.column("value").to_numpy(),
                                  expected.column("value").to_numpy())
    np.testing.assert_allclose(table.column("time_h").to_numpy() * H,
                               table.column("time_s").to_numpy())
    assert result.indicators.names == tuple(dict.fromkeys(table.column("name").to_pylist()))


def test_export_indicators_of_a_run_folder(town: Town, loaded, tmp_path: Path) -> None:
    study, _ = loaded
    r = invoke("export", town.run, "--indicators", "x.csv")
    assert r.exit_code == 0, r.output
    # the statistics, as the run folder's own indicators.csv
    assert (tmp_path / "x.csv").read_bytes() == (town.run / "indicators.csv").read_bytes()
    assert invoke("export", town.run, "--indicators", "x.parquet").exit_code == 0
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.column_names[:4] == ["name", "time_s", "time_h", "mean"]
    stats = study.ensemble.stats_table()
    for col in ("mean", "p10", "p50", "p90"):
        np.testing.assert_array_equal(table.column(col).to_numpy(),
                                      stats.column(col).to_numpy())
    # one run of the folder: its own values
    assert invoke("export", town.run, "--indicators", "one.parquet", "--run", "0").exit_code == 0
    one = pq.read_table(tmp_path / "one.parquet")
    runs = pq.read_table(town.run / "runs.parquet").to_pylist()
    np.testing.assert_array_equal(one.column("value").to_numpy(),
                                  [row["value"] for row in runs if row["run"] == 0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.parquet", "x.csv", "x.parquet"]


def test_export_refuses_bad_input(town: Town, tmp_path: Path) -> None:
    bad_input(invoke("export", town.run, "--geojson", "a.geojson"), "--geojson needs --at")
    bad_input(invoke("export", town.run, "--geojson", "a.geojson", "--lang", "fr"),
              "--geojson demande --at")
    bad_input(invoke("export", town.run, "--indicators", "x.txt"), "x.txt", ".csv or .parquet")
    bad_input(invoke("export", town.run, "--indicators", "x.txt", "--lang", "fr"), "x.txt",
              ".csv ou .parquet")
    bad_input(invoke("export", town.run), "nothing to export")
    bad_input(invoke("export", town.run, "--at", "3d", "--geojson", "a.geojson"), "--at 3d",
              "outside the scenario")
    bad_input(invoke("export", town.run, "--at", "noon", "--geojson", "a.geojson"), "--at noon")
    bad_input(invoke("export", tmp_path, "--indicators", "x.csv"), "not a run folder")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_explain_an_unknown_id_says_which_one_was_meant(town: Town) -> None:
    out = bad_input(invoke("explain", town.run, "CISS", "--at", "6h"), "CISS",
                    "no asset or actor has this id", 'did you mean "CIS"?')
    assert "Traceback" not in out
    fr = bad_input(invoke("explain", town.run, "ANT-NORDD", "--at", "6h", "--lang", "fr"),
                   "aucun équipement ni acteur", "vouliez-vous dire «\u202fANT-NORD\u202f»")
    assert "did you mean" not in fr
