"""Why a channel is down for an actor, in words a player reads (English and French): the
channel, since when on the territory's clock, the asset at fault and its cause, and the
first cause when it is another asset (the chains are ``tousrisques.engine.explain``'s)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np

from tousrisques._causes import cause_words
from tousrisques._i18n import LOCALES, N_, Formats, Msg, Text
from tousrisques.analysis import ChannelWhy
from tousrisques.engine import Cause, Network, Timeline, explain
from tousrisques.territory import CompiledTerritory, Territory

_STATUS = {
    "coverage": N_("{channel} unavailable at your site since {time}: {asset} is down, "
                   "{cause}"),
    "requires": N_("{channel} unavailable everywhere since {time}: {asset} is down, {cause}"),
    "site": N_("{channel} unavailable since {time}: your site {asset} is down, {cause}"),
}
_NO_COVERAGE = N_("{channel} does not reach your site: nothing of its network covers it")
_NO_TRIGGER = N_("{channel}: your organisation may not trigger it")
_SINCE = N_("{channel} unavailable since {time}")
_FIRST = N_("{reason}; first cause: {asset} {cause}")


def clock_text(start: datetime | None, scenario_s: float, lang: str) -> str:
    """A scenario time on the territory's clock: the hour (``04:10``) on the start's day,
    the day and the hour after it (``3 Nov 04:10``); hours after the start without one.

    Parameters
    ----------
    start : datetime or None
        The scenario's start in the territory's zone.
    scenario_s : float
    lang : str

    Returns
    -------
    str

    Examples
    --------
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from tousrisques.exercise._why import clock_text
    >>> start = datetime(2023, 11, 2, tzinfo=ZoneInfo("Europe/Paris"))
    >>> clock_text(start, 4 * 3600 + 600, "fr"), clock_text(start, 28 * 3600, "en")
    ('04:10', '3 Nov 04:00')
    """
    fmt = Formats(lang, start)
    local = fmt.local(scenario_s / 3600)
    if local is None or start is None:
        return fmt.relative(scenario_s / 3600)
    if local.date() == start.date():
        return local.strftime("%H:%M")
    return fmt.clock(scenario_s / 3600)


class Words:
    """Puts a channel's fault into words for one territory and run.

    Parameters
    ----------
    territory : Territory
    compiled : CompiledTerritory
    start : datetime or None
        The scenario's start (for clock times).
    hazards : mapping of str to Text
        The scenario's hazards by id (to name a hazard in each language).

    Examples
    --------
    >>> from tousrisques.exercise._why import Words
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> w = Words(s.territory, s.compiled, None, {})
    >>> w.channel("mobile").en
    'Mobile voice and SMS'
    """

    def __init__(self, territory: Territory, compiled: CompiledTerritory,
                 start: datetime | None, hazards: Mapping[str, Text]) -> None:
        self.territory = territory
        self.c = compiled
        self.start = start
        self.hazards = dict(hazards)
        self._channels = {ch.id: Text(ch.name.en, ch.name.fr) for ch in territory.channels}

    def channel(self, channel: str) -> Text:
        """The channel's name in both languages."""
        return self._channels.get(channel, Text(channel, channel))

    def _asset(self, row: int, lang: str) -> str:
        kind = self.c.kind_names[int(self.c.kind[row])]
        spec = self.territory.kinds.get(kind)
        label = spec.label(lang) if spec is not None else kind
        return f"{label} {self.c.asset_ids[row]}"

    def _cause(self, link: Cause, lang: str) -> str:
        ids = self.c.asset_ids
        layer = self.c.layer_names[link.layer] if 0 <= link.layer < len(
            self.c.layer_names) else ""
        return cause_words(link.cause, lang, event=link.event,
                           because=[str(ids[b]) for b in link.because], layer=layer,
                           hazards=self.hazards)

    def reason(self, channel: str, why: ChannelWhy | None, chain: tuple[Cause, ...],
               at_s: float) -> Text:
        """Why ``channel`` is down: ``why`` (``analysis.explain_actor``'s, or one built the
        same way for a broadcast), ``chain`` the causes of its first asset at fault (of the
        site for status ``site``), ``at_s`` the time asked (when the chain is empty).

        Parameters
        ----------
        channel : str
        why : ChannelWhy or None
            None: a broadcast the actor may not trigger.
        chain : tuple of Cause
        at_s : float

        Returns
        -------
        Text
            The reason in English and French.

        Examples
        --------
        >>> from tousrisques.analysis import ChannelWhy
        >>> from tousrisques.exercise._why import Words
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> w = Words(s.territory, s.compiled, None, {})
        >>> w.reason("mobile", ChannelWhy("mobile", "coverage"), (), 3600).en
        'Mobile voice and SMS does not reach your site: nothing of its network covers it'
        """
        name = self.channel(channel)
        if why is None:
            return _both(Msg(_NO_TRIGGER, channel=name))
        if not chain:
            if why.status == "coverage" and not why.assets:
                return _both(Msg(_NO_COVERAGE, channel=name))
            return Text(*(Msg(_SINCE, channel=name, time=clock_text(self.start, at_s, lang))
                          .render(lang) for lang in LOCALES))
        head = chain[0]
        out = []
        for lang in LOCALES:
            text = Msg(_STATUS.get(why.status, _STATUS["requires"]), channel=name,
                       time=clock_text(self.start, head.time_s, lang),
                       asset=str(self.c.asset_ids[head.asset]) if why.status == "site"
                       else self._asset(head.asset, lang),
                       cause=self._cause(head, lang)).render(lang)
            firsts = [x for x in chain if x.cause == "event"]
            if firsts and firsts[0].asset != head.asset:
                text = Msg(_FIRST, reason=text, asset=self._asset(firsts[0].asset, lang),
                           cause=self._cause(firsts[0], lang)).render(lang)
            out.append(text)
        return Text(*out)


