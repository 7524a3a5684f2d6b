"""The key figures of a study: numbers taken from the Monte Carlo, the same in
``summary.json``, in the report and on the terminal.

A figure is a median with its P10–P90 band at a moment (the worst, the end), or the word that
it holds when its indicator never moves. Times are hours from the scenario's start; shares are
in [0, 1]. The findings (``_findings``), the worst tail (``_tail``) and the isolated communes
(``_communes``) are built from the same ensemble.
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


@dataclass(frozen=True)
class KeyFigure:
    """A figure of the key-figures table: the median over the runs with its P10–P90 band,
    at a moment or overall; its ``label`` says what it counts and ``note`` the assumptions
    that drive it, in the reader's language (``summary.json`` records both languages).

    A figure whose indicator never moves (``holds``) has no moment: ``value`` is then its
    median at the start, and the report says that it holds rather than naming a worst
    moment.

    Attributes
    ----------
    id : str
        ``reach_network_worst``, ``reach_main_worst``, ``reach_door_end``,
        ``reach_any_worst``, ``reach_any_end``, ``without_power_worst``,
        ``vulnerable_unreached_worst``, ``vulnerable_unreached_main_worst``,
        ``sites_down_<kind>_worst``, ``actors_worst``, ``governance_worst``,
        ``services_worst``, ``power_worst`` or ``recovery``.
    label : Words
    unit : {"share", "count", "seconds", "hours"}
    value : float
        The median over the runs (NaN: never, for ``recovery``).
    p10, p90 : float, optional
    at_h : float, optional
        Hours after the start, for a figure at a moment.
    count : float, optional
        For a share of people: the median number of people.
    holds : bool
        The indicator never moves by more than half a point from its start, in 9 runs out
        of 10 (for ``recovery``: it never falls below the threshold).
    note : Words, optional
        What the figure counts and the assumptions that drive it.
    mean : float, optional
        The mean over the runs at the same moment (kept in ``summary.json``; the report shows
        the median, which stays within its band).

    Examples
    --------
    >>> from tousrisques._i18n import Text
    >>> from tousrisques.results import KeyFigure
    >>> f = KeyFigure("reach_any_end", Text("At the end", "À la fin"), "share", 0.94)
    >>> f.unit, f.p10, f.holds
    ('share', None, False)
    """

    id: str
    label: Words
    unit: Unit
    value: float
    p10: float | None = None
    p90: float | None = None
    at_h: float | None = None
    count: float | None = None
    holds: bool = False
    note: Words | None = None
    mean: float | None = None


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


#: a share that moves by less than this from its start has not moved (it rounds the same)
HOLD = 0.005


def worst_moment(ens: Ensemble, name: str, *, highest: bool = False) -> int | None:
    """The index of the worst moment of an indicator as the report names it: where its
    median is worst; where its P10 (P90 for ``highest``) is worst when the median holds but
    one run in ten does not; None when neither moves by more than :data:`HOLD` from its
    start (the indicator holds: there is no worst moment to speak of).

    Parameters
    ----------
    ens : Ensemble
    name : str
        An indicator name.
    highest : bool
        The worst is the highest value (people without power, broken links).

    Returns
    -------
    int or None
        An index into ``ens.times_s``.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=4)
    >>> from tousrisques.results import worst_moment
    >>> k = worst_moment(ens, "actors_connected")
    >>> p50 = ens.stat("actors_connected", "p50")
    >>> bool(p50[k] < p50[0]), float(ens.times_s[k] / 3600)
    (True, 6.0)
    """
    for stat in ("p50", "p90" if highest else "p10"):
        v = ens.stat(name, stat)
        move = v - v[0] if highest else v[0] - v
        if np.nanmax(move) > HOLD:
            return int(np.nanargmax(v) if highest else np.nanargmin(v))
    return None


def door_channels(s: Scenario) -> list[str]:
    """The broadcast channels carried by people (door to door by volunteers: their coverage
    kind is ``carried_by_people``), which need no network once the volunteers are called.

    Parameters
    ----------
    s : Scenario

    Returns
    -------
    list of str
        Channel ids, in the order of the territory's channels.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> from tousrisques.results import door_channels
    >>> door_channels(load_scenario("examples/rouen/scenarios/tempete.yaml"))
    ['porte-a-porte']
    """
    kinds = s.territory.kinds
    return [ch.id for ch in s.territory.channels if ch.mode == "broadcast"
            and ch.coverage is not None and ch.coverage in kinds
            and getattr(kinds[ch.coverage], "carried_by_people", False)]


def _joined(names: list[Text]) -> Text:
    return Text(", ".join(n.en for n in names), ", ".join(n.fr for n in names))


def key_figures(
    s: Scenario, ens: Ensemble, *, main_of: tuple[Scenario, Ensemble] | None = None
) -> list[KeyFigure]:
    """The figures of the key-figures table (and of ``summary.json``): medians over the runs
    with their P10–P90 band, at each indicator's worst moment (:func:`worst_moment`), or
    marked ``holds`` when it never moves. The main alert channel is that of ``main_of``
    when given (the scenario this one is set beside, so that both speak of the same
    channel).

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
        Reach by the network channels, by the main channel, door to door (apart), by any
        channel; people without power; vulnerable people unreached; sensitive
        establishments down; actors connected, governance links broken, services and power
        assets working (those the territory has); the hours until recovery.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import key_figures
    >>> [f.id for f in key_figures(s, ens)][:2]
    ['reach_network_worst', 'reach_main_worst']
    """
    hours = ens.times_s / 3600
    out: list[KeyFigure] = []
    labels = channel_labels(s)

    def add(fid: str, label: Words, name: str, *, highest: bool = False, people: bool = True,
            note: Words | None = None, at_end: bool = False) -> None:
        if name not in ens.names:
            return
        k = len(hours) - 1 if at_end else worst_moment(ens, name, highest=highest)
        holds = k is None
        i = 0 if k is None else k
        stat = {w: float(ens.stat(name, w)[i]) for w in ("p50", "p10", "p90", "mean")}
        count = float(ens.stat(name, "p50", counts=True)[i]) if people else None
        out.append(KeyFigure(fid, label, "share", stat["p50"], stat["p10"], stat["p90"],
                             None if holds else float(hours[i]), count, holds, note,
                             stat["mean"]))

    doors = [d for d in door_channels(s) if f"population_reached:{d}" in ens.names]
    door_names = [labels.get(d, Text(d, d)) for d in doors]
    network = [labels.get(c, Text(c, c)) for c in ens.broadcast_ids[:-1] if c not in doors]
    add("reach_network_worst", Msg(N_("People reached by at least one network channel")),
        NETWORK,
        note=Msg(N_("Channels counted: {channels}. Door to door by volunteers is counted "
                    "apart. A zone counts as reached when a channel works there; whether "
                    "people hear and understand is not modelled."),
                 channels=_joined(network)))
    main = main_channel(*(main_of or (s, ens)))
    if main is not None:
        label = labels.get(main, Text(main, main))
        add("reach_main_worst",
            Msg(N_("People reached by “{channel}”"), channel=label),
            f"population_reached:{main}",
            note=Msg(N_("The main alert channel: the broadcast that reaches the most people "
                        "at the start.")))
    for d, label in zip(doors, door_names, strict=True):
        add("reach_door_end" if d == doors[0] else f"reach_door_end_{d}",
            Msg(N_("People informed by “{channel}”, at the end"), channel=label),
            f"population_reached:{d}", at_end=True,
            note=Msg(N_("Counted apart: volunteers need no network once their crisis cell "
                        "has called them; how many they are, their pace and their shifts "
                        "are assumptions of the territory's files.")))
    any_label = Msg(N_("People reached by at least one channel, door to door included")) \
        if doors else Msg(N_("People reached by at least one channel"))
    add("reach_any_worst", any_label, ANY)
    add("reach_any_end", Msg(N_("People reached by at least one channel, at the end")), ANY,
        at_end=True)
    add("without_power_worst", Msg(N_("People without power at home")),
        "population_without_power", highest=True,
        note=Msg(N_("People whose homes' supply (their transformer) is down; homes are "
                    "assumed to have no backup of their own.")))
    add("vulnerable_unreached_worst", Msg(N_("Vulnerable people reached by no channel")),
        "vulnerable_unreached:any", highest=True,
        note=Msg(N_("People the zones' files count as vulnerable; door to door included.")))
    if main is not None:
        add("vulnerable_unreached_main_worst",
            Msg(N_("Vulnerable people “{channel}” does not reach"),
                channel=labels.get(main, Text(main, main))),
            f"vulnerable_unreached:{main}", highest=True)
    for name in ens.names:
        if name.startswith("sites_down:"):
            kind = name.split(":", 1)[1]
            spec = s.territory.kinds.get(kind)
            kind_label = Text(spec.label("en"), spec.label("fr")) if spec else Text(kind, kind)
            add(f"sites_down_{kind}_worst",
                Msg(N_("Sensitive establishments down ({kind})"), kind=kind_label),
                name, highest=True, people=False)
    if s.territory.actors:  # with none, "0 % connected" would read as all cut off
        add("actors_worst", Msg(N_("Actors able to reach a crisis cell")),
            "actors_connected", people=False)
    if len(s.compiled.reports_to):
        add("governance_worst", Msg(N_("Governance links broken")),
            "governance_links_broken", highest=True, people=False)
    if "assets_working:service" in ens.names:  # no service at all is not "0 % working"
        add("services_worst", Msg(N_("Digital services working")), "services_up",
            people=False)
    add("power_worst", Msg(N_("Power assets working")), "assets_working:power",
        people=False)
    rec = recovery_h(ens)
    mean = ens.stat(ANY, "mean")
    out.append(
        KeyFigure(
            "recovery",
            Msg(N_("Hours until reach by any channel is back above {share} of its start"),
                share=Share(0.95)),
            "hours",
            float("nan") if rec is None else rec,
            holds=bool(mean.min() >= 0.95 * mean[0]),
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
