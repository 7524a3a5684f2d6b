"""Channels and actors: read from YAML, then every reference checked against the territory."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from tousrisques._limits import ReadLimits
from tousrisques._messages import Text
from tousrisques._problems import Problems, suggest
from tousrisques._readers import LineMap, read_yaml
from tousrisques.territory._assemble import IdIndex
from tousrisques.territory._config import ROLES, Actor, Channel, report_pydantic
from tousrisques.territory._kinds import KindSpec
from tousrisques.territory._model import AssetTable, IntArray, Requirements

M = TypeVar("M", bound=BaseModel)


def read_list(path: Path, rel: str, key: str, model: type[M], problems: Problems,
              limits: ReadLimits) -> tuple[list[M], LineMap, tuple[Hashable, ...]]:
    """Read ``channels.yaml`` or ``actors.yaml``: a list, or a mapping with that list under
    ``key``. Each item is parsed on its own, so one bad item does not hide the others."""
    got = read_yaml(path, rel, problems, limits)
    if got is None:
        return [], {}, ()
    data, lines = got
    base: tuple[Hashable, ...] = ()
    if isinstance(data, dict) and set(data) == {key}:
        data, base = data[key], (key,)
    if not isinstance(data, list):
        problems.error("field.type", rel, line=1, field=key,
                       expected_type=Text("a list", "une liste"),
                       got=type(data).__name__,
                       expected=Text(f"a list of {key}, or `{key}: [...]`",
                                     f"une liste de {key}, ou `{key}: [...]`"))
        return [], lines, base
    items: list[M] = []
    for i, item in enumerate(data):
        ident = item.get("id") if isinstance(item, dict) else None
        try:
            items.append(model.model_validate(item))
        except PydanticError as exc:
            report_pydantic(exc, rel, lines, (*base, i), problems, model=model,
                            ident=ident if isinstance(ident, str) else None)
    return items, lines, base


def _dupes(items: list[Any], rel: str, lines: LineMap, base: tuple[Hashable, ...],
           problems: Problems) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            problems.error("id.duplicate", rel, line=lines.get((*base, i, "id")), field="id",
                           ident=item.id, id=item.id,
                           other=f"line {lines.get((*base, seen[item.id], 'id'))}")
        else:
            seen[item.id] = i


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


def check_channels(channels: list[Channel], rel: str, lines: LineMap,
                   base: tuple[Hashable, ...], problems: Problems, index: IdIndex,
                   kinds: dict[str, KindSpec], resolved: IntArray) -> None:
    """Duplicate ids, required assets (``resolved``: rows of :func:`channel_refs`),
    coverage kinds and triggers."""
    _dupes(channels, rel, lines, base, problems)
    ranged = sorted(k for k, s in kinds.items() if s.range_m > 0)
    k = 0
    for i, ch in enumerate(channels):
        where = (*base, i)
        for g in ch.requires:
            rows = resolved[k:k + len(g.any_of)]
            k += len(g.any_of)
            for ref, r in zip(g.any_of, rows, strict=True):
                if r < 0:
                    problems.error("ref.asset", rel, line=lines.get((*where, "requires")),
                                   field="requires", ident=ch.id, ref=ref,
                                   suggest=index.suggest(ref))
        if ch.coverage is not None and ch.coverage not in ranged:
            problems.error("channel.coverage", rel, line=lines.get((*where, "coverage")),
                           field="coverage", ident=ch.id, kind=ch.coverage,
                           allowed=", ".join(ranged))
        if ch.triggered_by and ch.mode != "broadcast":
            problems.error("channel.trigger", rel, line=lines.get((*where, "triggered_by")),
                           field="triggered_by", ident=ch.id)


def check_actors(actors: list[Actor], rel: str, lines: LineMap, base: tuple[Hashable, ...],
                 problems: Problems, index: IdIndex, assets: AssetTable,
                 channels: list[Channel], ch_rel: str, ch_lines: LineMap,
                 ch_base: tuple[Hashable, ...], site_rows: IntArray) -> None:
    """Duplicate ids, sites (``site_rows``: resolved rows, -1 unknown), channels, governance
    links and broadcast triggers."""
    _dupes(actors, rel, lines, base, problems)
    actor_ids = [a.id for a in actors]
    channel_ids = [c.id for c in channels]
    for i, a in enumerate(actors):
        where = (*base, i)
        if a.site is not None:
            r = int(site_rows[i])
            if r < 0:
                problems.error("ref.asset", rel, line=lines.get((*where, "site")), field="site",
                               ident=a.id, ref=a.site, suggest=index.suggest(a.site))
            elif assets.x[r] != assets.x[r]:  # NaN: no location
                problems.error("location.missing", rel, line=lines.get((*where, "site")),
                               field="site", ident=a.id, what=f"site '{a.site}'")
        for j, c in enumerate(a.channels):
            if c not in channel_ids:
                problems.error("ref.channel", rel, line=lines.get((*where, "channels", j)),
                               field="channels", ident=a.id, ref=c,
                               suggest=suggest(c, channel_ids))
        for j, boss in enumerate(a.reports_to):
            if boss == a.id:
                problems.error("ref.self", rel, line=lines.get((*where, "reports_to", j)),
                               field="reports_to", ident=a.id, ref=boss)
            elif boss not in actor_ids:
                problems.error("ref.actor", rel, line=lines.get((*where, "reports_to", j)),
                               field="reports_to", ident=a.id, ref=boss,
                               suggest=suggest(boss, actor_ids))
    for i, ch in enumerate(channels):
        for j, who in enumerate(ch.triggered_by):
            if who not in actor_ids and who not in ROLES:
                problems.error("ref.actor", ch_rel,
                               line=ch_lines.get((*ch_base, i, "triggered_by", j)),
                               field="triggered_by", ident=ch.id, ref=who,
                               suggest=suggest(who, [*actor_ids, *ROLES]))
