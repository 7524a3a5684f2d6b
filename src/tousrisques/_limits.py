"""Limits applied when reading untrusted files: one typed object, passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass

TEN_YEARS_H = 10 * 8766.0
#: The largest value a number field of a territory may take (its name → the limit), checked
#: where it is read: beyond, a value is a typo or an attack (``1e308`` people overflow to
#: infinity later), never a real territory. Documented in docs/territory-format.md.
MAX_FIELD_VALUES: dict[str, float] = {
    "population": 1e9,        # people in one zone
    "vulnerable": 1e9,
    "range_m": 1_000_000.0,   # 1000 km
    "backup_hours": TEN_YEARS_H,
    "repair_hours": TEN_YEARS_H,
}
MAX_BACKUP_S = TEN_YEARS_H * 3600.0


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How much a reader accepts before it refuses a file.

    Attributes
    ----------
    max_yaml_bytes:
        Largest YAML file (territory.yaml, channels.yaml, actors.yaml, scenarios), in bytes.
    max_data_bytes:
        Largest GeoJSON or CSV data file, in bytes.
    max_yaml_aliases:
        Most YAML aliases (``*name``) in one file; protects against alias bombs.
    max_yaml_depth:
        Deepest nesting of YAML lists and mappings.
    max_yaml_values:
        Most values in one YAML file once aliases are expanded.
    max_repeats:
        Most messages for the same problem in the same file before they are counted instead.

    Examples
    --------
    >>> from tousrisques import ReadLimits, load_territory
    >>> limits = ReadLimits(max_yaml_bytes=1_000_000)
    >>> load_territory("src/tousrisques/templates/petite-ville", limits=limits).name
    'Petite-Ville-sur-Seine (exemple)'
    """

    max_yaml_bytes: int = 8 * 1024 * 1024
    max_data_bytes: int = 4 * 1024 * 1024 * 1024
    max_yaml_aliases: int = 100
    max_yaml_depth: int = 40
    max_yaml_values: int = 200_000
    max_repeats: int = 20
