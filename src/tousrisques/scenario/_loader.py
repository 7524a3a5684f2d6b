"""Load a scenario file: every problem at once, with its line and field; then what the
engine needs — hazards as probabilities per asset, timed events, absent assets."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError as PydanticError

from tousrisques._clock import local_start
from tousrisques._durations import parse_duration
from tousrisques._exceptions import InputError, ValidationError
from tousrisques._i18n import N_, Msg
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problem, Problems, suggest
from tousrisques._readers import hash_file, inside, read_yaml
from tousrisques.engine import Crews, Event, Hazard, Supply, outage
from tousrisques.scenario._backups import apply_backups, check_backups
from tousrisques.scenario._budget import check_events, check_stages
from tousrisques.scenario._builders import load_shedding
from tousrisques.scenario._exposure import project_geometries, stage_exposures
from tousrisques.scenario._fragility import Fragility, FragilityError, parse_fragility
from tousrisques.scenario._hazards import (
    hazard_stages,
    hazard_targets,
    spare_underground,
    staged_hazard,
)
from tousrisques.scenario._injects import check_injects
from tousrisques.scenario._logistics import build_logistics, check_logistics
from tousrisques.scenario._measures import apply_measures, check_measures
from tousrisques.scenario._model import (
    MAX_STAGES,
    CyberAttackSpec,
    EventSpec,
    HazardSpec,
    InjectSpec,
    LoadSheddingSpec,
    MitigationSpec,
    RepairSpec,
    ScenarioFile,
)
from tousrisques.scenario._names import AssetNames
from tousrisques.scenario._shedding import spared_cuts
from tousrisques.territory import CompiledTerritory, Territory, load_territory, territory_hash
from tousrisques.territory._config import report_pydantic

IntArray = npt.NDArray[np.int64]

FloatArray = npt.NDArray[np.float64]
MAX_DURATION_S = 3650 * 86400.0

_FRAGILITY_FORMS = Msg(N_("a curve: step, lognormal or table"))

@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario with its territory, ready for the engine.

    Attributes
    ----------
    path : Path
        The scenario file.
    spec : ScenarioFile
        What the file says.
    territory : Territory
    compiled : CompiledTerritory
    duration_s, step_s : float
    hazards, events : tuple
        Ready for the engine.
    warnings : tuple of Problem

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> s.spec.name.en, s.duration_s / 3600, len(s.hazards), s.spec.monte_carlo.runs
    ('Winter storm and ransomware', 48.0, 1, 50)
    """

    path: Path
    spec: ScenarioFile
    territory: Territory
    compiled: CompiledTerritory
    duration_s: float
    step_s: float
    hazards: tuple[Hazard, ...]
    events: tuple[Event, ...]
    absent: tuple[int, ...]
    exposure: dict[str, FloatArray] = field(default_factory=dict)
    zone_exposure: dict[str, FloatArray] = field(default_factory=dict)
    repair_beta: FloatArray | None = None  # per asset: the kind's, else monte_carlo's
    warnings: tuple[Problem, ...] = ()
    content_hash: str = ""  # of the scenario file and its footprint files, as loaded
    crews: Crews | None = None  # repair crews per pool
    rank: IntArray | None = None  # repair priority of each asset (0 first)
    supply: Supply | None = None  # refuelling, mobile generators, switching

    @property
    def start(self) -> datetime | None:
        """The clock time of t = 0 in the territory's time zone (aware), or None when the
        file gives no ``start`` (times are then only hours after the start).

        Examples
        --------
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> s.start is None
        True
        """
        if self.spec.start is None:
            return None
        return local_start(self.spec.start, self.territory.timezone)[0]


def _roots(path: Path, territory: Territory) -> tuple[Path, ...]:
    """The folders a scenario's footprints may be read from: its own and its territory's."""
    return (path.parent,) if territory.folder is None else (path.parent, territory.folder)


