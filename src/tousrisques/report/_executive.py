"""The executive page and the sections that tell the truth about the worst: what fails, for
whom, when, what to change; the worst tenth of the runs; the isolated communes; the actors
summarised by role with the exceptions named.

Each function turns ``ReportData`` into rows and sentences in one language; the template only
lays them out. Figures are medians over the runs with their P10–P90 band; a figure whose
indicator never moves says that it holds, never a "worst moment".
"""

from __future__ import annotations

import math
from typing import Any

from babel.support import NullTranslations

from tousrisques.analysis import objective_text
from tousrisques.report._data import KeyFigure, ReportData
from tousrisques.report._i18n import Formats, pick
from tousrisques.report._words import finding
from tousrisques.results import CAUSE_WORDS, HOLD

#: the figures of the executive page's tiles, in order (those the study has)
HEADLINE = ("reach_network_worst", "reach_main_worst", "reach_door_end",
            "without_power_worst", "vulnerable_unreached_worst", "actors_worst")
#: how many measures of the advised plan the executive page names, the costliest first
COSTLIEST = 3
#: how many exceptions (actors, communes) a summary names before "and N more"
NAMED = 5


def figure_row(k: KeyFigure, tr: NullTranslations, fmt: Formats) -> dict[str, Any]:
    """A key figure in words: label, note, value (median, with the number of people),
    P10–P90 band, and when (a moment on the clock with the hours after the start, or that it
    holds)."""
    _ = tr.gettext
    value = fmt.value(k.value, k.unit)
    people = ""
    if k.count is not None and math.isfinite(k.count):
        people = tr.ngettext("%(num)s person", "%(num)s people", round(k.count)) % {
            "num": fmt.integer(k.count)}
    if k.id == "recovery":
        at = _("over the scenario")
        if k.holds:
            value, at = _("no drop"), _("holds throughout the scenario")
        elif not math.isfinite(k.value):
            value = _("not within the scenario")
    elif k.holds:
        at = _("holds throughout the scenario")
    elif k.at_h is not None and k.id.endswith("_end"):
        at = _("at the end: %(time)s") % {"time": fmt.moment(k.at_h)}
    elif k.at_h is not None:
        # NOTE: the moment a figure is at its worst (lowest reach, most people cut off)
        at = _("worst moment: %(time)s") % {"time": fmt.moment(k.at_h)}
    else:
        at = _("over the scenario")
    band = "" if k.p10 is None or k.p90 is None or (k.holds and k.p10 == k.p90) else \
        fmt.range(k.p10, k.p90, k.unit)
    return {"id": k.id, "label": pick(k.label, fmt.lang), "note": pick(k.note, fmt.lang),
            "value": value, "people": people, "range": band, "when": at, "holds": k.holds,
            "end": k.id.endswith("_end")}


def tiles(data: ReportData, tr: NullTranslations, fmt: Formats) -> list[dict[str, Any]]:
    """The executive page's headline figures (:data:`HEADLINE`), as :func:`figure_row`."""
    by_id = {k.id: k for k in data.key_figures}
    return [figure_row(by_id[i], tr, fmt) for i in HEADLINE if i in by_id]


def _more(tr: NullTranslations, fmt: Formats, names: list[str]) -> str:
    """``A, B, C and 4 more``."""
    shown = "; ".join(names[:NAMED])
    rest = len(names) - NAMED
    if rest <= 0:
        return shown
    return tr.ngettext("%(names)s and %(num)s more", "%(names)s and %(num)s more", rest) % {
        "names": shown, "num": fmt.integer(rest)}


