"""Time charts and heat strips as inline SVG, drawn in Python (no plotting library).

A chart shows each series of a ``Chart`` over the report's times: the P10–P90 band shaded,
the median as a line, axes in hours and in the chart's unit, and a legend under the plot. A
heat strip shows one share over time as coloured cells. Every text is escaped here; the
functions return ``Markup`` that the template inserts as it is.

>>> nice_step(24, 8)
3.0
>>> nice_step(170, 6)
30.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from tousrisques.report._data import Chart

#: Okabe–Ito colours: told apart by colour-blind readers, and printed in grey by their
#: lightness; the dash patterns tell series apart on a black-and-white printout.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "7 3", "2 3", "9 3 2 3")
#: five classes of a share, from none (red) to all (blue): ColorBrewer RdYlBu
SHARE_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")
NO_DATA = "#bdbdbd"

WIDTH, LEFT, RIGHT, TOP, PLOT_H, AXIS_H, ROW_H = 720, 72, 20, 14, 230, 44, 20


def share_class(x: float) -> int:
    """The class of a share among ``SHARE_COLOURS`` (0 for [0, 0.2) … 4 for [0.8, 1]);
    -1 when it is not a number."""
    if not math.isfinite(x):
        return -1
    return min(4, max(0, int(x * 5)))


def share_colour(x: float) -> str:
    """The colour of a share's class."""
    k = share_class(x)
    return NO_DATA if k < 0 else SHARE_COLOURS[k]


def nice_step(span: float, ticks: int) -> float:
    """A round step (1, 2, 2.5, 3, 5 or 6 × 10^k) that cuts ``span`` in at most ``ticks``
    parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 3, 5, 6, 10):
        if m * mag >= raw:
            return float(m * mag)
    return float(10 * mag)


def _hour_step(span: float) -> float:
    for step in (0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 72, 168):
        if span / step <= 12:
            return float(step)
    return nice_step(span, 12)


def tick_labels(labels: Sequence[str]) -> list[tuple[str, str]]:
    r"""Each tick's label as (first line, second line): a label may hold a second line after
    ``\n`` (the day under the hour); a second line equal to the one of the tick before is
    left out, so the day is written where it changes.

    >>> tick_labels(["06:00\n2 Nov", "12:00\n2 Nov", "00:00\n3 Nov", "6 h"])
    [('06:00', '2 Nov'), ('12:00', ''), ('00:00', '3 Nov'), ('6 h', '')]
    """
    out: list[tuple[str, str]] = []
    before = ""
    for label in labels:
        first, _, second = label.partition("\n")
        out.append((first, "" if second == before else second))
        before = second or before
    return out


def _tick_text(x: str, y: float, label: tuple[str, str], extra: str = "") -> str:
    first, second = label
    text = f'<text x="{x}" y="{_n(y)}"{extra}>{escape(first)}'
    if second:
        text += f'<tspan x="{x}" dy="13">{escape(second)}</tspan>'
    return text + "</text>"


def _n(x: float) -> str:
    """A coordinate with at most one decimal."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _segments(xs: Sequence[float], *rows: Sequence[float]) -> list[list[int]]:
    """Runs of indices where every row is a finite number (a gap breaks a line)."""
    out: list[list[int]] = []
    run: list[int] = []
    for i in range(len(xs)):
        if all(i < len(r) and math.isfinite(r[i]) for r in rows):
            run.append(i)
        elif run:
            out.append(run)
            run = []
    if run:
        out.append(run)
    return out


@dataclass(frozen=True)
class ChartWords:
    """The translated words a chart needs."""

    title: str
    x_label: str
    band: str  # legend of the shaded band
    series: list[str]  # one label per series
    summary: str  # read by screen readers (the SVG's description)


