"""Every error the package raises on purpose.

Tree::

    TousrisquesError            base of everything raised here
    ├── InputError              a user's file or request is wrong (command line: exit 1)
    │   └── ValidationError     one or more problems found in a territory or scenario,
    │                           all of them listed in ``.problems``
    └── CompiledFormatError     a compiled territory file is unreadable or of another version

Third-party errors (YAML, JSON, pyarrow, pyproj) are caught at the boundary where the file is
read and turned into problems; they never reach the user as tracebacks.

An error carries a code of ``_messages.ERRORS`` and its parameters, as a problem does:
``InputError("territory.none", path=folder)``. ``str(exc)`` is the English text;
``exc.render("fr")`` the French one, which the command line shows under ``--lang fr``. A
plain sentence instead of a code is still accepted while the last raises are converted (it is
shown as it is, in every language).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tousrisques._problems import Problem


class TousrisquesError(Exception):
    """Base class of every error raised on purpose by tousrisques.

    Parameters
    ----------
    code : str
        A code of ``tousrisques._messages.ERRORS`` (``"territory.empty"``); a plain sentence
        is still accepted and shown as it is, in every language (``code`` is then None).
    **params
        The values the code's message names (``path=...``).

    Attributes
    ----------
    code : str or None
    params : dict

    Examples
    --------
    >>> from tousrisques import InputError, TousrisquesError
    >>> e = InputError("territory.empty", path="t/territory.yaml")
    >>> isinstance(e, TousrisquesError), e.code, e.params
    (True, 'territory.empty', {'path': 't/territory.yaml'})
    >>> str(e)
    't/territory.yaml: empty'
    >>> print(e.render("fr"))
    t/territory.yaml : vide
    """

    def __init__(self, code: str, /, **params: object) -> None:
        from tousrisques._messages import ERRORS

        self.code: str | None = code if code in ERRORS else None
        self.params: dict[str, object] = dict(params)
        super().__init__(self.render("en") if self.code else code)

    def render(self, lang: str = "en") -> str:
        """The error in ``lang`` (``en`` or ``fr``)."""
        if self.code is None:
            return str(self)
        from tousrisques._messages import error_text

        return error_text(self.code, self.params, lang)


class InputError(TousrisquesError):
    """Something the user gave us is wrong; the message says what would be right.

    Parameters
    ----------
    code : str
        A code of ``tousrisques._messages.ERRORS``.
    **params
        The values its message names.

    Examples
    --------
    >>> from tousrisques import InputError, load_territory
    >>> try:
    ...     load_territory("no/such/folder")
    ... except InputError as exc:
    ...     print(exc.code)
    territory.none
    """


class ValidationError(InputError):
    r"""A file or folder failed validation; ``problems`` lists every error and warning found.

    Parameters
    ----------
    problems : sequence of Problem
        Every error and warning found (``str(exc)`` names the first three errors).

    Attributes
    ----------
    problems : tuple of Problem

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from tousrisques import InputError, ValidationError, load_territory
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "territory.yaml").write_text("name: X\ntimezone: Europe/Paris\nassets: [a.csv]\n")
    >>> _ = (d / "a.csv").write_text("id,kind,lon,lat\nA1,antena,1.0,49.0\nA2,relay,1,91\n")
    >>> try:
    ...     load_territory(d)
    ... except ValidationError as exc:
    ...     print(isinstance(exc, InputError), [p.code for p in exc.problems])
    True ['kind.unknown', 'kind.unknown', 'geom.range']
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = "; ".join(p.render("en") for p in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{len(errors)} problem(s): {head}{more}")
        self.code = None
        self.params = {}

    def render(self, lang: str = "en") -> str:
        """Every problem, one a line, in ``lang``."""
        return "\n".join(p.render(lang) for p in self.problems)


class CompiledFormatError(TousrisquesError):
    """A compiled territory file cannot be read: corrupt, truncated or from another version.

    Parameters
    ----------
    code : str
        ``compiled.unreadable``, ``compiled.version`` or ``compiled.missing``.
    **params
        The values its message names.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from tousrisques import CompiledFormatError
    >>> from tousrisques.territory import CompiledTerritory
    >>> path = pathlib.Path(tempfile.mkdtemp(), "territory.npz")
    >>> _ = path.write_bytes(b"not a compiled territory")
    >>> try:
    ...     CompiledTerritory.load(path)
    ... except CompiledFormatError as exc:
    ...     print(exc.code)
    compiled.unreadable
    """


class InvalidValueError(ValueError):
    """A value of a user's file is wrong, said with a code of ``_messages.ERRORS`` and its
    parameters: raised inside a validator (pydantic reports a ``ValueError``), it becomes the
    detail of a problem, written in the reader's language.

    >>> e = InvalidValueError("value.unit", examples="30m, 2h, 1d")
    >>> str(e)
    'write a unit: 30m, 2h, 1d'
    >>> print(e.render("fr"))  # a non-breaking space before the colon
    écrivez une unité : 30m, 2h, 1d
    """

    def __init__(self, code: str, /, **params: object) -> None:
        from tousrisques._messages import ERRORS

        if code not in ERRORS:
            raise KeyError(code)
        self.code = code
        self.params: dict[str, object] = dict(params)
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        """The value's fault in ``lang`` (``en`` or ``fr``)."""
        from tousrisques._messages import error_text

        return error_text(self.code, self.params, lang)
