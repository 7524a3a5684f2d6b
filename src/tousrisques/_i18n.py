"""The package's two languages: one gettext catalog and Babel's number and date formats.

Every text a user reads — problems, errors, the command line and its ``--help``, the report —
is an English message id translated through one gettext domain, ``tousrisques``, whose French
catalog is ``locale/fr/LC_MESSAGES/tousrisques.po`` inside the package. The catalog is read
from its ``.po`` file at run time and compiled in memory (Babel's ``read_po`` then
``write_mo``), once per process: no compiled ``.mo`` is kept in the source tree, so a catalog
can never be stale. English is the language of the message ids and needs no catalog.

This module imports nothing of the package, so every layer may use it. How to add or change a
message: see ``docs/translations.md``.

Numbers follow each locale (``fr_FR``: decimal comma, narrow no-break space between
thousands and before ``%``; ``en_GB``: decimal point, ``61%``). Hours read ``4 h`` in both.

>>> Formats("fr").share(0.61) == "61\\u202f%"
True
>>> Formats("en").share_range(0.55, 0.68)
'55–68%'
>>> Formats("fr").hours(4.5) == "4\\u202fh\\u202f30"
True
>>> Formats("en").number(1234.5)
'1,234.5'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from io import BytesIO
from typing import NamedTuple

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

#: the package's languages and the Babel locale each one formats numbers and dates with
LOCALES = {"en": "en_GB", "fr": "fr_FR"}
DOMAIN = "tousrisques"
NNBSP = "\u202f"  # narrow no-break space: French "61 %", "4 h"
NBSP = "\u00a0"
DASH = "–"  # en dash, for ranges
MISSING = "—"  # em dash, for a value that is not a number


def check_lang(lang: str) -> str:
    """Return ``lang`` when the package speaks it; raise ``ValueError`` naming the choices."""
    if lang not in LOCALES:
        raise ValueError(f"lang must be one of {', '.join(sorted(LOCALES))}, got {lang!r}")
    return lang


def catalog_path(lang: str) -> Traversable:
    """The ``.po`` file of ``lang`` inside the package."""
    return files("tousrisques") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The gettext translations of ``lang``, compiled from its ``.po`` once per process.

    Fuzzy entries are left out (they fall back to English), as ``msgfmt`` would do.
    """
    check_lang(lang)
    if lang == "en":
        return NullTranslations()
    with catalog_path(lang).open("rb") as fp:
        catalog = read_po(fp, locale=lang, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


class Text(NamedTuple):
    """Data given in both languages: a name a user wrote in English and French in their own
    file (a scenario's ``name: {en: ..., fr: ...}``, an actor's or a channel's name), or a
    label of the kind catalogue (data of the model). Never the package's own words: those
    are :class:`Msg` (a message id of the catalog, translated where it is shown).

    A message shows the side of its own language (:func:`pick`); :meth:`render` gives it,
    as :meth:`Msg.render` does, so that a label of either kind is shown the same way.

    >>> Text("Winter storm", "Tempête hivernale").render("fr")
    'Tempête hivernale'
    """

    en: str
    fr: str

    def __str__(self) -> str:
        return self.en

    def render(self, lang: str = "en") -> str:
        """The side of ``lang`` (``en`` or ``fr``)."""
        return self.fr if lang == "fr" else self.en


class Msg:
    """The package's own words, translated late: an English message id (marked with
    :func:`N_` so that Babel extracts it) and its ``str.format`` parameters, rendered in the
    reader's language by :meth:`render` where the text is shown (a problem's detail, a
    chart's title, a key figure's label). A parameter may itself be a :class:`Text` or a
    :class:`Msg`: it is given in the same language.

    >>> m = Msg(N_("{n} actors connected"), n=3)
    >>> m.render("en"), str(m)
    ('3 actors connected', '3 actors connected')
    >>> Msg(N_("any channel")).render("fr")
    'au moins un canal'
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: object) -> None:
        self.msgid = msgid
        self.params: dict[str, object] = params

    def render(self, lang: str = "en") -> str:
        """The text in ``lang`` (``en`` or ``fr``); English when the catalog lacks it."""
        template = gettext(self.msgid, lang)
        if not self.params:
            return template
        return template.format_map({k: in_lang(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Msg({self.msgid!r}{params})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Msg) and self.msgid == other.msgid
                and self.params == other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)


class Share(float):
    """A share of [0, 1] given as a parameter of a :class:`Msg`: written as the reader's
    language writes it (``95%``, ``95\u202f%``), so that no ``%`` stands in a message id.

    >>> Msg(N_("{share}"), share=Share(0.95)).render("en")
    '95%'
    """


#: a text shown in the reader's language: data in both languages, our own words, or a plain
#: string (an id, a number: the same in every language)
Words = Text | Msg | str


def in_lang(value: object, lang: str) -> object:
    """``value`` as ``lang`` reads it: the side of a :class:`Text`, a :class:`Msg` rendered,
    a :class:`Share` written in ``lang``; anything else as it is."""
    if isinstance(value, Text):
        return value.fr if lang == "fr" else value.en
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, Share):
        return Formats(lang).share(value)
    return value


def gettext(message: str, lang: str) -> str:
    """``message`` (an English message id) in ``lang``; English when it has no translation."""
    return translations(lang).gettext(message) if lang != "en" else message


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    """The singular or plural message id for ``n``, in ``lang``."""
    return translations(lang).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802  (the name gettext's tools look for)
    """Mark ``message`` for extraction without translating it now (it is translated where it
    is shown, in the reader's language)."""
    return message


def pick(text: Words | None, lang: str) -> str:
    """A text in ``lang``: the side of a :class:`Text`, a :class:`Msg` rendered, a plain
    string as it is (``None`` reads as nothing)."""
    if text is None:
        return ""
    return str(in_lang(text, lang))


def both(text: Words) -> dict[str, str]:
    """``{"en": ..., "fr": ...}``: a text in every language, as an output file records a
    label (``summary.json``).

    >>> both(Msg(N_("any channel")))
    {'en': 'any channel', 'fr': 'au moins un canal'}
    """
    return {lang: pick(text, lang) for lang in LOCALES}


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


@dataclass(frozen=True)
class Formats:
    """Numbers, shares, durations and dates written the way ``lang`` writes them.

    With ``start`` (the scenario's start, an aware date-time of the territory's clock), a
    moment given in hours from the start reads as a local date and hour
    (:meth:`moment`, :meth:`clock`); without it, as hours after the start, as before.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> fmt = Formats("en", datetime(2023, 11, 2, tzinfo=ZoneInfo("Europe/Paris")))
    >>> fmt.moment(6) == "06:00 (Thu 2 Nov, +6\u00a0h)"
    True
    >>> Formats("fr").moment(6) == "6\u202fh"
    True
    """

    lang: str
    start: datetime | None = None

    @property
    def locale(self) -> str:
        """The Babel locale of the language (``fr_FR`` or ``en_GB``)."""
        return LOCALES[self.lang]

    @property
    def space(self) -> str:
        """The space between a number and its unit: narrow in French, plain no-break in
        English."""
        return NNBSP if self.lang == "fr" else NBSP

    def _fix(self, text: str) -> str:
        # CLDR puts a wide no-break space before French "%"; French typography wants a narrow
        # one, the same as between thousands.
        return text.replace(NBSP, NNBSP) if self.lang == "fr" else text

    def number(self, x: float | None, *, digits: int = 1) -> str:
        """A number with at most ``digits`` decimals (``1 234,5``)."""
        if not _finite(x):
            return MISSING
        assert x is not None
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return self._fix(format_decimal(x, format=pattern, locale=self.locale))

    def integer(self, x: float | None) -> str:
        """A number rounded to a whole one (``71``)."""
        return self.number(x, digits=0)

    def share(self, x: float | None) -> str:
        """A share of [0, 1] as a whole percentage; a share that is neither none nor all but
        rounds to 0 or 100 reads "<1 %" or ">99 %", so that 100 % always means all."""
        if not _finite(x):
            return MISSING
        assert x is not None
        if 0 < x < 0.005:
            return f"<{self.space if self.lang == 'fr' else ''}{self.share(0.01)}"
        if 0.995 <= x < 1:
            return f">{self.space if self.lang == 'fr' else ''}{self.share(0.99)}"
        return self._fix(format_percent(x, locale=self.locale))

    def share_range(self, lo: float | None, hi: float | None) -> str:
        """Two shares as one range with one percent sign (``55–68 %``)."""
        if not (_finite(lo) and _finite(hi)):
            return MISSING
        assert lo is not None and hi is not None
        return f"{self.integer(lo * 100)}{DASH}{self._fix(format_percent(hi, locale=self.locale))}"

    def hours(self, h: float | None) -> str:
        """Hours from the start: ``4 h``, ``30 min``, French ``4 h 30``, English ``4 h 30 min``."""
        if not _finite(h):
            return MISSING
        assert h is not None
        sp = self.space
        minutes = round(abs(h) * 60)
        sign = "-" if h < 0 and minutes else ""
        whole, rest = divmod(minutes, 60)
        if whole == 0 and rest:
            return f"{sign}{rest}{sp}min"
        text = f"{sign}{self.integer(whole)}{sp}h"
        if rest:
            text += f"{sp}{rest:02d}" if self.lang == "fr" else f"{sp}{rest:02d}{sp}min"
        return text

    def seconds(self, s: float | None) -> str:
        """A delay: ``45 s``, ``2 min 30 s``, then as :meth:`hours`; infinite reads ``∞``."""
        if s is not None and math.isinf(s) and s > 0:
            return "∞"
        if not _finite(s):
            return MISSING
        assert s is not None
        total = round(s)
        if total >= 3600:
            return self.hours(total / 3600)
        sp = self.space
        minutes, rest = divmod(total, 60)
        if minutes == 0:
            return f"{rest}{sp}s"
        return f"{minutes}{sp}min" + (f"{sp}{rest}{sp}s" if rest else "")

    def value(self, x: float | None, unit: str) -> str:
        """A value of an indicator in its unit (``share``, ``count``, ``seconds``, or
        ``hours`` from the start)."""
        if unit == "share":
            return self.share(x)
        if unit == "seconds":
            return self.seconds(x)
        if unit == "hours":
            return self.hours(x)
        return self.number(x)

    def range(self, lo: float | None, hi: float | None, unit: str) -> str:
        """A P10–P90 range in the unit of its value."""
        if lo is None or hi is None:
            return MISSING
        if unit == "share":
            return self.share_range(lo, hi)
        if unit == "seconds":
            return f"{self.seconds(lo)}{DASH}{self.seconds(hi)}"
        if unit == "hours":
            return f"{self.hours(lo)}{DASH}{self.hours(hi)}"
        return f"{self.number(lo)}{DASH}{self.number(hi)}"

    def diff(self, a: float | None, b: float | None, unit: str, *,
             points: Callable[[int], str] = lambda n: "pt" if n == 1 else "pts") -> str:
        """``b - a`` with its sign: percentage points for shares (``+12 pts``; ``points``
        gives the unit's word for a whole number), else the unit's own; 0 has no sign."""
        if not (_finite(a) and _finite(b)):
            return MISSING
        assert a is not None and b is not None
        d = b - a
        if unit == "share":
            d = round(d * 100)
            text = self.integer(abs(d)) + self.space + points(abs(d))
        elif unit == "seconds":
            d = round(d)
            text = self.seconds(abs(d))
        elif unit == "hours":
            d = round(d * 60) / 60
            text = self.hours(abs(d))
        else:
            d = round(d, 1)
            text = self.number(abs(d))
        if d == 0:
            return text
        return ("+" if d > 0 else "−") + text

    def local(self, h: float | None) -> datetime | None:
        """The local date-time ``h`` hours after the start (None without a start), counted
        in elapsed time: across a change of summer time the hour on the clock jumps."""
        if self.start is None or not _finite(h):
            return None
        assert h is not None
        # in UTC, then back: the same as tousrisques._clock.at (this module imports nothing
        # of the package)
        return (self.start.astimezone(UTC) + timedelta(hours=h)).astimezone(self.start.tzinfo)

    def relative(self, h: float | None) -> str:
        """Hours from the start with their sign: ``+6 h``, ``-30 min``."""
        text = self.hours(h)
        return text if text == MISSING or text.startswith("-") else "+" + text

    def clock(self, h: float | None) -> str:
        """A moment, short (axis labels, table heads): ``2 Nov 07:00``, French ``2 nov.
        07:00``; without a start, hours after it (``7 h``)."""
        dt = self.local(h)
        if dt is None:
            return self.hours(h)
        day = format_skeleton("MMMd", dt, locale=self.locale)
        return f"{day} {format_time(dt, 'short', locale=self.locale)}"

    def tick(self, h: float | None) -> str:
        """The label of a tick of a time axis: the hour, then the day on a second line
        (``07:00\n2 Nov``; a chart shows the day only where it changes); without a start,
        hours after it (``7 h``)."""
        dt = self.local(h)
        if dt is None:
            return self.hours(h)
        return (f"{format_time(dt, 'short', locale=self.locale)}\n"
                f"{format_skeleton('MMMd', dt, locale=self.locale)}")

    def moment(self, h: float | None) -> str:
        """A moment in a sentence or a table: the hour on the clock, the day, and the hours
        from the start kept (``07:00 (Thu 2 Nov, +7 h)``, French ``07:00 (jeu. 2 nov.,
        +7 h)``); without a start, hours after it (``7 h``)."""
        dt = self.local(h)
        if dt is None:
            return self.hours(h)
        return gettext(N_("{time} ({date}, {relative})"), self.lang).format(
            time=format_time(dt, "short", locale=self.locale),
            date=format_skeleton("MMMEd", dt, locale=self.locale), relative=self.relative(h))

    def full(self, dt: datetime) -> str:
        """A date-time in full words: ``Thursday 2 November 2023 at 07:00``, French ``jeudi
        2 novembre 2023 à 07:00``."""
        # the day in full without CLDR's English comma ("Thursday 2 November 2023", as the
        # GOV.UK style writes it); French CLDR's own full pattern is the same
        return gettext(N_("{date} at {time}"), self.lang).format(
            date=format_date(dt, "EEEE d MMMM y", locale=self.locale),
            time=format_time(dt, "short", locale=self.locale))

    def start_text(self) -> str:
        """The start in full, with its time zone (``Thursday 2 November 2023 at 00:00
        (Europe/Paris, UTC+01:00)``); :data:`MISSING` without a start."""
        if self.start is None:
            return MISSING
        zone = getattr(self.start.tzinfo, "key", None)
        return f"{self.full(self.start)} ({zone + ', ' if zone else ''}" \
            f"{_utc_offset(self.start)})"

    def datetime(self, iso: str | None) -> str:
        """An ISO 8601 date-time as the locale writes it in full (``5 janvier 2025, 04:00``),
        with its UTC offset when it has one; text that is not a date is returned as it is."""
        if not iso:
            return MISSING
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            return iso
        pattern = str(Locale.parse(self.locale).datetime_formats["long"])
        text = pattern.replace("{1}", format_date(dt, "long", locale=self.locale)).replace(
            "{0}", format_time(dt, "short", locale=self.locale))
        if dt.utcoffset() is not None:
            text += f" ({_utc_offset(dt)})"
        return text


def _utc_offset(dt: datetime) -> str:
    """``UTC+01:00``, ``UTC−03:00`` (a minus sign, as in print)."""
    offset = dt.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
