"""Part 2's API in the app in this process: the reflex sheet and its ticks, annotations and
who sees them, their GeoJSON and HXL exports, notes, relays, the map and its state, QR codes;
each with who may and the refusals that write nothing."""

from __future__ import annotations

import csv
import io
import shutil
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import EXAMPLE
from tests.web.conftest import ADMIN, admin, bearer, join
from tousrisques.web import ServerSettings, create_app, hash_secret

_EXPECTED = """
    expected:
      - who: mayor
        action: {fr: "Déclencher le PCS", en: "Trigger the PCS"}
        within: 30m
"""
POINT = {"type": "Point", "coordinates": [1.0, 49.3]}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app on a library whose town has expected actions and a reserve with volunteers."""
    from starlette.testclient import TestClient

    root = tmp_path_factory.mktemp("play")
    town = root / "lib" / "petite-ville"
    shutil.copytree(EXAMPLE, town, ignore=shutil.ignore_patterns(".tousrisques"))
    actors = (town / "actors.yaml").read_text(encoding="utf-8")
    (town / "actors.yaml").write_text(actors.replace(
        "    channels: [mobile]\n    reports_to: [MAIRIE-PCS]\n",
        "    channels: [mobile]\n    reports_to: [MAIRIE-PCS]\n    volunteers: 10\n"),
        encoding="utf-8")
    text = (town / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    (town / "scenarios" / "play.yaml").write_text(text.rstrip() + _EXPECTED, encoding="utf-8")
    warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
    settings = ServerSettings(f"sqlite:///{root / 'ex.db'}", root / "lib", hash_secret(ADMIN),
                              tick_s=0)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def game(client: Any) -> dict[str, Any]:
    r = client.post("/api/exercises", json={"scenario": "petite-ville/play", "run": 0,
                                            "speed": 1}, headers=admin())
    assert r.status_code == 201, r.text
    made = r.json()
    ex = made["id"]
    codes = made["join_codes"]
    return {"ex": ex, "mayor": join(client, ex, codes["MAIRIE-PCS"], "Anne"),
            "cis": join(client, ex, codes["CIS"], "Paul"),
            "pref": join(client, ex, codes["PREF-COD"], "Lea"),
            "obs": join(client, ex, made["observer_code"], "Olga")}


def _events(client: Any, ex: str, token: str | None = None) -> list[dict[str, Any]]:
    r = client.get(f"/api/exercises/{ex}/events", params={"limit": 10_000},
                   headers=bearer(token) if token else admin())
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def _start_at(client: Any, ex: str, hours: float) -> None:
    assert client.post(f"/api/exercises/{ex}/start", headers=admin()).status_code == 201
    r = client.post(f"/api/exercises/{ex}/jump", json={"scenario_s": hours * 3600},
                    headers=admin())
    assert r.status_code == 201


def test_reflex_sheet_and_ticks(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    r = client.get(f"/api/exercises/{ex}/reflex", headers=bearer(game["mayor"]))
    assert r.status_code == 200
    assert [(i["inject"], i["index"], i["received"], i["done"]) for i in r.json()["items"]] \
        == [("I1", 0, False, None)]
    assert r.json()["actor"] == "MAIRIE-PCS"
    # a player sees its own sheet only; the facilitator and observers name the actor
    r = client.get(f"/api/exercises/{ex}/reflex", params={"actor": "CIS"},
                   headers=bearer(game["mayor"]))
    assert (r.status_code, r.json()["code"]) == (403, "play.own_sheet")
    r = client.get(f"/api/exercises/{ex}/reflex", headers=bearer(game["obs"]))
    assert (r.status_code, r.json()["code"]) == (400, "play.actor")
    r = client.get(f"/api/exercises/{ex}/reflex", params={"actor": "MAIRIE-PCS"},
                   headers=bearer(game["obs"]))
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    r = client.get(f"/api/exercises/{ex}/reflex", params={"actor": "NOBODY"}, headers=admin())
    assert (r.status_code, r.json()["code"]) == (400, "actor.unknown")
    _start_at(client, ex, 3)
    before = len(_events(client, ex))
    for token, body, status, code in [
        (game["cis"], {"inject": "I1", "index": 0}, 400, "action.not_yours"),
        (game["mayor"], {"inject": "I7", "index": 0}, 400, "action.inject"),
        (game["mayor"], {"inject": "I1", "index": 3}, 400, "action.index"),
        (game["mayor"], {"inject": "I1", "index": "0"}, 422, "request.invalid"),
        (game["mayor"], {"inject": "I1", "index": 0, "who": "CIS"}, 422, "request.invalid"),
        (game["obs"], {"inject": "I1", "index": 0}, 403, "auth.observer"),
        (ADMIN, {"inject": "I1", "index": 0}, 403, "auth.player"),
    ]:
        r = client.post(f"/api/exercises/{ex}/actions", json=body, headers={
            **bearer(token), "Accept-Language": "fr"})
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert len(_events(client, ex)) == before
    r = client.post(f"/api/exercises/{ex}/actions", json={"inject": "I1", "index": 0,
                                                          "note": "fait"},
                    headers=bearer(game["mayor"]))
    assert r.status_code == 201
    seq = r.json()["seq"]
    item = client.get(f"/api/exercises/{ex}/reflex",
                      headers=bearer(game["mayor"])).json()["items"][0]
    assert item["received"] is True and item["done"]["seq"] == seq
    assert item["done"]["name"] == "Anne"
    r = client.post(f"/api/exercises/{ex}/actions", json={"inject": "I1", "index": 0},
                    headers=bearer(game["mayor"]))
    assert (r.status_code, r.json()["code"]) == (400, "action.twice")
    # another player does not see it; observers do
    assert seq not in [e["seq"] for e in _events(client, ex, game["cis"])]
    assert seq in [e["seq"] for e in _events(client, ex, game["obs"])]


def test_annotations_audience_and_exports(client: Any, game: dict[str, Any]) -> None:
    import hxl
    import shapely

    ex = game["ex"]
    _start_at(client, ex, 5)  # the storm has cut the fire station off
    url = f"/api/exercises/{ex}/annotations"
    r = client.post(url, headers={**bearer(game["cis"]), "Accept-Language": "fr"}, json={
        "category": "road_cut", "text": "<b>Arbre</b> sur la D6", "geometry": POINT})
    assert r.status_code == 201, r.text
    alone = r.json()
    assert alone["id"] == "A1" and alone["shared"] is False
    assert alone["reason"].startswith("aucun de vos canaux")
    line = {"type": "LineString", "coordinates": [[1.0, 49.3], [1.01, 49.31]]}
    r = client.post(url, headers=bearer(game["mayor"]), json={
        "category": "shelter_open", "text": "=HYPERLINK(\"x\") gymnase", "geometry": line})
    assert r.status_code == 201 and r.json() == {"seq": r.json()["seq"], "id": "A2",
                                                 "shared": True, "reason": None}
    r = client.post(url, headers=admin(), json={"category": "other", "text": "Point presse",
                                                "geometry": POINT})
    assert r.status_code == 201 and r.json()["id"] == "A3"
    seen = {e["payload"]["id"] for e in _events(client, ex, game["pref"])
            if e["kind"] == "annotation.added"}
    assert seen == {"A2", "A3"}  # not the fire station's, which had no channel to the cell
    before = len(_events(client, ex))
    for token, body, status, code in [
        (game["obs"], {"category": "other", "text": "x", "geometry": POINT}, 403,
         "auth.observer"),
        (game["mayor"], {"category": "fire", "text": "x", "geometry": POINT}, 400,
         "text.category"),
        (game["mayor"], {"category": "other", "text": "x",
                         "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}, 400,
         "geometry.outside"),
        (game["mayor"], {"category": "other", "text": "x",
                         "geometry": {"type": "Point", "coordinates": [200, 48]}}, 422,
         "request.invalid"),
        (game["mayor"], {"category": "other", "text": "x",
                         "geometry": {"type": "LineString", "coordinates": [[1, 49]]}}, 422,
         "request.invalid"),
        (game["mayor"], {"category": "other", "text": "x" * 2001, "geometry": POINT}, 422,
         "request.invalid"),
    ]:
        r = client.post(url, json=body, headers=bearer(token) if token != ADMIN else admin())
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
        assert r.json()["detail"]
    assert len(_events(client, ex)) == before
    # GeoJSON: what the caller sees, loadable by GDAL
    r = client.get(f"{url}.geojson", headers={**bearer(game["pref"]), "Accept-Language": "fr"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == \
        f'attachment; filename="annotations-{ex}.geojson"'
    doc = r.json()
    assert [f["properties"]["id"] for f in doc["features"]] == ["A2", "A3"]
    props = doc["features"][0]["properties"]
    assert props["category_label"] and props["category_label"] != "shelter_open"
    assert props["scenario_time"] and props["author"] == "MAIRIE-PCS"
    assert props["name"] == "Anne" and props["shared"] is True
    shapes = shapely.from_geojson(r.text)  # the whole collection, as GEOS reads it
    assert [g.geom_type for g in shapes.geoms] == ["LineString", "Point"]
    assert shapes.geoms[0].length > 0
    # HXL CSV: the tags found by libhxl, cells safe in a spreadsheet
    r = client.get(f"{url}.csv", headers=bearer(game["cis"]))
    assert [row[0] for row in csv.reader(io.StringIO(r.text))][2:] == ["A1"]  # cut off: its own
    r = client.get(f"{url}.csv", headers={**admin(), "Accept-Language": "fr"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    # UTF-8 with a byte order mark, so that Excel in French reads « coupée », not « coupÃ©e »
    assert r.content.startswith(b"\xef\xbb\xbf") and "coupée".encode() in r.content
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["identifiant", "catégorie", "description"]  # the caller's language
    assert rows[1][:5] == ["#meta+code", "#event+type", "#description", "#geo+lat", "#geo+lon"]
    assert {row[0] for row in rows[2:]} == {"A1", "A2", "A3"}
    data = hxl.data(_hxl_source(r.text))
    tags = [c.display_tag for c in data.columns]
    assert tags[0] == "#meta+code"  # the BOM does not stick to the first tag
    assert {"#geo+lat", "#geo+lon", "#event+type", "#date+reported"} <= set(tags)
    values = {row.get("#meta+code"): row for row in data}
    assert values["A2"].get("#description").startswith("'=HYPERLINK")
    assert float(values["A1"].get("#geo+lat")) == pytest.approx(49.3)
    assert values["A2"].get("#geo+wkt").startswith("LINESTRING")


def _hxl_source(text: str) -> Any:
    import hxl.input

    return hxl.input.make_input(io.BytesIO(text.encode()))  # the BOM as the file has it


def test_notes_for_observers_only(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    url = f"/api/exercises/{ex}/notes"
    r = client.post(url, json={"text": "Le maire hésite"}, headers=bearer(game["obs"]))
    assert r.status_code == 201
    seq = r.json()["seq"]
    assert client.post(url, json={"text": "x"}, headers=admin()).status_code == 201
    before = len(_events(client, ex))
    r = client.post(url, json={"text": "x"}, headers=bearer(game["mayor"]))
    assert (r.status_code, r.json()["code"]) == (403, "play.notes")
    r = client.post(url, json={"text": ""}, headers=bearer(game["obs"]))
    assert r.status_code == 422
    assert len(_events(client, ex)) == before
    assert seq not in [e["seq"] for e in _events(client, ex, game["mayor"])]
    note = next(e for e in _events(client, ex, game["obs"]) if e["seq"] == seq)
    assert (note["kind"], note["author"], note["payload"]["name"]) == \
        ("note.added", "observer", "Olga")


def test_relays_map_and_state(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    _start_at(client, ex, 1)
    url = f"/api/exercises/{ex}/relays"
    r = client.post(url, json={"relay": "RESERVE", "zones": ["Z-CENTRE", "Z-BORDS"]},
                    headers=bearer(game["mayor"]))
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["status"] == "delayed" and sent["starts_s"] == sent["arrives_s"] + 3600
    before = len(_events(client, ex))
    for token, body, status, code in [
        (game["mayor"], {"relay": "CIS", "zones": ["Z-CENTRE"]}, 400, "relay.unknown"),
        (game["mayor"], {"relay": "RESERVE", "zones": ["Z-NOWHERE"]}, 400, "relay.zone"),
        (game["mayor"], {"relay": "RESERVE", "zones": ["Z-CENTRE", "Z-CENTRE"]}, 400,
         "relay.zones"),
        (game["mayor"], {"relay": "RESERVE", "zones": []}, 422, "request.invalid"),
        (game["mayor"], {"relay": "RESERVE", "zones": ["Z-CENTRE"], "channel": None}, 422,
         "request.invalid"),
        (game["mayor"], {"relay": "RESERVE", "zones": ["Z-CENTRE"], "channel": "pigeon"}, 400,
         "channel.unknown"),
        (game["obs"], {"relay": "RESERVE", "zones": ["Z-CENTRE"]}, 403, "auth.observer"),
    ]:
        r = client.post(url, json=body, headers=bearer(token))
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert len(_events(client, ex)) == before
    dispatched = [e for e in _events(client, ex, game["cis"]) if e["kind"] == "relay.dispatched"]
    assert dispatched == []  # the fire station is neither the sender nor the relay
    r = client.get(f"/api/exercises/{ex}/map", headers=bearer(game["cis"]))
    assert r.status_code == 200
    m = r.json()
    assert [z["id"] for z in m["zones"]] == ["Z-CENTRE", "Z-PLATEAU", "Z-BORDS", "Z-HAMEAU"]
    assert len(m["bounds"]) == 4 and m["zones"][0]["rings"][0][0][0] == \
        round(m["zones"][0]["rings"][0][0][0], 5)
    assert m["assets"] and all({"id", "kind", "kind_label", "lon", "lat"} <= set(a)
                               for a in m["assets"])
    # at 12:00 the storm has taken things down; volunteers have informed part of two zones
    client.post(f"/api/exercises/{ex}/jump", json={"scenario_s": 12 * 3600}, headers=admin())
    r = client.get(f"/api/exercises/{ex}/map/state", headers=bearer(game["mayor"]))
    assert r.status_code == 200
    state = r.json()
    assert state["scenario_s"] == pytest.approx(12 * 3600, abs=5) and state["clock"]
    assert state["assets_down"] and set(state["assets_down"]) <= {a["id"] for a in m["assets"]}
    assert state["reach"]["relays"] > 0
    assert state["zones"]["Z-CENTRE"]["any"] >= state["zones"]["Z-CENTRE"]["main"]
    assert state["zones"]["Z-PLATEAU"]["any"] == state["zones"]["Z-PLATEAU"]["main"]


def test_qr_code(client: Any, game: dict[str, Any]) -> None:
    r = client.post("/api/qr", json={"text": "https://example.org/join/ab12#code=K7Q2M9XW4T"},
                    headers=admin())
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg") and "style" not in r.text and "xmlns=" in r.text
    # scaled whole by the page: a viewBox and no fixed size; a quiet zone of 4 modules
    assert 'viewBox="0 0 ' in r.text and " width=" not in r.text and " height=" not in r.text
    assert client.post("/api/qr", json={"text": "x" * 501}, headers=admin()).status_code == 422
    r = client.post("/api/qr", json={"text": "x"}, headers=bearer(game["mayor"]))
    assert (r.status_code, r.json()["code"]) == (403, "auth.admin")
