"""One symbol per kind of asset, the same in every report.

A point asset is drawn as the shape of its kind, filled with the colour of its state: the
shape says *what* it is, without colour (a black-and-white printout, a colour-blind reader),
the fill says whether it works. The built-in kinds of ``territory/_kinds.py`` have a fixed
shape (:data:`KIND_SHAPES`): the siren is a star and the antenna site a triangle, so they are
never confused; a kind a territory adds gets one of :data:`SPARE_SHAPES`, chosen from a hash
of its name, so that it too keeps its shape from one report to the next. Line kinds are drawn
as lines (:func:`line_style`): their width says the kind, a dash says *underground*.

Paths are centred on (0, 0), in pixels of the map (about 5 px from centre to edge).

>>> shape_of("siren"), shape_of("antenna")
('star', 'triangle')
>>> shape_of("my-own-kind") == shape_of("my-own-kind") and shape_of("my-own-kind") in SPARE_SHAPES
True
>>> SHAPES["square"]
'M-4.5-4.5h9v9h-9z'
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass


def _polygon(sides: int, radius: float, turn: float = 0.0) -> str:
    """A regular polygon centred on (0, 0), first vertex up (turned by ``turn`` of a side)."""
    pts = []
    for i in range(sides):
        a = 2 * math.pi * (i + turn) / sides - math.pi / 2
        pts.append((radius * math.cos(a), radius * math.sin(a)))
    return _path(pts)


def _star(points: int, outer: float, inner: float) -> str:
    pts = []
    for i in range(2 * points):
        r = outer if i % 2 == 0 else inner
        a = math.pi * i / points - math.pi / 2
        pts.append((r * math.cos(a), r * math.sin(a)))
    return _path(pts)


def _num(v: float) -> str:
    text = f"{v:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _path(pts: list[tuple[float, float]]) -> str:
    head = f"M{_num(pts[0][0])} {_num(pts[0][1])}"
    return head + "L" + " ".join(f"{_num(x)} {_num(y)}" for x, y in pts[1:]) + "z"


#: every shape, by name: an SVG path centred on (0, 0), about 5 px from centre to edge
SHAPES: dict[str, str] = {
    "circle": "M-5 0a5 5 0 1 0 10 0a5 5 0 1 0-10 0z",
    "square": "M-4.5-4.5h9v9h-9z",
    "diamond": "M0-6l6 6-6 6-6-6z",
    "triangle": "M0-6l5.5 9.5h-11z",
    "triangle_down": "M0 6l5.5-9.5h-11z",
    "triangle_right": "M6 0l-9.5 5.5v-11z",
    "triangle_left": "M-6 0l9.5 5.5v-11z",
    "star": _star(5, 6.5, 2.8),
    "plus": "M-2-6h4v4h4v4h-4v4h-4v-4h-4v-4h4z",
    "cross": "M-4.2-7l4.2 4.2 4.2-4.2 2.8 2.8-4.2 4.2 4.2 4.2-2.8 2.8-4.2-4.2-4.2 4.2"
             "-2.8-2.8 4.2-4.2-4.2-4.2z",
    "house": "M0-6l6 5v6h-12v-6z",
    "semicircle": "M-6 3a6 6 0 0 1 12 0z",
    "hourglass": "M-5-5h10l-10 10h10z",
    "bar": "M-6.5-2.5h13v5h-13z",
    "rack": "M-3-6.5h6v13h-6z",
    "kite": "M0-6.5l4.5 3.5-4.5 9-4.5-9z",
    "person": "M0-7a2.3 2.3 0 1 1 0 4.6a2.3 2.3 0 1 1 0-4.6zM-4.5 6v-3.5a4.5 4.5 0 0 1 9 0v3.5z",
    # spare shapes, for the kinds a territory adds
    "trapezoid": "M-3-4h6l3 8h-12z",
    "parallelogram": "M-3-4h9l-3 8h-9z",
    "arrow": "M0-6l6 6h-3v6h-6v-6h-3z",
    "pentagon": _polygon(5, 5.5),
    "star4": _star(4, 6.5, 2.4),
    "hexagon": _polygon(6, 5.5),
}

#: the fixed shape of each kind of the catalogue (``territory/_kinds.py``): silhouettes
#: that stay apart at 10 px (no two near-circles among the kinds a map shows together)
KIND_SHAPES: dict[str, str] = {
    "site": "circle",
    "hospital": "plus",
    "nursing_home": "house",
    "school": "semicircle",
    "siren": "star",
    "antenna": "triangle",
    "radio_relay": "triangle_down",
    "fm_transmitter": "triangle_right",
    "substation": "square",
    "transformer": "diamond",
    "generator": "hourglass",
    "fibre_node": "bar",
    "core": "cross",
    "datacenter": "rack",
    "service": "kite",
    "citizen_relay": "person",
    "zone": "triangle_left",
}
#: the shapes left for a kind a territory adds, chosen by a hash of its name
SPARE_SHAPES: tuple[str, ...] = ("trapezoid", "parallelogram", "arrow", "pentagon", "star4",
                                 "hexagon")


def shape_of(kind: str) -> str:
    """The name of the shape of ``kind``: fixed for the catalogue's kinds, else one of
    :data:`SPARE_SHAPES` chosen from a hash of the name (the same in every report).

    Examples
    --------
    >>> shape_of("hospital"), shape_of("citizen_relay")
    ('plus', 'person')
    """
    if kind in KIND_SHAPES:
        return KIND_SHAPES[kind]
    digest = hashlib.blake2b(kind.encode("utf-8"), digest_size=4).digest()
    return SPARE_SHAPES[int.from_bytes(digest, "big") % len(SPARE_SHAPES)]


@dataclass(frozen=True)
class LineStyle:
    """How a line kind is drawn: its width in pixels (at map size); underground lines are
    dashed whatever their kind (``UNDERGROUND_DASH``)."""

    width: float


UNDERGROUND_DASH = (5.0, 3.0)  # pixels: dash, gap
ABSENT_DASH = (1.0, 2.5)  # a line not there yet (a mitigation): dotted
#: the fixed width of each line kind of the catalogue; others are drawn 1.2 px wide
LINE_STYLES: dict[str, LineStyle] = {
    "line": LineStyle(1.4),
    "switch": LineStyle(2.6),
    "backhaul": LineStyle(0.8),
}


def line_style(kind: str) -> LineStyle:
    """The style of a line kind.

    Examples
    --------
    >>> line_style("switch").width > line_style("line").width > line_style("backhaul").width
    True
    >>> line_style("conduit").width
    1.2
    """
    return LINE_STYLES.get(kind, LineStyle(1.2))


def swatch(shape: str, *, fill: str = "#444", stroke: str = "none") -> str:
    """A small inline SVG of a shape, for a legend written in HTML (18 × 18 px).

    Examples
    --------
    >>> swatch("square")  # doctest: +ELLIPSIS
    '<svg class="sym" ...><path d="M-4.5-4.5h9v9h-9z" fill="#444" stroke="none"/></svg>'
    """
    return (f'<svg class="sym" width="18" height="18" viewBox="-8 -8 16 16" '
            f'aria-hidden="true"><path d="{SHAPES[shape]}" fill="{fill}" stroke="{stroke}"/>'
            "</svg>")
