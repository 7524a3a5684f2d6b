"""The report tells the truth: its headline tiles are the run folder's figures, its worst runs
are those of ``runs.parquet`` with their times, and a storm where nothing moves shows no
"worst moment" and no "time to recover", in either language.

Expected numbers are recomputed from the run folder's files with pyarrow and numpy."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import EXAMPLE, copy_example, write_scenario
from tousrisques.analysis import make_study
from tousrisques.report import render_report
from tousrisques.report._build import build_report_data
from tousrisques.results import write_run
from tousrisques.scenario import load_scenario

RUNS = 20


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def numbers(cell: str, lang: str) -> list[float]:
    """Every number of a cell as ``lang`` writes them (French groups thousands with a space)."""
    cell = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}\b)", "", cell)
    cell = cell.replace("\u202f", " ").replace("\u00a0", " ")
    cell = cell.replace(",", ".") if lang == "fr" else cell.replace(",", "")
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", cell)]


def pct(x: float) -> int:
    return 1 if 0 < x < 0.005 else 99 if 0.995 <= x < 1 else round(100 * x)


def section(page: str, ident: str) -> str:
    m = re.search(rf'<section id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert m, ident
    return m.group(1)


@pytest.fixture(scope="module")
def storm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("truth") / "run"
    study = make_study(load_scenario(EXAMPLE / "scenarios" / "tempete.yaml"), runs=RUNS,
                       rank_assets=False)
    write_run(study, folder)
    data = build_report_data(study)
    return folder, {lang: render_report(data, lang=lang) for lang in ("en", "fr")}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_headline_tiles_are_the_run_folder_figures(
        storm: tuple[Path, dict[str, str]], lang: str) -> None:
    folder, pages = storm
    figures = {f["id"]: f for f in json.loads(
        (folder / "summary.json").read_text(encoding="utf-8"))["key_figures"]}
    tiles = re.findall(r'<div class="tile[^"]*" data-figure="([^"]+)">(.*?)</div>',
                       section(pages[lang], "summary"), re.S)
    assert len(tiles) >= 4
    for ident, body in tiles:
        f = figures[ident]
        value = re.search(r'<p class="tile-value">(.*?)</p>', body, re.S)
        assert value
        got = numbers(text(value.group(1)), lang)
        assert got[0] == pct(f["median"]), ident
        if f["count"] is not None:
            assert got[1] == round(f["count"])
        when = text(re.search(r'<p class="tile-when">(.*?)</p>', body, re.S).group(1))
        when = when.replace("P10–P90", "")
        if f["holds"]:
            assert "P10" not in when and not numbers(when, lang)
        else:
            assert numbers(when, lang)[:2] == [pct(f["p10"]), pct(f["p90"])]
            assert numbers(when, lang)[-1] == f["at_h"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_worst_runs_are_those_of_runs_parquet(storm: tuple[Path, dict[str, str]],
                                                  lang: str) -> None:
    folder, pages = storm
    tail = section(pages[lang], "tail")
    table = re.search(r'<table class="tail-runs">(.*?)</table>', tail, re.S)
    assert table
    rows = [[text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]
    rows = [r for r in rows if r]
    # the main alert channel of the example town is FR-Alert: its lowest in every run
    runs = pq.read_table(folder / "runs.parquet").to_pydict()
    series: dict[int, list[tuple[float, float]]] = {}
    for i, name in enumerate(runs["name"]):
        if name == "population_reached:fr-alert":
            series.setdefault(runs["run"][i], []).append((runs["time_s"][i], runs["value"][i]))
    low = {r: min(v for _t, v in s) for r, s in series.items()}
    worst = sorted(low, key=lambda r: (low[r], r))[:math.ceil(RUNS / 10)]
    assert [int(r[0]) for r in rows] == worst
    for (_run, lowest, when), r in zip(rows, worst, strict=True):
        first = min(t for t, v in sorted(series[r]) if v == low[r])
        assert numbers(lowest, lang) == [pct(low[r])]
        assert numbers(when, lang) == [first / 3600]
    n = len(worst)
    lead = (f"In the worst {n} runs of {RUNS}" if lang == "en"
            else f"Dans les {n} pires tirages sur {RUNS}")
    assert lead in text(tail)


@pytest.fixture(scope="module")
def calm(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The example town under a breeze, without the ransomware: nothing moves."""
    town = copy_example(tmp_path_factory.mktemp("calm"))
    scenario = (town / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    scenario = scenario.replace("peak_kmh: 150", "peak_kmh: 20")
    start, end = scenario.index("events:"), scenario.index("mitigations:")
    path = write_scenario(town, "calme.yaml", scenario[:start] + scenario[end:])
    data = build_report_data(make_study(load_scenario(path), runs=4, rank_assets=False))
    return {lang: render_report(data, lang=lang) for lang in ("en", "fr")}


def test_nothing_moves_so_no_worst_moment_and_no_recovery_time(calm: dict[str, str]) -> None:
    for lang, words in (("en", ("worst moment", "to recover", "falls as low")),
                        ("fr", ("pire moment", "plus critique", "descend jusqu"))):
        # the maps' own headings (report/_map_figures.py) are left to the maps: a channel's
        # map is drawn at its worst moment even when it holds
        page = text(re.sub(r'<section id="maps".*?</section>', "", calm[lang], flags=re.S))
        for w in words:
            assert w not in page, (lang, w)
        rows = re.findall(r'<tr data-figure="([^"]+)">(.*?)</tr>',
                          section(calm[lang], "key-figures"), re.S)
        holds = ("holds throughout the scenario" if lang == "en"
                 else "tient pendant tout le scénario")
        for ident, row in rows:
            if ident.endswith("_end"):
                continue
            assert text(row).endswith(holds), (lang, ident)
    assert "does not fall" in text(section(calm["en"], "tail"))
    assert "ne baisse pas" in text(section(calm["fr"], "tail"))
