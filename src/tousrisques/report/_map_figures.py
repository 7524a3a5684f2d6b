"""The maps of a report in one language: each map's heading, SVG, legend (HTML, beside the
map on a screen and under it on a phone) and caption, in the order a reader needs them:

1. the main alert channel's reach, at that channel's own worst moment; then the reach of
   at least one broadcast channel at its own worst moment, unless every zone is then still
   reached in 80 % of runs or more (a sentence says so instead of a map of one colour);
2. on a territory too large to draw every asset, per commune: the people without power and
   each kind too many to draw one by one (the share of it down), each at the worst moment of
   its indicator, a map only where something is hit;
3. the assets one by one at each map time, lines as lines, each kind with its own symbol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel.support import NullTranslations
from markupsafe import Markup, escape

from tousrisques.report._choropleth import COLOURS, NOTHING, commune_map
from tousrisques.report._data import Choropleth, MapData, ReachMap
from tousrisques.report._i18n import Formats, pick
from tousrisques.report._maps import (
    FOOTPRINT,
    STATE_COLOURS,
    STATE_STROKES,
    Frame,
    MapWords,
    asset_map,
    kind_order,
    reach_map,
)
from tousrisques.report._svg import NO_DATA, SHARE_COLOURS, share_class
from tousrisques.report._symbols import UNDERGROUND_DASH, line_style, shape_of, swatch
from tousrisques.report._words import when

#: the maps' layout: the legend beside the map on a screen, under it on a phone
STYLE = (".map-figure{display:flex;flex-wrap:wrap;gap:.3rem 1.4rem;align-items:flex-start}"
         ".map-figure>h3,.map-figure>p{flex:1 1 100%;margin:.2rem 0}"
         ".map-box{flex:1 1 22rem;min-width:0;max-width:42rem}"
         ".map-legend{flex:1 1 13rem;list-style:none;margin:0;padding:0;font-size:.85rem;"
         "line-height:1.3}"
         ".map-legend li{display:flex;align-items:center;gap:.45rem;margin:.15rem 0}"
         ".map-legend li.title{font-weight:bold;margin-top:.5rem}"
         ".map-legend svg{flex:none}")
TOP_CLASS = 4  # reach maps whose every zone is in this class are said, not drawn


@dataclass(frozen=True)
class MapFigure:
    """One map as the template shows it."""

    id: str
    heading: str
    svg: Markup
    legend: Markup
    caption: str


def _legend(items: list[tuple[str, str]], label: str) -> Markup:
    """An HTML list: ``(swatch, words)`` pairs; an empty swatch makes a sub-title."""
    out = [f'<ul class="map-legend" aria-label="{escape(label)}">']
    for mark, words in items:
        cls = ' class="title"' if not mark else ""
        out.append(f"<li{cls}>{mark}<span>{escape(words)}</span></li>")
    out.append("</ul>")
    return Markup("".join(out))


def _box(fill: str, stroke: str = "#777") -> str:
    return (f'<svg width="16" height="14" viewBox="0 0 16 14" aria-hidden="true">'
            f'<rect x=".5" y=".5" width="15" height="13" fill="{fill}" stroke="{stroke}"/>'
            "</svg>")


def _stroke(width: float, colour: str = "#444", dash: str = "", arrow: bool = False) -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    head = f'<path d="M13 3l5 4-5 4z" fill="{colour}"/>' if arrow else ""
    return (f'<svg width="20" height="14" viewBox="0 0 20 14" aria-hidden="true">'
            f'<path d="M1 7h{14 if arrow else 18}" stroke="{colour}" stroke-width="{width:g}"'
            f'{extra}/>{head}</svg>')


def _hatched() -> str:
    lines = "".join(f'<path d="M{x} 14l8-14" stroke="{FOOTPRINT}" stroke-opacity=".6"/>'
                    for x in (-4, 1, 6, 11))
    return (f'<svg width="16" height="14" viewBox="0 0 16 14" aria-hidden="true">{lines}'
            f'<rect x=".5" y=".5" width="15" height="13" fill="none" stroke="{FOOTPRINT}"/>'
            "</svg>")


def _footprint_items(maps: MapData, tr: NullTranslations, lang: str) -> list[tuple[str, str]]:
    _ = tr.gettext
    items: list[tuple[str, str]] = []
    for f in maps.footprints:
        name = pick(f.name, lang)
        if f.core:
            items.append((_hatched(), _("%(hazard)s: where it is strongest") % {"hazard": name}))
        elif f.core_everywhere:
            items.append((_hatched(), _("%(hazard)s: strongest over the whole map (not "
                                        "hatched)") % {"hazard": name}))
        if f.rings:
            items.append((_stroke(1.6, FOOTPRINT, "5 3"),
                          _("%(hazard)s: where it reaches") % {"hazard": name}))
        elif f.reach_everywhere and not f.core_everywhere:
            items.append((_stroke(1.6, FOOTPRINT, "5 3"),
                          _("%(hazard)s: reaches the whole map") % {"hazard": name}))
        if f.track:
            items.append((_stroke(2.4, FOOTPRINT, arrow=True),
                          _("%(hazard)s: track of the storm's core") % {"hazard": name}))
    return items


def _reach_figure(maps: MapData, r: ReachMap, i: int, tr: NullTranslations, fmt: Formats,
                  classes: list[str]) -> MapFigure:
    _ = tr.gettext
    lang = fmt.lang
    at = when(tr, fmt, r.time_h)
    total = sum(maps.zone_population)
    expected = (sum(p * v for p, v in zip(maps.zone_population, r.reached, strict=False)
                    if v == v) / total) if total else math.nan
    heading = (_("Zones reached by %(channel)s at its worst moment, %(when)s") % {
        "channel": pick(r.label, lang), "when": at} if r.label is not None else
        _("Zones reached by at least one broadcast channel at the worst moment, %(when)s")
        % {"when": at})
    caption = _("Population in reached zones, averaged over runs: %(share)s") % {
        "share": fmt.share(expected)}
    items = [("", _("Zone reached in"))]
    items += [(_box(c), label) for c, label in zip(SHARE_COLOURS[::-1], classes[::-1],
                                                    strict=True)]
    items.append((_box(NO_DATA), _("no data")))
    items += _footprint_items(maps, tr, lang)
    svg = reach_map(maps, r, words=MapWords(heading, caption), uid=f"map-r{i}")
    return MapFigure(f"map-reach-{i}", heading, svg, _legend(items, _("Legend")), caption + ".")


def _commune_figure(maps: MapData, c: Choropleth, i: int, tr: NullTranslations,
                    fmt: Formats) -> MapFigure:
    _ = tr.gettext
    lang = fmt.lang
    at = when(tr, fmt, c.time_h)
    down, total = sum(c.down), sum(c.total)
    if c.what == "without_power":
        heading = _("Share of people without power, per commune, %(when)s") % {"when": at}
        caption = _("In the representative run, %(down)s people of %(total)s are without "
                    "power.") % {"down": fmt.integer(down), "total": fmt.integer(total)}
        title, nothing = _("Share of people without power"), _("nobody lives here")
    else:
        kind = pick(c.label, lang)
        heading = _("Share down per commune — %(kind)s, %(when)s") % {"kind": kind,
                                                                     "when": at}
        caption = _("In the representative run, %(down)s of %(total)s are down (%(kind)s).") \
            % {"down": fmt.integer(down), "total": fmt.integer(total), "kind": kind}
        title, nothing = _("Share down"), _("none of this kind here")
    labels = [_("none"), _("under %(share)s") % {"share": fmt.share(0.1)},
              fmt.share_range(0.1, 0.25), fmt.share_range(0.25, 0.5),
              fmt.share_range(0.5, 0.75), _("%(share)s or more") % {"share": fmt.share(0.75)}]
    items = [("", title)] + [(_box(col), lab) for col, lab in zip(COLOURS, labels, strict=True)]
    items.append((_box(NOTHING), nothing))
    items += _footprint_items(maps, tr, lang)
    svg = commune_map(maps, c, words=MapWords(heading, caption), uid=f"map-c{i}")
    return MapFigure(f"map-commune-{i}", heading, svg, _legend(items, _("Legend")), caption)


def _asset_legend(maps: MapData, tr: NullTranslations, lang: str) -> Markup:
    _ = tr.gettext
    items: list[tuple[str, str]] = [("", _("Assets"))]
    for s, words in enumerate((_("working"), _("down"), _("not there yet (mitigation)"))):
        items.append((swatch("circle", fill=STATE_COLOURS[s], stroke=STATE_STROKES[s]
                             if s else "none"), words))
    points = kind_order(maps)
    if points:
        items.append(("", _("Kinds")))
        named = [(pick(maps.kind_labels[k], lang) if k in maps.kind_labels else k, k)
                 for k in points]
        items += [(swatch(shape_of(k)), name) for name, k in sorted(named)]
    lines = sorted({a.kind for a in maps.assets if a.line is not None})
    for k in lines:
        items.append((_stroke(line_style(k).width * 1.3),
                      pick(maps.kind_labels[k], lang) if k in maps.kind_labels else k))
    if any(a.underground for a in maps.assets if a.line is not None):
        items.append((_stroke(1.4, dash=" ".join(f"{d:g}" for d in UNDERGROUND_DASH)),
                      _("underground")))
    items += _footprint_items(maps, tr, lang)
    return _legend(items, _("Legend"))


def map_figures(maps: MapData, tr: NullTranslations, fmt: Formats, classes: list[str]
                ) -> tuple[list[MapFigure], list[str]]:
    """The maps of the report in ``fmt``'s language, and the sentences of the note under
    them (maps left out, assets counted per commune, assets off the map). ``classes`` are
    the words of the five classes of a share of runs."""
    _ = tr.gettext
    lang = fmt.lang
    figures: list[MapFigure] = []
    notes: list[str] = []
    for i, r in enumerate(maps.reach):
        top = all(share_class(v) == TOP_CLASS for v in r.reached)
        if r.channel == "any" and len(maps.reach) > 1 and top:
            notes.append(_("At least one broadcast channel reaches every zone in %(share)s of "
                           "runs or more, even at its worst moment (%(when)s): no map.")
                         % {"share": fmt.share(0.8), "when": when(tr, fmt, r.time_h)})
            continue
        figures.append(_reach_figure(maps, r, i, tr, fmt, classes))
    for i, c in enumerate(maps.choropleths):
        if sum(c.down) <= 0:
            what = (_("people without power") if c.what == "without_power"
                    else pick(c.label, lang))
            notes.append(_("Nothing is hit per commune for %(what)s in the representative "
                           "run: no map.") % {"what": what})
            continue
        figures.append(_commune_figure(maps, c, i, tr, fmt))
    if maps.aggregated:
        kinds = ", ".join(pick(maps.kind_labels[k], lang) if k in maps.kind_labels else k
                          for k in maps.aggregated)
        notes.append(_("Too many to draw one by one, these kinds are counted per commune "
                       "instead: %(kinds)s.") % {"kinds": kinds})
    legend = _asset_legend(maps, tr, lang)
    for k, t in enumerate(maps.times_h):
        at = when(tr, fmt, t)
        states = maps.asset_state[k] if k < len(maps.asset_state) else []
        counts = [sum(1 for s in states if s == v) for v in (0, 1, 2)]
        caption = _("%(working)s working, %(down)s down, %(absent)s not there yet") % {
            "working": fmt.integer(counts[0]), "down": fmt.integer(counts[1]),
            "absent": fmt.integer(counts[2])}
        heading = _("State of the assets in the representative run, %(when)s") % {"when": at}
        svg = asset_map(maps, k, words=MapWords(heading, caption), uid=f"map-a{k}")
        figures.append(MapFigure(f"map-assets-{k}", heading, svg, legend, caption + "."))
    if maps.off_map:
        frame = Frame.from_bounds(maps.bounds)
        cx, cy = frame.x0 + frame.width / 2, frame.y1 - frame.height / 2
        far = [_("%(name)s (%(kind)s, %(distance)s km away)") % {
            "name": a.name or a.id, "kind": pick(a.kind_label, lang),
            "distance": fmt.number(math.hypot(a.x - cx, a.y - cy) / 1000, digits=0)}
            for a in maps.off_map[:8]]
        more = len(maps.off_map) - len(far)
        if more > 0:
            far.append(tr.ngettext("%(num)s more", "%(num)s more", more)
                       % {"num": fmt.integer(more)})
        text = ("\u00a0; " if lang == "fr" else "; ").join(far)  # French spaces its semicolon
        notes.append(_("Left off the maps, far from the zones, so that they do not shrink "
                       "the territory: %(assets)s.") % {"assets": text})
    return figures, notes
