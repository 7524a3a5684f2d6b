"""A report drawn from a real run: its numbers are the results' numbers, in both languages.

The expected figures are recomputed here from the run folder's files (``stats.parquet``,
``runs.parquet``) with pyarrow and numpy, not taken from the report's own data.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.conftest import EXAMPLE
from tousrisques.analysis import make_study
from tousrisques.report import render_report, report_html
from tousrisques.report._build import build_report_data
from tousrisques.results import write_run
from tousrisques.scenario import load_scenario

SCENARIO = EXAMPLE / "scenarios" / "tempete.yaml"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("real") / "run"
    study = make_study(load_scenario(SCENARIO), runs=12)
    write_run(study, folder, files={"report.html": report_html(study, lang="fr")[1]})
    (folder / "report-en.html").write_text(render_report(build_report_data(study), lang="en"),
                                           encoding="utf-8")
    return folder


def _section(page: str, ident: str) -> str:
    m = re.search(rf'<section id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert m, ident
    return m.group(1)


def _rows(page: str) -> dict[str, list[str]]:
    """The key-figures table: figure id -> the texts of its cells (the label's cell holds the
    note under it)."""
    body = _section(page, "key-figures")
    rows = {}
    for ident, tr in re.findall(r'<tr data-figure="([^"]+)">(.*?)</tr>', body, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", " ", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        rows[ident] = cells
    return rows


def _numbers(text: str, lang: str = "fr") -> list[float]:
    """Every number in a cell, as ``lang`` writes them (a decimal comma in French, a
    thousands comma in English)."""
    text = text.replace("\u202f", "").replace("\u00a0", "")
    text = text.replace(",", ".") if lang == "fr" else text.replace(",", "")
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def _stats(folder: Path, name: str) -> dict[str, np.ndarray]:
    t = pq.read_table(folder / "stats.parquet").to_pydict()
    rows = [i for i, n in enumerate(t["name"]) if n == name]
    return {k: np.asarray([t[k][i] for i in rows])
            for k in ("time_s", "mean", "p10", "p50", "p90", "count_p50")}


def _pct(x: float) -> int:
    """A share as the report writes it: whole percent, but never 0 % or 100 % for a share
    that is neither none nor all ("<1 %", ">99 %")."""
    if 0 < x < 0.005:
        return 1
    if 0.995 <= x < 1:
        return 99
    return round(100 * x)


def _moment(s: dict[str, np.ndarray], highest: bool = False) -> int | None:
    """The worst moment from the file: the median's, else the P10's (P90's), else none."""
    for stat in ("p50", "p90" if highest else "p10"):
        v = s[stat]
        if (v - v[0] if highest else v[0] - v).max() > 0.005:
            return int(np.argmax(v) if highest else np.argmin(v))
    return None


FIGURES = {"reach_any_worst": ("population_reached:any", False),
           "actors_worst": ("actors_connected", False),
           "without_power_worst": ("population_without_power", True),
           "vulnerable_unreached_worst": ("vulnerable_unreached:any", True)}
HOLDS = {"en": "holds throughout the scenario", "fr": "tient pendant tout le scénario"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_key_figures_are_the_results(run_folder: Path, lang: str) -> None:
    page = (run_folder / ("report.html" if lang == "fr" else "report-en.html")).read_text(
        encoding="utf-8")
    assert f'<html lang="{lang}"' in page
    rows = _rows(page)
    for ident, (name, highest) in FIGURES.items():
        s = _stats(run_folder, name)
        k = _moment(s, highest)
        value, band, when = rows[ident][1:]
        i = 0 if k is None else k
        assert _numbers(value, lang)[0] == _pct(s["p50"][i]), (ident, value)
        if name != "actors_connected":  # people: their number under the share
            assert _numbers(value, lang)[1] == round(s["count_p50"][i])
        if k is None:
            assert when == HOLDS[lang]
        else:
            assert _numbers(band) == [_pct(s["p10"][k]), _pct(s["p90"][k])]
            assert _numbers(when)[0] == s["time_s"][k] / 3600
    end = _stats(run_folder, "population_reached:any")
    assert _numbers(rows["reach_any_end"][1])[0] == _pct(end["p50"][-1])


def test_both_languages_show_the_same_numbers(run_folder: Path) -> None:
    fr = _rows((run_folder / "report.html").read_text(encoding="utf-8"))
    en = _rows((run_folder / "report-en.html").read_text(encoding="utf-8"))
    assert list(fr) == list(en) and len(fr) > 3
    assert [_numbers(" ".join(c[1:]), "fr") for c in fr.values()] == \
        [_numbers(" ".join(c[1:]), "en") for c in en.values()]


def test_the_worst_moment_sentence_quotes_the_results(run_folder: Path) -> None:
    s = _stats(run_folder, "population_reached:any")
    k = _moment(s)
    assert k is not None
    for name, lead in (("report.html", "Le moment le plus critique"),
                       ("report-en.html", "The worst moment")):
        summary = html.unescape(_section((run_folder / name).read_text(encoding="utf-8"),
                                         "summary"))
        line = next(x for x in re.split(r"</li>", summary) if lead in x)
        numbers = _numbers(re.sub(r"<[^>]+>", "", line))
        assert numbers[0] == s["time_s"][k] / 3600
        assert _pct(s["p50"][k]) in numbers
        assert [_pct(s["p10"][k]), _pct(s["p90"][k])] == numbers[-2:]


def test_every_run_is_in_runs_parquet_and_the_mean_matches(run_folder: Path) -> None:
    runs = pq.read_table(run_folder / "runs.parquet").to_pydict()
    s = _stats(run_folder, "population_reached:any")
    values = np.array([v for n, v in zip(runs["name"], runs["value"], strict=True)
                       if n == "population_reached:any"]).reshape(12, -1)
    assert np.allclose(values.mean(axis=0), s["mean"])


@pytest.mark.slow  # a real browser: make test installs it, make test-fast does not
def test_the_real_report_opens_and_draws_everything_in_chromium(run_folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.report.test_browser import CHROMIUM, DRAWN

    assert CHROMIUM.exists(), "install Debian's Chromium: `make test` does it"
    path = run_folder / "report.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto(path.as_uri(), wait_until="load")
            drawn = page.evaluate(DRAWN)
        finally:
            browser.close()
    assert problems == []
    kinds = {d["cls"] for d in drawn}
    assert {"chart", "map", "strip"} <= kinds
    for d in drawn:
        assert d["w"] > 0 and d["h"] > 0 and d["shapes"] > 0, d


def test_a_very_large_territory_draws_what_matters_first(run_folder: Path) -> None:
    from tousrisques.report._geometry import drawn_assets
    from tousrisques.results import read_run

    study = read_run(run_folder).study
    t = study.scenario.territory
    everything = drawn_assets(study)
    unplaced = [i for i in range(len(t.assets)) if i not in set(everything.tolist())]
    assert all(np.isnan(t.assets.x[i]) for i in unplaced)  # only what has no place
    few = drawn_assets(study, most=10)
    assert len(few) == 10 and sorted(set(few.tolist())) == few.tolist()
    antenna = t.kind_names.index("antenna")
    antennas = np.nonzero(t.assets.kind == antenna)[0]
    assert set(antennas[:10].tolist()) & set(few.tolist())  # coverage comes first
    data = build_report_data(study)
    assert data.maps.assets_total == len(everything)
    # what is not drawn one by one is counted per commune or named off the map
    drawn = {a.id for a in data.maps.assets} | {a.id for a in data.maps.off_map}
    left = {t.assets.id_of(int(i)) for i in everything} - drawn
    assert {t.kind_of(t.assets.rows_of([i])[0]) for i in left} <= set(data.maps.aggregated)
