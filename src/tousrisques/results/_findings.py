"""The findings of a study: the sentences of its plain-words summary, as data (the report and
the command line put them into words). Numbers are medians over the runs with their P10–P90
band; times are hours from the scenario's start; shares are in [0, 1]."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from tousrisques._i18n import N_, Msg, Text, Words
from tousrisques.analysis import Ensemble
from tousrisques.results._figures import (
    ANY,
    NETWORK,
    channel_labels,
    door_channels,
    recovery_h,
    text_of,
    worst_moment,
    worst_time,
)
from tousrisques.scenario import Scenario

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

    * ``reach``: ``at_h`` hours after the start, the channel ``subject`` reaches ``value``
      of the population (P10–P90: ``p10``–``p90``);
    * ``cut_off``: ``value`` of ``total`` ``subject`` (a group of actors, e.g. "town
      halls") can no longer reach ``target`` (a crisis cell) at ``at_h`` (median over runs;
      P10–P90 given);
    * ``worst``: the worst moment is ``at_h``: ``value`` of the population is reached by
      ``subject`` (at least one network channel; any channel when None) (P10–P90);
    * ``holds``: reach by ``subject`` never falls: ``value`` of the population throughout;
    * ``recovery``: reach by any channel is back above 95 % of its start value (``value``,
      that threshold) at ``at_h`` (mean), or never within the scenario (``at_h`` None);
    * ``governance``: ``value`` of ``total`` governance links broken at ``at_h``.

    Attributes
    ----------
    kind : {"reach", "cut_off", "worst", "holds", "recovery", "governance"}
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

    kind: Literal["reach", "cut_off", "worst", "holds", "recovery", "governance"]
    at_h: float | None
    value: float
    p10: float | None = None
    p90: float | None = None
    total: float | None = None
    subject: Words | None = None
    target: Words | None = None


def _band(ens: Ensemble, name: str, k: int) -> tuple[float, float, float]:
    return (float(ens.stat(name, "p50")[k]), float(ens.stat(name, "p10")[k]),
            float(ens.stat(name, "p90")[k]))


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
        Each network broadcast channel whose median loses more than 5 points (those reaching
        the most people first), the worst moment of reach by the network channels and the
        recovery (or that it holds), the groups of actors cut off (two members or more) and
        the governance links broken (when the territory has any).

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import findings
    >>> kinds = [f.kind for f in findings(s, ens)]
    >>> ("worst" in kinds and "recovery" in kinds) or "holds" in kinds
    True
    """
    hours = ens.times_s / 3600
    out: list[Finding] = []
    labels = channel_labels(s)
    doors = {f"population_reached:{d}" for d in door_channels(s)}
    # every network broadcast channel whose median loses more than 5 points, at its worst
    # moment, the channels reaching the most people at the start first
    reach = [n for n in ens.names if n.startswith("population_reached:")
             and n not in (ANY, NETWORK) and n not in doors]
    reach.sort(key=lambda n: -round(float(ens.stat(n, "p50")[0]), 2))
    for name in reach:
        p50 = ens.stat(name, "p50")
        k = int(np.argmin(p50))
        if p50[0] - p50[k] <= 0.05:
            continue
        ident = name.split(":", 1)[1]
        out.append(Finding("reach", float(hours[k]), *_band(ens, name, k),
                           subject=labels.get(ident, Text(ident, ident))))
    overall = NETWORK if NETWORK in ens.names and doors else ANY
    subject = Msg(N_("at least one network channel")) if overall == NETWORK else None
    k_worst = worst_moment(ens, overall)
    if k_worst is None:
        out.append(Finding("holds", None, *_band(ens, overall, 0), subject=subject))
    else:
        out.append(Finding("worst", float(hours[k_worst]), *_band(ens, overall, k_worst),
                           subject=subject))
        out.append(Finding("recovery", recovery_h(ens),
                           0.95 * float(ens.stat(ANY, "mean")[0])))
    actors = s.territory.actors
    cells = [a for a in actors if a.crisis_cell]
    target = text_of(cells[0].name) if len(cells) == 1 else Msg(N_("a crisis cell"))
    k = worst_time(ens, "actors_connected")
    for role, group in ROLE_GROUPS.items():
        members = [a.id for a in actors if a.role == role]
        if len(members) < 2:
            continue
        idx = [ens.names.index(f"actor_latency:{m}") for m in members]
        per_run = (~np.isfinite(ens.values[:, idx, k])).sum(axis=1)
        if np.percentile(per_run, 50, method="inverted_cdf") == 0:
            continue  # most runs cut none of them off: the tail says the rest
        out.append(
            Finding(
                "cut_off",
                float(hours[k]),
                float(np.percentile(per_run, 50, method="inverted_cdf")),
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
                float(ens.stat(name, "p50", counts=True)[k]),
                float(ens.stat(name, "p10", counts=True)[k]),
                float(ens.stat(name, "p90", counts=True)[k]),
                total=float(len(s.compiled.reports_to)),
            )
        )
    return out
