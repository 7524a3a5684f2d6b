"""The logistics a scenario gives its runs: repair crews and priorities, refuelling rounds,
mobile generators, the switching of normally-open switches, and the storm that spares
underground cables (docs/scenario-format.md, "Crews, fuel, generators and switching")."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tousrisques._durations import parse_duration
from tousrisques._problems import Problems, suggest
from tousrisques.engine import NO_CLASS, Crews, Supply, service_rank
from tousrisques.scenario._model import PRIORITIES, ScenarioFile
from tousrisques.scenario._names import AssetNames
from tousrisques.territory import CompiledTerritory, Territory

IntArray = npt.NDArray[np.int64]
_CLASS_OF_ROLE = {"hospital": "hospitals", "mayor": "pcs"}


def _lists(spec: ScenarioFile) -> list[list[str]]:
    out = [list(c.assets) for c in spec.crews] + [list(r.assets) for r in spec.refuelling]
    out += [list(r.needs) for r in spec.refuelling]
    if spec.generators is not None:
        out += [list(spec.generators.needs), list(spec.generators.to)]
    return out


def check_logistics(spec: ScenarioFile, territory: Territory, rel: str,
                    lines: dict[Any, int], problems: Problems) -> AssetNames:
    """One message per kind or asset name of ``crews``, ``refuelling`` and ``generators``
    that the territory does not have."""
    kinds = territory.kinds
    names = AssetNames(territory, _lists(spec))

    def kinds_ok(values: list[str], where: tuple[Any, ...], field: str) -> None:
        for kind in values:
            if kind not in kinds:
                problems.error("kind.unknown", rel, line=lines.get(where), field=field,
                               kind=kind, allowed=", ".join(sorted(kinds)),
                               suggest=suggest(kind, kinds))

    for i, c in enumerate(spec.crews):
        kinds_ok(c.kinds, ("crews", i, "kinds"), f"crews.{i}.kinds")
        names.check(c.assets, rel, lines.get(("crews", i, "assets")), "crews.assets",
                    problems)
    for i, r in enumerate(spec.refuelling):
        kinds_ok(r.kinds, ("refuelling", i, "kinds"), f"refuelling.{i}.kinds")
        for key in ("assets", "needs"):
            names.check(getattr(r, key), rel, lines.get(("refuelling", i, key)),
                        f"refuelling.{key}", problems)
    g = spec.generators
    if g is not None:
        names.check(g.needs, rel, lines.get(("generators", "needs")), "generators.needs",
                    problems)
        names.check([x for x in g.to if x not in kinds], rel, lines.get(("generators", "to")),
                    "generators.to", problems)
    return names


def _rows(territory: Territory, names: AssetNames, kinds: list[str], assets: list[str]
          ) -> IntArray:
    a = territory.assets
    mask = np.zeros(len(a), bool)
    for k in kinds:
        mask |= a.kind == territory.kind_names.index(k)
    if assets:
        mask[names.rows(assets)] = True
    return np.nonzero(mask)[0].astype(np.int64)


def site_classes(territory: Territory, order: list[str]) -> IntArray:
    """The priority class of each asset's own site (``NO_CLASS``: none), in ``order``."""
    a = territory.assets
    cls = np.full(len(a), NO_CLASS, np.int64)
    rank = {name: i for i, name in enumerate(order)}

    def give(rows: IntArray | list[int], name: str) -> None:
        if name in rank and len(rows):
            r = np.asarray(rows, np.int64)
            cls[r] = np.minimum(cls[r], rank[name])

    for actor, site in zip(territory.actors, territory.actor_sites.tolist(), strict=True):
        if site < 0:
            continue
        if actor.crisis_cell:
            give([site], "crisis_cells")
        name = _CLASS_OF_ROLE.get(str(actor.role))
        if name:
            give([site], name)
    for name, spec in territory.kinds.items():
        if getattr(spec, "sensitive", False):
            rows = np.nonzero(a.kind == territory.kind_names.index(name))[0]
            give(rows, "hospitals" if name == "hospital" else "sensitive")
    return cls


