"""The territory model: files, validation, compilation to the engine's arrays, synthetic
territories. See docs/territory-format.md for the file format."""

from tousrisques.territory._cache import load_compiled, territory_files, territory_hash
from tousrisques.territory._compiled import CompiledTerritory, LayerGraph
from tousrisques.territory._config import ROLES, Actor, Channel, LocalText
from tousrisques.territory._coverage import Coverage
from tousrisques.territory._kinds import CATALOGUE, LAYERS, KindSpec
from tousrisques.territory._loader import load_territory
from tousrisques.territory._model import AssetTable, Requirements, Territory, ZoneTable
from tousrisques.territory._requires import Group, format_compact, parse_compact, parse_groups
from tousrisques.territory._summary import TerritorySummary

__all__ = [
    "CATALOGUE",
    "LAYERS",
    "ROLES",
    "Actor",
    "AssetTable",
    "Channel",
    "CompiledTerritory",
    "Coverage",
    "Group",
    "KindSpec",
    "LayerGraph",
    "LocalText",
    "Requirements",
    "Territory",
    "TerritorySummary",
    "ZoneTable",
    "format_compact",
    "load_compiled",
    "load_territory",
    "parse_compact",
    "parse_groups",
    "territory_files",
    "territory_hash",
]
