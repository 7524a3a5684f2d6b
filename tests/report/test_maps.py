"""The maps read at a glance (issue 11, item 3): each kind keeps its fixed symbol in every
report, per-commune counts equal the run's own states, a channel's map is taken at that
channel's worst moment, the frame ignores a far asset, names never overlap, lines are lines
(dashed underground), the hazard is drawn.

Two real reports are compared: the petite-ville template (every asset one by one) and the
Rouen sample (a métropole: antennas and transformers counted per commune)."""

from __future__ import annotations

import math
import random
import re
from html import unescape
from pathlib import Path

import numpy as np
import pytest
import shapely

from tests.report.conftest import X0, Y0, make_data
from tousrisques.analysis import Study, make_study
from tousrisques.report import build_report_data, render_report
from tousrisques.report._data import ReportData
from tousrisques.report._geometry import MOST_SYMBOLS, frame_bounds, split_kinds
from tousrisques.report._labels import _box, place_labels
from tousrisques.report._maps import Frame, map_defs
from tousrisques.report._symbols import KIND_SHAPES, SHAPES, UNDERGROUND_DASH, shape_of
from tousrisques.results import worst_moment, worst_time
from tousrisques.scenario import load_scenario

PETITE = Path("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
ROUEN = Path("examples/rouen/scenarios/tempete.yaml")
SYMBOL = re.compile(r'<path id="mk(\d+)" data-kind="([^"]+)" data-shape="([^"]+)" d="([^"]+)"/>')
PLACED = re.compile(r'<use id="ma(\d+)" href="#mk(\d+)"')


@pytest.fixture(scope="module")
def petite() -> tuple[Study, ReportData]:
    study = make_study(load_scenario(PETITE), runs=4)
    return study, build_report_data(study)


@pytest.fixture(scope="module")
def rouen() -> tuple[Study, ReportData]:
    study = make_study(load_scenario(ROUEN), runs=3)
    return study, build_report_data(study)


def symbols(data: ReportData) -> dict[str, tuple[str, str]]:
    """kind -> (shape, path) as the report's hidden definitions draw it; every point asset
    placed with the symbol of its own kind."""
    defs = str(map_defs(data.maps))
    found = {int(j): (kind, shape, d) for j, kind, shape, d in SYMBOL.findall(defs)}
    points = [i for i, a in enumerate(data.maps.assets) if a.line is None]
    placed = {int(i): int(j) for i, j in PLACED.findall(defs)}
    assert sorted(placed) == points
    for i, j in placed.items():
        assert found[j][0] == data.maps.assets[i].kind
    return {kind: (shape, d) for kind, shape, d in found.values()}


def test_every_kind_keeps_its_fixed_symbol_in_every_report(petite: tuple[Study, ReportData],
                                                           rouen: tuple[Study, ReportData]
                                                           ) -> None:
    small, big = symbols(petite[1]), symbols(rouen[1])
    for table in (small, big):
        for kind, (shape, d) in table.items():
            assert shape == shape_of(kind) and d == SHAPES[shape]
            if kind in KIND_SHAPES:
                assert shape == KIND_SHAPES[kind]
    common = set(small) & set(big)
    assert {"siren", "site", "substation"} <= common
    assert all(small[k] == big[k] for k in common)
    # a siren and an antenna site never look alike
    assert small["siren"][1] != small["antenna"][1]
    # no two kinds of the catalogue share a shape
    assert len(set(KIND_SHAPES.values())) == len(KIND_SHAPES)
    # the legend shows each kind with the map's own shape
    html = render_report(petite[1], lang="en")
    for kind, (_shape, d) in small.items():
        label = petite[1].maps.kind_labels[kind].en  # type: ignore[union-attr]
        item = re.search(r'<li><svg class="sym"[^>]*><path d="([^"]+)"[^>]*/></svg><span>'
                         + re.escape(label) + "</span>", html)
        assert item is not None and item.group(1) == d, kind


def test_a_kind_a_territory_adds_keeps_one_shape() -> None:
    assert shape_of("satphone") == shape_of("satphone")
    assert len({shape_of(f"custom-{i}") for i in range(40)}) > 1  # spread over the spares


def test_a_small_town_draws_every_asset_a_metropole_counts_per_commune(
        petite: tuple[Study, ReportData], rouen: tuple[Study, ReportData]) -> None:
    small, big = petite[1].maps, rouen[1].maps
    assert small.aggregated == []
    assert all(c.what == "without_power" for c in small.choropleths)
    assert {"antenna", "transformer"} <= set(big.aggregated)
    assert sum(1 for a in big.assets if a.line is None) <= MOST_SYMBOLS
    assert {c.kind for c in big.choropleths if c.what == "down"} == set(big.aggregated)
    assert split_kinds({"a": 101, "b": 5}) == (["b"], ["a"])


def test_per_commune_counts_equal_the_run(rouen: tuple[Study, ReportData]) -> None:
    study, data = rouen
    t = study.scenario.territory
    tl, ens = study.timeline, study.ensemble
    maps = data.maps
    hours = (ens.times_s / 3600).tolist()
    # the communes, built again from the zones' own codes
    codes = [str(c) for c in t.zones.attrs["insee"]]
    assert [u.id for u in maps.units] == list(dict.fromkeys(codes))
    for c in maps.choropleths:
        k = hours.index(c.time_h)
        if c.what == "without_power":
            assert k == worst_time(ens, "population_without_power", highest=True)
            # the people without power the indicator counts in the representative run
            counted = study.indicators.count("population_without_power")[k]
            assert sum(c.down) == pytest.approx(counted, rel=1e-9, abs=1e-6)
            assert sum(c.total) == pytest.approx(float(t.zones.population.sum()))
            continue
        assert k == worst_time(ens, f"assets_working:{c.kind}")
        rows = np.nonzero(t.assets.kind == t.kind_names.index(c.kind))[0]
        present = tl.present_at(k)[rows]
        down = present & ~tl.working_at(k)[rows]
        assert sum(c.total) == present.sum() and sum(c.down) == down.sum()
        # commune by commune, for the assets inside exactly one commune's zones
        polys = [shapely.union_all([shapely.Polygon(r) for r in u.rings]).buffer(-50)
                 for u in maps.units]
        pts = shapely.points(t.assets.x[rows], t.assets.y[rows])
        inside = np.array([shapely.contains(g, pts) for g in polys])  # (units, assets)
        mine = {u.id: (d, n) for u, d, n in zip(maps.units, c.down, c.total, strict=True)}
        want: dict[str, list[int]] = {u.id: [0, 0] for u in maps.units}
        for a, (p, dn) in enumerate(zip(present, down, strict=True)):
            where = np.nonzero(inside[:, a])[0]
            if len(where) == 1:
                want[maps.units[where[0]].id][0] += int(dn)
                want[maps.units[where[0]].id][1] += int(p)
        for u, (d, n) in want.items():
            assert mine[u][0] >= d and mine[u][1] >= n  # border assets may add, never lose
        assert sum(w[1] for w in want.values()) > 0.9 * present.sum()


def test_a_channel_map_is_taken_at_its_own_worst_moment(rouen: tuple[Study, ReportData]
                                                        ) -> None:
    study, data = rouen
    ens = study.ensemble
    hours = (ens.times_s / 3600).tolist()
    main = [r for r in data.maps.reach if r.channel != "any"]
    assert main and main[0].channel == "fr-alert"
    for r in data.maps.reach:
        name = "population_reached:any" if r.channel == "any" else \
            f"population_reached:{r.channel}"
        # the moment the key figures name (the median's worst), so the map and the figure
        # above it say the same hour; the lowest mean only when the indicator holds
        k = worst_moment(ens, name)
        k = worst_time(ens, name) if k is None else k
        assert r.time_h == hours[k]
        j = ens.broadcast_ids.index(r.channel)
        assert r.reached == ens.zone_reached[k, j].tolist()  # type: ignore[index]
    # FR-Alert's worst is not the worst of reach by any channel: its own is the one drawn
    assert main[0].time_h != hours[worst_time(ens, "population_reached:any")]
    html = render_report(data, lang="en")
    heading = re.search(r'<div class="figure map-figure" id="map-reach-0">\s*<h3>([^<]+)</h3>',
                        html)
    assert heading is not None and "worst moment" in heading.group(1)


def test_the_frame_ignores_a_far_asset(petite: tuple[Study, ReportData]) -> None:
    _study, data = petite
    maps = data.maps
    zone_xy = np.array([xy for z in maps.zones for r in z for xy in r])
    zx0, zy0 = zone_xy.min(axis=0)
    zx1, zy1 = zone_xy.max(axis=0)
    x0, y0, x1, y1 = maps.bounds
    size = max(zx1 - zx0, zy1 - zy0)
    assert x0 >= zx0 - 0.2 * size and x1 <= zx1 + 0.2 * size
    assert y0 >= zy0 - 0.2 * size and y1 <= zy1 + 0.2 * size
    far = [a for a in maps.off_map]
    assert far and all(not (x0 <= a.x <= x1 and y0 <= a.y <= y1) for a in far)
    html = render_report(data, lang="fr")
    assert all((a.name or a.id) in html for a in far)  # named in the note
    # an alerting platform placed in Paris, 110 km away, is left off a Rouen-sized frame
    zones = np.array([[X0, Y0], [X0 + 30_000, Y0 + 25_000]])
    points = np.array([[X0 + 500, Y0 + 500], [652_000.0, 6_862_000.0]])
    bounds, on = frame_bounds(zones, points)
    assert on.tolist() == [True, False] and bounds == (X0, Y0, X0 + 30_000, Y0 + 25_000)


def test_names_never_overlap() -> None:
    rnd = random.Random(3)
    names = ["Rouen", "Le Grand-Quevilly", "Saint-Étienne-du-Rouvray", "Oissel", "Darnétal",
             "Sotteville-lès-Rouen", "Bihorel", "Elbeuf"]
    for _ in range(50):
        cands = [(rnd.choice(names), rnd.uniform(0, 480), rnd.uniform(0, 360), rnd.random() < .5)
                 for _ in range(12)]
        placed = place_labels(cands, width=480, height=360)
        boxes = [_box(p.text, p.x, p.y, p.anchor, 13.0) for p in placed]
        for i, a in enumerate(boxes):
            assert a[0] >= 0 and a[2] <= 480 and a[1] >= 0 and a[3] <= 360
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_the_worst_hit_and_the_largest_communes_are_named(rouen: tuple[Study, ReportData]
                                                          ) -> None:
    _study, data = rouen
    html = render_report(data, lang="fr")
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="\w+"( font-weight="bold")?>'
                        r"([^<]+)</text>", html)
    names = {unescape(name) for _bold, name in labels}
    assert "Rouen" in names  # the largest
    assert any(bold for bold, _name in labels)  # some worst hit, in bold
    for c in data.maps.choropleths:
        if sum(c.down) == 0:
            continue
        shares = [d / n if n else 0 for d, n in zip(c.down, c.total, strict=True)]
        worst = data.maps.units[int(np.argmax(shares))].name
        assert worst in names


