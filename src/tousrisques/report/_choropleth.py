"""Maps per commune: each commune filled by the share of its people without power, or of its
assets of one kind down, in six fixed classes (the same breaks in every report, so that two
reports compare at a glance).

The colours are ColorBrewer's YlOrBr, a sequential scale that colour-blind readers see in
order and that prints as a ramp of greys; a commune hit by nothing stays white, one with
nothing of the kind is grey.

>>> share_bin(0.0), share_bin(0.05), share_bin(0.1), share_bin(0.8), share_bin(float("nan"))
(0, 1, 2, 5, -1)
"""

from __future__ import annotations

import math

from markupsafe import Markup

from tousrisques.report._data import Choropleth, MapData
from tousrisques.report._maps import (
    Frame,
    MapWords,
    close_map,
    draw_outline,
    label_candidates,
    open_map,
)

#: upper bounds of the classes above "none": under 10 %, 10–25 %, 25–50 %, 50–75 %, 75 % +
BREAKS = (0.10, 0.25, 0.50, 0.75)
COLOURS = ("#ffffff", "#fee391", "#fec44f", "#fe9929", "#d95f0e", "#8c2d04")
NOTHING = "#c8c8c8"  # a commune with none of the kind (or nobody)


def share_bin(share: float) -> int:
    """The class of a share: 0 for none, 1 under 10 %, … 5 for 75 % or more; -1 when there
    is nothing to count."""
    if not math.isfinite(share):
        return -1
    if share <= 0:
        return 0
    for i, top in enumerate(BREAKS):
        if share < top:
            return i + 1
    return len(BREAKS) + 1


def shares(c: Choropleth) -> list[float]:
    """Each unit's share (NaN where there is nothing to count).

    Examples
    --------
    >>> from tousrisques._i18n import Text
    >>> shares(Choropleth("down", "antenna", Text("a", "a"), 3.0, [1, 0], [4, 0]))
    [0.25, nan]
    """
    return [d / t if t > 0 else math.nan for d, t in zip(c.down, c.total, strict=True)]


def commune_map(maps: MapData, c: Choropleth, *, words: MapWords, uid: str,
                defs: str = "m") -> Markup:
    """Communes filled by the class of their share, outlines, footprints, the names of the
    worst-hit and of the largest communes, a scale bar."""
    frame = Frame.from_bounds(maps.bounds)
    out = open_map(frame, words, uid)
    values = shares(c)
    groups: dict[int, list[int]] = {}
    for u, v in enumerate(values):
        groups.setdefault(share_bin(v), []).append(u)
    for cls in sorted(groups):
        colour = NOTHING if cls < 0 else COLOURS[cls]
        out.append(f'<g fill="{colour}" data-class="{cls}">')
        out += [f'<use href="#{defs}u{u}"/>' for u in groups[cls]]
        out.append("</g>")
    draw_outline(out, maps, frame, defs, width=0.7)
    badness = [v if v == v else 0.0 for v in values]
    return close_map(out, maps, frame, defs, label_candidates(maps.units, frame, badness))
