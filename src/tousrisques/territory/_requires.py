"""Requirement groups: what an asset, a zone or a channel needs in order to work.

A list of groups; every group must be met; a group is met when at least one of its
alternatives works; a group may carry a backup autonomy. Written in CSV as a compact string:

>>> parse_compact("T12@2h; B3|B4")
(Group(any_of=('T12',), backup_s=7200.0), Group(any_of=('B3', 'B4'), backup_s=None))
>>> format_compact(parse_compact("T12@2h; B3|B4"))
'T12@2h; B3|B4'

and in GeoJSON or YAML as a list: ``[{"any_of": ["T12"], "backup_hours": 2}, "B3|B4"]``.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

from tousrisques._durations import format_duration, parse_duration
from tousrisques._exceptions import InvalidValueError
from tousrisques._i18n import Msg
from tousrisques._limits import MAX_BACKUP_S
from tousrisques._messages import DID_YOU_MEAN

WHITESPACE = " \t\r\n\f\v"
GROUP_KEYS = ("any_of", "backup_hours", "backup")  # the keys of a group in list form
ID_FORBIDDEN = re.compile(r"[ \t\r\n\f\v;|@,]")


class RequiresSyntaxError(InvalidValueError):
    """A requirement is malformed: a code of ``_messages.ERRORS`` (``requires.*``) and its
    parameters, the detail of a ``requires.syntax`` problem in the reader's language.

    >>> try:
    ...     parse_compact("T1;;T2")
    ... except RequiresSyntaxError as e:
    ...     print(e, e.code, e.render("fr") == "groupe vide entre deux «\\u202f;\\u202f»")
    empty group between two ';' requires.empty_group True
    """


@dataclass(frozen=True, slots=True)
class Group:
    """One requirement group: met when any alternative works; ``backup_s`` None = not given.

    Parameters
    ----------
    any_of : tuple of str
        The alternatives (asset ids).
    backup_s : float, optional
        The autonomy when no alternative works, in seconds.

    Examples
    --------
    >>> from tousrisques.territory import Group, format_compact
    >>> format_compact([Group(("T12",), backup_s=7200), Group(("B3", "B4"))])
    'T12@2h; B3|B4'
    """

    any_of: tuple[str, ...]
    backup_s: float | None = None


def _parse_group(part: str) -> Group:
    body, at, backup = part.partition("@")
    backup_s: float | None = None
    if at:
        if "@" in backup:
            raise RequiresSyntaxError("requires.at_twice", part=part.strip(WHITESPACE))
        try:
            backup_s = parse_duration(backup)
        except ValueError:
            raise RequiresSyntaxError("requires.backup_duration",
                                      backup=backup.strip(WHITESPACE)) from None
        _check_backup(backup_s)
    alts = tuple(a.strip(WHITESPACE) for a in body.split("|"))
    if not body.strip(WHITESPACE):
        raise RequiresSyntaxError("requires.no_asset", part=part.strip(WHITESPACE))
    if any(not a for a in alts):
        raise RequiresSyntaxError("requires.empty_alternative", part=part.strip(WHITESPACE))
    for a in alts:
        if ID_FORBIDDEN.search(a):
            raise RequiresSyntaxError("requires.not_id_compact", id=a)
    return Group(alts, backup_s)


def parse_compact(text: str) -> tuple[Group, ...]:
    """Parse ``"T12@2h; B3|B4"``; an empty text means no requirement.

    A trailing ``;`` is tolerated; an empty group in the middle is not.

    Parameters
    ----------
    text : str
        Groups separated by ``;``, alternatives by ``|``, a backup after ``@``.

    Returns
    -------
    tuple of Group

    Raises
    ------
    ValueError
        When the text is not in the compact syntax.

    Examples
    --------
    >>> from tousrisques.territory import parse_compact
    >>> parse_compact("T12@2h; B3|B4")
    (Group(any_of=('T12',), backup_s=7200.0), Group(any_of=('B3', 'B4'), backup_s=None))
    """
    parts = text.split(";")
    if len(parts) > 1 and not parts[-1].strip(WHITESPACE):
        parts = parts[:-1]
    groups = []
    for i, part in enumerate(parts):
        if not part.strip(WHITESPACE):
            if len(parts) == 1 and i == 0:
                return ()
            raise RequiresSyntaxError("requires.empty_group")
        groups.append(_parse_group(part))
    return tuple(groups)


def format_compact(groups: tuple[Group, ...] | list[Group]) -> str:
    """Write groups back in the compact syntax (the inverse of :func:`parse_compact`).

    Parameters
    ----------
    groups : sequence of Group

    Returns
    -------
    str

    Examples
    --------
    >>> from tousrisques.territory import format_compact, parse_compact
    >>> format_compact(parse_compact("T12@2h;B3 | B4"))
    'T12@2h; B3|B4'
    """
    out = []
    for g in groups:
        s = "|".join(g.any_of)
        if g.backup_s is not None:
            s += "@" + format_duration(g.backup_s)
        out.append(s)
    return "; ".join(out)


def parse_groups(value: Any) -> tuple[Group, ...]:
    """Parse the list form used in GeoJSON and YAML (or a compact string, or null).

    Parameters
    ----------
    value : list, str or None
        ``[{"any_of": [...], "backup_hours": 2}, ...]``, a list of lists or ids, a compact
        string, or None.

    Returns
    -------
    tuple of Group

    Raises
    ------
    ValueError
        When ``value`` is none of these.

    Examples
    --------
    >>> from tousrisques.territory import parse_groups
    >>> parse_groups([{"any_of": ["T12"], "backup_hours": 2}, {"any_of": ["B3", "B4"]}])
    (Group(any_of=('T12',), backup_s=7200.0), Group(any_of=('B3', 'B4'), backup_s=None))
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return parse_compact(value)
    if not isinstance(value, list):
        raise RequiresSyntaxError("requires.type", got=type(value).__name__)
    groups: list[Group] = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            sub = parse_compact(item)
            if len(sub) != 1:
                raise RequiresSyntaxError("requires.one_group", item=i + 1, text=item)
            groups.append(sub[0])
        elif isinstance(item, dict):
            unknown = set(item) - set(GROUP_KEYS)
            if unknown:
                close = difflib.get_close_matches(str(min(unknown, key=str)),
                                                  GROUP_KEYS, n=1, cutoff=0.75)
                raise RequiresSyntaxError(
                    "requires.unknown_keys", item=i + 1, keys=str(sorted(unknown, key=str)),
                    suggest=Msg(DID_YOU_MEAN, close=close[0]) if close else "")
            alts = item.get("any_of")
            if isinstance(alts, str):
                alts = [alts]
            if (not isinstance(alts, list) or not alts
                    or not all(isinstance(a, str) and a.strip() for a in alts)):
                raise RequiresSyntaxError("requires.any_of", item=i + 1)
            for a in alts:
                if ID_FORBIDDEN.search(a.strip()):
                    raise RequiresSyntaxError("requires.not_id", id=a)
            backup_s = _backup_of(item, i)
            groups.append(Group(tuple(a.strip() for a in alts), backup_s))
        else:
            raise RequiresSyntaxError("requires.item_type", item=i + 1)
    return tuple(groups)


def _backup_of(item: dict[str, Any], i: int) -> float | None:
    if "backup_hours" in item:
        h = item["backup_hours"]
        if isinstance(h, bool) or not isinstance(h, int | float) or not math.isfinite(h) or h < 0:
            raise RequiresSyntaxError("requires.backup_hours", item=i + 1)
        return _check_backup(float(h) * 3600.0)
    if "backup" in item:
        try:
            backup_s = parse_duration(str(item["backup"]))
        except ValueError:
            raise RequiresSyntaxError("requires.backup", item=i + 1) from None
        return _check_backup(backup_s)
    return None


def _check_backup(backup_s: float) -> float:
    """A backup autonomy of at most ten years (beyond, a typo: ``1e308`` hours overflow)."""
    if backup_s > MAX_BACKUP_S:
        years = MAX_BACKUP_S / 3600 / 8766
        raise RequiresSyntaxError("requires.backup_max", hours=f"{backup_s / 3600:g}",
                                  most=f"{MAX_BACKUP_S / 3600:g}", years=f"{years:g}")
    return backup_s