def for_whom(data: ReportData, tr: NullTranslations, fmt: Formats) -> list[str]:
    """Sentences of "for whom": people without power, vulnerable people unreached,
    sensitive establishments down, isolated communes."""
    _ = tr.gettext
    out = []
    for k in data.key_figures:
        if k.id in ("without_power_worst", "vulnerable_unreached_worst") or (
                k.id.startswith("sites_down_")):
            row = figure_row(k, tr, fmt)
            if k.holds and k.value == 0:
                text = _("%(figure)s: none, in 9 runs out of 10") % {"figure": row["label"]}
            else:
                text = _("%(figure)s: %(value)s") % {"figure": row["label"], "value": row[
                    "value"] + (f" ({row['people']})" if row["people"] else "")}
                if row["range"]:
                    text += " " + _("(P10–P90: %(range)s)") % {"range": row["range"]}
            out.append(text + ".")
    out.append(communes_sentence(data, tr, fmt))
    return out


def communes_sentence(data: ReportData, tr: NullTranslations, fmt: Formats) -> str:
    """How many communes are isolated at some time, the worst named with their times."""
    _ = tr.gettext
    if not data.communes:
        return _("No commune is isolated: in the mean run, at least one channel reaches half "
                 "of its people and its crisis cell can reach a crisis cell, at every "
                 "moment.")
    names = [tr.gettext("%(name)s, %(when)s") % {
        "name": c.name or c.code, "when": span(tr, fmt, c.from_h, c.to_h)}
        for c in data.communes]
    return tr.ngettext(
        "%(num)s commune is isolated at some time (no channel reaches it, or its crisis cell "
        "is cut off): %(names)s.",
        "%(num)s communes are isolated at some time (no channel reaches them, or their "
        "crisis cell is cut off): %(names)s.", len(names)) % {
        "num": fmt.integer(len(names)), "names": _more(tr, fmt, names)}


def span(tr: NullTranslations, fmt: Formats, start_h: float, end_h: float | None) -> str:
    """``from 03:00 (…) to 09:00 (…)``, or ``from 03:00 (…) to the end``."""
    _ = tr.gettext
    if end_h is None:
        return _("from %(start)s to the end") % {"start": fmt.moment(start_h)}
    if end_h == start_h:
        return _("at %(time)s") % {"time": fmt.moment(start_h)}
    return _("from %(start)s to %(end)s") % {"start": fmt.moment(start_h),
                                             "end": fmt.moment(end_h)}


def what_fails(data: ReportData, tr: NullTranslations, fmt: Formats) -> list[str]:
    """Sentences of "what fails": the findings (channels that drop, worst moment or that it
    holds, recovery, actors cut off), then the worst tail in one sentence."""
    out = [finding(f, tr, fmt, duration_h=data.method.duration_h) for f in data.findings]
    if data.tail is not None:
        out.append(tail_sentence(data, tr, fmt))
    return out


def tail_sentence(data: ReportData, tr: NullTranslations, fmt: Formats) -> str:
    """The worst tenth of the runs in one sentence, and what collapsed in them."""
    t = data.tail
    assert t is not None
    lang = fmt.lang
    n = len(t.runs)
    if t.lowest[0] >= t.start - HOLD and not t.collapses:
        return tr.gettext("Even in the worst run of %(total)s, %(what)s does not fall (%(low)s "
                          "at its lowest), and no kind of asset collapses.") % {
            "total": fmt.integer(t.total), "what": pick(t.label, lang),
            "low": fmt.share(t.lowest[0])}
    text = tr.ngettext(
        "In the worst run of %(total)s (ranked by %(what)s), it falls as low as %(low)s "
        "at %(when)s, against %(typical)s in the median run",
        "In the worst %(num)s runs of %(total)s (ranked by %(what)s), it falls as low as "
        "%(low)s at %(when)s, against %(typical)s in the median run", n) % {
        "num": fmt.integer(n), "total": fmt.integer(t.total), "what": pick(t.label, lang),
        "low": fmt.share(t.lowest[0]), "when": fmt.moment(t.lowest_h[0]),
        "typical": fmt.share(t.typical)}
    sentences = [text + "."]
    sentences += [collapse_sentence(c, data, tr, fmt) for c in t.collapses[:2]]
    return " ".join(sentences)


