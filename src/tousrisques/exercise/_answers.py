"""What the exercise answers: a channel of an actor now, an inject, what became of a
message or an inject for one addressee, and the answer to a send — plain values with their
JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tousrisques._i18n import Text


@dataclass(frozen=True)
class ChannelNow:
    """A channel of an actor at a scenario time: available or not, since when, until when
    in this run, and why not.

    Attributes
    ----------
    channel : str
    name : Text
    broadcast : bool
    available : bool
    since_s : float
        The start of the current interval (available or not).
    until_s : float or None
        Its end in this run (None: to the end of the scenario); the future, for the
        facilitator's eyes.
    reason : Text or None
        Why it is down, in both languages.
    latency_s : float

    Examples
    --------
    >>> from tousrisques._i18n import Text
    >>> from tousrisques.exercise import ChannelNow
    >>> ChannelNow("fixe", Text("Landline", "Fixe"), False, True, 0.0, None, None,
    ...            60.0).to_json("fr")["name"]
    'Fixe'
    """

    channel: str
    name: Text
    broadcast: bool
    available: bool
    since_s: float
    until_s: float | None
    reason: Text | None
    latency_s: float

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        """As JSON values: texts in ``lang``, or ``{"en", "fr"}`` when None."""

        def text(t: Text | None) -> Any:
            if t is None:
                return None
            return t.render(lang) if lang else {"en": t.en, "fr": t.fr}

        return {"channel": self.channel, "name": text(self.name), "broadcast": self.broadcast,
                "available": self.available, "since_s": self.since_s, "until_s": self.until_s,
                "reason": text(self.reason), "latency_s": self.latency_s}


@dataclass(frozen=True)
class Inject:
    """An inject of the scenario (``I1``, ``I2``… in the file's order) or pushed by hand.

    Attributes
    ----------
    id : str
    at_s : float
    to : tuple of str
        The actors it addresses, roles expanded.
    text : Text
    channel : str or None
        None: any the addressee has.
    expected : tuple of dict
        ``{"who", "action": {"en", "fr"}, "within_s"}``.

    Examples
    --------
    >>> from tousrisques._i18n import Text
    >>> from tousrisques.exercise import Inject
    >>> Inject("I1", 3600.0, ("COD",), Text("Go", "Allez"), None).to_json()["text"]
    {'en': 'Go', 'fr': 'Allez'}
    """

    id: str
    at_s: float
    to: tuple[str, ...]
    text: Text
    channel: str | None
    expected: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """As JSON values."""
        return {"inject": self.id, "at_s": self.at_s, "to": list(self.to),
                "text": {"en": self.text.en, "fr": self.text.fr}, "channel": self.channel,
                "expected": [dict(e) for e in self.expected]}


@dataclass(frozen=True)
class Delivery:
    """What became of a message or an inject for one addressee.

    Attributes
    ----------
    actor : str
    status : {"delivered", "delayed", "not_received"}
    channel : str or None
    arrives_s : float or None
    reason : Text or None
        Why not received.

    Examples
    --------
    >>> from tousrisques.exercise import Delivery
    >>> Delivery("COD", "delayed", "courriel", 960.0, None).to_json()["arrives_s"]
    960.0
    """

    actor: str
    status: str
    channel: str | None
    arrives_s: float | None
    reason: Text | None = None

    def to_json(self) -> dict[str, Any]:
        """As JSON values."""
        return {"actor": self.actor, "status": self.status, "channel": self.channel,
                "arrives_s": self.arrives_s,
                "reason": None if self.reason is None else self.reason._asdict()}


@dataclass(frozen=True)
class Sent:
    """The answer to a message sent over a channel.

    Attributes
    ----------
    status : {"delivered", "delayed", "blocked"}
    reason : Text or None
        Why blocked.
    latency_s : float
    recipients : tuple of Delivery
    reached : dict or None
        Broadcasts: ``{"share", "people"}`` at that moment.
    alternatives : tuple of str
        When blocked: the sender's channels that would reach one addressee now.

    Examples
    --------
    >>> from tousrisques.exercise import Sent
    >>> Sent("blocked", None, 60.0).to_json()["recipients"]
    []
    """

    status: str
    reason: Text | None
    latency_s: float
    recipients: tuple[Delivery, ...] = ()
    reached: dict[str, float] | None = None
    alternatives: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """As JSON values."""
        return {"status": self.status,
                "reason": None if self.reason is None else self.reason._asdict(),
                "latency_s": self.latency_s,
                "recipients": [r.to_json() for r in self.recipients],
                "reached": self.reached, "alternatives": list(self.alternatives)}
