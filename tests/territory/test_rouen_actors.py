"""The Rouen sample's actors in the vocabulary of French crisis management, its hospitals
from FINESS (psychiatric hospitals kept, testing centres left out, names accented) and FR-Alert
as a national platform: the sample is built into a temporary folder and loaded."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml

from tousrisques import Territory, load_territory
from tousrisques.territory.samples._rouen_health import clean_name
from tousrisques.territory.samples.rouen import build


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Territory]:
    folder = build(tmp_path_factory.mktemp("rouen") / "rouen")
    return folder, load_territory(folder)


def _actors(t: Territory) -> dict[str, object]:
    return {a.id: a for a in t.actors}


def test_the_mayors_lead_communal_crisis_cells_that_report_to_the_cod(
        sample: tuple[Path, Territory]) -> None:
    _, t = sample
    acts = _actors(t)
    ccc = [a for a in t.actors if a.id.startswith("CCC-")]
    assert len(ccc) == 71
    assert all(a.role == "mayor" and a.reports_to == ("COD",) for a in ccc)
    assert acts["CCC-76540"].name.fr == "Cellule de crise communale de Rouen"
    # a commune is not its PCS (a plan): no actor is named after it
    assert not [a.id for a in t.actors if "PCS" in a.name.fr]
    cod = acts["COD"]
    assert cod.role == "prefecture" and cod.crisis_cell and not cod.reports_to
    assert {a.id for a in t.actors if a.reports_to == ("COD",) and a.id.startswith("COD-")} \
        == {"COD-COM", "COD-ANTICIPATION"}


def test_the_metropole_coordinates_with_the_mayors_and_commands_nobody(
        sample: tuple[Path, Territory]) -> None:
    _, t = sample
    metro = _actors(t)["CIC-METRO"]
    assert set(metro.coordinates_with) == {a.id for a in t.actors if a.id.startswith("CCC-")}
    assert not [a.id for a in t.actors if "CIC-METRO" in a.reports_to]
    assert metro.reports_to == ("COD",)


def test_services_operators_and_associations_each_on_their_own(
        sample: tuple[Path, Territory]) -> None:
    _, t = sample
    acts = _actors(t)
    roles = {ident: acts[ident].role for ident in (
        "SDIS", "SAMU", "DDSP", "GENDARMERIE", "DDTM", "ENEDIS", "CROIX-ROUGE",
        "PROTECTION-CIVILE")}
    assert roles == {"SDIS": "fire_service", "SAMU": "emergency_medical", "DDSP": "police",
                     "GENDARMERIE": "police", "DDTM": "other", "ENEDIS": "operator",
                     "CROIX-ROUGE": "association", "PROTECTION-CIVILE": "association"}
    ops = {a.operator for a in t.actors if a.id.startswith("OP-")}
    assert ops == {"Orange", "SFR", "Bouygues Telecom", "Free"}
    reserves = [a for a in t.actors if a.role == "citizen_relay"]
    assert len(reserves) == 12
    assert all(a.reports_to == (a.id.replace("RESERVE-", "CCC-"),) for a in reserves)


def test_crisis_cells_have_a_fallback_site_elsewhere(sample: tuple[Path, Territory]) -> None:
    _, t = sample
    acts = _actors(t)
    ids = t.assets.ids.to_pylist()
    for ident in ("COD", "CIC-METRO", "SDIS", "CCC-76540"):
        a = acts[ident]
        assert a.fallback_site is not None and a.fallback_site != a.site
        here, there = ids.index(a.site), ids.index(a.fallback_site)
        assert np.hypot(t.assets.x[here] - t.assets.x[there],
                        t.assets.y[here] - t.assets.y[there]) > 500
    c = t.compile()
    assert (c.actor_fallback >= 0).sum() == sum(a.fallback_site is not None for a in t.actors)


def test_fr_alert_is_a_national_platform_without_a_place_in_rouen(
        sample: tuple[Path, Territory]) -> None:
    folder, t = sample
    row = t.assets.ids.to_pylist().index("FR-ALERT")
    assert np.isnan(t.assets.x[row])
    channels = yaml.safe_load((folder / "channels.yaml").read_text("utf-8"))["channels"]
    names = {c["id"]: c["name"]["fr"] for c in channels}
    assert "INPT" in names["radio-secours"]
    # the scenario library's channel ids are all still there
    assert {"fixe", "mobile", "fr-alert", "sirenes", "radio-fm", "courriel",
            "reseaux-sociaux", "site-web", "satellite", "porte-a-porte"} <= set(names)


def test_hospitals_keep_psychiatry_drop_testing_centres_and_are_accented(
        sample: tuple[Path, Territory]) -> None:
    folder, _ = sample
    with (folder / "assets" / "sites.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "hospital"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["CHU"]["name"] == "Hôpital Charles-Nicolle (CHU de Rouen)"
    rouvray = [r for r in rows if r["name"] == "Centre hospitalier du Rouvray"]
    assert len(rouvray) == 1 and rouvray[0]["psychiatric"] == "true"
    finess = {f for r in rows for f in r["finess"].split()}
    # the CeGIDD (free testing centres) of the CHU are not hospitals
    assert not {"760035550", "760035626"} & finess
    # the CHU's psychiatric beds share its place: one site, both numbers
    assert by_id["CHU"]["finess"].split() == ["760000158", "760023952"]
    places = [(r["lon"], r["lat"]) for r in rows]
    assert len(places) == len(set(places))
    assert not [r["name"] for r in rows if r["name"].isupper() or "HOP" in r["name"]]
    assert sum(r["psychiatric"] == "true" for r in rows) > 10


@pytest.mark.parametrize(("raw", "clean"), [
    ("CENTRE HOSPITALIER SPECIALISE DU ROUVRAY", "Centre hospitalier du Rouvray"),
    ("HOP JOUR ENFANT BLEU SOLEIL ST ETIENNE",
     "Hôpital de jour Bleu Soleil (Saint-Étienne-du-Rouvray)"),
    ("HOPITAL DE JOUR POUR ADULTES DE GRAND QUEVILLY SECT 4",
     "Hôpital de jour pour adultes du Grand-Quevilly"),
    ("CLINIQUE DE L'EUROPE", "Clinique de l'Europe"),
    ("CTRE HOSPITALIER DE SAINT ETIENNE DU ROUVRAY",
     "Centre hospitalier de Saint-Étienne-du-Rouvray"),
])
def test_names_are_written_as_french_writes_them(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean
