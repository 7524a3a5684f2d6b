"""The cost catalogue of the advice (``advice.yaml``): what each measure brings and costs,
with its source or the word that it is an assumption (docs/advice.md, "The catalogue")."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticError

from tousrisques._i18n import N_, Msg
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems, suggest
from tousrisques._readers import parse_yaml, read_yaml
from tousrisques.scenario._model import PositiveDuration
from tousrisques.territory import Territory
from tousrisques.territory._config import report_pydantic
from tousrisques.territory._relays import MAX_MUSTER_S, MAX_VOLUNTEERS, duration_within

DEFAULT = "default"  # the entry that serves the kinds the catalogue does not name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Cost(_Strict):
    """The cost of a measure per asset, and where that figure comes from."""

    cost: float = Field(ge=0, le=1e12, allow_inf_nan=False)
    source: str = Field(min_length=1)


class Autonomy(Cost):
    """Backup autonomy reached at an asset's power supply, and its cost per asset."""

    autonomy: PositiveDuration


class Feed(_Strict):
    """The cost of a second feed or a redundant backhaul to an alternative of a kind: a
    fixed part (connection, works at both ends) and a part per km of line or fibre."""

    fixed: float = Field(ge=0, le=1e12, allow_inf_nan=False)
    per_km: float = Field(ge=0, le=1e12, allow_inf_nan=False)
    source: str = Field(min_length=1)


class Fallback(Cost):
    """A fallback site equipped for a crisis cell, and how long the move takes."""

    delay: str = "2h"

    @field_validator("delay", mode="before")
    @classmethod
    def _delay(cls, v: Any) -> Any:
        return duration_within(v, 0, MAX_MUSTER_S, zero=True)


class Volunteers(Cost):
    """Volunteers recruited, trained and equipped for a citizen relay: how many per measure,
    and the cost of each."""

    count: int = Field(ge=1, le=MAX_VOLUNTEERS)


class Catalogue(_Strict):
    """The measures the advice may propose and their costs (``advice.yaml``).

    Parameters
    ----------
    currency : str
        The unit of every cost.
    autonomy : dict
        Kind (or ``default``) → the autonomy options of its assets.
    planned : dict
        Kind (or ``default``) → the cost of bringing one of its planned assets.
    feed : dict
        Kind of the alternative added (or ``default``) → the cost of a second feed or a
        redundant backhaul to it.
    terminal : dict
        Channel (or ``default``) → the cost of one terminal for an actor.
    fallback : Fallback, optional
        A fallback site for a crisis cell.
    volunteers : Volunteers, optional
        Volunteers for a citizen relay.
    restoration : Cost, optional
        Priority restoration of one site (an agreement with the operators).
    per_rule : int
        The most candidates a rule of one asset or actor each proposes (the worst hit).

    Examples
    --------
    >>> from tousrisques.analysis import load_catalogue
    >>> cat = load_catalogue()
    >>> cat.currency, [a.autonomy for a in cat.autonomy_of("fibre_node")]
    ('EUR', ['24h', '72h'])
    """

    currency: str = Field(default="EUR", min_length=1)
    autonomy: dict[str, list[Autonomy]] = Field(default_factory=dict)
    planned: dict[str, Cost] = Field(default_factory=dict)
    feed: dict[str, Feed] = Field(default_factory=dict)
    terminal: dict[str, Cost] = Field(default_factory=dict)
    fallback: Fallback | None = None
    volunteers: Volunteers | None = None
    restoration: Cost | None = None
    per_rule: int = Field(default=8, ge=0, le=1000)

    def autonomy_of(self, kind: str) -> list[Autonomy]:
        """The autonomy options of ``kind`` (its own, else the ``default`` ones).

        Parameters
        ----------
        kind : str

        Returns
        -------
        list of Autonomy

        Examples
        --------
        >>> from tousrisques.analysis import load_catalogue
        >>> [a.cost for a in load_catalogue().autonomy_of("no-such-kind")]
        [10000.0]
        """
        return self.autonomy.get(kind, self.autonomy.get(DEFAULT, []))

    def planned_of(self, kind: str) -> Cost | None:
        """The cost of bringing a planned asset of ``kind`` (its own, else ``default``).

        Parameters
        ----------
        kind : str

        Returns
        -------
        Cost or None

        Examples
        --------
        >>> from tousrisques.analysis import load_catalogue
        >>> load_catalogue().planned_of("satphone").cost
        1500.0
        """
        return self.planned.get(kind, self.planned.get(DEFAULT))

    def feed_of(self, kind: str) -> Feed | None:
        """The cost of a second feed to an alternative of ``kind`` (its own, else
        ``default``).

        Parameters
        ----------
        kind : str

        Returns
        -------
        Feed or None

        Examples
        --------
        >>> from tousrisques.analysis import load_catalogue
        >>> load_catalogue().feed_of("fibre_node").per_km
        40000.0
        """
        return self.feed.get(kind, self.feed.get(DEFAULT))

    def terminal_of(self, channel: str) -> Cost | None:
        """The cost of a terminal of ``channel`` for one actor (its own, else ``default``).

        Parameters
        ----------
        channel : str

        Returns
        -------
        Cost or None

        Examples
        --------
        >>> from tousrisques.analysis import load_catalogue
        >>> load_catalogue().terminal_of("satellite").cost
        1500.0
        """
        return self.terminal.get(channel, self.terminal.get(DEFAULT))


