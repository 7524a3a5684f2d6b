"""Maps of zones, communes and assets as inline SVG, small enough for ~1,400 zones and
~4,000 assets, readable on a 400-px phone and on paper.

Every geometry is written once, in a hidden ``<defs>`` block (:func:`map_defs`); each map
then draws it with ``<use href="#…">`` grouped by colour, so a map costs a few bytes per
feature whatever its shape. Zones, communes, lines and footprints are in metres of the
territory's metric CRS, shifted to the map's corner, y flipped (north up), rounded to the
metre and written as relative moves (points closer than ``Frame.tolerance`` to the last
kept one are dropped), inside a nested ``<svg>`` whose viewBox scales them to the map.
Point assets, names and the scale bar are in pixels of the map (``MAP_W`` wide), so that a
symbol has the same size and shape on every map of every report (``_symbols``).

Each map is an ``<svg viewBox>`` without a legend: the legend is HTML beside it
(``_map_figures``), so that it wraps under the map on a phone and stays readable.

>>> f = Frame.from_bounds((1000.0, 2000.0, 1100.0, 2050.0))
>>> f.ring([(1000.0, 2000.0), (1100.0, 2000.0), (1100.0, 2050.0)])
'M3 53l100 0 0-50z'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from tousrisques.report._data import MapData, MapUnit, ReachMap
from tousrisques.report._labels import labels_svg, place_labels
from tousrisques.report._svg import NO_DATA, SHARE_COLOURS, share_class
from tousrisques.report._symbols import (
    ABSENT_DASH,
    SHAPES,
    UNDERGROUND_DASH,
    line_style,
    shape_of,
)

MAP_W = 480  # width of a map in pixels of its viewBox
SCALE_H = 30  # the band under the map that holds the scale bar
BACKGROUND = "#f2f2f2"  # outside the zones
LAND = "#ffffff"  # communes on the asset maps
EDGE = "#333333"  # communes' outline
STATE_COLOURS = ("#0072B2", "#D55E00", "#ffffff")  # working, down, not there (hollow)
STATE_STROKES = ("#ffffff", "#000000", "#555555")
STATE_WIDTHS = (0.8, 1.6, 1.2)  # a down symbol has a black ring: it reads in grey too
IDLE_LINE = "#8fb8d8"  # a working line on a crowded map: it recedes behind what is down
FOOTPRINT = "#222222"
LABEL_WORST = 4  # names of the worst-hit communes written on a map
LABEL_LARGEST = 4  # names of the most populated communes written on a map
CROWDED_LINES = 300  # above, working lines are drawn light and thin


def _join(values: Sequence[int]) -> str:
    """Numbers separated by a space, or by nothing before a minus sign (SVG path syntax)."""
    out: list[str] = []
    for v in values:
        if out and v >= 0:
            out.append(" ")
        out.append(str(v))
    return "".join(out)


def _round(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Frame:
    """The map's frame: metric bounds → whole metres from the top-left corner."""

    x0: float
    y1: float
    width: int
    height: int
    tolerance: float

    @classmethod
    def from_bounds(cls, bounds: tuple[float, float, float, float]) -> Frame:
        """A frame around ``bounds`` with a 3 % margin (none when the bounds are a point);
        the tolerance is one 4,000th of the width, at least 1 m (a tenth of a pixel at
        print size)."""
        xmin, ymin, xmax, ymax = bounds
        span = max(xmax - xmin, ymax - ymin, 1.0)
        pad = span * 0.03 if (xmax > xmin or ymax > ymin) else 50.0
        width = max(1, math.ceil(xmax - xmin + 2 * pad))
        height = max(1, math.ceil(ymax - ymin + 2 * pad))
        return cls(xmin - pad, ymax + pad, width, height, max(1.0, width / 4000))

    @property
    def px(self) -> float:
        """Metres per pixel of the map."""
        return self.width / MAP_W

    @property
    def height_px(self) -> int:
        """The map's height in pixels."""
        return max(1, round(MAP_W * self.height / self.width))

    def point(self, x: float, y: float) -> tuple[int, int]:
        """Whole metres from the corner, y down."""
        return round(x - self.x0), round(self.y1 - y)

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        """Pixels of the map from its corner, y down, to a tenth."""
        return round((x - self.x0) / self.px, 1), round((self.y1 - y) / self.px, 1)

    def ring(self, ring: Sequence[tuple[float, float]], *, closed: bool = True) -> str:
        """A ring (or a line when not ``closed``) as path data: one move, relative lines."""
        pts: list[tuple[int, int]] = []
        tol2 = self.tolerance ** 2
        for i, (x, y) in enumerate(ring):
            p = self.point(x, y)
            if pts:
                dx, dy = p[0] - pts[-1][0], p[1] - pts[-1][1]
                last = i == len(ring) - 1
                if (dx == 0 and dy == 0) or (dx * dx + dy * dy < tol2 and not last):
                    continue
            pts.append(p)
        if closed and len(pts) > 1 and pts[-1] == pts[0]:
            pts.pop()
        if not pts:
            return ""
        deltas: list[int] = []
        for a, b in pairwise(pts):
            deltas += [b[0] - a[0], b[1] - a[1]]
        text = f"M{_join(pts[0])}"
        if deltas:
            text += "l" + _join(deltas)
        return text + ("z" if closed else "")


