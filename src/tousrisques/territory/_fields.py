"""Which fields of an asset or zone file are known, and how single values are checked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tousrisques._i18n import N_, Msg

TRUE = frozenset({"true", "yes", "oui", "vrai", "1", "y", "o"})
FALSE = frozenset({"false", "no", "non", "faux", "0", "n"})
NUMBER_HINT = Msg(N_("a number >= 0 with a dot as decimal separator"))
TEXT = Msg(N_("text"))
#: what an id must be, by the ``what`` of a :class:`FieldSpec`
_ID_HINTS = {"asset": N_("a unique id for the asset"), "zone": N_("a unique id for the zone")}


@dataclass(frozen=True)
class FieldSpec:
    """Known fields of one kind of file; every other field is kept as an attribute."""

    what: str
    text: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    connects: bool = False
    geometry_types: tuple[str, ...] = ()
    geometry_required: bool = False

    @property
    def id_hint(self) -> Msg:
        """What an id of this file must be, in the reader's language."""
        return Msg(_ID_HINTS[self.what])

    @property
    def known(self) -> frozenset[str]:
        base = {"id", "requires", "lon", "lat", "wkt"}
        if self.connects:
            base.add("connects")
        return frozenset(base | set(self.text) | set(self.numbers) | set(self.flags))


ASSET_FIELDS = FieldSpec(
    what="asset",
    text=("kind", "layer"),
    numbers=("range_m", "backup_hours", "repair_hours"),
    flags=("source",),
    connects=True,
    geometry_types=("Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"),
)

ZONE_FIELDS = FieldSpec(
    what="zone",
    numbers=("population", "vulnerable"),
    geometry_types=("Point", "Polygon", "MultiPolygon"),
    geometry_required=True,
)


def parse_flag(value: Any) -> int | None:
    """1, 0, or None when ``value`` is not a boolean word; ``""``/None give -1 (unset)."""
    if value is None or value == "":
        return -1
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in TRUE:
            return 1
        if v in FALSE:
            return 0
        if not v:
            return -1
    return None


def parse_number(value: Any) -> float | None:
    """A float (NaN when empty) or None when ``value`` is not a number."""
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else math.nan
        except ValueError:
            return None
    return None
