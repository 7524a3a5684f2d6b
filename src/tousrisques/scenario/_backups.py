"""Backup autonomy a scenario brings (``backups:``): batteries, a generator and its fuel at
some kinds or named assets — at least ``autonomy`` on each of their requirement groups that
has an alternative in the power layer (docs/scenario-format.md, "backups")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from tousrisques._durations import parse_duration
from tousrisques._problems import Problems, suggest
from tousrisques.scenario._model import ScenarioFile
from tousrisques.scenario._names import AssetNames
from tousrisques.territory import CompiledTerritory, Territory

BoolArray = npt.NDArray[np.bool_]


def power_groups(c: CompiledTerritory) -> BoolArray:
    """Which requirement groups of the assets have an alternative in the ``power`` layer
    (those a battery or a generator backs up).

    Parameters
    ----------
    c : CompiledTerritory

    Returns
    -------
    ndarray of bool
        One per group of ``c.requires``.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.scenario import power_groups
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> g = c.requires.owner_ptr[c.asset_ids.to_pylist().index("ANT-NORD")]
    >>> bool(power_groups(c)[g])  # the antenna's transformer
    True
    """
    req = c.requires
    if "power" not in c.layer_names or len(req.alt) == 0:
        return np.zeros(req.n_groups, bool)
    in_power = (c.layer[req.alt.astype(np.int64)] == c.layer_names.index("power"))
    counts = np.add.reduceat(in_power.astype(np.int64), req.alt_ptr[:-1].astype(np.int64))
    counts[np.diff(req.alt_ptr) == 0] = 0
    return np.asarray(counts > 0)


def check_backups(spec: ScenarioFile, territory: Territory, rel: str, lines: dict[Any, int],
                  problems: Problems) -> AssetNames:
    """One message per kind or asset name of ``backups`` that the territory does not have."""
    names = AssetNames(territory, [list(b.assets) for b in spec.backups])
    kinds = territory.kinds
    for i, b in enumerate(spec.backups):
        for kind in b.kinds:
            if kind not in kinds:
                problems.error("kind.unknown", rel, line=lines.get(("backups", i, "kinds")),
                               field=f"backups.{i}.kinds", kind=kind,
                               allowed=", ".join(sorted(kinds)), suggest=suggest(kind, kinds))
        names.check(b.assets, rel, lines.get(("backups", i, "assets")), "backups.assets",
                    problems)
    return names


def backup_rows(territory: Territory, names: AssetNames, kinds: list[str],
                assets: list[str]) -> npt.NDArray[np.int64]:
    """The asset rows of some kinds and named assets (ids or patterns)."""
    mask = np.zeros(len(territory.assets), bool)
    for k in kinds:
        mask |= territory.assets.kind == territory.kind_names.index(k)
    if assets:
        mask[names.rows(assets)] = True
    return np.nonzero(mask)[0].astype(np.int64)


def apply_backups(spec: ScenarioFile, territory: Territory, c: CompiledTerritory,
                  names: AssetNames) -> CompiledTerritory:
    """``c`` with the autonomy of ``spec.backups`` on the power groups of their assets (the
    longer of the territory's and the scenario's)."""
    if not spec.backups:
        return c
    req = c.requires
    backup = req.backup_s.astype(np.float64).copy()
    power = power_groups(c)
    owner = req.owner.astype(np.int64)
    for b in spec.backups:
        mine = np.zeros(c.n_assets, bool)
        mine[backup_rows(territory, names, b.kinds, b.assets)] = True
        groups = mine[owner] & power
        backup[groups] = np.maximum(backup[groups], parse_duration(b.autonomy))
    return replace(c, requires=replace(req, backup_s=backup))
