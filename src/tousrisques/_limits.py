"""Limits applied when reading untrusted files: one typed object, passed in, never global."""

from __future__ import annotations

from dataclasses import dataclass


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
    """

    max_yaml_bytes: int = 8 * 1024 * 1024
    max_data_bytes: int = 4 * 1024 * 1024 * 1024
    max_yaml_aliases: int = 100
    max_yaml_depth: int = 40
    max_yaml_values: int = 200_000
    max_repeats: int = 20