def build_logistics(spec: ScenarioFile, territory: Territory, compiled: CompiledTerritory,
                    names: AssetNames, absent: set[int]
                    ) -> tuple[Crews | None, IntArray | None, Supply | None, set[int]]:
    """The crews, the repair priority of every asset, the supply (refuelling, generators,
    switching) and the normally-open switches (absent at the start) of a scenario."""
    a = territory.assets
    switches = np.nonzero(a.normally_open)[0].astype(np.int64)
    absent = absent | set(switches.tolist())
    order: list[str] = [p for p in spec.priorities if p in PRIORITIES]
    crews = rank = None
    needs_rank = bool(spec.crews) or spec.generators is not None
    if needs_rank:
        classes = site_classes(territory, order)
        # ``restoration`` comes before every class of ``priorities``, its first entry first
        n_first = len(spec.restoration)
        for i, first in reversed(list(enumerate(spec.restoration))):
            classes[names.rows(first.assets)] = i - n_first
        rank = service_rank(compiled, classes,
                            absent=np.array(sorted(absent), np.int64),
                            zone_supply=getattr(compiled, "zone_supply", None),
                            by_vulnerable="vulnerable" in order,
                            by_customers="customers" in order)
    if spec.crews:
        pool = np.full(len(a), -1, np.int64)
        for p, c in reversed(list(enumerate(spec.crews))):  # the first pool that names it
            pool[_rows(territory, names, c.kinds, c.assets)] = p
        crews = Crews(pool, np.array([c.count for c in spec.crews], np.int64),
                      np.array([parse_duration(c.start) for c in spec.crews]),
                      tuple(c.name for c in spec.crews))
    net_groups = compiled.requires
    n_groups = len(net_groups.backup_s)
    owner = net_groups.owner.astype(np.int64)
    every = np.full(n_groups, np.inf)
    needs_rows: list[IntArray] = [np.zeros(0, np.int64)] * n_groups
    for r in spec.refuelling:
        rows = np.zeros(len(a), bool)
        rows[_rows(territory, names, r.kinds, r.assets)] = True
        groups = np.nonzero(rows[owner] & (net_groups.backup_s > 0))[0]
        every[groups] = parse_duration(r.every)
        need = names.rows(r.needs).astype(np.int64) if r.needs else np.zeros(0, np.int64)
        for k in groups.tolist():
            needs_rows[k] = need
    supply_needed = bool(spec.refuelling) or spec.generators is not None or \
        (spec.switching is not None and len(switches) > 0)
    if not supply_needed:
        return crews, rank, None, absent
    lengths = np.array([len(x) for x in needs_rows], np.int64)
    needs = sp.csr_matrix((np.ones(int(lengths.sum()), np.int8),
                           np.concatenate(needs_rows) if n_groups else np.zeros(0, np.int64),
                           np.r_[0, np.cumsum(lengths)]), shape=(n_groups, len(a)))
    kw: dict[str, Any] = {}
    gen = spec.generators
    if gen is not None:
        kinds = [x for x in gen.to if x in territory.kinds]
        hosts_rows = np.zeros(len(a), bool)
        hosts_rows[_rows(territory, names, kinds, [x for x in gen.to if x not in kinds])] = True
        power = territory.layer_names.index("power") if "power" in territory.layer_names \
            else -1
        alt_layer = compiled.layer[net_groups.alt.astype(np.int64)] == power
        powered = np.add.reduceat(alt_layer.astype(np.int64), net_groups.alt_ptr[:-1]) \
            if len(net_groups.alt) else np.zeros(n_groups, np.int64)
        powered[np.diff(net_groups.alt_ptr) == 0] = 0
        hosts = np.nonzero(hosts_rows[owner] & (powered > 0))[0]
        assert rank is not None
        hosts = hosts[np.argsort(rank[owner[hosts]], kind="stable")]
        kw.update(generator_hosts=hosts.astype(np.int64), generators=gen.count,
                  delivery_s=parse_duration(gen.delivery),
                  generator_fuel_s=parse_duration(gen.fuel),
                  generator_every_s=parse_duration(gen.every) if gen.every else np.inf,
                  generator_needs=names.rows(gen.needs).astype(np.int64) if gen.needs
                  else np.zeros(0, np.int64))
    if spec.switching is not None and len(switches):
        kw.update(switches=switches, switch_ends=a.connects[switches].astype(np.int64),
                  switching_s=parse_duration(spec.switching))
    return crews, rank, Supply(every, needs, **kw), absent
