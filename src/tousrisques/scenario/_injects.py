"""The injects of a live exercise checked against the territory: their addressees, the
channel they come by, and who their expected actions name (docs/scenario-format.md §11)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tousrisques._i18n import N_, Msg
from tousrisques._problems import Problems, suggest
from tousrisques.scenario._model import InjectSpec
from tousrisques.territory import Territory
from tousrisques.territory._config import ROLE_ALIASES, ROLES


def addressees(territory: Territory, to: Sequence[str]) -> list[str]:
    """The actor ids ``to`` names, roles expanded, each once, in the territory's order.

    Parameters
    ----------
    territory : Territory
    to : sequence of str
        Actor ids or roles.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> from tousrisques.scenario._injects import addressees
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> addressees(t, ["mayor"])
    ['MAIRIE-PCS']
    """
    wanted = set(to)
    return [a.id for a in territory.actors if a.id in wanted or a.role in wanted]


def check_injects(injects: Sequence[InjectSpec | None], territory: Territory, rel: str,
                  lines: dict[Any, int], problems: Problems) -> None:
    """Record a problem for every addressee, channel or expected actor of ``injects`` that
    the territory does not know, and for a channel none of the addressees holds.

    Parameters
    ----------
    injects : sequence of InjectSpec or None
        None: an inject that did not pass its own validation (already reported).
    territory : Territory
    rel : str
        The scenario file, as problems name it.
    lines : dict
        Line of each key path of the file.
    problems : Problems
        Where problems go.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> from tousrisques._problems import Problems
    >>> from tousrisques.scenario import InjectSpec
    >>> from tousrisques.scenario._injects import check_injects
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> p = Problems()
    >>> bad = InjectSpec(at="1h", to=["mayor"], message="x", channel="pigeon",
    ...                  expected=[{"who": "maire", "action": "y"}])
    >>> check_injects([bad], t, "s.yaml", {}, p)
    >>> [(x.code, x.field) for x in p.errors]
    [('ref.actor', 'injects.expected.who'), ('ref.channel', 'injects.channel')]
    """
    actors = {a.id: a for a in territory.actors}
    channels = [c.id for c in territory.channels]

    def known(who: str, key: tuple[Any, ...], fld: str) -> None:
        if who not in actors and who not in ROLES:
            problems.error("ref.actor", rel, line=lines.get(key), field=fld, ref=who,
                           suggest=suggest(who, [*actors, *ROLES], ROLE_ALIASES))

    for i, inj in enumerate(injects):
        if inj is None:
            continue
        for j, who in enumerate(inj.to):
            known(who, ("injects", i, "to", j), "injects.to")
        for j, exp in enumerate(inj.expected):
            known(exp.who, ("injects", i, "expected", j, "who"), "injects.expected.who")
        if inj.channel is None:
            continue
        line = lines.get(("injects", i, "channel"))
        if inj.channel not in channels:
            problems.error("ref.channel", rel, line=line, field="injects.channel",
                           ref=inj.channel, suggest=suggest(inj.channel, channels))
            continue
        to = addressees(territory, inj.to)
        if to and not any(inj.channel in actors[a].channels for a in to):
            problems.error("field.invalid", rel, line=line, field="injects.channel",
                           detail=Msg(N_("no addressee of the inject holds channel "
                                         "'{channel}'"), channel=inj.channel),
                           expected=Msg(N_("a channel of the addressees' (actors.yaml), "
                                           "or no channel: any they have")))