def test_lines_are_drawn_as_lines_dashed_underground(rouen: tuple[Study, ReportData]) -> None:
    _study, data = rouen
    maps = data.maps
    lines = [a for a in maps.assets if a.line is not None]
    assert any(a.underground for a in lines) and any(not a.underground for a in lines)
    html = render_report(data, lang="en")
    figure = re.search(r'id="map-assets-0">.*?</svg>\s*</div>', html, re.S)
    assert figure is not None
    px = Frame.from_bounds(maps.bounds).px
    dash = f'stroke-dasharray="{UNDERGROUND_DASH[0] * px:.1f}'.removesuffix(".0")
    groups = re.findall(r'<g fill="none" stroke="[^"]+" stroke-width="[^"]+"([^>]*)>((?:<use '
                        r'href="#ma\d+"/>)+)</g>', figure.group(0))
    index = {f"#ma{i}": a for i, a in enumerate(maps.assets)}
    seen_dashed = seen_plain = False
    for attrs, uses in groups:
        members = [index[h] for h in re.findall(r'href="(#ma\d+)"', uses)]
        assert all(a.line is not None for a in members)
        if dash.split('"')[1] in attrs and "dasharray" in attrs:
            seen_dashed = True
            assert all(a.underground for a in members)
        elif "dasharray" not in attrs:
            seen_plain = True
            assert not any(a.underground for a in members)
    assert seen_dashed and seen_plain


def test_the_hazard_footprint_is_drawn(petite: tuple[Study, ReportData],
                                       rouen: tuple[Study, ReportData]) -> None:
    for _study, data in (petite, rouen):
        (f,) = data.maps.footprints
        assert f.model == "storm" and f.track is not None
        html = render_report(data, lang="en")
        assert '<path id="mt0" d="M' in html
        assert html.count('href="#mt0"') == len(re.findall(r'<svg class="map"', html))
    # the Rouen storm's core crosses the métropole: hatched; its reach covers it all: said
    (f,) = rouen[1].maps.footprints
    assert f.core and f.reach_everywhere and not f.rings


def test_a_hand_made_report_draws_every_map() -> None:
    data = make_data()
    html = render_report(data, lang="fr")
    maps = re.findall(r'<svg class="map"', html)
    assert len(maps) == len(data.maps.reach) + len(data.maps.choropleths) + len(
        data.maps.times_h)
    # a commune without any of the kind reads "none of this kind here", not "none down"
    assert html.count('<ul class="map-legend"') == len(maps)
    assert math.isfinite(Frame.from_bounds(data.maps.bounds).px)