def load_scenario(path: str | Path, *, limits: ReadLimits | None = None,
                  territory_folder: str | Path | None = None,
                  max_memory: int | str | None = None) -> Scenario:
    """Read and check a scenario and its territory; raise ValidationError with every problem.

    ``territory_folder`` is the territory to use instead of the one the file names
    (a run folder reloads its scenario with the copy of the territory it keeps).

    Parameters
    ----------
    path : str or Path
        The scenario's YAML file.
    limits : ReadLimits, optional
        How large the files may be.
    territory_folder : str or Path, optional
        The territory to use instead of the one the file names.
    max_memory : int or str, optional
        Footprints and timed events that would not fit in it (default: see
        ``tousrisques.scenario.max_memory``) are refused before they are made
        (``InputError``, codes ``budget.*``).

    Returns
    -------
    Scenario

    Raises
    ------
    ValidationError
        With every problem of the scenario and its territory.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> s.compiled.name, [h.cause for h in s.hazards]
    ('Petite-Ville-sur-Seine (exemple)', ['Storm'])
    """
    limits = limits or ReadLimits()
    path = Path(path)
    if not path.exists():  # a FIFO, a device or a folder: refused by read_yaml, unopened
        raise InputError("scenario.none", path=path)
    rel = path.name
    problems = Problems(max_repeats=limits.max_repeats)
    got = read_yaml(path, rel, problems, limits)
    if got is None or not isinstance(got[0], dict):
        problems.raise_if_errors()
        raise InputError("scenario.empty", path=path)
    data, lines = got
    spec: ScenarioFile | None = None
    parts: _Parts | None
    try:
        spec = ScenarioFile.model_validate(data)
        parts = _Parts.of(spec)
    except PydanticError as exc:
        report_pydantic(exc, rel, lines, (), problems, model=ScenarioFile)
        parts = _Parts.partial(data)  # the valid items are still checked below
    if parts is None:
        problems.raise_if_errors()
        raise InputError("scenario.no_territory", path=path)  # pragma: no cover
    try:
        where = path.parent / parts.territory if territory_folder is None \
            else Path(territory_folder)
        territory = load_territory(where, limits=limits)
        territory_digest = territory_hash(where, limits=limits)
    except ValidationError as exc:
        # the territory's problems, and the scenario's own ones found so far, together
        problems.extend(exc.problems)
        problems.raise_if_errors()
        raise
    except InputError as exc:
        problems.error("file.missing", rel, line=lines.get(("territory",)), field="territory",
                       path=parts.territory)
        problems.raise_if_errors()
        raise exc
    # every asset the scenario names, resolved in one lookup (patterns: one pass each)
    names = AssetNames(territory, parts.asset_lists())
    fragilities = _cross_check(parts, territory, path, rel, lines, problems, names)
    logistic_names = check_logistics(spec, territory, rel, lines, problems) \
        if spec is not None else None
    backup_names = check_backups(spec, territory, rel, lines, problems) if spec else None
    measure_names = check_measures(spec, territory, rel, lines, problems) if spec else None
    problems.raise_if_errors()
    assert spec is not None
    _start_warnings(spec, territory.timezone, rel, lines.get(("start",)), problems)
    duration = parse_duration(spec.duration)
    step = parse_duration(spec.step)

    compiled = replace(territory.compile(),
                       source_hash=territory_digest)
    repair_beta = np.full(compiled.n_assets, spec.monte_carlo.repair_beta)
    for kind, r in spec.repairs.items():
        if r.beta is not None:
            repair_beta[compiled.kind == territory.kind_names.index(kind)] = r.beta
    if spec.repairs:
        repair = compiled.repair_s.copy()
        for kind, r in spec.repairs.items():
            repair[compiled.kind == territory.kind_names.index(kind)] = \
                parse_duration(r.median)
        compiled = replace(compiled, repair_s=repair)
    assert backup_names is not None
    assert measure_names is not None
    compiled = apply_measures(territory, apply_backups(spec, territory, compiled, backup_names),
                              measure_names, feeds=spec.feeds, terminals=spec.terminals,
                              fallbacks=spec.fallbacks, volunteers=spec.volunteers)
    # every asset's and zone's shape in metric coordinates: only a hazard needs them
    no_shapes = np.zeros(0, dtype=object)
    targets = hazard_targets(territory) if spec.hazards else no_shapes
    zone_targets = project_geometries(territory.zones.geometry, territory.metric_crs) \
        if spec.hazards else no_shapes
    hazards: list[Hazard] = []
    exposure: dict[str, FloatArray] = {}
    zone_exposure: dict[str, FloatArray] = {}
    for h, frag in zip(spec.hazards, fragilities, strict=True):
        assert frag is not None
        stages = hazard_stages(h, path.parent, duration, problems, territory.metric_crs, limits,
                         territory)
        if len(stages) > MAX_STAGES:  # as for the builders: 20,000 windows took 4.5 minutes
            problems.error("field.invalid", rel, line=lines.get(("hazards", len(hazards),
                                                                 "footprint")),
                           field="footprint", detail=Msg(N_(
                               "{count} time windows (stages), more than {most}"),
                               count=len(stages), most=MAX_STAGES),
                           expected=Msg(N_("fewer distinct start/end times in the footprint, "
                                           "e.g. one window per hour")))
            hazards.append(Hazard(np.zeros(0), np.zeros(0), h.id))
            continue
        check_stages(compiled, stages=[len(stages)], targets=len(targets) + len(zone_targets),
                     duration_s=duration, step_s=step, max_memory=max_memory)
        levels = stage_exposures(stages, targets, territory.metric_crs)
        exposure[h.id] = np.max(levels, axis=0) if levels else np.zeros(len(targets))
        zone_levels = stage_exposures(stages, zone_targets, territory.metric_crs)
        zone_exposure[h.id] = np.max(zone_levels, axis=0) if zone_levels \
            else np.zeros(len(zone_targets))
        staged = staged_hazard(stages, levels, frag, territory,
                                h.name.get("en") if h.name else h.id)
        if not (h.underground if h.underground is not None else h.storm is None):
            staged = spare_underground(staged, territory)
        hazards.append(staged)
    problems.raise_if_errors()
    # before they are made: 20,000 feeders shed every day for a year are 14.6 million events
    check_events(compiled, events=_event_count(spec), duration_s=duration, step_s=step,
                 max_memory=max_memory)
    events: list[Event] = []
    for e in spec.events:
        rows = names.rows(e.assets).tolist()
        at = parse_duration(e.at)
        if e.duration is not None and e.action == "fail":
            events.extend(outage(rows, at, parse_duration(e.duration), e.cause))
        else:
            events.append(Event(at, tuple(rows), e.action, e.cause))
    for c in spec.cyber_attacks:
        events.extend(outage(names.rows(c.assets).tolist(), parse_duration(c.at),
                             parse_duration(c.duration), c.name))
    for ls in spec.load_shedding:
        # priority customers: the feeders that supply them are left out (_shedding.py)
        spared = spared_cuts(compiled, names.rows(ls.feeders).tolist(),
                             names.rows(ls.spare).tolist(),
                             {*names.rows(spec.absent).tolist(),
                              *np.nonzero(territory.assets.planned)[0].tolist(),
                              *np.nonzero(territory.assets.normally_open)[0].tolist()}
                             ) if ls.spare else set()
        for feeder, start, slot in load_shedding(
                list(ls.feeders), start_s=parse_duration(ls.start),
                slot_s=parse_duration(ls.slot), every_s=parse_duration(ls.every),
                days=ls.days):
            rows = [r for r in names.rows([feeder]).tolist() if r not in spared]
            if rows:
                events.extend(outage(rows, start, slot, ls.name))
    absent = set(names.rows(spec.absent).tolist())
    # assets marked `planned` in the territory exist only when a mitigation brings them
    absent |= set(np.nonzero(territory.assets.planned)[0].tolist())
    for m in spec.mitigations:
        rows = names.rows(m.assets).tolist()
        absent |= set(rows)
        events.append(Event(parse_duration(m.at), tuple(rows), "restore",
                            f"mitigation: {m.name}"))
    digest = hashlib.blake2b(digest_size=16)
    hash_file(path, digest)
    for h in spec.hazards:
        if h.footprint is not None:
            hash_file(path.parent / h.footprint, digest)
    assert logistic_names is not None
    crews, rank, supply, absent = build_logistics(spec, territory, compiled, logistic_names,
                                                  absent)
    return Scenario(path, spec, territory, compiled, duration, step, tuple(hazards),
                    tuple(events), tuple(sorted(absent)), exposure, zone_exposure, repair_beta,
                    tuple(problems.warnings), digest.hexdigest(), crews, rank, supply)


