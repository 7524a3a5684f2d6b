"""The report on the territory's clock: with a start, every moment (the start, the axes, the
key figures, the maps, the causal chains, the findings) reads as a local date and hour, in
French and in English as their readers write them, with the hours after the start kept;
without one, as hours after the start."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from html import unescape
from pathlib import Path

import pytest

from tests.conftest import copy_example, write_scenario
from tests.report.conftest import make_data
from tousrisques._clock import at, local_start
from tousrisques._i18n import NBSP, NNBSP, Formats
from tousrisques.analysis import make_study
from tousrisques.report import build_report_data, render_report
from tousrisques.scenario import load_scenario


def _scenario(tmp: Path, start: str | None) -> Path:
    folder = copy_example(tmp)
    text = (folder / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    line = f"start: {start}\n" if start else ""
    return write_scenario(folder, "start.yaml",
                          text.replace("\nduration: 48h\n", f"\n{line}duration: 48h\n"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The petite-ville storm starting on the night of 2 November 2023 (no offset: read in
    Europe/Paris), drawn in both languages."""
    s = load_scenario(_scenario(tmp_path_factory.mktemp("clock"), "2023-11-02T00:00"))
    data = build_report_data(make_study(s, runs=3))
    assert data.timezone == "Europe/Paris" and data.start == "2023-11-02T00:00:00+01:00"
    return {lang: unescape(render_report(data, lang=lang)) for lang in ("fr", "en")}


def test_the_start_is_written_in_full_as_each_language_writes_it(pages: dict[str, str]) -> None:
    assert "jeudi 2 novembre 2023 à 00:00 (Europe/Paris, UTC+01:00)" in pages["fr"]
    assert "Thursday 2 November 2023 at 00:00 (Europe/Paris, UTC+01:00)" in pages["en"]
    assert "Heure locale (Europe/Paris)" in pages["fr"]
    assert "Local time (Europe/Paris)" in pages["en"]
    assert "heures sont celles du territoire (Europe/Paris)" in pages["fr"]
    assert "local times of the territory (Europe/Paris)" in pages["en"]


def test_every_moment_reads_on_the_clock_with_the_hours_kept(pages: dict[str, str]) -> None:
    fr, en = pages["fr"], pages["en"]
    # the moments of the storm's first hours, the maps' headings, the chains
    moments_fr = set(re.findall(rf"(\d\d:\d\d) \((\w+)\. (\d+) nov\., \+(\d+){NNBSP}h\)", fr))
    moments_en = set(re.findall(rf"(\d\d:\d\d) \((\w+) (\d+) Nov, \+(\d+){NBSP}h\)", en))
    assert moments_fr and moments_en
    for hour, _day, date, plus in moments_fr | moments_en:
        # the hour on the clock is the start plus the hours kept beside it
        assert int(hour[:2]) == (int(plus)) % 24 and int(date) == 2 + int(plus) // 24
    assert {d for _, d, _, _ in moments_fr} <= {"jeu", "ven", "sam"}
    assert {d for _, d, _, _ in moments_en} <= {"Thu", "Fri", "Sat"}
    assert re.search(r"<h3>[^<]*, à \d\d:\d\d \(\w+\. \d+ nov\.", fr)  # the maps' headings
    assert re.search(r"<h3>[^<]*, at \d\d:\d\d \(\w+ \d+ Nov", en)
    # the key figures: the worst moment on the clock
    assert re.search(r"pire moment\xa0: \d\d:\d\d \(\w+\. \d+ nov\., \+\d+", fr)
    assert re.search(r"worst moment: \d\d:\d\d \(\w+ \d+ Nov, \+\d+", en)
    assert re.search(r"hors service à \d\d:\d\d \(\w+\. \d+ nov\.", fr)  # causal chains
    assert re.search(r"down at \d\d:\d\d \(\w+ \d+ Nov", en)
    # the axes: the hour, and the day under the first tick of each day only
    assert ">00:00<tspan" in en and ">2 Nov</tspan>" in en and ">3 nov.</tspan>" in fr
    assert en.count(">2 Nov</tspan>") == fr.count(">2 nov.</tspan>")
    assert "after the start" not in re.sub(r"<p class=\"note\">.*?</p>", "", en)


def test_without_a_start_the_report_keeps_hours_after_the_start(tmp_path: Path) -> None:
    s = load_scenario(_scenario(tmp_path, None))
    data = build_report_data(make_study(s, runs=2))
    assert data.start is None and data.timezone is None
    en = unescape(render_report(data, lang="en"))
    assert "Hours after the start" in en and "Local time" not in en
    assert re.search(rf"<h3>[^<]*\d+{NBSP}h after the start", en)
    assert "<tspan" not in en


def test_an_axis_across_the_end_of_summer_time_reads_the_clock() -> None:
    # 22:00 CEST the night before the clocks go back: +6 h is 03:00 CET, not 04:00
    start, _ = local_start(datetime(2023, 10, 28, 22, 0), "Europe/Paris")
    data = dataclasses.replace(make_data(), start=start.isoformat(), timezone="Europe/Paris")
    assert data.times_h == [float(h) for h in range(9)]
    html = unescape(render_report(data, lang="en"))
    assert "Saturday 28 October 2023 at 22:00 (Europe/Paris, UTC+02:00)" in html
    assert at(start, 6 * 3600).strftime("%H:%M") == "03:00"
    chart = re.search(r'<svg class="chart".*?</svg>', html, re.S)
    assert chart is not None
    ticks = re.findall(r'<text x="[\d.]+" y="\d+">(\d\d:\d\d)', chart.group(0))
    # hourly ticks: 02:00 comes twice (CEST, then CET), and 6 h after 22:00 is 03:00
    assert ticks == ["22:00", "23:00", "00:00", "01:00", "02:00", "02:00", "03:00", "04:00",
                     "05:00"]
    assert ">00:00<tspan" in chart.group(0) and ">29 Oct</tspan>" in chart.group(0)
    assert Formats("en", start).moment(6) == f"03:00 (Sun 29 Oct, +6{NBSP}h)"
    # a report without a time zone (hand-made data) keeps hours after the start
    assert "Local time" not in unescape(render_report(make_data(), lang="en"))
