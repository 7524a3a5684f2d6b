"""How a line or cable is built (overhead or underground) and whether a switch is normally
open: two asset attributes that decide real outages.

``construction``: ``overhead`` (aérien) or ``underground`` (souterrain); a storm damages
overhead assets only unless its fragility says otherwise. ``normally_open``: a switch
(``kind: switch``) that joins two feeders and stays open until a scenario closes it: it does
not exist at the start of a run, and closing it (``switching`` in a scenario, or a
``restore`` event) re-supplies a feeder from its neighbour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tousrisques._i18n import N_, Msg
from tousrisques._problems import Place, Problems, suggest
from tousrisques.territory._fields import parse_flag

#: the codes of ``construction`` (-1: not said)
CONSTRUCTIONS = ("overhead", "underground")
_ALIASES = {"overhead": 0, "aerial": 0, "aérien": 0, "aerien": 0, "aérienne": 0,
            "aerienne": 0, "underground": 1, "buried": 1, "souterrain": 1, "souterraine": 1,
            "enterré": 1, "enterre": 1}

ObjArray = npt.NDArray[np.object_]


def construction_codes(values: ObjArray | None, n: int) -> npt.NDArray[np.int8]:
    """The construction of each asset: 0 overhead, 1 underground, -1 not said or unknown.

    Examples
    --------
    >>> import numpy as np
    >>> construction_codes(np.array(["aérien", "underground", None, ""], object), 4).tolist()
    [0, 1, -1, -1]
    """
    out = np.full(n, -1, np.int8)
    if values is None:
        return out
    for i, v in enumerate(values.tolist()):
        if isinstance(v, str) and v.strip():
            out[i] = _ALIASES.get(v.strip().lower(), -1)
    return out


def normally_open_flags(values: ObjArray | None, n: int) -> npt.NDArray[np.bool_]:
    """Which assets are normally-open switches (``normally_open: true``).

    Examples
    --------
    >>> import numpy as np
    >>> normally_open_flags(np.array(["oui", "false", None], object), 3).tolist()
    [True, False, False]
    """
    if values is None:
        return np.zeros(n, bool)
    return np.array([parse_flag(v) == 1 for v in values.tolist()], bool)


def _ident(ids: Sequence[Any] | None, r: int) -> str | None:
    """The id of row ``r`` (``ids`` a list or a pyarrow array), None without ids."""
    if ids is None:
        return None
    v = ids[r]
    return str(v.as_py() if hasattr(v, "as_py") else v)


def check_construction(attrs: Mapping[str, ObjArray], ids: Sequence[Any] | None,
                       places: Callable[[int], tuple[str, Place]],
                       problems: Problems) -> None:
    """One message per asset whose ``construction`` or ``normally_open`` cannot be read.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques._problems import Problems, suggest
    >>> p = Problems()
    >>> check_construction({"construction": np.array(["aerial", "sous-terrain"], object)},
    ...                    ["L1", "L2"], lambda r: ("power.csv", {"line": r + 2}), p)
    >>> [(e.line, e.field) for e in p.errors]
    [(3, 'construction')]
    """
    values = attrs.get("construction")
    if values is not None:
        codes = construction_codes(values, len(values))
        for r in np.nonzero(codes < 0)[0].tolist():
            v = values[r]
            if not isinstance(v, str) or not v.strip():
                continue
            file, place = places(r)
            problems.error("field.choice", file, field="construction",
                           ident=_ident(ids, r), value=v,
                           allowed="overhead, underground (aérien, souterrain)",
                           suggest=suggest(v.strip().lower(), list(_ALIASES)), **place)
    flags = attrs.get("normally_open")
    if flags is not None:
        for r, v in enumerate(flags.tolist()):
            if parse_flag(v) is None:
                file, place = places(r)
                problems.error("field.invalid", file, field="normally_open",
                               ident=_ident(ids, r),
                               detail=Msg(N_("'{value}' is not true or false"), value=v),
                               expected=Msg(N_("true or false (oui, non)")), **place)