def _start_warnings(spec: ScenarioFile, timezone: str, rel: str, line: int | None,
                    problems: Problems) -> None:
    """A ``start`` the clock reads otherwise than written: in a gap or a fold of summer time,
    or with an offset that is not the territory's on that day (docs/scenario-format.md)."""
    if spec.start is None:
        return
    read, odd = local_start(spec.start, timezone)
    if odd is None:
        return
    written = spec.start.isoformat(timespec="minutes")
    if odd == "offset" and spec.start.utcoffset() == timedelta(0):
        return  # UTC, written on purpose
    other = ""
    if odd == "fold":
        other = read.replace(fold=1).isoformat(timespec="minutes")[-6:]
    problems.warning(f"start.{odd}", rel, line=line, field="start", value=written,
                     timezone=timezone, read=read.isoformat(timespec="minutes"), other=other)


def _event_count(spec: ScenarioFile) -> int:
    """How many timed events the scenario makes (an outage is two: fail, restore)."""
    return (sum(2 if e.duration is not None and e.action == "fail" else 1 for e in spec.events)
            + 2 * len(spec.cyber_attacks) + len(spec.mitigations)
            + sum(2 * len(ls.feeders) * ls.days for ls in spec.load_shedding))


@dataclass
class _Parts:
    """The parts of a scenario that are checked against its territory; ``None`` items did
    not pass their own validation (already reported)."""

    territory: str
    duration: str | None
    step: str | None
    hazards: list[HazardSpec | None]
    events: list[EventSpec | None]
    mitigations: list[MitigationSpec | None]
    injects: list[InjectSpec | None]
    cyber: list[CyberAttackSpec | None]
    shedding: list[LoadSheddingSpec | None]
    absent: list[str]
    repairs: dict[str, RepairSpec]

    @classmethod
    def of(cls, spec: ScenarioFile) -> _Parts:
        return cls(spec.territory, spec.duration, spec.step, list(spec.hazards),
                   list(spec.events), list(spec.mitigations), list(spec.injects),
                   list(spec.cyber_attacks), list(spec.load_shedding), list(spec.absent),
                   dict(spec.repairs))

    @classmethod
    def partial(cls, data: dict[str, Any]) -> _Parts | None:
        if not isinstance(data.get("territory"), str):
            return None

        def items(key: str, model: type[Any]) -> list[Any]:
            out: list[Any] = []
            raw = data.get(key)
            for item in raw if isinstance(raw, list) else []:
                try:
                    out.append(model.model_validate(item))
                except PydanticError:
                    out.append(None)
            return out

        def duration(key: str, default: str | None) -> str | None:
            value = data.get(key, default)
            try:
                positive = parse_duration(str(value)) > 0
            except ValueError:
                return None
            return str(value) if positive and not isinstance(value, int | float) else None

        repairs: dict[str, RepairSpec] = {}
        raw = data.get("repairs")
        for kind, item in (raw.items() if isinstance(raw, dict) else []):
            with contextlib.suppress(PydanticError):
                repairs[str(kind)] = RepairSpec.model_validate(item)
        absent = data.get("absent")
        return cls(data["territory"], duration("duration", None), duration("step", "1h"),
                   items("hazards", HazardSpec), items("events", EventSpec),
                   items("mitigations", MitigationSpec), items("injects", InjectSpec),
                   items("cyber_attacks", CyberAttackSpec),
                   items("load_shedding", LoadSheddingSpec),
                   [a for a in absent if isinstance(a, str)] if isinstance(absent, list)
                   else [], repairs)

    def asset_lists(self) -> list[list[str]]:
        """Every list of asset names (and patterns) the scenario holds."""
        return [*(list(e.assets) for e in self.events if e),
                *(list(m.assets) for m in self.mitigations if m),
                *(list(c.assets) for c in self.cyber if c),
                *(list(ls.feeders) for ls in self.shedding if ls),
                *(list(ls.spare) for ls in self.shedding if ls), self.absent]


