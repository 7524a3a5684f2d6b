"""Channels and actors: read from YAML, then every reference checked against the territory."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from tousrisques._i18n import N_, Msg
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems, suggest
from tousrisques._readers import LineMap, read_yaml
from tousrisques.territory._config import ROLE_ALIASES, ROLES, Actor, Channel, report_pydantic
from tousrisques.territory._model import AssetTable, IntArray, Requirements
from tousrisques.territory._rows import IdIndex

M = TypeVar("M", bound=BaseModel)
#: channel ids that indicator names use for something else (population_reached:any, …)
RESERVED_CHANNELS = ("any", "network")


@dataclass
class Listing(Generic[M]):
    """The valid items of channels.yaml or actors.yaml, where each stood in the file, and
    the ids of the items that failed (references to them are not reported again)."""

    rel: str
    items: list[M] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    lines: LineMap = field(default_factory=dict)
    base: tuple[Hashable, ...] = ()
    broken: set[str] = field(default_factory=set)
    # items that failed validation, kept with their valid fields so that their references
    # are checked too (every problem of an item at once): item index -> fields left out
    partial: dict[int, set[str]] = field(default_factory=dict)

    def line(self, i: int, *path: Hashable) -> int | None:
        """Line of ``path`` inside valid item ``i`` (or of the item when the path is absent)."""
        where = (*self.base, self.positions[i])
        return self.lines.get((*where, *path), self.lines.get(where))

    def ids(self) -> list[str]:
        return [str(getattr(item, "id")) for item in self.items]  # noqa: B009


def read_list(path: Path, rel: str, key: str, model: type[M], problems: Problems,
              limits: ReadLimits) -> Listing[M]:
    """Read ``channels.yaml`` or ``actors.yaml``: a list, or a mapping with that list under
    ``key``. Each item is parsed on its own, so one bad item does not hide the others."""
    out: Listing[M] = Listing(rel)
    got = read_yaml(path, rel, problems, limits)
    if got is None:
        return out
    data, out.lines = got
    if isinstance(data, dict) and set(data) == {key}:
        data, out.base = data[key], (key,)
    if not isinstance(data, list):
        problems.error("field.type", rel, line=1, field=key,
                       expected_type=Msg(N_("a list")),
                       got=type(data).__name__,
                       expected=Msg(N_("a list of {key}, or `{key}: [...]`"), key=key))
        return out
    for i, item in enumerate(data):
        ident = item.get("id") if isinstance(item, dict) else None
        try:
            out.items.append(model.model_validate(item))
            out.positions.append(i)
        except PydanticError as exc:
            if isinstance(ident, str):
                out.broken.add(ident.strip())
            report_pydantic(exc, rel, out.lines, (*out.base, i), problems, model=model,
                            ident=ident if isinstance(ident, str) else None)
            kept = _valid_part(model, item, exc)
            if kept is not None:
                out.partial[len(out.items)] = kept[1]
                out.items.append(kept[0])
                out.positions.append(i)
    return out


# Stand-ins for required fields that failed, so that the rest of an item is still checked;
# the checks of a field left out are skipped (see Listing.partial).
_STAND_INS: dict[str, Any] = {"name": "?", "role": "other", "mode": "point_to_point"}


def _valid_part(model: type[M], item: Any, exc: PydanticError) -> tuple[M, set[str]] | None:
    """The item without the fields that failed (already reported), with stand-ins for the
    required ones; ``None`` when its id failed or nothing valid is left."""
    if not isinstance(item, dict):
        return None
    bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    if "id" in bad:
        return None
    kept = {k: v for k, v in item.items() if k not in bad and k in model.model_fields}
    for name in bad:
        info = model.model_fields.get(name)
        if info is not None and info.is_required():
            if name not in _STAND_INS:
                return None
            kept[name] = _STAND_INS[name]
    try:
        return model.model_validate(kept), bad
    except PydanticError:
        return None


def _dupes(listing: Listing[Any], problems: Problems) -> None:
    seen: dict[str, int] = {}
    for i, ident in enumerate(listing.ids()):
        if ident in seen:
            problems.error("id.duplicate", listing.rel, line=listing.line(i, "id"), field="id",
                           ident=ident, id=ident,
                           other=Msg(N_("line {line}"), line=listing.line(seen[ident], "id")))
        else:
            seen[ident] = i


def channel_refs(channels: list[Channel]) -> list[str]:
    """Every asset id the channels require, in order (resolved by the caller in one go)."""
    return [ref for ch in channels for g in ch.requires for ref in g.any_of]


def channel_requirements(channels: list[Channel], resolved: IntArray) -> Requirements:
    """The channels' requirement groups as CSR, from the rows of :func:`channel_refs`."""
    ptr, alt_ptr, backup = [0], [0], []
    k = 0
    for ch in channels:
        for g in ch.requires:
            k += len(g.any_of)
            alt_ptr.append(k)
            backup.append(g.backup_s or 0.0)
        ptr.append(len(alt_ptr) - 1)
    return Requirements(np.array(ptr, np.int64), np.array(alt_ptr, np.int64),
                        np.asarray(resolved, np.int64).clip(0).astype(np.int32),
                        np.array(backup, np.float64))