def collapse_sentence(c: Any, data: ReportData, tr: NullTranslations, fmt: Formats) -> str:
    """``Core networks collapse in 4 runs of 60: …``"""
    assert data.tail is not None
    lang = fmt.lang
    text = tr.ngettext(
        "%(kind)s: collapses in %(num)s run of %(total)s, down to %(lowest)s working, "
        "%(span)s",
        "%(kind)s: collapses in %(num)s runs of %(total)s, down to %(lowest)s working, "
        "%(span)s", c.runs) % {
        "kind": pick(c.label, lang)[:1].upper() + pick(c.label, lang)[1:],
        "num": fmt.integer(c.runs), "total": fmt.integer(data.tail.total),
        "lowest": fmt.share(c.lowest),
        "span": span(tr, fmt, c.from_h, None if not c.back else c.to_h)}
    if c.why in CAUSE_WORDS:
        text += tr.gettext("; in the worst of them, %(why)s") % {
            "why": pick(CAUSE_WORDS[c.why], lang)}
    return text + "."


def tail_rows(data: ReportData, tr: NullTranslations, fmt: Formats) -> dict[str, Any]:
    """The tail section: the runs with their lowest value and when, the collapses, the worst
    run's key indicators beside the median run."""
    t = data.tail
    if t is None:
        return {}
    lang = fmt.lang
    return {
        "sentence": tail_sentence(data, tr, fmt),
        "what": pick(t.label, lang),
        "runs": [{"run": r, "lowest": fmt.share(v), "when": fmt.moment(h)}
                 for r, v, h in zip(t.runs, t.lowest, t.lowest_h, strict=True)],
        "collapses": [collapse_sentence(c, data, tr, fmt) for c in t.collapses],
        "figures": [{"label": pick(f.label, lang)[:1].upper() + pick(f.label, lang)[1:],
                     "value": fmt.share(f.value),
                     "when": tr.gettext("does not move") if f.at_h is None
                     else fmt.moment(f.at_h),
                     "typical": fmt.share(f.typical)} for f in t.figures],
        "worst": t.runs[0] if t.runs else None,
    }


def commune_rows(data: ReportData, tr: NullTranslations, fmt: Formats
                 ) -> list[dict[str, str]]:
    """The isolated communes, worst first: name, people, what cuts it off and when."""
    _ = tr.gettext
    rows = []
    for c in data.communes:
        why = []
        if c.unreached_h > 0:
            why.append(_("no channel reaches half of its people for %(hours)s (lowest: "
                         "%(share)s reached)") % {"hours": fmt.hours(c.unreached_h),
                                                  "share": fmt.share(c.lowest_reach)})
        if c.cut_h > 0:
            why.append(_("its crisis cell is cut off for %(hours)s (%(cells)s)") % {
                "hours": fmt.hours(c.cut_h),
                "cells": ", ".join(pick(n, fmt.lang) for n in c.cells)})
        rows.append({"name": c.name or c.code, "code": c.code,
                     "people": fmt.integer(c.population), "why": "; ".join(why),
                     "when": span(tr, fmt, c.from_h, c.to_h)})
    return rows


def changes(data: ReportData, tr: NullTranslations, fmt: Formats) -> list[str]:
    """What the mitigated variant (the scenario set beside, not the advised plan) changes,
    the largest gains first (at most four)."""
    c = data.comparison
    if c is None:
        return []
    lang = fmt.lang
    better = {"governance_worst", "without_power_worst", "vulnerable_unreached_worst",
              "vulnerable_unreached_main_worst"}
    gains = []
    for a, b in c.figures:
        if a.unit != "share" or not (math.isfinite(a.value) and math.isfinite(b.value)):
            continue
        gain = (a.value - b.value) if a.id in better or a.id.startswith("sites_down_") \
            else (b.value - a.value)
        if abs(gain) < 0.01:
            continue
        gains.append((-gain, tr.gettext("%(figure)s: %(this)s, %(other)s with the mitigated "
                                        "variant (%(diff)s)") % {
            "figure": pick(a.label, lang), "this": fmt.share(a.value),
            "other": fmt.share(b.value),
            "diff": fmt.diff(a.value, b.value, "share",
                             points=lambda n: tr.ngettext("pt", "pts", n))}))
    gains.sort(key=lambda g: g[0])
    return [text + "." for _gain, text in gains[:4]]