def _both(msg: Msg) -> Text:
    en, fr = (msg.render(lang) for lang in LOCALES)
    return Text(en, fr)


def broadcast_why(c: CompiledTerritory, tl: Timeline, net: Network, actor: int, ch: int,
                  k: int, site_ok: bool, may_trigger: bool) -> tuple[ChannelWhy | None,
                                                                    tuple[Cause, ...]]:
    """Why broadcast ``ch`` cannot be sent by ``actor`` at output time ``k`` (as
    ``analysis.explain_actor`` says it of a point-to-point channel): it may not trigger it,
    the channel's requirements are down, or the actor's site is.

    Parameters
    ----------
    c : CompiledTerritory
    tl : Timeline
    net : Network
    actor, ch, k : int
    site_ok : bool
        The actor works from its site or fallback site.
    may_trigger : bool

    Returns
    -------
    (ChannelWhy or None, tuple of Cause)
        None when it may not trigger it; the chain of the first asset at fault.

    Examples
    --------
    >>> from tousrisques.engine import replay
    >>> from tousrisques.exercise._why import broadcast_why
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> plan = scenario_plan(s)
    >>> broadcast_why(s.compiled, replay(plan, 0), plan.network, 0, 0, 0, True, False)
    (None, ())
    """
    if not may_trigger:
        return None, ()
    working = tl.working_at(k)
    at = float(tl.times_s[k])
    name = str(c.channel_ids[ch])
    if not tl.owners_ok["channels"][k, ch]:
        matrix = c.channel_requires.matrix(c.n_assets)
        groups = np.nonzero(c.channel_requires.owner == ch)[0]
        unmet = groups[(matrix[groups] @ working.view(np.int8)) == 0]
        down = [int(a) for g in unmet.tolist()
                for a in c.channel_requires.alt[c.channel_requires.alt_ptr[g]:
                                                c.channel_requires.alt_ptr[g + 1]]]
        chain = tuple(explain(tl, net, down[0], at)) if down else ()
        return ChannelWhy(name, "requires", tuple(down[:3])), chain
    site = int(c.actor_site[actor])
    if not site_ok and site >= 0:
        return ChannelWhy(name, "site", (site,)), tuple(explain(tl, net, site, at))
    return ChannelWhy(name, "requires"), ()
