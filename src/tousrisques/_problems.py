"""Problems found in user files, collected all at once and reported together.

A :class:`Problem` says where (file, line or feature, field), what is wrong and what would be
right, in English or French. :class:`Problems` collects them while a folder is read; it caps
repeats of the same problem in one file (a broken column in a million-row CSV gives twenty
messages and a count, not a million).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict

from tousrisques._exceptions import ValidationError
from tousrisques._i18n import N_, gettext
from tousrisques._messages import message, word

Severity = Literal["error", "warning"]


class Place(TypedDict, total=False):
    """Where in a file: a line, or a GeoJSON feature number (both 1-based)."""

    line: int
    feature: int


@dataclass(frozen=True, slots=True)
class Problem:
    r"""One thing wrong in one place of one file.

    ``line`` is 1-based; ``feature`` is the 1-based number of a GeoJSON feature or of a CSV data
    row (then ``line`` is also given); ``field`` names the field; ``ident`` the id of the item.

    Parameters
    ----------
    code : str
        The problem's code, a key of the message table (``kind.unknown``, ``yaml.syntax``…).
    file : str
        The file it is in, as the user named it.
    params : mapping
        What the message is filled with (the wrong value, the choices…).
    line, feature : int, optional
        Where in the file, 1-based.
    field : str, optional
        The field at fault.
    ident : str, optional
        The id of the asset, zone, actor or channel.
    severity : {"error", "warning"}
        A warning does not stop a territory or scenario from loading.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from tousrisques import ValidationError, load_territory
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "territory.yaml").write_text("name: X\ntimezone: Europe/Paris\nassets: [a.csv]\n")
    >>> _ = (d / "a.csv").write_text("id,kind,lon,lat\nA1,antena,1.0,49.0\n")
    >>> try:
    ...     load_territory(d)
    ... except ValidationError as e:
    ...     p = e.problems[0]
    >>> p.code, p.file, p.line, p.field, p.ident
    ('kind.unknown', 'a.csv', 2, 'kind', 'A1')
    >>> print(p.render("fr").split(" — ")[0])
    a.csv:2 [kind] (id « A1 ») : type inconnu « antena »
    """

    code: str
    file: str
    params: Mapping[str, object] = field(default_factory=dict)
    line: int | None = None
    feature: int | None = None
    field: str | None = None
    ident: str | None = None
    severity: Severity = "error"

    def where(self, lang: str = "en") -> str:
        """Where the problem is, e.g. ``assets/power.csv:12`` or ``zones.geojson, feature 4``."""
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
        elif self.feature is not None:
            place += f", {word('feature', lang)} {self.feature}"
        return place

    def text(self, lang: str = "en") -> str:
        """What is wrong and what would be right, without the place."""
        msg, expected = message(self.code, self.params, lang)
        if not expected:
            return msg
        return gettext(N_("{message} — expected: {expected}"), lang).format(message=msg,
                                                                            expected=expected)

    def render(self, lang: str = "en") -> str:
        """The whole message on one line."""
        parts = [self.where(lang)]
        if self.field:
            parts.append(f"[{self.field}]")
        if self.ident is not None:
            parts.append(gettext(N_('(id "{id}")'), lang).format(id=self.ident))
        return gettext(N_("{where}: {text}"), lang).format(where=" ".join(parts),
                                                          text=self.text(lang))

    def __str__(self) -> str:
        return self.render("en")

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        """A JSON-ready form, for ``--json`` output and the web app."""
        msg, expected = message(self.code, self.params, lang)
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "feature": self.feature,
            "field": self.field,
            "id": self.ident,
            "message": msg,
            "expected": expected,
        }


@dataclass
class Problems:
    """Collects problems; repeats of one (file, code, field) beyond ``max_repeats`` are counted."""

    max_repeats: int = 20
    _items: list[Problem] = field(default_factory=list)
    _counts: dict[tuple[str, str, str | None, str], int] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        key = (problem.file, problem.code, problem.field, problem.severity)
        n = self._counts.get(key, 0) + 1
        self._counts[key] = n
        if n <= self.max_repeats:
            self._items.append(problem)

    def error(self, code: str, file: str, *, line: int | None = None,
              feature: int | None = None, field: str | None = None, ident: str | None = None,
              **params: object) -> None:
        """Record an error."""
        self.add(Problem(code, file, params, line, feature, field, ident, "error"))

    def warning(self, code: str, file: str, *, line: int | None = None,
                feature: int | None = None, field: str | None = None,
                ident: str | None = None, **params: object) -> None:
        """Record a warning (shown, but the file is still accepted)."""
        self.add(Problem(code, file, params, line, feature, field, ident, "warning"))

    def discard(self, code: str) -> int:
        """Forget every problem of ``code``; return how many there were."""
        gone = sum(n for key, n in self._counts.items() if key[1] == code)
        self._items = [p for p in self._items if p.code != code]
        self._counts = {k: n for k, n in self._counts.items() if k[1] != code}
        return gone

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add(p)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.all())

    def all(self) -> list[Problem]:
        """Every problem, with a count line for each capped repeat."""
        out = list(self._items)
        for (file, code, fld, severity), n in self._counts.items():
            if n > self.max_repeats:
                out.append(Problem("more.same", file, {"count": n - self.max_repeats,
                                                       "of": code}, field=fld,
                                   severity="error" if severity == "error" else "warning"))
        return out

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.all() if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.all() if p.severity == "warning"]

    def has_errors(self) -> bool:
        return any(key[3] == "error" for key in self._counts)

    def raise_if_errors(self) -> None:
        """Raise :class:`ValidationError` with every problem when any is an error."""
        if self.has_errors():
            raise ValidationError(self.all())


def suggest(value: str, choices: Iterable[str], aliases: Mapping[str, str] | None = None
            ) -> str:
    """The choice closest to ``value`` when one is close enough, else ``''``.

    Passed as the ``suggest`` parameter of a problem, it becomes "did you mean …?".
    ``aliases`` maps other words a user may type (folded: lower case, no accents, ``_`` for
    spaces and hyphens) to a choice; they are only suggested, never accepted as values.

    >>> suggest("antena", ["antenna", "siren"])
    'antenna'
    >>> suggest("Maire", ["mayor", "police"], {"maire": "mayor"})
    'mayor'
    """
    options = list(choices)
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.75)
    if close:
        return close[0]
    key = fold(value)
    if key in options:
        return key
    if aliases:
        if key in aliases:
            return aliases[key]
        near = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.8)
        if near:
            return aliases[near[0]]
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.75)
    return close[0] if close else ""


def fold(value: str) -> str:
    """``value`` as a key to compare words: lower case, no accents, ``_`` between words.

    >>> fold("Cellule de crise"), fold("Sapeurs-Pompiers"), fold("préfecture")
    ('cellule_de_crise', 'sapeurs_pompiers', 'prefecture')
    """
    bare = "".join(c for c in unicodedata.normalize("NFKD", value)
                   if not unicodedata.combining(c))
    return "_".join(bare.lower().replace("-", " ").replace("'", " ").split())
