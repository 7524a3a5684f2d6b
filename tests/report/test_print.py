"""The Rouen demo's report printed and on a phone, in Debian's Chromium: fewer than 15 A4
pages, every map and chart on the same page as its heading, the executive page alone on the
first, and a 400-px phone screen never scrolled sideways.

Where a heading and a figure land is read from the PDF itself: a link is put after each
heading and each figure before printing, and Chromium writes each link as an annotation of
the page it is on (the page tree gives the pages' order)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.report.test_browser import CHROMIUM
from tousrisques.analysis import make_study
from tousrisques.report import render_report
from tousrisques.report._build import build_report_data
from tousrisques.scenario import load_scenario

pytestmark = pytest.mark.slow
ROUEN = Path(__file__).resolve().parents[2] / "examples" / "rouen" / "scenarios"

MARK = """() => {
  const out = [];
  document.querySelectorAll('main h2, main h3, svg.map, svg.chart').forEach((e, i) => {
    const a = document.createElement('a');
    a.href = 'https://mark.invalid/' + i;
    a.textContent = '.';
    a.style.fontSize = '1px';
    if (e.tagName.toLowerCase() === 'svg') e.parentNode.insertBefore(a, e.nextSibling);
    else e.appendChild(a);
    out.push([i, e.tagName.toLowerCase(), e.getAttribute('class') || '',
              e.closest('section') ? e.closest('section').id : '']);
  });
  return out;
}"""


def pages_of_marks(pdf: bytes) -> tuple[dict[int, int], int]:
    """The page (from 1) of each mark's link, and the number of pages."""
    objs = {int(m.group(1)): m.group(2)
            for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S)}
    catalog = next(b for b in objs.values() if re.search(rb"/Type\s*/Catalog", b))
    root = re.search(rb"/Pages\s+(\d+) 0 R", catalog)
    assert root

    def leaves(n: int) -> list[int]:
        body = objs[n]
        if re.search(rb"/Type\s*/Pages\b", body):
            kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
            assert kids
            return [x for k in re.findall(rb"(\d+) 0 R", kids.group(1)) for x in leaves(int(k))]
        return [n]

    order = leaves(int(root.group(1)))
    where: dict[int, int] = {}
    for page, n in enumerate(order, 1):
        annots = re.search(rb"/Annots\s*\[(.*?)\]", objs[n], re.S)
        for ref in re.findall(rb"(\d+) 0 R", annots.group(1)) if annots else []:
            uri = re.search(rb"/URI\s*\(https://mark\.invalid/(\d+)\)", objs[int(ref)])
            if uri:
                where.setdefault(int(uri.group(1)), page)
    return where, len(order)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's storm beside its plan, as `tousrisques demo` draws it (fewer runs)."""
    study = make_study(load_scenario(ROUEN / "tempete.yaml"), runs=10,
                       other=load_scenario(ROUEN / "tempete-attenuee.yaml"))
    data = build_report_data(study)
    out = tmp_path_factory.mktemp("print")
    paths = {}
    for lang in ("fr", "en"):
        paths[lang] = out / f"report-{lang}.html"
        paths[lang].write_text(render_report(data, lang=lang), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "install Debian's Chromium: `make test` does it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_printed_demo_keeps_each_figure_with_its_heading(
        browser: Browser, reports: dict[str, Path], lang: str) -> None:
    page = browser.new_page()
    page.goto(reports[lang].as_uri(), wait_until="load")
    marks = page.evaluate(MARK)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    where, pages = pages_of_marks(pdf)
    assert pages < 15, pages
    assert all(i in where for i, *_ in marks), "every mark is found in the PDF"
    figures = 0
    for (i, tag, _cls, _sec), (j, tag2, cls2, _sec2) in pairwise(marks):
        if tag == "h3" and tag2 == "svg":  # a figure's heading, then the figure
            assert where[i] == where[j], (lang, i, cls2)
            figures += 1
    assert figures >= 8  # the charts and the maps
    summary = [where[i] for i, tag, _c, sec in marks if sec == "summary"]
    after = [where[i] for i, tag, _c, sec in marks if sec and sec != "summary"]
    assert set(summary) == {1} and min(after) >= 2  # the executive page stands alone


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_400_px_phone_never_scrolls_sideways(browser: Browser, reports: dict[str, Path],
                                              lang: str) -> None:
    page = browser.new_page(viewport={"width": 400, "height": 850})
    page.goto(reports[lang].as_uri(), wait_until="load")
    width = page.evaluate("document.documentElement.scrollWidth")
    tiles = page.evaluate("""() => [...document.querySelectorAll('.tile')]
        .map(t => t.getBoundingClientRect()).map(b => [b.left, b.right])""")
    page.close()
    assert width <= 400
    assert tiles and all(left >= 0 and right <= 400 for left, right in tiles)
