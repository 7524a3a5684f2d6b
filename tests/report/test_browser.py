"""The report in a real browser: Debian's Chromium, headless, driven by Playwright.

No console error, no request beyond the file itself, every chart, strip and map drawn with
data, every internal link resolved, nothing hidden when printing, and a PDF printed. This
test fails, and does not skip, when Chromium is missing: ``make test`` installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.report.conftest import make_data
from tousrisques.report import render_report
from tousrisques.report._sections import MOST_STRIPS

CHROMIUM = Path("/usr/bin/chromium")

# a real browser: run by `make test` (which installs Chromium), not by `make test-fast`
pytestmark = pytest.mark.slow

# for each <svg role="img">: its size on screen and how many of its shapes have a size
DRAWN = """() => [...document.querySelectorAll('svg[role="img"]')].map(svg => {
  const box = svg.getBoundingClientRect();
  const shapes = [...svg.querySelectorAll('path, polyline, circle, rect, use')]
    .filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; });
  return {cls: svg.getAttribute('class'), w: box.width, h: box.height, shapes: shapes.length,
          bands: svg.querySelectorAll('.band').length, lines: svg.querySelectorAll('.line').length,
          uses: svg.querySelectorAll('use').length};
})"""

UNRESOLVED = """() => [...document.querySelectorAll('a[href^="#"], use')]
  .map(e => e.getAttribute('href')).filter(h => !document.getElementById(h.slice(1)))"""

HIDDEN = """() => [...document.querySelectorAll(
  'main > section, header, footer, svg[role="img"], table, li, p')]
  .filter(e => { const b = e.getBoundingClientRect();
  return b.width === 0 || b.height === 0 || getComputedStyle(e).visibility === 'hidden'; })
  .map(e => e.tagName + '#' + (e.id || e.className))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); "
        "`make test` does it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_report_opens_draws_and_prints(browser: Browser, tmp_path: Path,
                                           lang: str) -> None:
    data = make_data()
    path = tmp_path / f"report-{lang}.html"
    path.write_text(render_report(data, lang=lang), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    assert problems == []
    assert requests == [path.as_uri()]
    assert page.evaluate("document.documentElement.lang") == lang

    drawn = page.evaluate(DRAWN)
    charts = [d for d in drawn if d["cls"] == "chart"]
    maps = [d for d in drawn if d["cls"] == "map"]
    strips = [d for d in drawn if d["cls"] == "strip"]
    assert len(charts) == len(data.charts) + len(data.comparison.charts)  # type: ignore[union-attr]
    # one reach map per channel, one per commune map, one asset map per map time
    assert len(maps) == len(data.maps.reach) + len(data.maps.choropleths) + len(
        data.maps.times_h)
    # a strip for each actor cut off from every crisis cell in most runs at some moment
    # (the others are summed up by role; their strips are in the run folder's files)
    cut = [a for a in data.actors if a.connected and min(a.connected) < 0.5]
    assert len(strips) == min(len(cut), MOST_STRIPS) and cut
    for d in drawn:
        assert d["w"] > 0 and d["h"] > 0 and d["shapes"] > 0, d
    for d in charts:
        assert d["bands"] >= 1 and d["lines"] >= 1, d
    for d in maps:
        assert d["uses"] > 1, d  # the zones or the assets, and the outline

    assert page.evaluate(UNRESOLVED) == []

    page.emulate_media(media="print")
    assert page.evaluate(HIDDEN) == []
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert problems == []
    page.close()
