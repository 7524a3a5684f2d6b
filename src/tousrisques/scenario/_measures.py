"""The measures of a scenario (``feeds``, ``terminals``, ``fallbacks``, ``volunteers``,
``restoration``; models in ``_measures_model.py``): checked against the territory, one
message per problem, then applied to the compiled territory the engine runs on.

``restoration`` changes no array of the territory: the crews' order does
(``_logistics.build_logistics``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from tousrisques._durations import parse_duration
from tousrisques._i18n import N_, Msg
from tousrisques._problems import Problems, suggest
from tousrisques.scenario._measures_model import (
    FallbackSpec,
    FeedSpec,
    TerminalSpec,
    VolunteerSpec,
)
from tousrisques.scenario._model import ScenarioFile
from tousrisques.scenario._names import AssetNames
from tousrisques.territory import CompiledTerritory, Territory
from tousrisques.territory._fallback import fallback_fields
from tousrisques.territory._model import IntArray
from tousrisques.territory._relays import (
    DEFAULT_HOUSEHOLDS_PER_HOUR,
    DEFAULT_MUSTER_S,
    DEFAULT_SHIFT_S,
    DEFAULT_SHIFTS_PER_DAY,
    door_kinds,
    relay_arrays,
)


def door_channels(territory: Territory) -> set[str]:
    """The door-to-door channels: broadcasts whose coverage kind is carried by people.

    Parameters
    ----------
    territory : Territory

    Returns
    -------
    set of str

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> from tousrisques.scenario import door_channels
    >>> door_channels(load_territory("src/tousrisques/templates/petite-ville"))
    set()
    """
    carried = door_kinds(territory.kinds)
    return {ch.id for ch in territory.channels
            if ch.mode == "broadcast" and ch.coverage in carried}


def measure_lists(spec: ScenarioFile) -> list[list[str]]:
    """Every list of asset names the measures hold (resolved together)."""
    return [*([*f.assets, f.beside, f.add] for f in spec.feeds),
            *([f.site] for f in spec.fallbacks), *(list(r.assets) for r in spec.restoration)]


def check_measures(spec: ScenarioFile, territory: Territory, rel: str, lines: dict[Any, int],
                   problems: Problems) -> AssetNames:
    """One message per problem of the measures: unknown assets, actors or channels, a
    feed beside an asset that is in none of the groups, a terminal on a broadcast channel or
    for an actor without a site, a fallback site without a location, volunteers for an actor
    without a site or a door-to-door channel; a warning for a restoration without crews."""
    names = AssetNames(territory, measure_lists(spec))
    actors = {a.id: i for i, a in enumerate(territory.actors)}
    channels = {ch.id: ch for ch in territory.channels}

    def actor(ref: str, where: tuple[Any, ...], field: str) -> int | None:
        if ref in actors:
            return actors[ref]
        problems.error("ref.actor_id", rel, line=lines.get(where), field=field, ref=ref,
                       suggest=suggest(ref, list(actors)))
        return None

    for i, f in enumerate(spec.feeds):
        line = lines.get(("feeds", i))
        for key in ("assets", "beside", "add"):
            value = getattr(f, key)
            names.check(value if isinstance(value, list) else [value], rel,
                        lines.get(("feeds", i, key), line), f"feeds.{key}", problems)
        try:
            rows, beside = names.rows(f.assets), int(names.rows([f.beside])[0])
        except KeyError:
            continue
        req = territory.assets.requires
        for r in rows.tolist():
            if not any(beside in alts for alts, _ in req.groups_of(r)):
                problems.error("feed.no_group", rel, line=lines.get(("feeds", i, "beside"),
                                                                    line),
                               field="feeds.beside", asset=territory.assets.ids[r].as_py(),
                               beside=f.beside)
    for i, t in enumerate(spec.terminals):
        ch = channels.get(t.channel)
        if ch is None:
            problems.error("ref.channel", rel, line=lines.get(("terminals", i, "channel")),
                           field="terminals.channel", ref=t.channel,
                           suggest=suggest(t.channel, list(channels)))
        elif ch.mode != "point_to_point":
            problems.error("terminal.broadcast", rel,
                           line=lines.get(("terminals", i, "channel")),
                           field="terminals.channel", channel=t.channel,
                           allowed=", ".join(c.id for c in territory.channels
                                             if c.mode == "point_to_point"))
        for ref in t.actors:
            a = actor(ref, ("terminals", i, "actors"), "terminals.actors")
            if a is not None and ch is not None and ch.coverage \
                    and territory.actor_sites[a] < 0:
                problems.error("terminal.no_site", rel,
                               line=lines.get(("terminals", i, "actors")),
                               field="terminals.actors", ref=ref, channel=t.channel)
    for i, fb in enumerate(spec.fallbacks):
        actor(fb.actor, ("fallbacks", i, "actor"), "fallbacks.actor")
        where = lines.get(("fallbacks", i, "site"))
        names.check([fb.site], rel, where, "fallbacks.site", problems)
        try:
            row = int(names.rows([fb.site])[0])
        except KeyError:
            continue
        if not np.isfinite(territory.assets.x[row]):
            problems.error("location.missing", rel, line=where, field="fallbacks.site",
                           what=Msg(N_("fallback site '{site}'"), site=fb.site))
    door = door_channels(territory)
    for i, v in enumerate(spec.volunteers):
        a = actor(v.actor, ("volunteers", i, "actor"), "volunteers.actor")
        if a is None:
            continue
        line = lines.get(("volunteers", i, "actor"))
        if territory.actor_sites[a] < 0:
            problems.error("relay.no_site", rel, line=line, field="volunteers.actor",
                           ident=v.actor)
        if not door.intersection(territory.actors[a].channels):
            problems.error("relay.no_channel", rel, line=line, field="volunteers.actor",
                           ident=v.actor, channels=", ".join(sorted(door))
                           or Msg(N_("none in this territory")))
    for i, r in enumerate(spec.restoration):
        names.check(r.assets, rel, lines.get(("restoration", i, "assets")),
                    "restoration.assets", problems)
    if spec.restoration and not spec.crews and spec.generators is None:
        problems.warning("restoration.no_crews", rel, line=lines.get(("restoration",)),
                         field="restoration")
    return names


def apply_measures(territory: Territory, c: CompiledTerritory, names: AssetNames, *,
                   feeds: Sequence[FeedSpec] = (), terminals: Sequence[TerminalSpec] = (),
                   fallbacks: Sequence[FallbackSpec] = (),
                   volunteers: Sequence[VolunteerSpec] = ()) -> CompiledTerritory:
    """``c`` with the measures applied (each entry once: give only the entries ``c`` does
    not hold yet).

    Parameters
    ----------
    territory : Territory
    c : CompiledTerritory
    names : AssetNames
        Resolves the entries' asset names (checked before).
    feeds, terminals, fallbacks, volunteers : sequence
        The entries.

    Returns
    -------
    CompiledTerritory

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> from tousrisques.scenario import FeedSpec, apply_measures
    >>> from tousrisques.scenario._names import AssetNames
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> c = apply_measures(t, t.compile(), AssetNames(t), feeds=[FeedSpec(
    ...     name="second feed", assets=["ANT-NORD"], beside="T-NORD", add="T-SUD")])
    >>> ids = c.asset_ids.to_pylist()
    >>> [[ids[x] for x in alts] for alts, _ in c.requires.groups_of(ids.index("ANT-NORD"))]
    [['T-NORD', 'T-SUD']]
    """
    if feeds:
        c = _feeds(c, names, feeds)
    if fallbacks:
        c = _fallbacks(territory, c, names, fallbacks)
    if volunteers:
        c = _volunteers(territory, c, volunteers)
    if terminals:
        c = _terminals(c, terminals)
    return c


def _feeds(c: CompiledTerritory, names: AssetNames, feeds: Sequence[FeedSpec]
           ) -> CompiledTerritory:
    req = c.requires
    owner = req.owner
    groups: list[int] = []
    added: list[int] = []
    for f in feeds:
        mine = np.zeros(c.n_assets, bool)
        mine[names.rows(f.assets)] = True
        beside, add = int(names.rows([f.beside])[0]), int(names.rows([f.add])[0])
        for g in np.nonzero(mine[owner])[0].tolist():
            alts = req.alt[req.alt_ptr[g]:req.alt_ptr[g + 1]]
            if beside in alts and add not in alts and add != int(owner[g]):
                groups.append(g)
                added.append(add)
    if not groups:
        return c
    order = np.argsort(groups, kind="stable")
    g_sorted = np.asarray(groups, np.int64)[order]
    alt = np.insert(req.alt, req.alt_ptr[g_sorted + 1],
                    np.asarray(added, np.int32)[order]).astype(np.int32)
    count = np.bincount(g_sorted, minlength=req.n_groups)
    alt_ptr = req.alt_ptr + np.r_[0, np.cumsum(count)]
    return replace(c, requires=replace(req, alt=alt, alt_ptr=alt_ptr.astype(req.alt_ptr.dtype)))


def _actor_rows(c: CompiledTerritory, ids: Sequence[str]) -> IntArray:
    known = c.actor_ids.tolist()
    return np.array([known.index(a) for a in ids], np.int64)


def _set(m: sp.csr_matrix, rows: Sequence[int], cols: Sequence[int]) -> sp.csr_matrix:
    """``m`` with ones at ``(rows, cols)``, same shape and dtype."""
    add = sp.csr_matrix((np.ones(len(rows), m.dtype), (rows, cols)), shape=m.shape)
    out = (m + add).tocsr()
    out.data = np.minimum(out.data, 1).astype(m.dtype)
    return out


def _terminals(c: CompiledTerritory, terminals: Sequence[TerminalSpec]) -> CompiledTerritory:
    channels = c.channel_ids.tolist()
    held_r: list[int] = []
    held_c: list[int] = []
    cover: dict[str, tuple[list[int], list[int]]] = {}
    moved: dict[str, tuple[list[int], list[int]]] = {}
    for t in terminals:
        ch = channels.index(t.channel)
        cov = int(c.channel_coverage[ch])
        for a in _actor_rows(c, t.actors).tolist():
            held_r.append(a)
            held_c.append(ch)
            if cov < 0:
                continue
            kind = c.coverage_kinds[cov]
            here = cover.setdefault(kind, ([], []))
            here[0].append(a)
            here[1].append(int(c.actor_site[a]))
            fb = int(c.actor_fallback[a]) if len(c.actor_fallback) else -1
            if fb >= 0:  # the terminal goes with the actor to its fallback site
                there = moved.setdefault(kind, ([], []))
                there[0].append(a)
                there[1].append(fb)
    fields: dict[str, Any] = {"actor_channels": _set(c.actor_channels, held_r, held_c)}
    if cover:
        fields["actor_coverage"] = {k: _set(m, *cover[k]) if k in cover else m
                                    for k, m in c.actor_coverage.items()}
        fields["operator_coverage"] = {k: _set(m, *cover[k]) if k in cover else m
                                       for k, m in c.operator_coverage.items()}
    if moved:
        for key in ("fallback_coverage", "fallback_operator_coverage"):
            fields[key] = {k: _set(m, *moved[k]) if k in moved else m
                           for k, m in getattr(c, key).items()}
    return replace(c, **fields)


def _fallbacks(territory: Territory, c: CompiledTerritory, names: AssetNames,
               fallbacks: Sequence[FallbackSpec]) -> CompiledTerritory:
    n_a = len(c.actor_ids)
    rows = c.actor_fallback.copy() if len(c.actor_fallback) == n_a \
        else np.full(n_a, -1, np.int64)
    delay = c.actor_fallback_delay_s.copy() if len(c.actor_fallback_delay_s) == n_a \
        else np.zeros(n_a)
    changed = np.zeros(n_a, bool)
    for fb in fallbacks:
        a = int(_actor_rows(c, [fb.actor])[0])
        rows[a] = int(names.rows([fb.site])[0])
        delay[a] = parse_duration(fb.delay)
        changed[a] = True
    new = fallback_fields(replace(territory, actor_fallbacks=rows), list(c.coverage_kinds),
                          territory.operators, np.asarray(c.actor_operator, np.int64),
                          territory.channels)
    keep = sp.diags((~changed).astype(np.float64))
    take = sp.diags(changed.astype(np.float64))
    fields: dict[str, Any] = {"actor_fallback": rows, "actor_fallback_delay_s": delay}
    for key in ("fallback_coverage", "fallback_operator_coverage"):
        old: dict[str, sp.csr_matrix] = getattr(c, key)
        fields[key] = {k: sp.csr_matrix(keep @ old[k] + take @ m, dtype=m.dtype)
                       if k in old else m for k, m in new[key].items()}
    # a terminal at the actor's own site (``terminals``) goes with it to the new site
    for k, m in c.actor_coverage.items():
        code = c.kind_names.index(k) if k in c.kind_names else -1
        for a in np.nonzero(changed)[0].tolist():
            site = int(c.actor_site[a])
            if site >= 0 and m[a, site] and int(c.kind[site]) != code:
                for key in ("fallback_coverage", "fallback_operator_coverage"):
                    if k in fields[key]:
                        fields[key][k] = _set(fields[key][k], [a], [int(rows[a])])
    return replace(c, **fields)


def _volunteers(territory: Territory, c: CompiledTerritory,
                volunteers: Sequence[VolunteerSpec]) -> CompiledTerritory:
    relay = c.actor_relay.copy()
    for v in volunteers:
        a = int(_actor_rows(c, [v.actor])[0])
        if relay[a, 0] <= 0:
            relay[a] = (0, DEFAULT_HOUSEHOLDS_PER_HOUR, DEFAULT_SHIFT_S,
                        DEFAULT_SHIFTS_PER_DAY, DEFAULT_MUSTER_S)
        relay[a, 0] += v.volunteers
        if v.households_per_hour is not None and territory.actors[a].households_per_hour \
                is None:
            relay[a, 1] = v.households_per_hour
    actors = tuple(a.model_copy(update={"volunteers": int(n) if n > 0 else None})
                   for a, n in zip(territory.actors, relay[:, 0].tolist(), strict=True))
    _, pairs = relay_arrays(replace(territory, actors=actors))
    return replace(c, actor_relay=relay, relay_assets=pairs)
