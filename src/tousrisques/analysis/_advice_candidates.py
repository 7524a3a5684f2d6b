"""The measures the advice tries, generated from the territory, the scenario and its base
runs by documented rules (docs/advice.md, "Candidates"):

* **autonomy**: for each kind, the assets whose power supply was lost in at least one base
  run (their backup ran out, or they had none) get each autonomy option of the catalogue
  that is longer than theirs — batteries, a generator and its fuel;
* **planned**: the assets a territory marks ``planned`` that the scenario does not bring,
  one measure per kind (satellite phones, generators at antenna sites), brought at 0 h.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tousrisques._durations import parse_duration
from tousrisques.analysis._advice_catalogue import Catalogue
from tousrisques.engine import Plan, replay
from tousrisques.engine._log import CAUSE_BACKUP, CAUSE_REQUIREMENT
from tousrisques.scenario import BackupSpec, MitigationSpec, Scenario, power_groups

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Candidate:
    """One measure: a rule applied to the assets of a kind, with its cost.

    Parameters
    ----------
    key : str
        Unique: ``autonomy:<kind>:<autonomy>`` or ``planned:<kind>``.
    rule : str
        ``autonomy`` or ``planned``.
    kind : str
    assets : tuple of str
        The asset ids it touches, or one pattern that names exactly them.
    count : int
        How many assets.
    autonomy_s : float
        The autonomy brought (0 for ``planned``).
    cost, unit_cost : float
        In total, and per asset.
    source : str
        Where the cost comes from (or "assumption: …").
    base_autonomy_s : float
        Their autonomy before, the median over their power groups.
    lost_runs : int
        Base runs in which one of them lost its power supply.
    first_loss_s : float
        The earliest such loss, in seconds from the start (inf: never).

    Examples
    --------
    >>> from tousrisques.analysis import Candidate
    >>> c = Candidate("planned:satphone", "planned", "satphone", ("SAT-*",), 72, 0.0,
    ...               108000.0, 1500.0, "assumption")
    >>> [m.assets for m in c.mitigations()], c.backups()
    ([['SAT-*']], [])
    """

    key: str
    rule: str
    kind: str
    assets: tuple[str, ...]
    count: int
    autonomy_s: float
    cost: float
    unit_cost: float
    source: str
    base_autonomy_s: float = 0.0
    lost_runs: int = 0
    first_loss_s: float = float("inf")

    def mitigations(self) -> list[MitigationSpec]:
        """The scenario's ``mitigations`` entries of this measure.

        Returns
        -------
        list of MitigationSpec

        Examples
        --------
        >>> from tousrisques.analysis import Candidate
        >>> Candidate("planned:generator", "planned", "generator", ("GE-*",), 2, 0.0, 2.0,
        ...           1.0, "x").mitigations()[0].name
        'advice: planned:generator'
        """
        if self.rule != "planned":
            return []
        return [MitigationSpec(name=f"advice: {self.key}", assets=list(self.assets))]

    def backups(self) -> list[BackupSpec]:
        """The scenario's ``backups`` entries of this measure.

        Returns
        -------
        list of BackupSpec

        Examples
        --------
        >>> from tousrisques.analysis import Candidate
        >>> Candidate("autonomy:siren:24h", "autonomy", "siren", ("SIR*",), 3, 86400.0, 3.0,
        ...           1.0, "x").backups()[0].autonomy
        '86400s'
        """
        if self.rule != "autonomy":
            return []
        return [BackupSpec(name=f"advice: {self.key}", assets=list(self.assets),
                           autonomy=f"{self.autonomy_s:g}s")]


def power_losses(plan: Plan, runs: Sequence[int]
                 ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Which assets lost their power supply in each of ``runs`` (a power group not met and
    its backup run out, or without backup), and the earliest time each did — read from the
    causes of each change (``replay`` with causes).

    Parameters
    ----------
    plan : Plan
    runs : sequence of int

    Returns
    -------
    (ndarray of bool, ndarray of float)
        ``lost[run, asset]``, and each asset's first loss in seconds (inf: never).

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.analysis import power_losses
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> lost, first = power_losses(scenario_plan(s), range(4))
    >>> lost.shape == (4, s.compiled.n_assets), bool(np.isinf(first[~lost.any(0)]).all())
    (True, True)
    """
    c = plan.compiled
    power = power_groups(c)
    out = np.zeros((len(runs), c.n_assets), bool)
    first = np.full(c.n_assets, np.inf)
    for i, r in enumerate(runs):
        log = replay(plan, r).log
        lost = ~log.working & np.isin(log.cause, (CAUSE_BACKUP, CAUSE_REQUIREMENT))
        lost &= power[np.where(lost, log.ref, 0)]
        rows = log.asset[lost]
        out[i, rows] = True
        np.minimum.at(first, rows, log.time_s[lost])
    return out, first


