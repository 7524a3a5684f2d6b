"""The HTML report: both languages, every section, the numbers of the data, nothing fetched
from the network, hostile names shown as text, accessible structure."""

from __future__ import annotations

import dataclasses
import re
import time
from html import unescape
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from babel.numbers import parse_decimal

from tests.report.conftest import make_big, make_data
from tousrisques._messages import Text
from tousrisques.report import ReportData, render_report

NNBSP, NBSP = "\u202f", "\u00a0"
SECTIONS = ["summary", "key-figures", "communes", "indicators", "maps", "actors", "chains",
            "criticality", "comparison", "method", "sources"]
VOID = {"meta", "br", "link", "img", "hr", "input", "source", "wbr", "col", "area", "base"}


class Tree(HTMLParser):
    """Checks that every element is closed in order and records tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree


def section(html: str, anchor: str) -> str:
    m = re.search(rf'<section id="{anchor}"[^>]*>(.*?)</section>', html, re.S)
    assert m, anchor
    return m.group(1)


def text(fragment: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def rows(fragment: str) -> list[list[str]]:
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S)]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    data = make_data()
    return {lang: render_report(data, lang=lang) for lang in ("en", "fr")}


# what a share, hours and a count look like in each language, written independently of the
# renderer's own formatting code
def pct(x: float, lang: str) -> str:
    return f"{round(x * 100)}{NNBSP}%" if lang == "fr" else f"{round(x * 100)}%"


def band(lo: float, hi: float, lang: str) -> str:
    return (f"(P10–P90{NBSP}: {round(lo * 100)}–{pct(hi, lang)})" if lang == "fr"
            else f"(P10–P90: {round(lo * 100)}–{pct(hi, lang)})")


def hours(h: float, lang: str) -> str:
    return f"{h:g}{NNBSP if lang == 'fr' else NBSP}h"


def test_both_languages_render_a_complete_document(pages: dict[str, str]) -> None:
    for lang, html in pages.items():
        assert html.startswith("<!DOCTYPE html>")
        assert f'<html lang="{lang}">' in html
        tree = parse(html)
        assert tree.errors == [] and tree.stack == [], (lang, tree.errors, tree.stack)
    assert "Key figures" in pages["en"] and "Chiffres clés" in pages["fr"]
    assert "Key figures" not in pages["fr"]


@pytest.mark.parametrize("lang", ["de", "FR", "", "en_GB"])
def test_an_unknown_language_is_refused(lang: str) -> None:
    with pytest.raises(ValueError, match="fr"):
        render_report(make_data(), lang=lang)


def test_every_section_is_there_in_order(pages: dict[str, str]) -> None:
    for html in pages.values():
        where = [html.index(f'<section id="{s}"') for s in SECTIONS]
        assert where == sorted(where)
        assert html.index("<h1>") < where[0]
    without = render_report(make_data(comparison=False), lang="en")
    assert 'id="comparison"' not in without and 'href="#comparison"' not in without


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_findings_say_the_numbers_of_the_data(pages: dict[str, str], lang: str) -> None:
    data = make_data()
    listed = re.search(r'<ul class="findings">(.*?)</ul>', section(pages[lang], "summary"),
                       re.S)
    assert listed
    items = [text(li) for li in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)]
    assert len(items) == len(data.findings)
    reach, _cut, worst, _back, _never, _gov = data.findings
    s = items[0]
    assert s.startswith(hours(4, lang)) and "FR-Alert" in s
    assert pct(reach.value, lang) in s and band(0.55, 0.68, lang) in s
    s = items[1]
    assert s.startswith(hours(8, lang))
    if lang == "en":
        assert "12 of 71 town halls can no longer reach the COD (P10–P90: 9–15)." in s
    else:
        assert f"12 des 71 mairies ne peuvent plus joindre le COD (P10–P90{NBSP}: 9–15)." in s
    s = items[2]
    later = f"4{NNBSP}h{NNBSP}30" if lang == "fr" else f"4{NBSP}h{NBSP}30{NBSP}min"
    assert later in s and pct(worst.value, lang) in s and band(0.66, 0.79, lang) in s
    assert pct(0.95, lang) in items[3] and hours(7, lang) in items[3]
    assert hours(data.method.duration_h, lang) in items[4]
    assert ("2 of 9 governance links are broken" if lang == "en"
            else "2 liens hiérarchiques sur 9 sont rompus") in items[5]
    assert all(i[0].isupper() or i[0].isdigit() for i in items)
    assert all(i.endswith(".") for i in items)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_key_figures_table_reads_back_as_the_data(pages: dict[str, str], lang: str) -> None:
    data = make_data()
    locale = "fr_FR" if lang == "fr" else "en_GB"
    table = rows(section(pages[lang], "key-figures"))[1:]
    assert len(table) == len(data.key_figures)

    def number(cell: str) -> float:
        digits = re.sub(r"[^\d,.\s\u202f]", "", cell).strip()
        return float(parse_decimal(digits, locale=locale))

    for row, k in zip(table, data.key_figures, strict=True):
        label, value, rng, when = row
        assert label.startswith(getattr(k.label, lang))
        if k.unit == "share":
            assert value.endswith("%") and number(value) == pytest.approx(k.value * 100, abs=0.5)
        elif k.unit == "count":
            assert number(value) == pytest.approx(k.value, abs=0.05)
        else:  # seconds: "2 min 30 s"
            assert value == f"2{NNBSP if lang == 'fr' else NBSP}min" + \
                f"{NNBSP if lang == 'fr' else NBSP}30{NNBSP if lang == 'fr' else NBSP}s"
        if k.p10 is not None and k.unit != "seconds":
            lo, hi = rng.split("–")
            assert number(lo) == pytest.approx(k.p10 * (100 if k.unit == "share" else 1), abs=0.5)
            assert number(hi) == pytest.approx(k.p90 * (100 if k.unit == "share" else 1), abs=0.5)
        if k.at_h is not None and k.at_h == int(k.at_h):
            assert when.endswith(hours(k.at_h, lang))
            assert when.startswith("worst moment:" if lang == "en" else "pire moment")
    people = table[-1][1]
    assert people == ("12\u202f345" if lang == "fr" else "12,345")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_comparison_shows_both_values_and_the_difference(pages: dict[str, str],
                                                             lang: str) -> None:
    table = rows(section(pages[lang], "comparison"))
    assert table[1][1:4] == [pct(0.72, lang), pct(0.9, lang),
                             f"+18{NNBSP if lang == 'fr' else NBSP}pts"]
    assert table[2][3] == ("−9,4" if lang == "fr" else "−9.4")
    assert section(pages[lang], "comparison").count('<svg class="chart"') == 1


def test_the_criticality_table_holds_every_row(pages: dict[str, str]) -> None:
    data = make_data()
    crit = rows(section(pages["en"], "criticality"))[1:]
    assert [r[0] for r in crit] == [str(c.rank) for c in data.criticality]
    assert crit[0][2:] == ["Darnétal", "substation", "2,500 (50%)", "1", "3,000 (60%)", "4"]
    # the main channel is named in the heading, the second row has no commune
    assert "People no longer alerted by FR-Alert" in section(pages["en"], "criticality")
    assert crit[1][2] == "—"


def test_the_actors_are_summed_up_by_role_with_the_exceptions_named(
        pages: dict[str, str]) -> None:
    data = make_data()
    # the town hall is cut off in most runs from 4 h to 5 h; the COD never is
    cut = [a for a in data.actors if min(a.connected) < 0.5]
    assert [a.id for a in cut] == ["mairie-darnetal"]
    en = section(pages["en"], "actors")
    roles = {r[0]: r[1:] for r in rows(en)[1:] if len(r) == 4}
    assert list(roles) == ["mayor"] and roles["mayor"][:2] == ["1", "1"]
    assert "cut off in most runs: crisis cell (1)." in text(en)  # the roles that hold
    assert f"Mairie de Darnétal, from 4{NBSP}h to 5{NBSP}h" in roles["mayor"][2]
    assert en.count('<svg class="strip"') == len(cut)  # strips only for those cut off
    assert "lost: SMS" in text(en) and "Radio" not in text(en)  # radio never drops
    fr = text(section(pages["fr"], "actors"))
    assert f"perdus{NBSP}: SMS" in fr and "actor_channels.parquet" in fr


def test_the_causal_chains_nest_and_say_their_causes(pages: dict[str, str]) -> None:
    en = text(section(pages["en"], "chains"))
    assert "damaged by the hazard “Storm Ciarán”" in en
    assert "its backup ran out" in en and "lost what it needs, with no backup" in en
    assert "cut from every source of its network" in en and "“cyber-attack”" in en
    fr = text(section(pages["fr"], "chains"))
    assert "dégâts causés par l'aléa « Tempête Ciarán »".replace(" T", f"{NNBSP}T").replace(
        "n »", f"n{NNBSP}»") in fr
    # the substation (depth 1) sits in a list inside the site's item (depth 0)
    chain = section(pages["en"], "chains")
    assert re.search(r"Hôtel de ville.*?<ul>\s*<li><strong>Mairie de Darnétal", chain, re.S)


def test_nothing_points_to_the_network(pages: dict[str, str]) -> None:
    for html in pages.values():
        tree = parse(html)
        for tag, attrs in tree.tags:
            for name, value in attrs.items():
                assert not re.search(r"(https?:|//|^www\.)", value or ""), (tag, name, value)
                if name in ("href", "src", "xlink:href", "action", "poster", "data"):
                    assert (value or "").startswith("#"), (tag, name, value)
        # url(#…) names a pattern or a marker of the page itself (the maps' hatching)
        assert not re.search(r"@import|url\((?!#)|<script|<link|<img|<iframe", html)
        # the only web address is a source, written as text
        assert re.findall(r"https?://[^\s<)]+", html) == ["https://www.insee.fr"]


HOSTILE = "<script>alert('x')</script> & \"quotes\""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_hostile_names_are_shown_as_text(lang: str) -> None:
    data = make_data(name=HOSTILE)
    bad = Text(HOSTILE, HOSTILE)
    chart = dataclasses.replace(data.charts[0], title=bad, series=[
        dataclasses.replace(data.charts[0].series[0], label=bad)])
    data = dataclasses.replace(data, title=bad, territory=HOSTILE, charts=[chart],
                               sources=[HOSTILE], findings=[
                                   dataclasses.replace(data.findings[0], subject=bad)])
    html = render_report(data, lang=lang)
    assert "<script" not in html and "alert('x')</script>" not in html
    assert html.count("&lt;script&gt;") >= 8  # title, chart, legend, actor, asset, chain…
    tree = parse(html)
    assert tree.errors == [] and tree.stack == []
    assert not any(tag == "script" for tag, _ in tree.tags)


def test_the_structure_is_accessible(pages: dict[str, str]) -> None:
    for lang, html in pages.items():
        tree = parse(html)
        assert re.search(r"<title>[^<]+</title>", html)
        levels = [int(tag[1]) for tag, _ in tree.tags if re.fullmatch(r"h[1-6]", tag)]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b <= a + 1 for a, b in pairwise(levels)), levels
        ths = [attrs for tag, attrs in tree.tags if tag == "th"]
        assert ths and all(a.get("scope") in ("row", "col") for a in ths)
        svgs = re.findall(r"<svg\b([^>]*)>(.{0,300})", html, re.S)
        # a legend's swatch is decorative (aria-hidden): its words are beside it
        drawn = [(attrs, rest) for attrs, rest in svgs
                 if 'class="defs"' not in attrs and ' x="0" y="0"' not in attrs
                 and 'aria-hidden="true"' not in attrs]
        assert len(drawn) > 10
        for attrs, rest in drawn:
            assert 'role="img"' in attrs, attrs
            assert "aria-labelledby" in attrs and rest.startswith("<title"), (lang, attrs)


def test_the_print_style_breaks_pages_and_hides_nothing(pages: dict[str, str]) -> None:
    css = re.search(r"<style>(.*?)</style>", pages["en"], re.S).group(1)
    printing = css[css.index("@media print"):]
    assert "#summary { break-after: page; }" in printing  # the executive page alone
    assert "h2, h3 { break-after: avoid; }" in printing  # a heading stays with what follows
    assert re.search(r"\.figure[^{]*\{ break-inside: avoid; \}", printing)
    assert "display: none" not in css and "visibility: hidden" not in css


def test_a_report_the_size_of_rouen_stays_small_and_fast() -> None:
    data: ReportData = make_big()
    start = time.perf_counter()
    html = render_report(data, lang="fr")
    took = time.perf_counter() - start
    assert len(html.encode()) < 3_000_000
    assert took < 3.0
    # coordinates are whole metres from the map's corner
    defs = re.search(r'<svg class="defs".*?</svg>', html, re.S).group(0)
    paths = re.findall(r'<path id="m[zua]\d+" d="([^"]*)"', defs)
    assert paths and not any(re.search(r"\d\.\d", d) for d in paths)
    # one reach map per channel, one per commune map, one asset map per map time
    assert html.count('<svg class="map"') == len(data.maps.reach) + len(
        data.maps.choropleths) + len(data.maps.times_h)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_nearly_empty_report_still_renders(lang: str) -> None:
    data = make_data(comparison=False)
    maps = dataclasses.replace(data.maps, zones=[], zone_ids=[], zone_population=[],
                               outline=[], times_h=[], reach=[], assets=[],
                               asset_state=[], bounds=(0.0, 0.0, 0.0, 0.0))
    method = dataclasses.replace(data.method, hazards=[], mitigations=[], repairs={})
    empty = dataclasses.replace(data, description=None, territory_description=None,
                                start=None, findings=[], key_figures=[], charts=[], maps=maps,
                                actors=[], chains=[], criticality=[], sources=[],
                                method=method)
    html = render_report(empty, lang=lang)
    tree = parse(html)
    assert tree.errors == [] and tree.stack == []
    assert all(f'<section id="{s}"' in html for s in SECTIONS if s != "comparison")


def test_missing_and_infinite_values_read_as_dashes() -> None:
    data = make_data()
    nan, inf = float("nan"), float("inf")
    series = dataclasses.replace(data.charts[0].series[0], mean=[nan] * len(data.times_h),
                                 p10=[nan] * len(data.times_h), p90=[inf] * len(data.times_h))
    chart = dataclasses.replace(data.charts[0], series=[series])
    figure = dataclasses.replace(data.key_figures[2], value=inf, p10=nan, p90=inf)
    html = render_report(dataclasses.replace(data, charts=[chart], key_figures=[figure]),
                         lang="en")
    assert not re.search(r"\b(nan|inf|infinity)\b", html, re.I)
    assert rows(section(html, "key-figures"))[1][1:3] == ["∞", "—–∞"]
