"""Maps of zones and assets as inline SVG, small enough for ~1,400 zones and ~4,400 assets.

Every geometry is written once, in a hidden ``<defs>`` block (:func:`map_defs`); each map
then draws it with ``<use href="#…">`` grouped by colour, so a map costs a few bytes per
feature whatever its shape. Coordinates are in metres of the territory's metric CRS,
shifted to the map's corner, y flipped (north up), rounded to the metre and written as
relative moves; points closer than ``Frame.tolerance`` to the last kept one are dropped.

>>> f = Frame.from_bounds((1000.0, 2000.0, 1100.0, 2050.0))
>>> f.ring([(1000.0, 2000.0), (1100.0, 2000.0), (1100.0, 2050.0)])
'M1 51l100 0 0-50z'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from tousrisques.report._data import MapData
from tousrisques.report._svg import NO_DATA, SHARE_COLOURS, share_class

MAP_W = 600  # width of the map in CSS pixels; the legend sits to its right
LEGEND_W = 270
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "hexagon")
STATE_COLOURS = ("#0072B2", "#D55E00", "#ffffff")  # working, down, not there (hollow)
STATE_STROKES = ("#ffffff", "#ffffff", "#555555")


def _join(values: Sequence[int]) -> str:
    """Numbers separated by a space, or by nothing before a minus sign (SVG path syntax)."""
    out: list[str] = []
    for v in values:
        if out and v >= 0:
            out.append(" ")
        out.append(str(v))
    return "".join(out)


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
        """A frame around ``bounds`` with a 1 % margin (none when the bounds are a point);
        the tolerance is one 4,000th of the width, at least 1 m (a tenth of a pixel at
        print size)."""
        xmin, ymin, xmax, ymax = bounds
        span = max(xmax - xmin, ymax - ymin, 1.0)
        pad = span * 0.01 if (xmax > xmin or ymax > ymin) else 50.0
        width = max(1, math.ceil(xmax - xmin + 2 * pad))
        height = max(1, math.ceil(ymax - ymin + 2 * pad))
        return cls(xmin - pad, ymax + pad, width, height, max(1.0, width / 4000))

    def point(self, x: float, y: float) -> tuple[int, int]:
        """Whole metres from the corner, y down."""
        return round(x - self.x0), round(self.y1 - y)

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


def _kind_shapes(maps: MapData) -> dict[str, str]:
    """A shape for each kind of point asset, in order of first appearance (six shapes, then
    they repeat: the legend tells kinds apart); line assets are drawn as lines."""
    shapes: dict[str, str] = {}
    for a in maps.assets:
        if a.line is None and a.kind not in shapes:
            shapes[a.kind] = SHAPES[len(shapes) % len(SHAPES)]
    return shapes


def _symbol(shape: str, x: int, y: int, r: float, ident: str) -> str:
    rr = max(1, round(r))
    if shape == "circle":
        return f'<circle id="{ident}" cx="{x}" cy="{y}" r="{rr}"/>'
    if shape == "square":
        return (f'<rect id="{ident}" x="{x - rr}" y="{y - rr}" width="{2 * rr}" '
                f'height="{2 * rr}"/>')
    if shape == "triangle":
        h = round(rr * 1.2)
        return f'<path id="{ident}" d="M{x} {y - h}l{h} {2 * h}h{-2 * h}z"/>'
    if shape == "triangle-down":
        h = round(rr * 1.2)
        return f'<path id="{ident}" d="M{x} {y + h}l{h} {-2 * h}h{-2 * h}z"/>'
    if shape == "hexagon":
        h, w = round(rr * 1.15), round(rr * 1.0)
        half = round(h / 2)
        return (f'<path id="{ident}" d="M{x} {y - h}l{w} {half}v{2 * half}l{-w} {half}'
                f'l{-w} {-half}v{-2 * half}z"/>')
    h = round(rr * 1.3)
    return f'<path id="{ident}" d="M{x} {y - h}l{h} {h} {-h} {h} {-h} {-h}z"/>'


def point_radius(frame: Frame) -> float:
    """Half the size of a point symbol, in metres: 4 pixels at map size."""
    return 4 * frame.width / MAP_W


def map_defs(maps: MapData, *, uid: str = "m") -> Markup:
    """The hidden block that holds every geometry once: zones ``{uid}z{i}``, assets
    ``{uid}a{i}``, outline ``{uid}o``. Drawn nowhere itself."""
    frame = Frame.from_bounds(maps.bounds)
    r = point_radius(frame)
    shapes = _kind_shapes(maps)
    out = ['<svg class="defs" aria-hidden="true" focusable="false" width="0" height="0">'
           "<defs>"]
    for i, rings in enumerate(maps.zones):
        d = "".join(frame.ring(ring) for ring in rings)
        out.append(f'<path id="{uid}z{i}" d="{d}"/>')
    for i, a in enumerate(maps.assets):
        if a.line is not None:
            out.append(f'<path id="{uid}a{i}" d="{frame.ring(a.line, closed=False)}"/>')
        else:
            x, y = frame.point(a.x, a.y)
            out.append(_symbol(shapes.get(a.kind, "circle"), x, y, r, f"{uid}a{i}"))
    d = "".join(frame.ring(ring) for ring in maps.outline)
    out.append(f'<path id="{uid}o" d="{d}"/></defs></svg>')
    return Markup("".join(out))


@dataclass(frozen=True)
class MapWords:
    """The translated words of one map."""

    title: str
    summary: str
    legend_title: str
    legend: list[str]  # zone map: the five classes then "no data"; assets: see asset_map


def _open(frame: Frame, words: MapWords, uid: str, legend_rows: int) -> tuple[list[str], int]:
    map_h = round(MAP_W * frame.height / frame.width)
    height = max(map_h, 40 + 20 * legend_rows) + 34
    out = [f'<svg class="map" role="img" viewBox="0 0 {MAP_W + LEGEND_W} {height}" '
           f'width="{MAP_W + LEGEND_W}" height="{height}" aria-labelledby="{uid}-t {uid}-d">'
           f'<title id="{uid}-t">{escape(words.title)}</title>'
           f'<desc id="{uid}-d">{escape(words.summary)}</desc>'
           f'<rect x="0" y="0" width="{MAP_W}" height="{map_h}" fill="#f7f7f7"/>'
           f'<svg x="0" y="0" width="{MAP_W}" height="{map_h}" '
           f'viewBox="0 0 {frame.width} {frame.height}">']
    return out, map_h


def _outline(out: list[str], frame: Frame, uid: str) -> None:
    """Draw the outline on top of the map and close the map's own frame."""
    out.append(f'<use href="#{uid}o" fill="none" stroke="#222" '
               f'stroke-width="{_round(1.2 * frame.width / MAP_W)}"/></svg>')


