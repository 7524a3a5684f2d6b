"""The report as one self-contained HTML file, in French or English.

``render_report`` turns a ``ReportData`` into HTML with the Jinja2 templates of
``templates/`` (autoescaped: every name comes from a user's file) and the charts and maps
drawn by ``_svg`` and ``_maps``. Nothing in the output points to the network: the style is
inline, the figures are inline SVG, there is no script and no font to fetch, so the file
opens offline, prints, and can be mailed as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tousrisques._clock import start_of
from tousrisques.report._data import Chart, ReportData
from tousrisques.report._executive import (
    advised_plan,
    changes,
    commune_rows,
    communes_sentence,
    figure_row,
    for_whom,
    role_rows,
    roles_holding,
    tail_rows,
    tiles,
    what_fails,
)
from tousrisques.report._i18n import Formats, check_lang, pick, translations
from tousrisques.report._map_figures import STYLE as MAP_STYLE
from tousrisques.report._map_figures import map_figures
from tousrisques.report._maps import map_defs
from tousrisques.report._sections import chains, exceptions, method
from tousrisques.report._svg import (
    SHARE_COLOURS,
    ChartWords,
    heat_strip,
    strip_axis,
    time_chart,
)
from tousrisques.report._words import finding, when
from tousrisques.results import HOLD


@cache
def environment(lang: str) -> Environment:
    """The Jinja2 environment of ``lang``: package templates, autoescape, gettext."""
    env = Environment(
        loader=PackageLoader("tousrisques.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["t"] = lambda text: pick(text, lang)
    return env


def report_formats(data: ReportData, lang: str) -> Formats:
    """How ``lang`` writes the report's numbers and moments: on the territory's clock when
    the scenario names a start (``07:00 (Thu 2 Nov, +7 h)``; ``data.timezone`` says the
    clock), else in hours after it."""
    return Formats(lang, start_of(data.start, data.timezone) if data.timezone else None)


def time_title(fmt: Formats) -> str:
    """The title of a time axis: hours after the start, or the local time and its zone."""
    _ = translations(fmt.lang).gettext
    if fmt.start is None:
        return _("Hours after the start")
    zone = getattr(fmt.start.tzinfo, "key", None)
    return _("Local time (%(zone)s)") % {"zone": zone} if zone else _("Local time")


def _chart(chart: Chart, times_h: list[float], fmt: Formats, uid: str) -> Markup:
    """One chart in ``fmt``'s language, with a description in words for screen readers."""
    lang = fmt.lang
    tr = translations(lang)
    _ = tr.gettext
    label_y: Callable[[float], str] = {
        "share": fmt.share, "seconds": fmt.seconds, "hours": fmt.hours}.get(
        chart.unit, fmt.integer)
    parts = []
    for s in chart.series:
        pairs = [(v, t) for v, t in zip(s.mean, times_h, strict=False) if v == v]
        if not pairs:
            continue
        low = min(pairs)
        parts.append(_("%(series)s: %(start)s at the start, %(end)s at the end, lowest "
                       "%(low)s %(when)s") % {
            "series": pick(s.label, lang), "start": fmt.value(pairs[0][0], chart.unit),
            "end": fmt.value(pairs[-1][0], chart.unit), "low": fmt.value(low[0], chart.unit),
            "when": when(tr, fmt, low[1])})
    words = ChartWords(
        title=pick(chart.title, lang),
        x_label=time_title(fmt),
        # NOTE: legend of the shaded band of a chart
        band=_("Shaded band: P10–P90, 8 runs out of 10 fall in it"),
        series=[_("%(series)s (mean)") % {"series": pick(s.label, lang)}
                for s in chart.series],
        summary="; ".join(parts) + ("." if parts else ""))
    return time_chart(chart, times_h, words=words, label_y=label_y, label_x=fmt.tick, uid=uid)


def flat(chart: Chart) -> bool:
    """A chart none of whose series moves, in 9 runs out of 10, by more than half a point
    (of a share) or half a unit: drawn, it would be a straight line; the report names it
    instead.

    >>> from tousrisques.report._data import Series
    >>> line = Series("x", "x", [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 0.9])
    >>> flat(Chart("c", "c", "share", [line]))
    False
    """
    hold = HOLD if chart.unit == "share" else 0.5
    return bool(chart.series) and all(
        max(v) - min(v) <= hold for s in chart.series for v in (s.p10, s.p50, s.p90)
        if v and all(x == x for x in v))


def _maps(data: ReportData, lang: str) -> dict[str, Any]:
    """The maps (``_map_figures``): ``figures`` (heading, svg, legend, caption each),
    ``notes`` under them, and ``times`` (the map times, as the actors' table heads them)."""
    tr = translations(lang)
    fmt = report_formats(data, lang)
    classes = [label for _colour, label in share_classes(lang)]
    figures, notes = map_figures(data.maps, tr, fmt, classes)
    return {"figures": figures, "notes": notes,
            "times": [{"when": when(tr, fmt, t), "time": fmt.clock(t)}
                      for t in data.maps.times_h]}


def share_classes(lang: str) -> list[tuple[str, str]]:
    """The five classes of a share of runs: (colour, "20–40 % of runs")."""
    _ = translations(lang).gettext
    fmt = Formats(lang)
    return [(colour, _("%(range)s of runs") % {"range": fmt.share_range(i / 5, (i + 1) / 5)})
            for i, colour in enumerate(SHARE_COLOURS)]


