"""Names written on a map without overlapping: the worst-hit communes first, then the
largest, each tried at its point then above, below, right and left of it, and left out when
every place overlaps a name already written or leaves the map.

Text boxes are estimated from the number of characters (0.56 em a character, a sans-serif's
mean), which is enough to keep two names apart; a halo of the background colour keeps a name
readable over any fill.

>>> placed = place_labels([("Rouen", 100, 100, True), ("Rouen-Est", 102, 101, False),
...                        ("Elbeuf", 300, 200, False)], width=480, height=400)
>>> [(p.text, p.anchor) for p in placed]
[('Rouen', 'middle'), ('Rouen-Est', 'middle'), ('Elbeuf', 'middle')]
>>> placed[1].y < placed[0].y  # moved above the first
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import escape

FONT_PX = 13.0
CHAR_EM = 0.56
PAD = 2.0


@dataclass(frozen=True)
class Label:
    """A name placed on the map: ``(x, y)`` is its baseline's anchor point, in pixels."""

    text: str
    x: float
    y: float
    anchor: str  # "start", "middle" or "end"
    strong: bool


Box = tuple[float, float, float, float]


def _box(text: str, x: float, y: float, anchor: str, font: float) -> Box:
    w = len(text) * font * CHAR_EM + 2 * PAD
    left = x - w / 2 if anchor == "middle" else (x - w if anchor == "end" else x)
    return left, y - font * 0.8 - PAD, left + w, y + font * 0.25 + PAD


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(candidates: Sequence[tuple[str, float, float, bool]], *, width: float,
                 height: float, font: float = FONT_PX, avoid: Sequence[Box] = ()
                 ) -> list[Label]:
    """Place ``candidates`` ``(text, x, y, strong)`` in order (the first win), in pixels of
    a map ``width`` × ``height``; ``avoid`` are boxes already taken (a legend, a scale)."""
    taken: list[Box] = list(avoid)
    out: list[Label] = []
    for text, x, y, strong in candidates:
        if not text:
            continue
        half = font * 0.35
        for dx, dy, anchor in ((0, half, "middle"), (0, -font * 1.1, "middle"),
                               (0, font * 1.8, "middle"), (6, half, "start"),
                               (-6, half, "end")):
            box = _box(text, x + dx, y + dy, anchor, font)
            if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                continue
            if any(_overlap(box, b) for b in taken):
                continue
            taken.append(box)
            out.append(Label(text, round(x + dx, 1), round(y + dy, 1), anchor, strong))
            break
    return out


def labels_svg(labels: Sequence[Label], *, font: float = FONT_PX) -> str:
    """The labels as SVG text with a white halo (bold for the strong ones).

    Examples
    --------
    >>> labels_svg([Label("Oissel", 10.0, 20.0, "start", False)])  # doctest: +ELLIPSIS
    '<g class="labels" font-size="13"...><text x="10" y="20" text-anchor="start">Oissel</text></g>'
    """
    if not labels:
        return ""
    out = [f'<g class="labels" font-size="{font:g}" fill="#111" stroke="#fff" '
           'stroke-width="3" stroke-linejoin="round" paint-order="stroke">']
    for lb in labels:
        weight = ' font-weight="bold"' if lb.strong else ""
        out.append(f'<text x="{lb.x:g}" y="{lb.y:g}" text-anchor="{lb.anchor}"{weight}>'
                   f"{escape(lb.text)}</text>")
    out.append("</g>")
    return "".join(out)