def _y_scale(chart: Chart) -> tuple[float, list[float]]:
    if chart.unit == "share":
        return 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    top = 0.0
    for s in chart.series:
        for v in (*s.p90, *s.p50):
            if math.isfinite(v):
                top = max(top, v)
    if chart.total is not None and math.isfinite(chart.total):
        top = max(top, chart.total)
    step = nice_step(top, 5) if top > 0 else 1.0
    if chart.unit == "seconds" and top > 0:
        step = next((s for s in (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
                     if top / s <= 6), nice_step(top, 5))
    top = max(step, math.ceil(top / step - 1e-9) * step)
    return top, [i * step for i in range(round(top / step) + 1)]


def time_chart(chart: Chart, times_h: Sequence[float], *, words: ChartWords,
               label_y: Callable[[float], str], label_x: Callable[[float], str],
               uid: str) -> Markup:
    """One chart as an ``<svg role="img">``: bands, median lines, axes, legend."""
    n = len(chart.series)
    plot_w = WIDTH - LEFT - RIGHT
    t0 = times_h[0] if times_h else 0.0
    t1 = times_h[-1] if times_h and times_h[-1] > t0 else t0 + 1.0
    y_top, y_ticks = _y_scale(chart)
    # x axis: ticks every round number of hours, labelled on one line or two (hour, day)
    step = _hour_step(t1 - t0)
    ticks = [math.ceil(t0 / step) * step + i * step
             for i in range(int((t1 - t0) / step) + 2)]
    ticks = [t for t in ticks if t0 - 1e-9 <= t <= t1 + 1e-9]
    labels = tick_labels([label_x(t) for t in ticks])
    extra = 13 if any(second for _, second in labels) else 0  # the second line of the ticks
    height = TOP + PLOT_H + AXIS_H + extra + ROW_H * (n + 1) + 8

    def px(t: float) -> float:
        return LEFT + (t - t0) / (t1 - t0) * plot_w

    def py(v: float) -> float:
        return TOP + PLOT_H - max(0.0, min(v, y_top)) / y_top * PLOT_H

    out = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
           f'width="{WIDTH}" height="{height}" aria-labelledby="{uid}-t {uid}-d">',
           f'<title id="{uid}-t">{escape(words.title)}</title>',
           f'<desc id="{uid}-d">{escape(words.summary)}</desc>']
    # grid and y axis
    out.append('<g class="grid" stroke="#d9d9d9" stroke-width="1">')
    out += [f'<path d="M{LEFT} {_n(py(v))}H{WIDTH - RIGHT}"/>' for v in y_ticks]
    out.append("</g>")
    out.append('<g class="axis" font-size="12" fill="#333" text-anchor="end">')
    out += [f'<text x="{LEFT - 6}" y="{_n(py(v) + 4)}">{escape(label_y(v))}</text>'
            for v in y_ticks]
    out.append("</g>")
    base = TOP + PLOT_H
    out.append(f'<path d="M{LEFT} {base}H{WIDTH - RIGHT}M{LEFT} {TOP}V{base}" '
               'stroke="#333" stroke-width="1" fill="none"/>')
    out.append('<g class="axis" font-size="12" fill="#333" text-anchor="middle">')
    for t, tick in zip(ticks, labels, strict=True):
        x = _n(px(t))
        out.append(f'<path d="M{x} {base}v5" stroke="#333"/>' + _tick_text(x, base + 18, tick))
    out.append(f'<text x="{_n(LEFT + plot_w / 2)}" y="{base + 36 + extra}">'
               f"{escape(words.x_label)}</text></g>")
    # bands first, then lines, so that no band hides a line
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        for seg in _segments(times_h, s.p10, s.p90):
            upper = [f"{_n(px(times_h[j]))} {_n(py(s.p90[j]))}" for j in seg]
            lower = [f"{_n(px(times_h[j]))} {_n(py(s.p10[j]))}" for j in reversed(seg)]
            out.append(f'<path class="band" d="M{"L".join(upper + lower)}Z" fill="{colour}" '
                       'fill-opacity="0.2" stroke="none"/>')
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for seg in _segments(times_h, s.p50):
            pts = [f"{_n(px(times_h[j]))} {_n(py(s.p50[j]))}" for j in seg]
            if len(pts) == 1:
                out.append(f'<circle class="line" cx="{pts[0].split()[0]}" '
                           f'cy="{pts[0].split()[1]}" r="2.5" fill="{colour}"/>')
            else:
                out.append(f'<path class="line" d="M{"L".join(pts)}" fill="none" '
                           f'stroke="{colour}" stroke-width="2.2"{dash_attr}/>')
    # legend: one row per series, then the band
    y = base + AXIS_H + extra + 6
    out.append('<g class="legend" font-size="12" fill="#222">')
    for i, label in enumerate(words.series):
        colour = PALETTE[i % len(PALETTE)]
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<rect x="{LEFT}" y="{y - 6}" width="28" height="12" fill="{colour}" '
                   f'fill-opacity="0.2"/><path d="M{LEFT} {y}h28" stroke="{colour}" '
                   f'stroke-width="2.2"{dash_attr}/>'
                   f'<text x="{LEFT + 36}" y="{y + 4}">{escape(label)}</text>')
        y += ROW_H
    out.append(f'<rect x="{LEFT}" y="{y - 6}" width="28" height="12" fill="#777" '
               f'fill-opacity="0.2"/><text x="{LEFT + 36}" y="{y + 4}" font-style="italic">'
               f"{escape(words.band)}</text></g></svg>")
    return Markup("".join(out))