def advised_plan(advice: Any, tr: NullTranslations, fmt: Formats) -> dict[str, Any]:
    """The advised plan on the executive page, named apart from a mitigated variant: its
    objective and budget, its total cost, its costliest measures (:data:`COSTLIEST`) each
    with its cost, and the others' number and cost, so that what is shown adds up to the
    total."""
    _ = tr.gettext
    plan = list(advice.plan) if advice is not None else []
    if not plan:
        return {}
    cur = advice.currency
    budget = _("no budget") if advice.budget is None else _("budget %(budget)s") % {
        "budget": f"{fmt.integer(advice.budget)} {cur}"}
    intro = tr.ngettext(
        "The advised plan (objective: %(objective)s; %(budget)s), %(num)s measure costing "
        "%(cost)s in all, raises its objective from %(before)s to %(after)s; its costliest:",
        "The advised plan (objective: %(objective)s; %(budget)s), %(num)s measures costing "
        "%(cost)s in all, raises its objective from %(before)s to %(after)s; the costliest:",
        len(plan)) % {
        "objective": objective_text(advice.objective, advice.channel_name, fmt.lang),
        "budget": budget, "num": fmt.integer(len(plan)),
        "cost": f"{fmt.integer(advice.cost)} {cur}",
        "before": fmt.share(advice.base["objective"]),
        "after": fmt.share(advice.planned["objective"])}
    ranked = sorted(plan, key=lambda m: (-m.cost, m.in_plan))
    shown = [{"cost": f"{fmt.integer(m.cost)} {cur}", "rank": m.in_plan,
              "text": m.explanation.get(fmt.lang) or m.key} for m in ranked[:COSTLIEST]]
    rest = ranked[COSTLIEST:]
    others = "" if not rest else tr.ngettext(
        "and %(num)s other measure: %(cost)s", "and %(num)s other measures: %(cost)s in all",
        len(rest)) % {"num": fmt.integer(len(rest)),
                      "cost": f"{fmt.integer(sum(m.cost for m in rest))} {cur}"}
    return {"intro": intro, "costliest": shown, "others": others}


def role_rows(data: ReportData, tr: NullTranslations, fmt: Formats) -> list[dict[str, Any]]:
    """The actors summarised by role: how many, how many are cut off (in most runs) at some
    time, and those actors named with when."""
    lang = fmt.lang
    roles: dict[str, dict[str, Any]] = {}
    times = data.times_h
    for a in data.actors:
        row = roles.setdefault(a.role, {"role": pick(a.role_label, lang), "total": 0,
                                        "cut": [], "lowest": 1.0})
        row["total"] += 1
        low = min(a.connected) if a.connected else 1.0
        row["lowest"] = min(row["lowest"], low)
        cut = [k for k, v in enumerate(a.connected) if v < 0.5]
        if cut:
            end = None if cut[-1] == len(times) - 1 else times[cut[-1]]
            row["cut"].append(tr.gettext("%(name)s, %(when)s") % {
                "name": a.name, "when": span(tr, fmt, times[cut[0]], end)})
    out = []
    for row in roles.values():
        out.append({"role": row["role"], "total": fmt.integer(row["total"]),
                    "cut": fmt.integer(len(row["cut"])), "count": len(row["cut"]),
                    "lowest": fmt.share(row["lowest"]),
                    "names": _more(tr, fmt, row["cut"])})
    out.sort(key=lambda r: (-r["count"], r["role"]))
    return out


def roles_holding(rows: list[dict[str, Any]], tr: NullTranslations) -> str:
    """The roles none of whose actors is cut off in most runs, in one line with how many
    actors each has (``association (2), police (2)``)."""
    return ", ".join(tr.gettext("%(role)s (%(num)s)") % {"role": r["role"], "num": r["total"]}
                     for r in rows if r["count"] == 0)