def load_catalogue(path: str | Path | None = None, *, territory: Territory | None = None,
                   limits: ReadLimits | None = None) -> Catalogue:
    """Read a cost catalogue (default: the one shipped in the package, ``data/advice.yaml``).

    Every problem is reported at once, with the file, the line and the field
    (``ValidationError``); with ``territory``, a kind it does not know is one too (give it
    for a user's catalogue: a misspelt kind would otherwise never be proposed, silently).

    Parameters
    ----------
    path : str or Path, optional
        A user's ``advice.yaml``.
    territory : Territory, optional
        Checks the kinds named against its catalogue of kinds.
    limits : ReadLimits, optional

    Returns
    -------
    Catalogue

    Raises
    ------
    ValidationError
        With every problem of the file.

    Examples
    --------
    >>> from tousrisques.analysis import load_catalogue
    >>> load_catalogue().planned_of("generator").cost
    25000.0
    """
    limits = limits or ReadLimits()
    problems = Problems(max_repeats=limits.max_repeats)
    if path is None:
        rel = "advice.yaml"
        text = (files("tousrisques") / "data" / "advice.yaml").read_text("utf-8")
        got = parse_yaml(text, rel, problems, limits)
    else:
        path = Path(path)
        rel = path.name
        if not path.is_file():
            problems.error("file.missing", rel, path=path)
            problems.raise_if_errors()
        got = read_yaml(path, rel, problems, limits)
    problems.raise_if_errors()
    if got is None or not isinstance(got[0], dict):
        problems.error("file.empty", rel, line=1,
                       expected=Msg(N_("a mapping: currency, autonomy, planned, feed, "
                                       "terminal, fallback, volunteers, restoration")))
        problems.raise_if_errors()
        raise AssertionError  # pragma: no cover
    data, lines = got
    try:
        catalogue = Catalogue.model_validate(data)
    except PydanticError as exc:
        report_pydantic(exc, rel, lines, (), problems, model=Catalogue)
        problems.raise_if_errors()
        raise  # pragma: no cover
    if territory is not None:
        _check_kinds(catalogue, territory, rel, lines, problems)
    problems.raise_if_errors()
    return catalogue


def _check_kinds(cat: Catalogue, territory: Territory, rel: str, lines: dict[Any, int],
                 problems: Problems) -> None:
    kinds = territory.kinds
    for key in ("autonomy", "planned", "feed"):
        for kind in getattr(cat, key):
            if kind != DEFAULT and kind not in kinds:
                problems.error("kind.unknown", rel, line=lines.get((key, kind)),
                               field=f"{key}.{kind}", kind=kind,
                               allowed=", ".join(sorted([*kinds, DEFAULT])),
                               suggest=suggest(kind, [*kinds, DEFAULT]))
    channels = [ch.id for ch in territory.channels]
    for channel in cat.terminal:
        if channel != DEFAULT and channel not in channels:
            problems.error("ref.channel", rel, line=lines.get(("terminal", channel)),
                           field=f"terminal.{channel}", ref=channel,
                           suggest=suggest(channel, [*channels, DEFAULT]))
