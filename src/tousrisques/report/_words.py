"""Sentences and words of the report built in Python: findings, causes, labels of codes.

Each function takes the language's translations and formats, so the same code writes both
languages; the English strings are gettext message ids (extracted by Babel, translated in
``locale/fr/LC_MESSAGES/tousrisques.po``). Values are formatted before they enter a
sentence, so a translator only moves the ``%(name)s`` placeholders.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.support import NullTranslations

from tousrisques._causes import cause_words
from tousrisques.report._data import Chain, Finding, HazardInfo, Method, Step
from tousrisques.report._i18n import Formats, pick


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def when(tr: NullTranslations, fmt: Formats, at_h: float | None) -> str:
    """``4 h after the start``, or ``at the start`` for 0; with a start on the clock,
    ``at 04:00 (Thu 2 Nov, +4 h)`` (``at the start (2 Nov 00:00)`` for 0)."""
    _ = tr.gettext
    if at_h is not None and round(at_h * 60) == 0:
        if fmt.start is not None:
            return _("at the start (%(time)s)") % {"time": fmt.clock(0)}
        return _("at the start")
    if fmt.start is not None and at_h is not None:
        # NOTE: a moment on the clock: "at 04:00 (Thu 2 Nov, +4 h)"
        return _("at %(time)s") % {"time": fmt.moment(at_h)}
    return _("%(time)s after the start") % {"time": fmt.hours(at_h)}


def _band(tr: NullTranslations, text: str) -> str:
    _ = tr.gettext
    # NOTE: a P10–P90 range after a figure; "8 runs out of 10 fall in this range"
    return _("(P10–P90: %(range)s)") % {"range": text}


def finding(f: Finding, tr: NullTranslations, fmt: Formats, *, duration_h: float) -> str:
    """The plain-words sentence of one finding (see ``Finding`` for the kinds)."""
    _ = tr.gettext
    ngettext = tr.ngettext
    lang = fmt.lang
    at = when(tr, fmt, f.at_h)
    has_band = f.p10 is not None and f.p90 is not None
    # NOTE: "the channel “X”" keeps the verb's agreement whatever the channel's name
    what = pick(f.subject, lang) if f.subject is not None else _("at least one channel")
    if f.kind == "reach":
        text = _("%(when)s, the channel “%(channel)s” reaches %(share)s of the population") % {
            "when": at, "channel": pick(f.subject, lang), "share": fmt.share(f.value)}
        if has_band:
            text += " " + _band(tr, fmt.share_range(f.p10, f.p90))
    elif f.kind == "worst":
        text = _("The worst moment comes %(when)s: %(share)s of the population is reached "
                 "by %(what)s") % {"when": at, "share": fmt.share(f.value), "what": what}
        if has_band:
            text += " " + _band(tr, fmt.share_range(f.p10, f.p90))
    elif f.kind == "holds":
        text = _("Reach by %(what)s holds: %(share)s of the population throughout the "
                 "scenario, in 9 runs out of 10") % {"what": what, "share": fmt.share(f.value)}
    elif f.kind == "cut_off":
        n = round(f.value)
        values = {"when": at, "num": fmt.integer(f.value), "total": fmt.integer(f.total),
                  "group": pick(f.subject, lang), "target": pick(f.target, lang)}
        if f.total is not None:
            text = ngettext("%(when)s, %(num)s of %(total)s %(group)s can no longer reach "
                            "%(target)s",
                            "%(when)s, %(num)s of %(total)s %(group)s can no longer reach "
                            "%(target)s", n) % values
        else:
            text = ngettext("%(when)s, %(num)s %(group)s can no longer reach %(target)s",
                            "%(when)s, %(num)s %(group)s can no longer reach %(target)s",
                            n) % values
        if has_band:
            text += " " + _band(tr, fmt.range(f.p10, f.p90, "count"))
    elif f.kind == "governance":
        n = round(f.value)
        values = {"when": at, "num": fmt.integer(f.value), "total": fmt.integer(f.total)}
        if f.total is not None:
            text = ngettext("%(when)s, %(num)s of %(total)s governance links is broken",
                            "%(when)s, %(num)s of %(total)s governance links are broken",
                            n) % values
        else:
            text = ngettext("%(when)s, %(num)s governance link is broken",
                            "%(when)s, %(num)s governance links are broken", n) % values
        if has_band:
            text += " " + _band(tr, fmt.range(f.p10, f.p90, "count"))
    else:  # recovery
        threshold = fmt.share(0.95)
        if f.at_h is None:
            text = _("Reach by at least one channel does not come back above %(threshold)s "
                     "of its start value within the scenario (%(duration)s)") % {
                "threshold": threshold, "duration": fmt.hours(duration_h)}
        else:
            text = _("Reach by at least one channel is back above %(threshold)s of its start "
                     "value %(when)s") % {"threshold": threshold, "when": at}
    return _capitalise(text) + "."


def hazard_model(tr: NullTranslations, model: str) -> str:
    """The name of a hazard model (``storm``, ``flood``, ``plume``, ``footprint``)."""
    _ = tr.gettext
    names = {"storm": _("storm"), "flood": _("flood"), "plume": _("plume"),
             "footprint": _("footprint")}
    return names.get(model, model)


def horizon(tr: NullTranslations, text: str) -> str:
    """The horizon of the criticality ranking: ``permanent`` or a duration as written."""
    _ = tr.gettext
    return _("permanent loss") if text == "permanent" else text


def cause(lang: str, step: Step, hazards: Sequence[HazardInfo], names: dict[str, str]
          ) -> str:
    """Why the asset of ``step`` stopped, in words, with what it waited for (by name): the
    words of every interface, :func:`tousrisques._causes.cause_words`."""
    return cause_words(step.cause, lang, event=step.event, layer=step.layer,
                       because=[names.get(a, a) for a in step.because],
                       hazards={h.id: h.name for h in hazards})


def chain_reason(tr: NullTranslations, chain: Chain) -> str:
    """What failed the subject of a chain, for the chain's heading."""
    _ = tr.gettext
    if chain.reason == "site":
        return _("its site is down")
    if chain.reason == "channels":
        return _("its site works, but no channel it holds reaches a crisis cell")
    return _("the asset is down")


def method_facts(tr: NullTranslations, fmt: Formats, m: Method) -> list[tuple[str, str]]:
    """The simulation's settings as (label, value) rows of the method table."""
    _ = tr.gettext
    return [
        (_("Monte Carlo runs"), fmt.integer(m.runs)),
        (_("Random seed"), str(m.seed)),
        (_("Duration simulated"), fmt.hours(m.duration_h)),
        (_("Output step"), fmt.hours(m.step_h)),
        (_("Targeted events (outages, cyber-attacks)"), fmt.integer(m.events)),
        (_("Spread of repair times (lognormal β)"), fmt.number(m.repair_beta, digits=2)),
        (_("Spread of backup autonomies (lognormal β)"), fmt.number(m.backup_beta, digits=2)),
        (_("Horizon of the criticality ranking"), horizon(tr, m.criticality_horizon)),
    ]