def _sections(data: ReportData, lang: str) -> list[tuple[str, str]]:
    """The table of contents: (anchor, heading) of each section, in order."""
    _ = translations(lang).gettext
    items = [("summary", _("At a glance")), ("key-figures", _("Key figures"))]
    if data.tail is not None:
        items.append(("tail", _("The worst runs")))
    if getattr(data, "advice", None):  # drawn by _advice.html
        items.append(("advice", _("What to change: the advised plan")))
    items += [("communes", _("Isolated communes")),
              ("indicators", _("Indicators over time")), ("maps", _("Maps")),
              ("actors", _("Actors' connectivity")), ("chains", _("Causal chains")),
              ("criticality", _("Critical assets"))]
    if data.comparison is not None:
        items.append(("comparison", _("Comparison")))
    items += [("method", _("Method and assumptions")), ("sources", _("Data sources"))]
    return items


def render_report(data: ReportData, *, lang: str) -> str:
    """The report of ``data`` as one self-contained HTML5 document.

    Parameters
    ----------
    data
        What the report shows (see ``tousrisques.report._data``).
    lang
        ``"fr"`` or ``"en"``: the language of every word, and how numbers, percentages,
        hours and dates are written.

    Returns
    -------
    str
        The whole file: inline CSS and SVG, no script, no reference to the network.

    Raises
    ------
    ValueError
        When ``lang`` is neither ``"fr"`` nor ``"en"``.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> from tousrisques.report import build_report_data, render_report
    >>> html = render_report(build_report_data(study), lang="en")
    >>> html.startswith("<!DOCTYPE html>"), "<script" in html
    (True, False)
    """
    check_lang(lang)
    tr = translations(lang)
    fmt = report_formats(data, lang)
    duration = data.method.duration_h
    comparison = None
    if data.comparison is not None:
        c = data.comparison
        comparison = {
            "other": pick(c.other_name, lang),
            "charts": [{"title": pick(ch.title, lang),
                        "svg": _chart(ch, data.times_h, fmt, f"chart-c{i}")}
                       for i, ch in enumerate(c.charts) if not flat(ch)],
            "flat": ", ".join(pick(ch.title, lang) for ch in c.charts if flat(ch)),
            "figures": [{"label": pick(a.label, lang),
                         "this": fmt.value(a.value, a.unit), "other": fmt.value(b.value, b.unit),
                         "diff": fmt.diff(a.value, b.value, a.unit,
                                          points=lambda n: tr.ngettext("pt", "pts", n)),
                         "when": fmt.moment(a.at_h) if a.at_h is not None else ""}
                        for a, b in c.figures
                        if fmt.value(a.value, a.unit) != fmt.value(b.value, b.unit)],
            # the figures the plan leaves as they are, named in one line
            "same": ", ".join(pick(a.label, lang) for a, b in c.figures
                              if fmt.value(a.value, a.unit) == fmt.value(b.value, b.unit))}
    times = data.times_h
    maps = _maps(data, lang)
    context = {
        "lang": lang, "fmt": fmt, "data": data,
        "sections": _sections(data, lang),
        "findings": [finding(f, tr, fmt, duration_h=duration) for f in data.findings],
        "key_figures": [figure_row(k, tr, fmt) for k in data.key_figures],
        "tiles": tiles(data, tr, fmt),
        "fails": what_fails(data, tr, fmt),
        "whom": for_whom(data, tr, fmt),
        "plan_changes": changes(data, tr, fmt),
        # the advice section's data, when the study has one (drawn by _advice.html)
        "advice": getattr(data, "advice", None),
        "advised": advised_plan(getattr(data, "advice", None), tr, fmt),
        "tail": tail_rows(data, tr, fmt),
        "communes": commune_rows(data, tr, fmt),
        "communes_sentence": communes_sentence(data, tr, fmt),
        "roles": [r for r in role_rows(data, tr, fmt) if r["count"]],
        "roles_holding": roles_holding(role_rows(data, tr, fmt), tr),
        "charts": [{"title": pick(ch.title, lang),
                    "svg": _chart(ch, times, fmt, f"chart-{i}")}
                   for i, ch in enumerate(data.charts) if not flat(ch)],
        "flat_charts": ", ".join(pick(ch.title, lang) for ch in data.charts if flat(ch)),
        "map_defs": map_defs(data.maps, style=MAP_STYLE),
        "maps": maps["times"], "map_figures": maps["figures"], "map_notes": maps["notes"],
        "exceptions": exceptions(data, tr, fmt, strip=lambda a, i: heat_strip(
            a.connected, times, uid=f"strip-{i}",
            title=tr.gettext("%(actor)s: share of runs connected over time") % {
                "actor": a.name})),
        "strip_axis": strip_axis(times, label_x=fmt.tick, title=time_title(fmt),
                                 uid="strip-axis"),
        "share_classes": share_classes(lang),
        "chains": chains(data, tr, fmt),
        "comparison": comparison,
        "method": method(data, tr, fmt),
        "start": fmt.start_text() if fmt.start is not None else
        fmt.datetime(data.start) if data.start else None,
        "generated": fmt.datetime(data.generated),
    }
    return environment(lang).get_template("report.html").render(context)
