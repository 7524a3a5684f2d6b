"""Rules added after the first review: no false alarms around an unreadable file, links that
leave the folder, Web Mercator, a YAML file loaded by its own name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tousrisques import ValidationError, load_territory


def _problems(folder: Path) -> list:
    with pytest.raises(ValidationError) as exc:
        load_territory(folder)
    return list(exc.value.problems)


def test_unreadable_asset_file_does_not_make_every_reference_unknown(make_territory) -> None:
    folder = make_territory(**{"assets/power.geojson": '{"type": "FeatureCollection",'})
    problems = _problems(folder)
    codes = [p.code for p in problems]
    assert "json.syntax" in codes
    assert "ref.asset" not in codes  # T1, S1... live in the unreadable file
    note = next(p for p in problems if p.code == "refs.unchecked")
    assert note.severity == "warning" and note.file == "assets/power.geojson"
    assert note.params["count"] >= 3


def test_symbolic_link_out_of_the_folder_is_refused(make_territory, tmp_path: Path) -> None:
    folder = make_territory()
    outside = tmp_path / "secret.csv"
    outside.write_text("from,to\n", encoding="utf-8")
    os.symlink(outside, folder / "links" / "sneaky.csv")
    (folder / "territory.yaml").write_text(
        (folder / "territory.yaml").read_text().replace("links: [links/links.csv]",
                                                        "links: [links/sneaky.csv]"))
    text = (folder / "territory.yaml").read_text().splitlines()
    line = next(i for i, t in enumerate(text, start=1) if t.startswith("links:"))
    (p,) = [p for p in _problems(folder) if p.code == "file.outside"]
    assert (p.file, p.field, p.line) == ("territory.yaml", "links", line)


def test_links_must_be_csv(make_territory) -> None:
    folder = make_territory(**{"links/links.json": "[]"})
    (folder / "territory.yaml").write_text(
        (folder / "territory.yaml").read_text().replace("links/links.csv", "links/links.json"))
    (p,) = [p for p in _problems(folder) if p.code == "file.type"]
    assert p.file == "links/links.json" and p.params["allowed"] == ".csv"


def test_web_mercator_is_a_warning(make_territory) -> None:
    folder = make_territory()
    yaml = folder / "territory.yaml"
    yaml.write_text(yaml.read_text().replace("EPSG:2154", "EPSG:3857"))
    t = load_territory(folder)
    (w,) = [w for w in t.warnings if w.code == "crs.distorted"]
    assert (w.file, w.line, w.field) == ("territory.yaml", 3, "metric_crs")


def test_a_territory_file_of_another_name_is_named_in_problems(make_territory) -> None:
    folder = make_territory()
    other = folder / "scenario-base.yaml"
    other.write_text((folder / "territory.yaml").read_text().replace("Europe/Paris",
                                                                     "Europe/Lutece"))
    with pytest.raises(ValidationError) as exc:
        load_territory(other)
    (p,) = exc.value.problems
    assert (p.code, p.file, p.line) == ("timezone.invalid", "scenario-base.yaml", 2)


def test_triggered_by_accepts_one_name(make_territory) -> None:
    folder = make_territory()
    ch = folder / "channels.yaml"
    ch.write_text(ch.read_text().replace("triggered_by: [prefecture]", "triggered_by: COD"))
    t = load_territory(folder)
    c = t.compile()
    fr_alert = c.channel_ids.tolist().index("fr-alert")
    assert c.channel_triggers[fr_alert].indices.tolist() == [0]


def test_a_line_without_connects_is_a_warning(make_territory) -> None:
    folder = make_territory(**{"assets/telecom.csv":
                               "id,kind,lon,lat,requires,connects\nCORE,core,1.02,49.32,T1,\n"
                               "A1,antenna,1.011,49.311,T1@2h,\nSITE,site,1.012,49.312,T1,\n"
                               "BH9,backhaul,,,,\n"})
    t = load_territory(folder)
    (w,) = [w for w in t.warnings if w.code == "connects.missing"]
    assert (w.file, w.line, w.ident, w.severity) == ("assets/telecom.csv", 5, "BH9", "warning")


def test_french_spreadsheet_csv_with_semicolons_and_decimal_commas(make_territory) -> None:
    folder = make_territory(**{"assets/telecom.csv":
                               "id;kind;lon;lat;requires;connects\r\n"
                               "CORE;core;1,02;49,32;T1;\r\n"
                               'A1;antenna;1,011;49,311;"T1@2h; CORE";\r\n'
                               "SITE;site;1,012;49,312;T1;\r\n"})
    t = load_territory(folder)
    a1 = t.assets.row_of("A1")
    assert (t.assets.lon[a1], t.assets.lat[a1]) == (1.011, 49.311)
    alts = [[t.assets.id_of(x) for x in g] for g, _ in t.assets.requires.groups_of(a1)]
    assert alts == [["T1"], ["CORE"]]


def test_semicolon_csv_reports_bad_numbers_on_their_line(make_territory) -> None:
    folder = make_territory(**{"assets/telecom.csv":
                               "id;kind;lon;lat;requires\nCORE;core;1,02;49,32;T1\n"
                               "A1;antenna;1,011;abc;T1\nSITE;site;1,012;49,312;T1\n"})
    (p,) = [p for p in _problems(folder) if p.code == "field.number"]
    assert (p.file, p.line, p.field, p.ident) == ("assets/telecom.csv", 3, "lat", "A1")


def test_a_schema_error_in_territory_yaml_does_not_hide_the_other_files(make_territory
                                                                        ) -> None:
    folder = make_territory(**{"assets/telecom.csv":
                               "id,kind,lon,lat,requires\nCORE,core,1.02,49.32,T1\n"
                               "A1,antena,1.011,49.311,T1\nSITE,site,1.012,49.312,T1\n"})
    yaml = folder / "territory.yaml"
    yaml.write_text(yaml.read_text() + "colour: blue\n")
    codes = {(p.code, p.file) for p in _problems(folder)}
    assert ("field.unknown", "territory.yaml") in codes
    assert ("kind.unknown", "assets/telecom.csv") in codes
