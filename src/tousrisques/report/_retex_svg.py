"""The RETEX's two figures as inline SVG, drawn in Python: the timeline strip (what the players
did, lane by lane, above the stretches each player's channels were down and the failures and
repairs of the assets behind them) and the graph of the information circuits (actors in
layers: the crisis cells, then those who report to them…; planned links grey, used ones
coloured with their count, improvised ones dashed). Every text is escaped here: names and
texts come from players.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from tousrisques.exercise import Event, Review
from tousrisques.report._svg import PALETTE

__all__ = ["Lane", "circuit_graph", "timeline_strip"]

#: a status's colour: delivered, delayed, blocked / not received
STATUS_COLOURS = {"delivered": "#009E73", "delayed": "#0072B2", "blocked": "#D55E00",
                  "not_received": "#D55E00"}
PLANNED, USED, IMPROVISED = "#b0b0b0", PALETTE[0], PALETTE[1]
WIDTH, LEFT, RIGHT, ROW = 720, 170, 16, 20


def _n(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Lane:
    """One row of the strip: its label, and its marks (time, colour, title) or bars
    (start, end, colour, title)."""

    label: str
    marks: tuple[tuple[float, str, str], ...] = ()
    bars: tuple[tuple[float, float, str, str], ...] = ()
    shape: str = "tick"


def _step_h(span_h: float) -> float:
    for step in (0.25, 0.5, 1, 2, 3, 6, 12, 24):
        if span_h / step <= 8:
            return float(step)
    return 48.0


def timeline_strip(lanes: Sequence[Lane], start_s: float, end_s: float, *,
                   clock: Callable[[float], str], title: str) -> Markup:
    """The timeline strip: one row per lane on a common axis of scenario time.

    Parameters
    ----------
    lanes : sequence of Lane
    start_s, end_s : float
        The axis (the played time).
    clock : callable
        A scenario time's label (``04:10``).
    title : str
        The figure's title, for screen readers.

    Returns
    -------
    Markup

    Examples
    --------
    >>> svg = timeline_strip([Lane("<b>", ((60.0, "#000", "x<y"),))], 0.0, 3600.0,
    ...                      clock=lambda s: f"{s / 3600:g} h", title="t")
    >>> "&lt;b&gt;" in svg and "x&lt;y" in svg and "<b>" not in svg
    True
    """
    end_s = max(end_s, start_s + 60.0)
    plot = WIDTH - LEFT - RIGHT

    def x(s: float) -> float:
        return LEFT + plot * (min(max(s, start_s), end_s) - start_s) / (end_s - start_s)

    height = ROW * len(lanes) + 34
    out = [f'<svg class="chart retex-strip" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>"]
    for i, lane in enumerate(lanes):
        y = ROW * i
        if i % 2 == 0:
            out.append(f'<rect x="{LEFT}" y="{y}" width="{plot}" height="{ROW}" '
                       f'fill="#f4f4f4"/>')
        short = lane.label if len(lane.label) <= 27 else lane.label[:26].rstrip() + "…"
        out.append(f'<text x="{LEFT - 6}" y="{y + 14}" text-anchor="end" font-size="11">'
                   f"<title>{escape(lane.label)}</title>{escape(short)}</text>")
        for a, b, colour, tip in lane.bars:
            out.append(f'<rect x="{_n(x(a))}" y="{y + 5}" width="{_n(max(x(b) - x(a), 1))}" '
                       f'height="10" fill="{colour}"><title>{escape(tip)}</title></rect>')
        for s, colour, tip in lane.marks:
            cx = _n(x(s))
            if lane.shape in ("down", "up"):
                d = f"M{cx} {y + 15}l-5 -9h10z" if lane.shape == "down" \
                    else f"M{cx} {y + 5}l-5 9h10z"
                out.append(f'<path d="{d}" fill="{colour}"><title>{escape(tip)}</title>'
                           "</path>")
            else:
                out.append(f'<rect x="{_n(x(s) - 1.5)}" y="{y + 3}" width="3" height="14" '
                           f'fill="{colour}"><title>{escape(tip)}</title></rect>')
    axis = ROW * len(lanes)
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis}" y2="{axis}" '
               f'stroke="#8c8c8c"/>')
    step = _step_h((end_s - start_s) / 3600) * 3600
    t = math.ceil(start_s / step) * step
    while t <= end_s + 1e-6:
        out.append(f'<line x1="{_n(x(t))}" x2="{_n(x(t))}" y1="0" y2="{axis + 4}" '
                   f'stroke="#d4d4d4" stroke-width="0.6"/>'
                   f'<text x="{_n(x(t))}" y="{axis + 16}" text-anchor="middle" '
                   f'font-size="10">{escape(clock(t))}</text>')
        t += step
    out.append("</svg>")
    return Markup("".join(out))


def _layout(review: Review, reports: dict[str, tuple[str, ...]]
            ) -> tuple[dict[str, tuple[float, float]], int, int]:
    """Each actor's place: one row per layer; a row is ordered by where the actors its
    actors report to sit (fewer crossings), and an actor alone under the one it reports
    to sits below it."""
    rows: dict[int, list[str]] = {}
    for actor in review.circuits.actors:
        rows.setdefault(review.circuits.layers[actor], []).append(actor)
    layers = sorted(rows)
    width = max(WIDTH, 110 * max((len(v) for v in rows.values()), default=1))
    height = 110 * len(layers) - 30
    pos: dict[str, tuple[float, float]] = {}
    for i, layer in enumerate(layers):
        def above(actor: str) -> float:
            xs = [pos[b][0] for b in reports.get(actor, ()) if b in pos]
            return sum(xs) / len(xs) if xs else width / 2

        names = sorted(rows[layer], key=lambda a: (above(a), a)) if i else rows[layer]
        spread = [width * (j + 0.5) / len(names) for j in range(len(names))]
        for j, actor in enumerate(names):
            x = spread[j]
            if i >= 2:  # under its own, when there is room
                wanted = above(actor)
                left = pos[names[j - 1]][0] + 100 if j else 50.0
                x = max(left, min(wanted, width - 50.0))
            pos[actor] = (x, 40.0 + 110 * i)
    return pos, width, height


def _curve(a: tuple[float, float], b: tuple[float, float], bend: float) -> str:
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    mx, my = (x1 + x2) / 2 - dy / length * bend, (y1 + y2) / 2 + dx / length * bend
    return f"M{_n(x1)} {_n(y1)}Q{_n(mx)} {_n(my)} {_n(x2)} {_n(y2)}"


def circuit_graph(review: Review, *, name: Callable[[str], str], title: str,
                  tip: Callable[[str, str, int], str], cells: set[str],
                  reports: dict[str, tuple[str, ...]]) -> Markup:
    """The graph of the information circuits.

    Parameters
    ----------
    review : Review
    name : callable
        An actor's name (its ``<title>``).
    title : str
    tip : callable
        ``tip(a, b, count)``: the title of a used link.
    cells : set of str
        The crisis cells (drawn filled).
    reports : dict
        Actor → the actors it reports to (its place under them).

    Returns
    -------
    Markup
    """
    c = review.circuits
    pos, width, height = _layout(review, reports)
    counts: dict[tuple[str, str], int] = {}
    for link in c.used:
        counts[link.pair] = counts.get(link.pair, 0) + link.count
    out = [f'<svg class="chart retex-graph" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>"]
    bend = 18.0
    for a, b in c.planned:
        out.append(f'<path d="{_curve(pos[a], pos[b], bend)}" fill="none" stroke="{PLANNED}" '
                   f'stroke-width="2" data-planned="{escape(a)}|{escape(b)}"/>')
    for (a, b), n in sorted(counts.items()):
        planned = (a, b) in set(c.planned)
        colour = USED if planned else IMPROVISED
        dash = "" if planned else ' stroke-dasharray="7 4"'
        w = 2 + 1.5 * math.log2(1 + n)
        path = _curve(pos[a], pos[b], bend)
        (x1, y1), (x2, y2) = pos[a], pos[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        lx = (x1 + x2) / 2 - (y2 - y1) / length * bend / 2
        ly = (y1 + y2) / 2 + (x2 - x1) / length * bend / 2
        out.append(f'<g data-edge="{escape(a)}|{escape(b)}" data-count="{n}" '
                   f'data-dashed="{str(not planned).lower()}">'
                   f"<title>{escape(tip(a, b, n))}</title>"
                   f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{_n(w)}"'
                   f"{dash}/>"
                   f'<rect x="{_n(lx - 11)}" y="{_n(ly - 8)}" width="22" height="15" rx="3" '
                   f'fill="#fff" stroke="{colour}"/>'
                   f'<text x="{_n(lx)}" y="{_n(ly + 4)}" text-anchor="middle" '
                   f'font-size="10">{n}</text></g>')
    for actor, (x, y) in pos.items():
        fill = "#0b4f8a" if actor in cells else "#ffffff"
        out.append(f'<g data-actor="{escape(actor)}"><title>{escape(name(actor))}</title>'
                   f'<circle cx="{_n(x)}" cy="{_n(y)}" r="12" fill="{fill}" '
                   f'stroke="#0b4f8a" stroke-width="2"/>'
                   f'<text x="{_n(x)}" y="{_n(y + 27)}" text-anchor="middle" font-size="11">'
                   f"{escape(actor[:20])}</text></g>")
    out.append("</svg>")
    return Markup("".join(out))


def event_marks(events: Sequence[Event], colour: Callable[[Event], str],
                tip: Callable[[Event], str]) -> tuple[tuple[float, str, str], ...]:
    """The marks of a lane: each event at its scenario time.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> e = Event("log.entry", datetime(2026, 1, 1, tzinfo=UTC), 60.0, "COD", {}, seq=3)
    >>> event_marks([e], lambda e: "#000", lambda e: "x")
    ((60.0, '#000', 'x'),)
    """
    return tuple((e.scenario_s, colour(e), tip(e)) for e in events)
