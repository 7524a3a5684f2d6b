"""The key figures and findings of a study: numbers taken from the Monte Carlo, the same in
``summary.json``, in the report and on the terminal.

A figure is a mean with its P10–P90 band at a moment (the worst, the end); a finding is one
sentence of the plain-words summary, as data (the report and the command line put it into
words). Times are hours from the scenario's start; shares are in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from tousrisques._i18n import N_, Msg, Share, Text, Words
from tousrisques.analysis import Ensemble
from tousrisques.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
Unit = Literal["share", "count", "seconds", "hours"]

ANY = "population_reached:any"
#: reach by the channels that need a network: not a channel either
NETWORK = "population_reached:network"


#: the roles whose actors the summary counts as a group, and the group's words
ROLE_GROUPS: dict[str, Msg] = {
    "mayor": Msg(N_("town halls")),
    "citizen_relay": Msg(N_("citizen relays")),
    "association": Msg(N_("associations")),
    "hospital": Msg(N_("hospitals")),
}


@dataclass(frozen=True)
class Finding:
    """One sentence of the plain-words summary; ``kind`` picks the sentence:

    * ``reach``: ``at_h`` hours after the start, ``subject`` (a channel) reaches ``value``
      of the population (P10–P90: ``p10``–``p90``);
    * ``cut_off``: ``value`` of ``total`` ``subject`` (a group of actors, e.g. "town
      halls") can no longer reach ``target`` (a crisis cell) at ``at_h`` (mean over runs;
      P10–P90 given);
    * ``worst``: the worst moment is ``at_h``: ``value`` of the population is reached by
      at least one channel (P10–P90);
    * ``recovery``: reach by any channel is back above 95 % of its start value (``value``,
      that threshold) at ``at_h`` (mean), or never within the scenario (``at_h`` None);
    * ``governance``: ``value`` of ``total`` governance links broken at ``at_h``.

    Attributes
    ----------
    kind : {"reach", "cut_off", "worst", "recovery", "governance"}
    at_h : float or None
        Hours after the start.
    value : float
    p10, p90 : float, optional
        The band over the runs.
    total : float, optional
        Of how many (actors of the group, governance links).
    subject : Words, optional
        A channel or a group of actors.
    target : Words, optional
        The crisis cell cut off from.

    Examples
    --------
    >>> from tousrisques.results import Finding
    >>> f = Finding("worst", 9.0, 0.47, p10=0.0, p90=0.94)
    >>> f.kind, f.at_h, f.subject
    ('worst', 9.0, None)
    """

    kind: Literal["reach", "cut_off", "worst", "recovery", "governance"]
    at_h: float | None
    value: float
    p10: float | None = None
    p90: float | None = None
    total: float | None = None
    subject: Words | None = None
    target: Words | None = None


@dataclass(frozen=True)
class KeyFigure:
    """A figure of the key-figures table: mean with P10–P90, at a time or overall; its
    ``label`` is said in the reader's language (``summary.json`` records it in both).

    Attributes
    ----------
    id : str
        ``reach_any_worst``, ``reach_main_worst``, ``reach_any_end``, ``actors_worst``,
        ``governance_worst``, ``services_worst``, ``power_worst`` or ``recovery``.
    label : Words
    unit : {"share", "count", "seconds", "hours"}
    value : float
        The mean over the runs (NaN: never, for ``recovery``).
    p10, p90 : float, optional
    at_h : float, optional
        Hours after the start, for a figure at a moment.

    Examples
    --------
    >>> from tousrisques._i18n import Text
    >>> from tousrisques.results import KeyFigure
    >>> f = KeyFigure("reach_any_end", Text("At the end", "À la fin"), "share", 0.94)
    >>> f.unit, f.p10
    ('share', None)
    """

    id: str
    label: Words
    unit: Unit
    value: float
    p10: float | None = None
    p90: float | None = None
    at_h: float | None = None


def text_of(value: object) -> Text:
    """Words a user wrote, as a :class:`Text`: a value with ``en`` and ``fr`` in both
    languages, anything else the same in both.

    Parameters
    ----------
    value : object
        A bilingual name (``en``/``fr``) or a plain value.

    Returns
    -------
    Text

    Examples
    --------
    >>> from tousrisques.results import text_of
    >>> text_of("Siren")
    Text(en='Siren', fr='Siren')
    """
    en = getattr(value, "en", None)
    fr = getattr(value, "fr", None)
    return (
        Text(str(en), str(fr))
        if en is not None and fr is not None
        else Text(str(value), str(value))
    )


def channel_labels(s: Scenario) -> dict[str, Text]:
    """The name of each channel of the scenario's territory, by channel id.

    Parameters
    ----------
    s : Scenario

    Returns
    -------
    dict of str to Text

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.results import channel_labels
    >>> channel_labels(s)["sirene"]
    Text(en='Siren', fr='Sirène')
    """
    return {ch.id: text_of(ch.name) for ch in s.territory.channels}


def main_channel(s: Scenario, ens: Ensemble) -> str | None:
    """The broadcast channel that reaches the most people at the start, to the percent (the
    territory's main alert channel; on ties, the first declared), or None without any.

    Parameters
    ----------
    s : Scenario
    ens : Ensemble
        Its Monte Carlo.

    Returns
    -------
    str or None
        A channel id.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import main_channel
    >>> main_channel(s, ens)
    'fr-alert'
    """
    names = [n for n in ens.names if n.startswith("population_reached:")
             and n not in (ANY, NETWORK)]
    if not names:
        return None
    start = np.round([ens.stat(n, "mean")[0] for n in names], 2)
    return names[int(np.argmax(start))].split(":", 1)[1]


def connected_share(ens: Ensemble, actors: list[str]) -> FloatArray:
    """Share of runs in which each actor is connected, per time: (actors, times).

    Parameters
    ----------
    ens : Ensemble
    actors : list of str
        Actor ids.

    Returns
    -------
    ndarray
        ``(actors, times)``, shares of runs in [0, 1].

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import connected_share
    >>> share = connected_share(ens, ["MAIRIE-PCS", "EHPAD-DIR"])
    >>> share.shape, bool(((0 <= share) & (share <= 1)).all())
    ((2, 49), True)
    """
    idx = [ens.names.index(f"actor_latency:{a}") for a in actors]
    share: FloatArray = np.isfinite(ens.values[:, idx, :]).mean(axis=0)
    return share


def worst_time(ens: Ensemble, name: str, *, highest: bool = False) -> int:
    """The index of the output time where the mean of an indicator is lowest (highest
    with ``highest``); the first such time on ties.

    Parameters
    ----------
    ens : Ensemble
    name : str
        An indicator name.
    highest : bool
        The worst is the highest value (broken links) rather than the lowest.

    Returns
    -------
    int
        An index into ``ens.times_s``.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import ANY, worst_time
    >>> k = worst_time(ens, ANY)
    >>> bool(ens.stat(ANY, "mean")[k] <= ens.stat(ANY, "mean").min())
    True
    """
    mean = ens.stat(name, "mean")
    return int(np.argmax(mean) if highest else np.argmin(mean))


def key_figures(
    s: Scenario, ens: Ensemble, *, main_of: tuple[Scenario, Ensemble] | None = None
) -> list[KeyFigure]:
    """The figures of the key-figures table (and of ``summary.json``); the main alert
    channel is that of ``main_of`` when given (the scenario this one is set beside, so that
    both speak of the same channel).

    Parameters
    ----------
    s : Scenario
    ens : Ensemble
        Its Monte Carlo.
    main_of : (Scenario, Ensemble), optional
        Whose main alert channel to speak of (the scenario this one is set beside).

    Returns
    -------
    list of KeyFigure
        Reach by any channel and by the main channel at the worst moment, reach at the end,
        actors connected, governance links broken, services and power working at their worst
        moments (those the territory has), and the hours until recovery.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import key_figures
    >>> [f.id for f in key_figures(s, ens)][:3]
    ['reach_any_worst', 'reach_main_worst', 'reach_any_end']
    """
    hours = ens.times_s / 3600
    out: list[KeyFigure] = []

    def at(fid: str, label: Words, name: str, k: int) -> None:
        out.append(
            KeyFigure(
                fid,
                label,
                "share",
                float(ens.stat(name, "mean")[k]),
                float(ens.stat(name, "p10")[k]),
                float(ens.stat(name, "p90")[k]),
                float(hours[k]),
            )
        )

    k = worst_time(ens, ANY)
    at(
        "reach_any_worst",
        Msg(N_("Population reached by at least one channel, at the worst moment")),
        ANY,
        k,
    )
    main = main_channel(*(main_of or (s, ens)))
    if main is not None and f"population_reached:{main}" in ens.names:
        name = f"population_reached:{main}"
        label = channel_labels(s).get(main, Text(main, main))
        at(
            "reach_main_worst",
            Msg(N_("Population reached by {channel}, at the worst moment"), channel=label),
            name,
            worst_time(ens, name),
        )
    at(
        "reach_any_end",
        Msg(N_("Population reached by at least one channel, at the end")),
        ANY,
        len(hours) - 1,
    )
    if s.territory.actors:  # with none, "0 % connected" would read as all cut off
        at(
            "actors_worst",
            Msg(N_("Actors able to reach a crisis cell, at the worst moment")),
            "actors_connected",
            worst_time(ens, "actors_connected"),
        )
    if len(s.compiled.reports_to):
        at(
            "governance_worst",
            Msg(N_("Governance links broken, at the worst moment")),
            "governance_links_broken",
            worst_time(ens, "governance_links_broken", highest=True),
        )
    if "assets_working:service" in ens.names:  # no service at all is not "0 % working"
        at(
            "services_worst",
            Msg(N_("Digital services working, at the worst moment")),
            "services_up",
            worst_time(ens, "services_up"),
        )
    if "assets_working:power" in ens.names:
        at(
            "power_worst",
            Msg(N_("Power assets working, at the worst moment")),
            "assets_working:power",
            worst_time(ens, "assets_working:power"),
        )
    rec = recovery_h(ens)
    out.append(
        KeyFigure(
            "recovery",
            Msg(N_("Hours until reach by any channel is back above {share} of its start"),
                share=Share(0.95)),
            "hours",
            float("nan") if rec is None else rec,
        )
    )
    return out


def recovery_h(ens: Ensemble) -> float | None:
    """First time after the worst moment when the mean reach by any channel is back above
    95 % of its start value (None: not within the scenario).

    Parameters
    ----------
    ens : Ensemble

    Returns
    -------
    float or None
        Hours from the start; 0 when reach never falls below that.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import recovery_h
    >>> h = recovery_h(ens)
    >>> h is None or 0 <= h <= 48
    True
    """
    mean = ens.stat(ANY, "mean")
    k = int(np.argmin(mean))
    back = np.nonzero(mean[k:] >= 0.95 * mean[0])[0]
    if mean[k] >= 0.95 * mean[0]:
        return 0.0
    return float(ens.times_s[k + back[0]] / 3600) if len(back) else None


def findings(s: Scenario, ens: Ensemble) -> list[Finding]:
    """The sentences of the plain-words summary of a Monte Carlo, as data (see
    :class:`Finding` for the kinds; the report and the command line put them into words).

    Parameters
    ----------
    s : Scenario
    ens : Ensemble
        Its Monte Carlo.

    Returns
    -------
    list of Finding
        Each broadcast channel that loses more than 5 points (those reaching the most people
        first), the worst moment, the recovery, the groups of actors cut off (two members or
        more) and the governance links broken (when the territory has any).

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import findings
    >>> kinds = [f.kind for f in findings(s, ens)]
    >>> "worst" in kinds and "recovery" in kinds
    True
    """
    hours = ens.times_s / 3600
    out: list[Finding] = []
    labels = channel_labels(s)
    # every broadcast channel that loses more than 5 points, at its worst moment, the
    # channels reaching the most people at the start first
    reach = [n for n in ens.names if n.startswith("population_reached:")
             and n not in (ANY, NETWORK)]
    reach.sort(key=lambda n: -round(float(ens.stat(n, "mean")[0]), 2))
    for name in reach:
        mean = ens.stat(name, "mean")
        k = int(np.argmin(mean))
        if mean[0] - mean[k] <= 0.05:
            continue
        ident = name.split(":", 1)[1]
        out.append(
            Finding(
                "reach",
                float(hours[k]),
                float(mean[k]),
                float(ens.stat(name, "p10")[k]),
                float(ens.stat(name, "p90")[k]),
                subject=labels.get(ident, Text(ident, ident)),
            )
        )
    k = worst_time(ens, ANY)
    out.append(
        Finding(
            "worst",
            float(hours[k]),
            float(ens.stat(ANY, "mean")[k]),
            float(ens.stat(ANY, "p10")[k]),
            float(ens.stat(ANY, "p90")[k]),
        )
    )
    out.append(Finding("recovery", recovery_h(ens), 0.95 * float(ens.stat(ANY, "mean")[0])))
    actors = s.territory.actors
    cells = [a for a in actors if a.crisis_cell]
    target = (
        text_of(cells[0].name) if len(cells) == 1 else Msg(N_("a crisis cell"))
    )
    k = worst_time(ens, "actors_connected")
    for role, group in ROLE_GROUPS.items():
        members = [a.id for a in actors if a.role == role]
        if len(members) < 2:
            continue
        cut = 1 - connected_share(ens, members)  # (actors, times): share of runs cut off
        per_run = (
            ~np.isfinite(ens.values[:, [ens.names.index(f"actor_latency:{m}") for m in members], k])
        ).sum(axis=1)
        out.append(
            Finding(
                "cut_off",
                float(hours[k]),
                float(cut[:, k].sum()),
                float(np.percentile(per_run, 10, method="inverted_cdf")),
                float(np.percentile(per_run, 90, method="inverted_cdf")),
                total=float(len(members)),
                subject=group,
                target=target,
            )
        )
    if len(s.compiled.reports_to):
        name = "governance_links_broken"
        k = worst_time(ens, name, highest=True)
        out.append(
            Finding(
                "governance",
                float(hours[k]),
                float(ens.stat(name, "mean", counts=True)[k]),
                float(ens.stat(name, "p10", counts=True)[k]),
                float(ens.stat(name, "p90", counts=True)[k]),
                total=float(len(s.compiled.reports_to)),
            )
        )
    return out
