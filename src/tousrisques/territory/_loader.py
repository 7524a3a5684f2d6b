"""Load a territory folder: read every file, check everything, report all problems at once."""

from __future__ import annotations

import zoneinfo
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import ValidationError as PydanticError
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from tousrisques._exceptions import InputError
from tousrisques._gc import gc_paused
from tousrisques._i18n import N_, Msg
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems, suggest
from tousrisques._readers import read_bytes, read_yaml
from tousrisques.territory._actors import (
    Listing,
    channel_refs,
    channel_requirements,
    check_actors,
    check_channels,
    read_list,
)
from tousrisques.territory._assemble import (
    AssetRefs,
    LinkPart,
    build_assets,
    build_links,
    build_zones,
)
from tousrisques.territory._columns import Block, RawGroups, strings
from tousrisques.territory._config import (
    Actor,
    Channel,
    TerritoryFile,
    check_kind_overrides,
    report_pydantic,
)
from tousrisques.territory._fallback import check_fallbacks
from tousrisques.territory._fields import ASSET_FIELDS, ZONE_FIELDS, FieldSpec
from tousrisques.territory._kinds import CATALOGUE, LAYERS, KindSpec, merge_kind
from tousrisques.territory._model import Territory
from tousrisques.territory._operators import asset_operators, check_operators
from tousrisques.territory._read_csv import read_block, read_links
from tousrisques.territory._read_geojson import read_geojson
from tousrisques.territory._relays import check_relays
from tousrisques.territory._rows import IdIndex, Places, concat_ids
from tousrisques.territory._supply import zone_supply

TERRITORY_FILE = "territory.yaml"
DATA_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".csv": "csv"}


def territory_file(path: str | Path) -> Path:
    """The ``territory.yaml`` of ``path`` (a folder, or the file itself)."""
    p = Path(path)
    return p / TERRITORY_FILE if p.is_dir() else p


