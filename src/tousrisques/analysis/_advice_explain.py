"""One sentence per proposed measure, in French and English, from the causal chains of the
base runs (which assets lost their power, in how many runs, from when: the ``backup
exhausted`` and ``requirement`` causes of the log; which requirement group made an asset
stop; when an actor had no channel or its site was down; who no network channel reached)
and from the measure's effect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tousrisques._durations import parse_duration
from tousrisques._i18n import LOCALES, N_, Formats, Msg, gettext
from tousrisques.analysis._advice_candidates import Candidate
from tousrisques.analysis._advice_search import Gain

#: what each objective measures, in a sentence ("raises … at its worst")
OBJECTIVE_WORDS = {
    "alert": N_("the share of the population {channel} reaches"),
    "vulnerable": N_("the share of vulnerable people some channel reaches"),
    "actors": N_("the share of actors connected to a crisis cell"),
    "mix": N_("the combined objective (alert, vulnerable people, actors)"),
}


def objective_text(objective: str, channel: dict[str, str], lang: str) -> str:
    """What the objective measures, in ``lang`` (``channel``: the main alert channel's name
    per language).

    Parameters
    ----------
    objective : str
        ``alert``, ``vulnerable``, ``actors`` or ``mix``.
    channel : dict
        ``{"en": …, "fr": …}``.
    lang : str

    Returns
    -------
    str

    Examples
    --------
    >>> from tousrisques.analysis import objective_text
    >>> objective_text("alert", {"en": "FR-Alert", "fr": "FR-Alert"}, "en")
    'the share of the population FR-Alert reaches'
    """
    return gettext(OBJECTIVE_WORDS[objective], lang).format(
        channel=channel.get(lang) or channel.get("en", ""))


def explain_measure(c: Candidate, g: Gain, *, objective: str, channel: dict[str, str],
                    kind_label: dict[str, str], runs: int, start: datetime | None
                    ) -> dict[str, str]:
    """The one-sentence explanation of a measure, in each language.

    Parameters
    ----------
    c : Candidate
    g : Gain
        Its effect (``before`` and ``after`` are the objective without and with it).
    objective : str
    channel : dict
        The main alert channel's name per language.
    kind_label : dict
        The kind's name per language.
    runs : int
        The base runs its causes were read from.
    start : datetime, optional
        The scenario's start (clock times); none: hours after the start.

    Returns
    -------
    dict
        ``{"en": …, "fr": …}``.

    Examples
    --------
    >>> from tousrisques.analysis import Candidate, Gain, explain_measure
    >>> c = Candidate("autonomy:fibre_node:24h", "autonomy", "fibre_node", ("NRO*",), 33,
    ...               86400.0, 396000.0, 12000.0, "assumption", 14400.0, 12, 18000.0)
    >>> g = Gain(0, 0.38, 0.1, 0.6, 0.03, 0.41, 60)
    >>> text = explain_measure(c, g, objective="alert", channel={"en": "FR-Alert"},
    ...                        kind_label={"en": "fibre node"}, runs=60, start=None)
    >>> print(text["en"].replace("\N{NO-BREAK SPACE}", " "))  # doctest: +NORMALIZE_WHITESPACE
    fibre node (33): their 4 h backups run out in 12 of 60 runs, the first at 5 h; 24 h of
    autonomy raises the share of the population FR-Alert reaches at its worst from 3% to 41%
    (+38 points).
    """
    out = {}
    for lang in LOCALES:
        fmt = Formats(lang, start)
        words = {
            "kind": kind_label.get(lang) or kind_label.get("en") or c.kind,
            "count": fmt.integer(c.count),
            "objective": objective_text(objective, channel, lang),
            "before": fmt.share(g.before),
            "after": fmt.share(g.after),
            "gain": fmt.number(g.mean * 100, digits=1),
        }
        if words["before"] == words["after"]:  # 99.1% to 99.4%, never 99% to 99%
            words["before"], words["after"] = _share1(g.before, fmt), _share1(g.after, fmt)
        if abs(g.mean) < NO_GAIN:
            msg = Msg(NO_GAIN_WORDS, key=c.key, **words)
        elif c.rule in RULE_WORDS:
            msg = _rule_sentence(c, words, fmt, lang, runs)
        elif c.rule == "planned":
            msg = Msg(N_("{kind} ({count} planned): bringing them from the start raises "
                         "{objective} at its worst from {before} to {after} "
                         "(+{gain} points)."), **words)
        else:
            words.update(runs=fmt.integer(c.lost_runs), total=fmt.integer(runs),
                         first=fmt.moment(c.first_loss_s / 3600),
                         autonomy=fmt.hours(c.autonomy_s / 3600),
                         base=fmt.hours(c.base_autonomy_s / 3600))
            if c.base_autonomy_s > 0:
                msg = Msg(N_("{kind} ({count}): their {base} backups run out in {runs} of "
                             "{total} runs, the first at {first}; {autonomy} of autonomy "
                             "raises {objective} at its worst from {before} to {after} "
                             "(+{gain} points)."), **words)
            else:
                msg = Msg(N_("{kind} ({count}): without backup, their power is lost in "
                             "{runs} of {total} runs, the first at {first}; {autonomy} of "
                             "autonomy raises {objective} at its worst from {before} to "
                             "{after} (+{gain} points)."), **words)
        out[lang] = msg.render(lang)
    return out


#: a gain below this (0.05 point) reads 0.0 points: the measure gains nothing measurable
NO_GAIN = 0.0005
#: the sentence of a measure of no measurable gain over the confirmation runs
NO_GAIN_WORDS = N_("{kind} ({count}), {key}: no measurable gain on {objective} at its worst "
                   "over these runs ({before} without it, {after} with it, less than 0.1 "
                   "point); it had gained on the first runs, where the plan was chosen.")


def _share1(x: float, fmt: Formats) -> str:
    """A share with one decimal (``99.4%``, French ``99,4 %``)."""
    return fmt.share(1.0).replace("100", fmt.number(x * 100, digits=1))


#: the sentence of each rule of one asset or actor (the facts of its Candidate)
RULE_WORDS = {
    "feed": N_("{asset}: its only feed, {beside}, is lost in {runs} of {total} runs, the first "
               "at {first}; a second feed from {add} ({distance} away, working at {held} of "
               "those {moments} moments) raises {objective} at its worst from {before} to "
               "{after} (+{gain} points)."),
    "backhaul": N_("{asset}: its only link, {beside}, is lost in {runs} of {total} runs, the "
                   "first at {first}; a redundant link to {add} ({distance} away, working at "
                   "{held} of those {moments} moments) raises {objective} at its worst from "
                   "{before} to {after} (+{gain} points)."),
    "terminal": N_("{channel} for {actor}, cut off from every crisis cell from {start} to "
                   "{end} in {runs} of {total} runs, links it to {target}: {objective} at its "
                   "worst goes from {before} to {after} (+{gain} points)."),
    "fallback": N_("{actor}: its site, {site}, is down in {runs} of {total} runs, the first "
                   "at {first}; a fallback site at {add} ({distance} away, reached in "
                   "{delay}) raises {objective} at its worst from {before} to {after} "
                   "(+{gain} points)."),
    "volunteers": N_("{actor}: about {people} people of the zones its volunteers walk are "
                     "reached by no network channel in {runs} of {total} runs, from {start}; "
                     "{count} more volunteers going door to door raise {objective} at its "
                     "worst from {before} to {after} (+{gain} points)."),
    "restoration": N_("{site}, the site of {actor}, is down in {runs} of {total} runs, the "
                      "first at {first}; restoring it first, with what feeds it, raises "
                      "{objective} at its worst from {before} to {after} (+{gain} points)."),
}


def _rule_sentence(c: Candidate, words: dict[str, Any], fmt: Formats, lang: str,
                   runs: int) -> Msg:
    """The sentence of a rule of one asset or actor, in ``lang``."""
    f = c.facts

    def name(key: str) -> str:
        got = f.get(key) or {}
        return str(got.get(lang) or got.get("en") or "")

    words = {**words, "runs": fmt.integer(c.lost_runs), "total": fmt.integer(runs),
             "first": fmt.moment(c.first_loss_s / 3600)}
    for key in ("asset", "beside", "add", "actor", "target", "channel", "site"):
        words[key] = name(key)
    if "distance_m" in f:
        words["distance"] = f"{fmt.number(f['distance_m'] / 1000, digits=1)}{fmt.space}km"
    if "from_s" in f:
        words["start"] = fmt.clock(f["from_s"] / 3600)
        words["end"] = fmt.clock(f["to_s"] / 3600)
    for key in ("held", "moments", "people"):
        if key in f:
            words[key] = fmt.integer(f[key])
    if "delay" in f:
        words["delay"] = fmt.hours(parse_duration(str(f["delay"])) / 3600)
    key = c.rule if c.rule != "feed" or f.get("power", True) else "backhaul"
    return Msg(RULE_WORDS[key], **words)