def _cross_check(parts: _Parts, territory: Territory, path: Path, rel: str,
                 lines: dict[Any, int], problems: Problems, names: AssetNames
                 ) -> list[dict[int, Fragility] | None]:
    """Everything the scenario names must exist in its territory; durations must fit."""
    duration = None
    if parts.duration is not None and parts.step is not None:
        duration, step = parse_duration(parts.duration), parse_duration(parts.step)
        if duration > MAX_DURATION_S:
            problems.error("field.invalid", rel, line=lines.get(("duration",)),
                           field="duration", detail=Msg(N_("longer than ten years")),
                           expected=Msg(N_("e.g. 72h")))
        elif step > duration or duration / step > MAX_STAGES:
            problems.error("field.invalid", rel, line=lines.get(("step",)), field="step",
                           detail=Msg(N_("the step must be at most the duration, and the "
                                         "duration at most {most} steps"), most=MAX_STAGES),
                           expected=Msg(N_("e.g. 1h or 15m")))
    if duration is not None:
        timed = [("events", i, "at", e.at) for i, e in enumerate(parts.events) if e]
        timed += [("injects", i, "at", x.at) for i, x in enumerate(parts.injects) if x]
        timed += [("cyber_attacks", i, "at", c.at) for i, c in enumerate(parts.cyber) if c]
        for key, i, fld, at in timed:
            if parse_duration(at) > duration:
                problems.warning("scenario.after_end", rel, line=lines.get((key, i, fld)),
                                 field=f"{key}.{fld}", at=at)
    kinds = territory.kinds
    seen: set[str] = set()
    fragilities: list[dict[int, Fragility] | None] = []
    for i, h in enumerate(parts.hazards):
        if h is None:
            fragilities.append(None)
            continue
        if h.id in seen:
            problems.error("field.invalid", rel, line=lines.get(("hazards", i, "id")),
                           field="id", ident=h.id,
                           detail=Msg(N_("hazard id '{id}' is used twice"), id=h.id),
                           expected=Msg(N_("a different id for each hazard")))
        seen.add(h.id)
        frag: dict[int, Fragility] = {}
        for kind, curve in h.fragility.items():
            line = lines.get(("hazards", i, "fragility", kind))
            if kind not in kinds:
                problems.error("kind.unknown", rel, line=line, field=f"fragility.{kind}",
                               kind=kind, allowed=", ".join(sorted(kinds)),
                               suggest=suggest(kind, kinds))
                continue
            try:
                frag[territory.kind_names.index(kind)] = parse_fragility(curve)
            except FragilityError as exc:
                problems.error("field.invalid", rel, line=line, field=f"fragility.{kind}",
                               detail=exc, expected=_FRAGILITY_FORMS)
        fragilities.append(frag)
        line = lines.get(("hazards", i, "footprint"))
        if h.footprint is not None:
            pure = Path(h.footprint)
            if pure.is_absolute() or h.footprint.startswith(("/", "\\")):
                problems.error("file.outside", rel, line=line, field="footprint",
                               path=h.footprint)
            elif not (path.parent / pure).exists():
                problems.error("file.missing", rel, line=line, field="footprint",
                               path=h.footprint)
            elif not inside(path.parent / pure, *_roots(path, territory)):
                problems.error("file.outside", rel, line=line, field="footprint",
                               path=h.footprint)
    named: list[tuple[str, int, list[str]]] = [
        *(("events", i, list(e.assets)) for i, e in enumerate(parts.events) if e),
        *(("mitigations", i, list(m.assets)) for i, m in enumerate(parts.mitigations) if m),
        *(("cyber_attacks", i, list(c.assets)) for i, c in enumerate(parts.cyber) if c)]
    for i, ls in enumerate(parts.shedding):
        if ls is not None:
            names.check(list(ls.feeders), rel, lines.get(("load_shedding", i, "feeders")),
                        "load_shedding.feeders", problems)
            names.check(list(ls.spare), rel, lines.get(("load_shedding", i, "spare")),
                        "load_shedding.spare", problems)
    for key, i, assets in named:
        names.check(assets, rel, lines.get((key, i, "assets")), f"{key}.assets", problems)
    names.check(parts.absent, rel, lines.get(("absent",)), "absent", problems)
    for kind in parts.repairs:
        if kind not in kinds:
            problems.error("kind.unknown", rel, line=lines.get(("repairs", kind)),
                           field=f"repairs.{kind}", kind=kind,
                           allowed=", ".join(sorted(kinds)), suggest=suggest(kind, kinds))
    check_injects(parts.injects, territory, rel, lines, problems)
    return fragilities
