"""``--lang fr`` speaks French all the way: on broken inputs, a bad option, an explanation and a
tampered run folder, the output holds French sentences of the catalog and none of its English
ones; the command line's explain and the report put each cause into the same words."""

from __future__ import annotations

import re
import string
from functools import cache
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.cli.conftest import RUNS, copy_town, invoke
from tousrisques import _i18n
from tousrisques._causes import cause_words
from tousrisques._i18n import Text

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@cache
def _english_fragments() -> frozenset[str]:
    """The literal parts (between placeholders) of every English message id whose French
    differs, long enough to be a sentence of ours rather than a word both languages share."""
    with _i18n.catalog_path("fr").open("rb") as fp:
        catalog = read_po(fp, locale="fr", domain=_i18n.DOMAIN)
    out = set()
    for m in catalog:
        if not m.id or isinstance(m.id, tuple) or m.string == m.id:
            continue
        try:
            parts = [lit for lit, *_ in string.Formatter().parse(m.id)]
        except ValueError:
            parts = [m.id]
        french = _SPACES.sub(" ", m.string if isinstance(m.string, str) else "")
        for part in parts:
            for piece in re.split(r"%\(\w+\)s|`", part):
                piece = _SPACES.sub(" ", piece).strip(" .,:;()—-'\"")
                if len(piece) >= 24 and " " in piece and piece not in french:
                    out.add(piece)
    return frozenset(out)


def _english_in(output: str) -> list[str]:
    flat = _SPACES.sub(" ", output)
    return sorted(f for f in _english_fragments() if f in flat)


def _french(output: str, *expected: str) -> None:
    flat = _SPACES.sub(" ", output)
    for text in expected:
        assert _SPACES.sub(" ", text) in flat, (text, output)
    assert _english_in(output) == [], output


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def town_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("fr")
    folder = copy_town(root)
    r = invoke("run", folder / "scenarios" / "tempete.yaml", "--runs", RUNS, "-o", root / "run")
    assert r.exit_code == 0, r.output
    return folder, root / "run"


def test_the_fragments_are_sentences_of_the_catalog() -> None:
    fragments = _english_fragments()
    assert len(fragments) > 100
    assert any("the copies of the inputs are not those of the run" in f for f in fragments)
    assert (
        _english_in(
            "x: the copies of the inputs are not those of the run — run the "
            "scenario again with `tousrisques run`"
        )
        != []
    )


def test_validate_a_broken_territory_in_french(tmp_path: Path) -> None:
    folder = copy_town(tmp_path)
    channels = folder / "channels.yaml"
    channels.write_text(
        channels.read_text(encoding="utf-8").replace("latency: ", "latency: 3 #", 1),
        encoding="utf-8",
    )
    actors = folder / "actors.yaml"
    actors.write_text(
        actors.read_text(encoding="utf-8").replace("role: mayor", "role: maire", 1),
        encoding="utf-8",
    )
    r = invoke("validate", folder, "--lang", "fr")
    assert r.exit_code == 1, r.output
    _french(
        r.output, "valeur invalide", "« maire » n'est pas accepté", "vouliez-vous dire « mayor » ?"
    )
    assert " or 'other'" not in r.output


def test_validate_a_broken_scenario_in_french(tmp_path: Path) -> None:
    folder = copy_town(tmp_path)
    bad = folder / "scenarios" / "bad.yaml"
    bad.write_text(
        "name: Bad\nterritory: ..\nduration: 48\nstep: 0h\nhazards:\n"
        "  - id: storm\n    storm: {start_point: [0.9, 99.2], end_point: [1.1, 49.4],"
        " start: 1h, end: 7h, peak_kmh: 150, radius_m: 15000}\n"
        "  - id: nothing\nevents:\n  - {at: 3h, assets: [MAIL-PV], duration: soon,"
        " cause: x}\n",
        encoding="utf-8",
    )
    r = invoke("validate", bad, "--lang", "fr")
    assert r.exit_code == 1, r.output
    _french(
        r.output,
        "écrivez une unité : 30m, 2h, 1d",
        "doit être plus longue que zéro",
        "longitude dans [-180, 180] et latitude dans [-90, 90]",
        "donnez l'un de footprint, plume, flood, storm",
        "« soon » n'est pas une durée",
    )


def test_run_with_a_bad_option_in_french(tmp_path: Path) -> None:
    folder = copy_town(tmp_path)
    r = invoke("run", folder / "scenarios" / "tempete.yaml", "--workers", "5000", "--lang", "fr")
    assert r.exit_code == 1, r.output
    _english = _english_in(r.output)
    assert "Traceback" not in r.output and _english == [], r.output


def test_explain_an_asset_in_french(town_run: tuple[Path, Path]) -> None:
    _folder, run = town_run
    r = invoke("explain", run, "L-SUD", "--at", "6h", "--lang", "fr")
    assert r.exit_code == 0, r.output
    _french(r.output, "dégâts causés par l'aléa « Tempête »")


def test_report_on_a_tampered_run_folder_in_french(
    town_run: tuple[Path, Path], tmp_path: Path
) -> None:
    import shutil

    _folder, run = town_run
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    (copy / "indicators.csv").write_text("tampered\n", encoding="utf-8")
    r = invoke("report", copy, "-o", tmp_path / "r.html", "--lang", "fr")
    assert r.exit_code == 1, r.output
    _french(r.output, "modifié(s) depuis le calcul", "relancez le scénario avec")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_explain_and_the_report_say_each_cause_in_the_same_words(
    town_run: tuple[Path, Path], lang: str, tmp_path: Path
) -> None:
    """Every cause of the report's chains is written by cause_words, and so is every cause
    explain prints for the same assets at the same times."""
    from tousrisques.report._build import build_report_data
    from tousrisques.results import read_run

    _folder, run = town_run
    study = read_run(run).study
    data = build_report_data(study)
    r = invoke("report", run, "-o", tmp_path / "r.html", "--lang", lang)
    assert r.exit_code == 0, r.output
    html = _SPACES.sub(" ", unescape((tmp_path / "r.html").read_text(encoding="utf-8")))
    hazards = {h.id: h.name for h in data.method.hazards}
    names = {a.id: a.name or a.id for a in data.maps.assets}
    seen = set()
    for chain in data.chains:
        for step in chain.steps:
            if step.cause in seen:
                continue
            seen.add(step.cause)
            local = names | {s.asset: s.name or s.asset for s in chain.steps}
            words = cause_words(
                step.cause,
                lang,
                event=step.event,
                layer=step.layer,
                because=[local.get(a, a) for a in step.because],
                hazards=hazards,
            )
            assert _SPACES.sub(" ", words) in html, words
            r = invoke(
                "explain", run, step.asset, "--at", f"{step.time_h * 3600:.0f}s", "--lang", lang
            )
            assert r.exit_code == 0, r.output
            ids = cause_words(
                step.cause,
                lang,
                event=step.event,
                layer=step.layer,
                because=step.because,
                hazards=hazards,
            )
            assert _SPACES.sub(" ", ids) in _SPACES.sub(" ", r.output), (ids, r.output)
    assert "event" in seen and len(seen) >= 2, seen
    assert isinstance(next(iter(hazards.values())), Text)