def _names(ids: list[str], all_ids: list[str]) -> tuple[str, ...]:
    """One pattern ``prefix*`` when it names exactly ``ids``, else the ids."""
    prefix = ids[0][:min(len(i) for i in ids)] if ids else ""
    for other in ids:  # the longest common start, character by character
        while not other.startswith(prefix):
            prefix = prefix[:-1]
    if len(ids) > 2 and prefix and not any(ch in prefix for ch in "*?["):
        matched = fnmatch.filter(all_ids, prefix + "*")
        if len(matched) == len(ids):
            return (prefix + "*",)
    return tuple(ids)


def candidates(s: Scenario, plan: Plan, catalogue: Catalogue, runs: Sequence[int]
               ) -> list[Candidate]:
    """Every measure the rules give for the scenario (see the module's docstring).

    Parameters
    ----------
    s : Scenario
    plan : Plan
        The scenario's plan (its base runs tell which assets lose their power).
    catalogue : Catalogue
    runs : sequence of int
        The base runs read.

    Returns
    -------
    list of Candidate
        In the order of the kinds, autonomy before planned.

    Examples
    --------
    >>> from tousrisques.analysis import candidates, load_catalogue
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> found = candidates(s, scenario_plan(s), load_catalogue(), range(4))
    >>> all(c.cost == c.unit_cost * c.count for c in found)
    True
    """
    c = plan.compiled
    ids = [str(x) for x in c.asset_ids.to_pylist()]
    req = c.requires
    power = power_groups(c)
    owner = req.owner.astype(np.int64)
    by_run, first = power_losses(plan, runs)
    lost = by_run.sum(axis=0)
    out: list[Candidate] = []
    for k, kind in enumerate(c.kind_names):
        rows = np.nonzero((c.kind == k) & (lost > 0))[0]
        if len(rows) == 0:
            continue
        groups = np.nonzero(np.isin(owner, rows) & power)[0]
        base = float(np.median(req.backup_s[groups])) if len(groups) else 0.0
        for option in catalogue.autonomy_of(kind):
            hours = parse_duration(option.autonomy)
            mine = [int(r) for r in rows
                    if (req.backup_s[groups[owner[groups] == r]] < hours).any()]
            if not mine:
                continue
            runs_lost = int(by_run[:, mine].any(axis=1).sum())
            out.append(Candidate(
                f"autonomy:{kind}:{option.autonomy}", "autonomy", kind,
                _names([ids[r] for r in mine], ids), len(mine), hours,
                option.cost * len(mine), option.cost, option.source, base, runs_lost,
                float(first[mine].min())))
    brought = {r for e in plan.events if e.action == "restore" for r in e.assets}
    planned = np.nonzero(s.territory.assets.planned)[0]
    for k, kind in enumerate(c.kind_names):
        chosen = [int(r) for r in planned if c.kind[r] == k and int(r) not in brought]
        price = catalogue.planned_of(kind)
        if chosen and price is not None:
            out.append(Candidate(f"planned:{kind}", "planned", kind,
                                 _names([ids[r] for r in chosen], ids), len(chosen), 0.0,
                                 price.cost * len(chosen), price.cost, price.source))
    return out