def _named_file(folder: Path, rel: str, problems: Problems, key: str, line: int | None,
                tfile: str = TERRITORY_FILE) -> Path | None:
    """The file that territory.yaml (``tfile``) names under ``key``, if it stays inside the
    folder — links included — and exists; otherwise a problem at that line, in that field."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    escapes = pure.is_absolute() or ".." in pure.parts or Path(rel).is_absolute()
    if not escapes:
        try:
            escapes = not (folder / pure).resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError):  # a link loop
            escapes = True
    if escapes:
        problems.error("file.outside", tfile, line=line, field=key, path=rel)
        return None
    path = folder / pure
    if not path.exists():
        problems.error("file.missing", tfile, line=line, field=key, path=rel)
        return None
    return path  # a folder, a FIFO or a device is refused by read_bytes, before it is opened


def _read_data(path: Path, rel: str, spec: FieldSpec, problems: Problems,
               limits: ReadLimits) -> Block | None:
    fmt = DATA_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        problems.error("file.type", rel, suffix=path.suffix or "(none)",
                       allowed=".geojson, .json or .csv")
        return None
    raw = read_bytes(path, rel, problems, max_bytes=limits.max_data_bytes,
                     setting="max_data_bytes")
    if raw is None:
        return None
    if fmt == "csv":
        return read_block(raw, rel, spec, problems)
    return read_geojson(raw, rel, spec, problems)


def _kinds(cfg: TerritoryFile, lines: dict[Any, int], problems: Problems, tfile: str
           ) -> tuple[dict[str, KindSpec], tuple[str, ...]]:
    overrides = check_kind_overrides(cfg.kinds, tfile, lines, problems)
    kinds = dict(CATALOGUE)
    for name, fields in overrides.items():
        try:
            kinds[name] = merge_kind(CATALOGUE.get(name), name, fields)
        except TypeError as exc:
            problems.error("field.invalid", tfile, line=lines.get(("kinds", name)),
                           field=f"kinds.{name}", detail=str(exc),
                           expected=Msg(N_("kind fields")))
    # a layer must be declared: a typo in a kind's layer would otherwise make a new layer
    layers = tuple(dict.fromkeys([*LAYERS, *cfg.layers]))
    for name, spec in kinds.items():
        if spec.layer is not None and spec.layer not in layers:
            problems.error("layer.unknown", tfile,
                           line=lines.get(("kinds", name, "layer"), lines.get(("kinds", name))),
                           field=f"kinds.{name}.layer", layer=spec.layer,
                           allowed=", ".join(layers), suggest=suggest(spec.layer, layers))
    return kinds, layers


def _crs(cfg: TerritoryFile, lines: dict[Any, int], problems: Problems, tfile: str
         ) -> tuple[Transformer | None, tuple[float, float, float, float] | None]:
    line = lines.get(("metric_crs",))
    try:
        crs = CRS.from_user_input(cfg.metric_crs)
    except CRSError as exc:
        problems.error("crs.invalid", tfile, line=line, field="metric_crs",
                       value=cfg.metric_crs, detail=str(exc).splitlines()[0][:120])
        return None, None
    units = {ax.unit_name for ax in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        problems.error("crs.not_metric", tfile, line=line, field="metric_crs",
                       value=cfg.metric_crs)
        return None, None
    if crs.to_epsg() == 3857:
        problems.warning("crs.distorted", tfile, line=line, field="metric_crs",
                         value=cfg.metric_crs)
    area = crs.area_of_use
    bounds = (area.west, area.south, area.east, area.north) if area else None
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True), bounds


def _usable_part(data: dict[str, Any], exc: PydanticError) -> TerritoryFile | None:
    """territory.yaml without the fields that failed (already reported), so that the files
    it names are still read and checked: every problem at once."""
    bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    kept = {k: v for k, v in data.items() if k not in bad and k in TerritoryFile.model_fields}
    kept.setdefault("name", "?")
    try:
        return TerritoryFile.model_validate(kept)
    except PydanticError:
        return None


def load_territory(path: str | Path, *, limits: ReadLimits | None = None) -> Territory:
    """Read, check and assemble the territory at ``path``.

    Parameters
    ----------
    path : str or Path
        A territory folder, or its ``territory.yaml``.
    limits : ReadLimits, optional
        How large the files may be (default: :class:`ReadLimits` ()).

    Returns
    -------
    Territory
        Validated; its ``warnings`` hold the problems that did not stop it.

    Raises
    ------
    ValidationError
        With every problem of every file, when any is an error.
    InputError
        When ``path`` has no territory.yaml at all.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> t.name, len(t.assets.ids), len(t.actors)
    ('Petite-Ville-sur-Seine (exemple)', 20, 5)
    """
    with gc_paused():
        return _load(path, limits or ReadLimits())


def _load(path: str | Path, limits: ReadLimits) -> Territory:
    yaml_path = territory_file(path)
    if not yaml_path.exists():
        raise InputError("territory.none", path=yaml_path, file=TERRITORY_FILE)
    folder = yaml_path.parent
    tfile = yaml_path.name
    problems = Problems(max_repeats=limits.max_repeats)
    got = read_yaml(yaml_path, tfile, problems, limits)
    if got is None or not isinstance(got[0], dict):
        if got is not None:
            problems.error("field.type", tfile, line=1,
                           expected_type=Msg(N_("a mapping")),
                           got=type(got[0]).__name__, expected="name:, assets:, zones:, ...")
        problems.raise_if_errors()
        raise InputError("territory.empty", path=yaml_path)
    data, lines = got
    try:
        cfg = TerritoryFile.model_validate(data)
    except PydanticError as exc:
        report_pydantic(exc, tfile, lines, (), problems, model=TerritoryFile)
        usable = _usable_part(data, exc)
        if usable is None:
            problems.raise_if_errors()
            raise  # pragma: no cover - pydantic errors always become problems
        cfg = usable
    try:
        zoneinfo.ZoneInfo(cfg.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.error("timezone.invalid", tfile, line=lines.get(("timezone",)),
                       field="timezone", value=cfg.timezone)
    kinds, layers = _kinds(cfg, lines, problems, tfile)
    transformer, area = _crs(cfg, lines, problems, tfile)
    if transformer is None:
        transformer = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
        area = None

    files: list[str] = []
    unread: list[str] = []

    def blocks(key: str, paths: list[str], spec: FieldSpec) -> list[Block]:
        out = []
        for i, rel in enumerate(paths):
            p = _named_file(folder, rel, problems, key, lines.get((key, i)), tfile)
            if p is None:
                continue
            b = _read_data(p, rel, spec, problems, limits)
            if b is not None:
                files.append(rel)
                out.append(b)
            elif spec is ASSET_FIELDS:
                unread.append(rel)
        return out

    asset_blocks = blocks("assets", cfg.assets, ASSET_FIELDS)
    link_parts: list[LinkPart] = []
    for i, rel in enumerate(cfg.links):
        p = _named_file(folder, rel, problems, "links", lines.get(("links", i)), tfile)
        if p is not None and p.suffix.lower() != ".csv":
            problems.error("file.type", rel, suffix=p.suffix or "(none)", allowed=".csv")
            continue
        if p is None:
            continue
        raw = read_bytes(p, rel, problems, max_bytes=limits.max_data_bytes,
                         setting="max_data_bytes")
        got_links = read_links(raw, rel, problems) if raw is not None else None
        if got_links is not None:
            link_parts.append((rel, *got_links))
    zone_blocks = blocks("zones", cfg.zones, ZONE_FIELDS)
    channel_list: Listing[Channel] = Listing(cfg.channels or "channels.yaml")
    actor_list: Listing[Actor] = Listing(cfg.actors or "actors.yaml")
    if cfg.channels:
        p = _named_file(folder, cfg.channels, problems, "channels", lines.get(("channels",)),
                        tfile)
        if p is not None:
            channel_list = read_list(p, cfg.channels, "channels", Channel, problems, limits)
    if cfg.actors:
        p = _named_file(folder, cfg.actors, problems, "actors", lines.get(("actors",)), tfile)
        if p is not None:
            actor_list = read_list(p, cfg.actors, "actors", Actor, problems, limits)
    channels, actors = channel_list.items, actor_list.items

    # every reference of the territory resolved in one hash lookup
    ids = concat_ids(asset_blocks)
    index = IdIndex(ids)
    asset_raw = RawGroups.concat([(off, b.groups) for off, b in
                            zip(np.cumsum([0] + [len(b) for b in asset_blocks]).tolist(),
                                asset_blocks, strict=False)])
    con_a = pa.concat_arrays([b.connects[0] if b.connects else pa.nulls(len(b), pa.string())
                              for b in asset_blocks]) if asset_blocks else strings([])
    con_b = pa.concat_arrays([b.connects[1] if b.connects else pa.nulls(len(b), pa.string())
                              for b in asset_blocks]) if asset_blocks else strings([])
    zone_ids = concat_ids(zone_blocks)
    zone_raw = RawGroups.concat([(off, b.groups) for off, b in
                                 zip(np.cumsum([0] + [len(b) for b in zone_blocks]).tolist(),
                                     zone_blocks, strict=False)])
    requests: list[Any] = [con_a, con_b, asset_raw.alt_ids, zone_raw.alt_ids, zone_ids,
                           [a.site or "" for a in actors], channel_refs(channels), ids]
    for _, frm, to, _, _ in link_parts:
        requests += [frm, to]
    got_rows = index.resolve_many(requests)
    kinds_sorted = tuple(sorted(kinds))
    (r_con_a, r_con_b, r_alt, r_zalt, r_zids, r_sites, r_chan, r_ids), r_links = \
        got_rows[:8], got_rows[8:]

    assets, unsure = build_assets(asset_blocks, files, ids, asset_raw,
                                  AssetRefs(r_con_a, r_con_b, r_alt, r_ids), index, kinds,
                                  layers, problems, transformer=transformer, area=area)
    links = build_links(link_parts, list(zip(r_links[::2], r_links[1::2], strict=True)),
                        index, assets, unsure, layers, problems)
    zones = build_zones(zone_blocks, zone_ids, zone_raw, r_zalt, r_zids, index, problems,
                        transformer=transformer, area=area)
    zones = replace(zones, supply=zone_supply(zones, assets, layers, index, Places(zone_blocks),
                                              problems))
    ranged = {k for k, spec in kinds.items() if spec.range_m > 0}
    ranged |= {kinds_sorted[c] for c in np.unique(assets.kind[(assets.range_m > 0)
                                                               & (assets.kind >= 0)])}
    # a kind declared under `kinds:` that is not in the catalogue and that no asset uses is
    # most often a misspelt override (`antena:`): the catalogue kind keeps its defaults
    used = {kinds_sorted[c] for c in np.unique(assets.kind[assets.kind >= 0])}
    for name in cfg.kinds:
        if name not in CATALOGUE and name not in used:
            problems.warning("kind.unused", tfile, line=lines.get(("kinds", name)),
                             field=f"kinds.{name}", kind=name,
                             suggest=suggest(name, list(CATALOGUE)))
    check_channels(channel_list, problems, index, ranged, r_chan)
    check_actors(actor_list, channel_list, problems, index, assets, r_sites)
    r_fallback = index.resolve_many([[a.fallback_site or "" for a in actors]])[0]
    check_fallbacks(actor_list, r_fallback, index, assets, problems)
    check_relays(actor_list, channel_list, kinds, problems)
    check_operators(asset_operators(assets), assets, kinds_sorted, Places(asset_blocks),
                    channel_list, actor_list, problems)
    if actors and not any(a.crisis_cell for a in actors):
        problems.warning("actors.no_crisis_cell", actor_list.rel, field="crisis_cell")
    if unread:
        # the ids of an unreadable file are unknown: every reference to them would be a
        # false "unknown asset"; say once that they wait for the file to be mended
        dropped = problems.discard("ref.asset")
        if dropped:
            problems.warning("refs.unchecked", unread[0], count=dropped,
                             files=", ".join(unread))
    problems.raise_if_errors()
    return Territory(
        name=cfg.name, timezone=cfg.timezone, metric_crs=cfg.metric_crs, kinds=kinds,
        kind_names=tuple(sorted(kinds)), layer_names=layers, assets=assets, links=links,
        zones=zones, channels=tuple(channels), actors=tuple(actors),
        actor_sites=np.where([a.site is not None for a in actors], r_sites, -1)
        .astype(np.int64),
        actor_fallbacks=np.where([a.fallback_site is not None for a in actors], r_fallback, -1)
        .astype(np.int64), channel_requires=channel_requirements(channels, r_chan),
        files=tuple(files), folder=folder, description=cfg.description,
        warnings=tuple(problems.warnings))