def check_channels(channels: Listing[Channel], problems: Problems, index: IdIndex,
                   ranged: set[str], resolved: IntArray) -> None:
    """Duplicate and reserved ids, required assets (``resolved``: rows of :func:`channel_refs`),
    coverage kinds (``ranged``: the kinds that have a range) and triggers."""
    _dupes(channels, problems)
    rel = channels.rel
    k = 0
    for i, ch in enumerate(channels.items):
        if ch.id in RESERVED_CHANNELS:
            problems.error("channel.reserved", rel, line=channels.line(i, "id"), field="id",
                           ident=ch.id, id=ch.id)
        for g in ch.requires:
            rows = resolved[k:k + len(g.any_of)]
            k += len(g.any_of)
            for ref, r in zip(g.any_of, rows, strict=True):
                if r < 0:
                    problems.error("ref.asset", rel, line=channels.line(i, "requires"),
                                   field="requires", ident=ch.id, ref=ref,
                                   suggest=index.suggest(ref))
        if ch.coverage is not None and ch.coverage not in ranged:
            problems.error("channel.coverage", rel, line=channels.line(i, "coverage"),
                           field="coverage", ident=ch.id, kind=ch.coverage,
                           allowed=", ".join(sorted(ranged)))
        if ch.triggered_by and ch.mode != "broadcast" \
                and "mode" not in channels.partial.get(i, ()):
            problems.error("channel.trigger", rel, line=channels.line(i, "triggered_by"),
                           field="triggered_by", ident=ch.id)


def check_actors(actors: Listing[Actor], channels: Listing[Channel], problems: Problems,
                 index: IdIndex, assets: AssetTable, site_rows: IntArray) -> None:
    """Duplicate ids, sites (``site_rows``: resolved rows, -1 unknown), channels, governance
    links (command ``reports_to`` and ``coordinates_with``), and who may trigger each
    broadcast."""
    _dupes(actors, problems)
    rel = actors.rel
    actor_ids = actors.ids()
    known_actors = {*actor_ids, *actors.broken}
    channel_ids = channels.ids()
    known_channels = {*channel_ids, *channels.broken}
    for i, a in enumerate(actors.items):
        if a.site is not None:
            r = int(site_rows[i])
            if r < 0:
                problems.error("ref.asset", rel, line=actors.line(i, "site"), field="site",
                               ident=a.id, ref=a.site, suggest=index.suggest(a.site))
            elif assets.x[r] != assets.x[r]:  # NaN: no location
                problems.error("location.missing", rel, line=actors.line(i, "site"),
                               field="site", ident=a.id,
                               what=Msg(N_("site '{site}'"), site=a.site))
        for j, c in enumerate(a.channels):
            if c not in known_channels:
                problems.error("ref.channel", rel, line=actors.line(i, "channels", j),
                               field="channels", ident=a.id, ref=c,
                               suggest=suggest(c, channel_ids))
        for key in ("reports_to", "coordinates_with"):
            for j, other in enumerate(getattr(a, key)):
                if other == a.id:
                    problems.error("ref.self", rel, line=actors.line(i, key, j),
                                   field=key, ident=a.id, ref=other)
                elif other not in known_actors:
                    problems.error("ref.actor", rel, line=actors.line(i, key, j),
                                   field=key, ident=a.id, ref=other,
                                   suggest=suggest(other, actor_ids))
    for i, ch in enumerate(channels.items):
        for j, who in enumerate(ch.triggered_by):
            if who not in known_actors and who not in ROLES:
                problems.error("ref.actor", channels.rel,
                               line=channels.line(i, "triggered_by", j),
                               field="triggered_by", ident=ch.id, ref=who,
                               suggest=suggest(who, [*actor_ids, *ROLES], ROLE_ALIASES))