def kind_order(maps: MapData) -> list[str]:
    """The point kinds drawn, in the order of the legend (by name: the same in every
    report)."""
    return sorted({a.kind for a in maps.assets if a.line is None})


def map_defs(maps: MapData, *, uid: str = "m", style: str = "") -> Markup:
    """The hidden block that holds every geometry once: zones ``{uid}z{i}``, communes
    ``{uid}u{i}``, assets ``{uid}a{i}`` (a line's path, or a point's symbol placed in
    pixels), the symbol of each kind ``{uid}k{j}`` (``data-kind``, ``data-shape``),
    footprints ``{uid}f{h}`` / cores ``{uid}c{h}`` / tracks ``{uid}t{h}``, the hatching
    ``{uid}h`` and the arrowhead ``{uid}ar``; ``style`` is CSS for the maps' figures. Drawn
    nowhere itself."""
    frame = Frame.from_bounds(maps.bounds)
    hatch = _round(9 * frame.px)
    out = ['<svg class="defs" aria-hidden="true" focusable="false" width="0" height="0">']
    if style:
        out.append(f"<style>{style}</style>")
    out.append(f'<defs><pattern id="{uid}h" patternUnits="userSpaceOnUse" width="{hatch}" '
               f'height="{hatch}" patternTransform="rotate(45)"><path d="M0 0V{hatch}" '
               f'stroke="{FOOTPRINT}" stroke-opacity="0.4" stroke-width="{_round(frame.px)}"/>'
               f'</pattern><marker id="{uid}ar" viewBox="0 0 10 10" refX="7" refY="5" '
               f'markerWidth="4" markerHeight="4" orient="auto"><path d="M0 0L10 5L0 10z" '
               f'fill="{FOOTPRINT}"/></marker>')
    for i, rings in enumerate(maps.zones):
        d = "".join(frame.ring(ring) for ring in rings)
        out.append(f'<path id="{uid}z{i}" d="{d}"/>')
    for i, unit in enumerate(maps.units):
        d = "".join(frame.ring(ring) for ring in unit.rings)
        out.append(f'<path id="{uid}u{i}" d="{d}"/>')
    kinds = {kind: j for j, kind in enumerate(kind_order(maps))}
    for kind, j in kinds.items():
        shape = shape_of(kind)
        out.append(f'<path id="{uid}k{j}" data-kind="{escape(kind)}" data-shape="{shape}" '
                   f'd="{SHAPES[shape]}"/>')
    for i, a in enumerate(maps.assets):
        if a.line is not None:
            out.append(f'<path id="{uid}a{i}" d="{frame.ring(a.line, closed=False)}"/>')
        else:
            x, y = frame.pixel(a.x, a.y)
            out.append(f'<use id="{uid}a{i}" href="#{uid}k{kinds[a.kind]}" x="{x:g}" '
                       f'y="{y:g}"/>')
    for h, f in enumerate(maps.footprints):
        out.append(f'<path id="{uid}f{h}" d="{"".join(frame.ring(r) for r in f.rings)}"/>')
        out.append(f'<path id="{uid}c{h}" d="{"".join(frame.ring(r) for r in f.core)}"/>')
        if f.track:
            out.append(f'<path id="{uid}t{h}" d="{frame.ring(f.track, closed=False)}"/>')
    out.append("</defs></svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class MapWords:
    """The translated words of one map, for screen readers (the legend is HTML)."""

    title: str
    summary: str


def open_map(frame: Frame, words: MapWords, uid: str) -> list[str]:
    h = frame.height_px
    return [f'<svg class="map" role="img" viewBox="0 0 {MAP_W} {h + SCALE_H}" '
            f'width="{MAP_W}" height="{h + SCALE_H}" aria-labelledby="{uid}-t {uid}-d">'
            f'<title id="{uid}-t">{escape(words.title)}</title>'
            f'<desc id="{uid}-d">{escape(words.summary)}</desc>'
            f'<rect x="0" y="0" width="{MAP_W}" height="{h}" fill="{BACKGROUND}"/>'
            f'<svg x="0" y="0" width="{MAP_W}" height="{h}" '
            f'viewBox="0 0 {frame.width} {frame.height}">']


def draw_outline(out: list[str], maps: MapData, frame: Frame, defs: str, *,
             width: float = 0.9) -> None:
    """The communes' outlines, on top of the fills."""
    if not maps.units:
        return
    out.append(f'<g fill="none" stroke="{EDGE}" stroke-width="{_round(width * frame.px)}">')
    out += [f'<use href="#{defs}u{i}"/>' for i in range(len(maps.units))]
    out.append("</g>")


def _footprints(out: list[str], maps: MapData, frame: Frame, defs: str) -> None:
    """Each hazard's extent (dashed), its core (hatched) and a storm's track (arrow)."""
    px = frame.px
    for h, f in enumerate(maps.footprints):
        if f.core:
            out.append(f'<use href="#{defs}c{h}" fill="url(#{defs}h)" stroke="{FOOTPRINT}" '
                       f'stroke-width="{_round(1.1 * px)}"/>')
        if f.rings:
            out.append(f'<use href="#{defs}f{h}" fill="none" stroke="{FOOTPRINT}" '
                       f'stroke-width="{_round(1.4 * px)}" '
                       f'stroke-dasharray="{_round(7 * px)} {_round(4 * px)}"/>')
        if f.track:
            out.append(f'<use href="#{defs}t{h}" fill="none" stroke="{FOOTPRINT}" '
                       f'stroke-width="{_round(2.4 * px)}" marker-end="url(#{defs}ar)"/>')


def label_candidates(units: Sequence[MapUnit], frame: Frame,
                     badness: Sequence[float] | None = None
                     ) -> list[tuple[str, float, float, bool]]:
    """The names to write: the ``LABEL_WORST`` worst-hit units (``badness`` > 0, highest
    first, in bold), then the ``LABEL_LARGEST`` most populated."""
    order: list[tuple[int, bool]] = []
    if badness is not None:
        hit = [i for i in range(len(units)) if i < len(badness) and badness[i] > 0]
        hit.sort(key=lambda i: (-badness[i], -units[i].population))
        order += [(i, True) for i in hit[:LABEL_WORST]]
    big = sorted(range(len(units)), key=lambda i: -units[i].population)[:LABEL_LARGEST]
    seen = {i for i, _ in order}
    order += [(i, False) for i in big if i not in seen]
    out = []
    for i, strong in order:
        x, y = frame.pixel(*units[i].label_at)
        out.append((units[i].name, x, y, strong))
    return out


def close_map(out: list[str], maps: MapData, frame: Frame, defs: str,
           candidates: list[tuple[str, float, float, bool]]) -> Markup:
    """Footprints on top of the map, then (in pixels) the names and the scale bar."""
    _footprints(out, maps, frame, defs)
    out.append("</svg>")
    return _finish(out, frame, candidates)


def _finish(out: list[str], frame: Frame,
            candidates: list[tuple[str, float, float, bool]]) -> Markup:
    map_h = frame.height_px
    out.append(labels_svg(place_labels(candidates, width=MAP_W, height=map_h)))
    # scale bar: a round length near a fifth of the width
    target = frame.width / 5
    length = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * length <= target:
            length *= m
            break
    bar = length / frame.px
    label = f"{length / 1000:g}\u00a0km" if length >= 1000 else f"{length:g}\u00a0m"
    y = map_h + 17
    out.append(f'<path d="M10 {y}h{_round(bar)}M10 {y - 4}v8M{_round(10 + bar)} {y - 4}v8" '
               f'stroke="#222" stroke-width="1.5" fill="none"/>'
               f'<text x="{_round(16 + bar)}" y="{y + 4}" font-size="12" fill="#222">'
               f"{escape(label)}</text></svg>")
    return Markup("".join(out))


def unit_badness(maps: MapData, zone_values: Sequence[float]) -> list[float]:
    """Per unit, the share of its people in zones *not* reached (population-weighted)."""
    out = []
    for u in maps.units:
        pop = sum(maps.zone_population[z] for z in u.zones)
        got = sum(maps.zone_population[z] * zone_values[z] for z in u.zones
                  if z < len(zone_values) and zone_values[z] == zone_values[z])
        out.append(1 - got / pop if pop > 0 else 0.0)
    return out


def reach_map(maps: MapData, reach: ReachMap, *, words: MapWords, uid: str,
              defs: str = "m") -> Markup:
    """Zones coloured by the share of runs in which ``reach``'s channel reaches them at its
    worst moment, the communes' outlines and the footprints on top, the names of the
    worst-reached and the largest communes, a scale bar."""
    frame = Frame.from_bounds(maps.bounds)
    out = open_map(frame, words, uid)
    groups: dict[int, list[int]] = {}
    for z in range(len(maps.zones)):
        share = reach.reached[z] if z < len(reach.reached) else math.nan
        groups.setdefault(share_class(share), []).append(z)
    edge = _round(0.3 * frame.px)
    for cls in sorted(groups):
        colour = NO_DATA if cls < 0 else SHARE_COLOURS[cls]
        out.append(f'<g fill="{colour}" stroke="{colour}" stroke-width="{edge}">')
        out += [f'<use href="#{defs}z{z}"/>' for z in groups[cls]]
        out.append("</g>")
    draw_outline(out, maps, frame, defs)
    return close_map(out, maps, frame, defs,
                  label_candidates(maps.units, frame, unit_badness(maps, reach.reached)))


def asset_map(maps: MapData, k: int, *, words: MapWords, uid: str, defs: str = "m"
              ) -> Markup:
    """Assets coloured by their state at ``times_h[k]`` in the representative run: lines as
    lines (dashed underground), points by the symbol of their kind; down ones on top, with
    a black ring; the communes' outlines, footprints and the largest communes' names."""
    frame = Frame.from_bounds(maps.bounds)
    out = open_map(frame, words, uid)
    if maps.units:
        out.append(f'<g fill="{LAND}">')
        out += [f'<use href="#{defs}u{i}"/>' for i in range(len(maps.units))]
        out.append("</g>")
    draw_outline(out, maps, frame, defs, width=0.6)
    state = maps.asset_state[k] if k < len(maps.asset_state) else []
    px = frame.px
    n_lines = sum(1 for a in maps.assets if a.line is not None)
    crowded = n_lines > CROWDED_LINES
    lines: dict[tuple[int, float, bool], list[int]] = {}
    points: dict[int, list[int]] = {}
    for i, a in enumerate(maps.assets):
        s = state[i] if i < len(state) and state[i] in (0, 1, 2) else 1
        if a.line is not None:
            lines.setdefault((s, line_style(a.kind).width, a.underground), []).append(i)
        else:
            points.setdefault(s, []).append(i)
    # not there first (faint), then working, then down on top: a failure is never hidden
    for s in (2, 0, 1):
        for (state_, width, under), members in sorted(lines.items()):
            if state_ != s:
                continue
            colour = STATE_STROKES[2] if s == 2 else (
                IDLE_LINE if crowded and s == 0 else STATE_COLOURS[s])
            w = width * (0.7 if crowded and s == 0 else 1.4 if s == 1 else 1.0)
            dash = ABSENT_DASH if s == 2 else UNDERGROUND_DASH if under else None
            dashes = (f' stroke-dasharray="{_round(dash[0] * px)} {_round(dash[1] * px)}"'
                      if dash else "")
            out.append(f'<g fill="none" stroke="{colour}" stroke-width="{_round(w * px)}"'
                       f'{dashes}>')
            out += [f'<use href="#{defs}a{i}"/>' for i in members]
            out.append("</g>")
    _footprints(out, maps, frame, defs)
    out.append("</svg>")
    for s in (2, 0, 1):
        if s in points:
            out.append(f'<g fill="{STATE_COLOURS[s]}" stroke="{STATE_STROKES[s]}" '
                       f'stroke-width="{STATE_WIDTHS[s]}">')
            out += [f'<use href="#{defs}a{i}"/>' for i in points[s]]
            out.append("</g>")
    return _finish(out, frame, label_candidates(maps.units, frame))