def _close(out: list[str], frame: Frame, map_h: int) -> None:
    """Draw the scale bar under the map and close the figure."""
    px = frame.width / MAP_W  # metres per pixel
    # scale bar: a round length near a fifth of the width
    target = frame.width / 5
    length = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * length <= target:
            length *= m
            break
    bar = length / px
    label = f"{length / 1000:g}\u00a0km" if length >= 1000 else f"{length:g}\u00a0m"
    y = map_h + 18
    out.append(f'<path d="M10 {y}h{_round(bar)}M10 {y - 4}v8M{_round(10 + bar)} {y - 4}v8" '
               f'stroke="#222" stroke-width="1.5" fill="none"/>'
               f'<text x="{_round(16 + bar)}" y="{y + 4}" font-size="12" fill="#222">'
               f"{escape(label)}</text></svg>")


def _round(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _legend_head(out: list[str], words: MapWords) -> int:
    x = MAP_W + 14
    out.append(f'<text x="{x}" y="18" font-size="12" font-weight="bold" fill="#222">'
               f"{escape(words.legend_title)}</text>")
    return 38


def zone_map(maps: MapData, k: int, *, words: MapWords, uid: str, defs: str = "m") -> Markup:
    """Zones coloured by the share of runs in which they are reached at ``times_h[k]``,
    the outline on top, a legend of the five classes and a scale bar."""
    frame = Frame.from_bounds(maps.bounds)
    out, map_h = _open(frame, words, uid, 7)
    groups: dict[int, list[int]] = {}
    reached = maps.zone_reached[k] if k < len(maps.zone_reached) else []
    for z in range(len(maps.zones)):
        share = reached[z] if z < len(reached) else math.nan
        groups.setdefault(share_class(share), []).append(z)
    edge = _round(0.4 * frame.width / MAP_W)
    for cls in sorted(groups):
        colour = NO_DATA if cls < 0 else SHARE_COLOURS[cls]
        out.append(f'<g fill="{colour}" stroke="#ffffff" stroke-width="{edge}">')
        out += [f'<use href="#{defs}z{z}"/>' for z in groups[cls]]
        out.append("</g>")
    _outline(out, frame, defs)
    y = _legend_head(out, words)
    x = MAP_W + 14
    colours = [*SHARE_COLOURS[::-1], NO_DATA]
    labels = [*words.legend[:5][::-1], *words.legend[5:6]]
    for colour, label in zip(colours, labels, strict=False):
        out.append(f'<rect x="{x}" y="{y - 11}" width="16" height="14" fill="{colour}" '
                   f'stroke="#777" stroke-width="0.5"/><text x="{x + 24}" y="{y}" '
                   f'font-size="12" fill="#222">{escape(label)}</text>')
        y += 20
    _close(out, frame, map_h)
    return Markup("".join(out))


def asset_map(maps: MapData, k: int, *, words: MapWords, kind_labels: dict[str, str],
              uid: str, defs: str = "m") -> Markup:
    """Assets coloured by their state at ``times_h[k]`` in the representative run (lines as
    lines, points by kind as circles, squares, triangles, diamonds), the outline on top.
    ``words.legend`` holds the three states' names, then the name for line assets."""
    frame = Frame.from_bounds(maps.bounds)
    shapes = _kind_shapes(maps)
    has_lines = any(a.line is not None for a in maps.assets)
    out, map_h = _open(frame, words, uid, 4 + len(shapes) + has_lines)
    state = maps.asset_state[k] if k < len(maps.asset_state) else []
    px = frame.width / MAP_W
    lines: dict[int, list[int]] = {}
    points: dict[int, list[int]] = {}
    for i, a in enumerate(maps.assets):
        s = state[i] if i < len(state) and state[i] in (0, 1, 2) else 1
        (lines if a.line is not None else points).setdefault(s, []).append(i)
    # not there first (faint), then working, then down on top: a failure is never hidden
    for s in (2, 0, 1):
        if s in lines:
            dash = f' stroke-dasharray="{_round(4 * px)} {_round(3 * px)}"' if s == 2 else ""
            colour = STATE_STROKES[2] if s == 2 else STATE_COLOURS[s]
            out.append(f'<g fill="none" stroke="{colour}" stroke-width="{_round(1.6 * px)}"'
                       f'{dash}>')
            out += [f'<use href="#{defs}a{i}"/>' for i in lines[s]]
            out.append("</g>")
    for s in (2, 0, 1):
        if s in points:
            out.append(f'<g fill="{STATE_COLOURS[s]}" stroke="{STATE_STROKES[s]}" '
                       f'stroke-width="{_round(0.7 * px)}">')
            out += [f'<use href="#{defs}a{i}"/>' for i in points[s]]
            out.append("</g>")
    _outline(out, frame, defs)
    y = _legend_head(out, words)
    x = MAP_W + 14
    for s in range(3):
        out.append(f'<rect x="{x}" y="{y - 11}" width="14" height="14" '
                   f'fill="{STATE_COLOURS[s]}" stroke="{STATE_STROKES[s] if s == 2 else "#777"}"'
                   f'/><text x="{x + 24}" y="{y}" font-size="12" fill="#222">'
                   f"{escape(words.legend[s])}</text>")
        y += 20
    y += 6
    if has_lines:
        out.append(f'<path d="M{x} {y - 4}h16" stroke="#444" stroke-width="2"/>'
                   f'<text x="{x + 24}" y="{y}" font-size="12" fill="#222">'
                   f"{escape(words.legend[3])}</text>")
        y += 20
    for kind, shape in shapes.items():
        out.append('<g fill="#444">' + _symbol(shape, x + 7, y - 4, 5, "").replace(
            ' id=""', "") + "</g>"
                   f'<text x="{x + 24}" y="{y}" font-size="12" fill="#222">'
                   f"{escape(kind_labels.get(kind, kind))}</text>")
        y += 20
    _close(out, frame, map_h)
    return Markup("".join(out))