def heat_strip(values: Sequence[float], times_h: Sequence[float], *, title: str,
               uid: str) -> Markup:
    """A share over time as a strip of coloured cells (``SHARE_COLOURS``); runs of equal
    colour are drawn as one cell to keep the file small. Stretched to its box's width."""
    t0 = times_h[0] if times_h else 0.0
    t_end = times_h[-1] + (times_h[-1] - times_h[-2] if len(times_h) > 1 else 1.0) \
        if times_h else 1.0
    span = max(t_end - t0, 1e-9)
    out = [f'<svg class="strip" role="img" viewBox="0 0 1000 10" preserveAspectRatio="none" '
           f'aria-labelledby="{uid}-t"><title id="{uid}-t">{escape(title)}</title>']
    cells: dict[str, list[str]] = {}  # one path per colour: a few bytes per cell
    k = 0
    count = min(len(values), len(times_h))
    while k < count:
        colour = share_colour(values[k])
        j = k
        while j + 1 < count and share_colour(values[j + 1]) == colour:
            j += 1
        x0 = (times_h[k] - t0) / span * 1000
        x1 = ((times_h[j + 1] if j + 1 < count else t_end) - t0) / span * 1000
        w = _n(max(x1 - x0, 0.5))
        cells.setdefault(colour, []).append(f"M{_n(x0)} 0h{w}v10h-{w}z")
        k = j + 1
    out += [f'<path fill="{colour}" d="{"".join(d)}"/>' for colour, d in cells.items()]
    out.append("</svg>")
    return Markup("".join(out))


def strip_axis(times_h: Sequence[float], *, label_x: Callable[[float], str], title: str,
               uid: str) -> Markup:
    """The hour scale under (or over) a column of heat strips."""
    t0 = times_h[0] if times_h else 0.0
    t_end = times_h[-1] + (times_h[-1] - times_h[-2] if len(times_h) > 1 else 1.0) \
        if times_h else 1.0
    span = max(t_end - t0, 1e-9)
    step = _hour_step(span) * 2 if span / _hour_step(span) > 6 else _hour_step(span)
    ticks = []
    t = math.ceil(t0 / step) * step
    while t <= t_end + 1e-9:
        ticks.append(t)
        t += step
    labels = tick_labels([label_x(t) for t in ticks])
    high = 35 if any(second for _, second in labels) else 22
    out = [f'<svg class="strip-axis" role="img" viewBox="0 0 300 {high}" width="300" '
           f'height="{high}" aria-labelledby="{uid}-t"><title id="{uid}-t">{escape(title)}'
           '</title><path d="M0 1H300" stroke="#333" fill="none"/>'
           '<g font-size="11" font-weight="normal" fill="#333" text-anchor="middle">']
    for t, tick in zip(ticks, labels, strict=True):
        x = (t - t0) / span * 300
        anchor = ' text-anchor="start"' if x < 12 else (' text-anchor="end"' if x > 288 else "")
        out.append(f'<path d="M{_n(x)} 1v5" stroke="#333"/>'
                   + _tick_text(_n(x), 18, tick, anchor))
    out.append("</g></svg>")
    return Markup("".join(out))
