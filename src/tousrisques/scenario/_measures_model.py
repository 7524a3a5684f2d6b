"""The measures a scenario may bring besides ``mitigations`` and ``backups`` — what the
advice proposes, written as scenario sections (docs/scenario-format.md, "Measures"):

* ``feeds``: a second feed or a redundant backhaul — an extra alternative in a requirement
  group of some assets;
* ``terminals``: a satellite phone or a radio — a point-to-point channel given to actors,
  whose terminal needs nothing but the actor's own site;
* ``fallbacks``: a fallback site (*site de repli*) for an actor;
* ``volunteers``: volunteers for a citizen relay (door to door);
* ``restoration``: priority restoration — crews and mobile generators go first to some
  assets and to what feeds them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tousrisques.territory._relays import (
    MAX_MUSTER_S,
    MAX_VOLUNTEERS,
    duration_within,
    households_per_hour,
    whole_number,
)

#: the sections of a scenario that hold measures (their order in ``with_measures``)
MEASURE_SECTIONS = ("feeds", "terminals", "fallbacks", "volunteers", "restoration")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FeedSpec(_Strict):
    """A second feed or a redundant backhaul: ``add`` becomes an alternative of the
    requirement group of each of ``assets`` that holds ``beside``.

    Parameters
    ----------
    name : str
        What it is ("second feed of the north antenna").
    assets : list of str
        Asset ids or patterns whose requirement gets the alternative.
    beside : str
        An asset already in the group (the feed it doubles).
    add : str
        The asset added as an alternative (another transformer, another fibre node).

    Examples
    --------
    >>> from tousrisques.scenario import FeedSpec
    >>> FeedSpec(name="second feed", assets=["ANT-NORD"], beside="T-NORD", add="T-SUD").add
    'T-SUD'
    """

    name: str = Field(min_length=1)
    assets: list[str] = Field(min_length=1)
    beside: str = Field(min_length=1)
    add: str = Field(min_length=1)


class TerminalSpec(_Strict):
    """A satellite phone or a radio: ``actors`` hold ``channel``, and where the channel has a
    coverage kind, each is covered by its own site (the terminal works while its site does,
    whatever the territory's networks do).

    Parameters
    ----------
    name : str
    actors : list of str
        Actor ids.
    channel : str
        A point-to-point channel of the territory.

    Examples
    --------
    >>> from tousrisques.scenario import TerminalSpec
    >>> TerminalSpec(name="satellite phone", actors=["MAIRIE-PCS"], channel="satellite").actors
    ['MAIRIE-PCS']
    """

    name: str = Field(min_length=1)
    actors: list[str] = Field(min_length=1)
    channel: str = Field(min_length=1)


class FallbackSpec(_Strict):
    """A fallback site for an actor (it replaces the one the territory gives, if any).

    Parameters
    ----------
    name : str
    actor : str
        An actor id.
    site : str
        The asset it moves to, with a location.
    delay : str
        How long the move takes (default ``2h``).

    Examples
    --------
    >>> from tousrisques.scenario import FallbackSpec
    >>> FallbackSpec(name="repli", actor="MAIRIE-PCS", site="CIS-PV").delay
    '2h'
    """

    name: str = Field(min_length=1)
    actor: str = Field(min_length=1)
    site: str = Field(min_length=1)
    delay: str = "2h"

    @field_validator("delay", mode="before")
    @classmethod
    def _delay(cls, v: Any) -> Any:
        return duration_within(v, 0, MAX_MUSTER_S, zero=True)


class VolunteerSpec(_Strict):
    """Volunteers added to a citizen relay: an actor that holds a door-to-door channel.

    Parameters
    ----------
    name : str
    actor : str
        An actor id.
    volunteers : int
        How many more people go door to door.
    households_per_hour : float, optional
        Their pace, when the actor gives none (default 12).

    Examples
    --------
    >>> from tousrisques.scenario import VolunteerSpec
    >>> VolunteerSpec(name="réserve", actor="RESERVE", volunteers=10).volunteers
    10
    """

    name: str = Field(min_length=1)
    actor: str = Field(min_length=1)
    volunteers: int
    households_per_hour: float | None = None

    @field_validator("volunteers", mode="before")
    @classmethod
    def _count(cls, v: Any) -> Any:
        return whole_number(v, MAX_VOLUNTEERS)

    @field_validator("households_per_hour", mode="before")
    @classmethod
    def _pace(cls, v: Any) -> Any:
        return v if v is None else households_per_hour(v)


class RestorationSpec(_Strict):
    """Priority restoration: the repair crews and the mobile generators go first to
    ``assets`` and to what they need (their requirements, the lines and posts that feed
    them), before every priority class of ``priorities``.

    Parameters
    ----------
    name : str
    assets : list of str
        Asset ids or patterns, first to last.

    Examples
    --------
    >>> from tousrisques.scenario import RestorationSpec
    >>> RestorationSpec(name="town hall first", assets=["MAIRIE"]).assets
    ['MAIRIE']
    """

    name: str = Field(min_length=1)
    assets: list[str] = Field(min_length=1)
