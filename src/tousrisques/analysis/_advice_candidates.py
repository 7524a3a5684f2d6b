"""The measures the advice tries, generated from the territory, the scenario and its base
runs by documented rules (docs/advice.md, "Candidates"):

* **autonomy**: for each kind, the assets whose power supply was lost in at least one base
  run (their backup ran out, or they had none) get each autonomy option of the catalogue
  that is longer than theirs — batteries, a generator and its fuel;
* **planned**: the assets a territory marks ``planned`` that the scenario does not bring,
  one measure per kind (satellite phones, generators at antenna sites), brought at 0 h;
* **feed**, **terminal**, **fallback**, **volunteers**, **restoration**: one asset or actor
  each, in ``_advice_rules.py``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from tousrisques._durations import parse_duration
from tousrisques.analysis._advice_catalogue import Catalogue
from tousrisques.analysis._advice_facts import base_facts
from tousrisques.engine import Plan, replay
from tousrisques.engine._log import CAUSE_BACKUP, CAUSE_REQUIREMENT
from tousrisques.scenario import (
    MEASURE_SECTIONS,
    BackupSpec,
    MitigationSpec,
    Scenario,
    power_groups,
)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Candidate:
    """One measure: a rule applied to the assets of a kind, with its cost.

    Parameters
    ----------
    key : str
        Unique: ``autonomy:<kind>:<autonomy>``, ``planned:<kind>``, ``feed:<asset>``,
        ``terminal:<actor>:<channel>``, ``fallback:<actor>``, ``volunteers:<actor>``,
        ``restoration:<asset>``.
    rule : str
        ``autonomy``, ``planned``, ``feed``, ``terminal``, ``fallback``, ``volunteers`` or
        ``restoration``.
    kind : str
        The kind of the assets it touches (of the actor's site, for the rules of an actor).
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
    specs : tuple
        ``(section, entry)`` pairs of the scenario, for the rules other than autonomy and
        planned.
    facts : dict
        What its explanation says (names per language, times, distances).

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
    specs: tuple[tuple[str, BaseModel], ...] = field(default=(), compare=False)
    facts: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def family(self) -> str:
        """Candidates of one family replace each other in a plan (the autonomy options of a
        kind); every other candidate is a family of its own.

        Examples
        --------
        >>> from tousrisques.analysis import Candidate
        >>> Candidate("autonomy:siren:24h", "autonomy", "siren", ("SIR*",), 3, 86400.0, 3.0,
        ...           1.0, "x").family
        'autonomy:siren'
        """
        return f"autonomy:{self.kind}" if self.rule == "autonomy" else self.key

    def sections(self) -> dict[str, list[BaseModel]]:
        """Every scenario entry of this measure, by section of the scenario file (the
        keywords of ``tousrisques.scenario.with_measures``).

        Returns
        -------
        dict

        Examples
        --------
        >>> from tousrisques.analysis import Candidate
        >>> c = Candidate("autonomy:siren:24h", "autonomy", "siren", ("SIR*",), 3, 86400.0,
        ...               3.0, 1.0, "x")
        >>> {k: len(v) for k, v in c.sections().items()}
        {'backups': 1}
        """
        pairs: list[tuple[str, list[BaseModel]]] = [
            ("mitigations", list(self.mitigations())), ("backups", list(self.backups())),
            *((k, [spec]) for k, spec in self.specs)]
        out: dict[str, list[BaseModel]] = {}
        for key, items in pairs:
            if items:
                out.setdefault(key, []).extend(items)
        return out

    def entries(self, name: str) -> dict[str, list[dict[str, Any]]]:
        """The entries of this measure as a scenario file writes them, each named ``name``.

        Parameters
        ----------
        name : str

        Returns
        -------
        dict
            Section → list of plain values.

        Examples
        --------
        >>> from tousrisques.analysis import Candidate
        >>> Candidate("autonomy:siren:24h", "autonomy", "siren", ("SIR*",), 3, 86400.0, 3.0,
        ...           1.0, "x").entries("advice 1")
        {'backups': [{'name': 'advice 1', 'assets': ['SIR*'], 'autonomy': '24h'}]}
        """
        out: dict[str, list[dict[str, Any]]] = {}
        for key, items in self.sections().items():
            for spec in items:
                data = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
                if key == "backups":
                    data["autonomy"] = f"{self.autonomy_s / 3600:g}h"
                if key == "mitigations":
                    data["at"] = "0s"
                out.setdefault(key, []).append({"name": name, **{
                    k: v for k, v in data.items() if k != "name"}})
        return out

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


def measure_sections(found: Iterable[Candidate]) -> dict[str, list[BaseModel]]:
    """The scenario entries of some candidates together, by section: what
    ``with_measures(scenario, **measure_sections(chosen))`` takes.

    Parameters
    ----------
    found : iterable of Candidate

    Returns
    -------
    dict

    Examples
    --------
    >>> from tousrisques.analysis import Candidate, measure_sections
    >>> a = Candidate("planned:generator", "planned", "generator", ("GE-*",), 2, 0.0, 2.0,
    ...               1.0, "x")
    >>> sorted(measure_sections([a, a]))
    ['mitigations']
    """
    out: dict[str, list[BaseModel]] = {}
    for c in found:
        for key, items in c.sections().items():
            out.setdefault(key, []).extend(items)
    assert set(out) <= {"mitigations", "backups", *MEASURE_SECTIONS}
    return out


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
        Autonomy and planned in the order of the kinds, then feed, terminal, fallback,
        volunteers and restoration, each the worst hit first.

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
    facts = base_facts(plan, runs)
    by_run, first = facts.power_lost, facts.power_first_s
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
    from tousrisques.analysis._advice_rules import rule_candidates  # it builds Candidates

    return out + rule_candidates(s, plan, catalogue, facts)

