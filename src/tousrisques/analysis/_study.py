"""A study: a scenario's Monte Carlo, its representative run told whole, the criticality
of its assets, and optionally another scenario beside it (its mitigated variant).

Its data files are written into a folder the caller makes whole (``write_study``) and read
back with the scenario re-loaded from its file, checked against the hash recorded at run
time: a report is never drawn from a scenario that changed since.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tousrisques._exceptions import InputError, ValidationError
from tousrisques._messages import Text
from tousrisques._problems import Problem
from tousrisques.analysis._criticality import Criticality, criticality
from tousrisques.engine import Ensemble, Network, RunResult, Timeline
from tousrisques.scenario import Scenario, load_scenario, replay_run, run_scenario

STUDY_FORMAT = 1
Progress = Callable[[int], None]


@dataclass(frozen=True, eq=False)
class Study:
    """Everything a report and the command line draw on."""

    scenario: Scenario
    ensemble: Ensemble
    run: int  # the representative run
    result: RunResult
    timeline: Timeline
    criticality: Criticality | None  # None for the scenario compared with
    other: Study | None = None  # the scenario compared with (no further nesting)

    @property
    def network(self) -> Network:
        return Network.from_compiled(self.scenario.compiled)


def present_after_mitigations(s: Scenario) -> list[int]:
    """Assets absent for good: absent at the start and never brought by a mitigation."""
    brought = {a for e in s.events if e.action == "restore" for a in e.assets}
    return [a for a in s.absent if a not in brought]


def make_study(scenario: Scenario, *, runs: int | None = None, seed: int | None = None,
               workers: int = 1, dask: str | Any | None = None,
               progress: Progress | None = None, other: Scenario | None = None,
               horizon_s: float | None = None, rank_assets: bool = True) -> Study:
    """Run the scenario (and ``other``) and gather what the report needs (the criticality
    of every asset unless ``rank_assets`` is False: on a very large territory it costs more
    than the Monte Carlo)."""
    ens = run_scenario(scenario, runs=runs, seed=seed, workers=workers, dask=dask,
                       progress=progress)
    compared = None
    if other is not None:
        other_ens = run_scenario(other, runs=runs, seed=seed, workers=workers, dask=dask,
                                 progress=progress)
        compared = _complete(other, other_ens, seed=seed, crit=None, other=None)
    crit = criticality(scenario.compiled, horizon_s=horizon_s,
                       absent=present_after_mitigations(scenario), workers=workers) \
        if rank_assets else None
    return _complete(scenario, ens, seed=seed, crit=crit, other=compared)


def _complete(s: Scenario, ens: Ensemble, *, seed: int | None, crit: Criticality | None,
              other: Study | None) -> Study:
    run = ens.representative_run()
    result, tl = replay_run(s, run, seed=seed)
    return Study(s, ens, run, result, tl, crit, other)


def _scenario_info(s: Scenario, folder: Path) -> dict[str, Any]:
    path = s.path.resolve()
    try:
        rel = os.path.relpath(path, folder.resolve())
    except ValueError:  # another drive
        rel = str(path)
    return {"path": str(path), "relative_path": rel, "hash": s.content_hash,
            "name": {"en": s.spec.name.en, "fr": s.spec.name.fr}}


def write_study(study: Study, folder: Path, final: Path, *, prefix: str = "") -> dict[str, Any]:
    """Write the study's data files into ``folder`` (to be moved to ``final``); returns
    what ``summary.json`` records of it."""
    ens = study.ensemble
    base = folder / prefix if prefix else folder
    base.mkdir(exist_ok=True)
    ens.write_into(base)
    stats = ens.stats_table()
    stats = stats.add_column(2, "time_h", pc.divide(stats.column("time_s"), 3600.0))
    pacsv.write_csv(stats, base / "indicators.csv")
    pq.write_table(study.result.changes, base / "changes.parquet")
    pacsv.write_csv(study.result.changes, base / "changes.csv")
    crit = study.criticality
    if crit is not None:
        pq.write_table(crit.table, base / "criticality.parquet")
        pacsv.write_csv(crit.table, base / "criticality.csv")
    info: dict[str, Any] = {
        "scenario": _scenario_info(study.scenario, final),
        "territory": {"name": study.scenario.territory.name,
                      "hash": study.scenario.compiled.source_hash},
        "runs": ens.runs, "seed": int(ens.metadata.get("seed", "0")),
        "representative_run": study.run,
        "criticality": None if crit is None else {
            "horizon_s": crit.horizon_s, "baseline_population": crit.baseline_population,
            "baseline_actors": crit.baseline_actors},
    }
    if study.other is not None:
        info["other"] = write_study(study.other, folder, final, prefix="other")
    return info


def _reload(info: dict[str, Any], folder: Path) -> Scenario:
    candidates = [folder / info["scenario"]["relative_path"], Path(info["scenario"]["path"])]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise InputError(f"{folder}: the scenario of this run is no longer at "
                         f"{info['scenario']['path']}; run it again with `tousrisques run`")
    s = load_scenario(path)
    if s.content_hash != info["scenario"]["hash"]:
        raise InputError(f"{folder}: the scenario {path} changed since this run; run it again "
                         f"with `tousrisques run` / le scénario a changé depuis ce calcul : "
                         f"relancez-le")
    recorded = info.get("territory", {}).get("hash")
    if recorded and s.compiled.source_hash != recorded:
        where = s.territory.folder or s.territory.name
        raise InputError(f"{folder}: the territory {where} changed since this run; run the "
                         f"scenario again with `tousrisques run` / le territoire a changé "
                         f"depuis ce calcul : relancez-le")
    return s


def read_study(folder: Path, info: dict[str, Any], *, prefix: str = "") -> Study:
    """A study back from a run folder (``info``: what ``summary.json`` recorded, checked by
    ``read_summary``)."""
    base = folder / prefix if prefix else folder
    s = _reload(info, folder)
    missing = [name for name in ("zones.parquet", "actor_channels.parquet")
               if not (base / name).is_file()]
    if missing:  # the maps and the actors' channels would be drawn from nothing
        raise InputError(f"{base}: {', '.join(missing)} missing; this folder is not whole — "
                         f"run the scenario again with `tousrisques run`")
    ens = Ensemble.from_parquet(base)
    _check_matches(ens, s, info, base)
    crit = None
    c = info.get("criticality")
    if c is not None:
        crit = Criticality(_criticality_table(base, s), float(c["baseline_population"]),
                           int(c["baseline_actors"]), c["horizon_s"])
    other = read_study(folder, info["other"], prefix="other") \
        if "other" in info and not prefix else None  # no further nesting
    study = _complete(s, ens, seed=int(info["seed"]), crit=crit, other=other)
    if study.run != int(info["representative_run"]) or not np.allclose(
            study.result.indicators.values, ens.values[study.run], equal_nan=True):
        raise InputError(f"{base}: the representative run does not replay the same; the "
                         f"results were made by another version — run the scenario again")
    return study


def _check_matches(ens: Ensemble, s: Scenario, info: dict[str, Any], base: Path) -> None:
    """The Parquet files are those of this summary and of this territory (not copied from
    another run folder)."""
    c = s.compiled
    zones = tuple(str(x) for x in c.zone_ids.to_pylist())
    actors = tuple(str(x) for x in c.actor_ids.tolist())
    wrong = []
    if ens.runs != info["runs"]:
        wrong.append(f"runs.parquet holds {ens.runs} runs, summary.json says {info['runs']}")
    if ens.metadata.get("seed", str(info["seed"])) != str(info["seed"]):
        wrong.append(f"runs.parquet was made with seed {ens.metadata['seed']}, summary.json "
                     f"says {info['seed']}")
    if ens.zone_reached is not None and ens.zone_ids != zones:
        wrong.append("zones.parquet is not about the zones of the territory")
    if ens.actor_channels is not None and ens.actor_ids != actors:
        wrong.append("actor_channels.parquet is not about the actors of the territory")
    if wrong:
        raise InputError(f"{base}: {'; '.join(wrong)} — the files of this folder do not belong "
                         f"together; run the scenario again with `tousrisques run`")


CRITICALITY_COLUMNS = ("rank", "asset", "kind", "population_lost", "population_share",
                       "actors_cut", "assets_down")


def _criticality_table(base: Path, s: Scenario) -> pa.Table:
    path = base / "criticality.parquet"
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{base}: criticality.parquet unreadable ({exc})") from exc
    absent = [name for name in CRITICALITY_COLUMNS if name not in table.column_names]
    absent += [name for name in CRITICALITY_COLUMNS[3:] if name not in absent
               and not pa.types.is_integer(table.schema.field(name).type)
               and not pa.types.is_floating(table.schema.field(name).type)]
    if absent:
        raise InputError(f"{path}: columns {', '.join(absent)} missing or not numbers; run "
                         f"the scenario again with `tousrisques run`")
    try:
        assets = [str(a) for a in table.column("asset").to_pylist()]
        rows = s.territory.assets.rows_of(assets)
    except pa.ArrowException as exc:
        raise InputError(f"{path}: column asset unreadable ({exc}); run the scenario again "
                         f"with `tousrisques run`") from exc
    known = set(s.territory.kinds)
    unknown = [a for a, r, k in zip(assets, rows.tolist(), table.column("kind").to_pylist(),
                                    strict=True)
               if r < 0 or not isinstance(k, str) or k not in known][:5]
    if unknown:
        raise InputError(f"{path}: assets or kinds not in the territory "
                         f"({', '.join(unknown)}); run the scenario again with "
                         f"`tousrisques run`")
    return table


def read_summary(folder: Path) -> dict[str, Any]:
    """``summary.json`` of a run folder, checked."""
    path = folder / "summary.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{folder}: not a run folder (no summary.json); make one with "
                         f"`tousrisques run SCENARIO -o {folder}`") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable ({exc})") from exc
    if not isinstance(info, dict) or info.get("format") != STUDY_FORMAT:
        raise InputError(f"{path}: not a summary of format {STUDY_FORMAT}; run the scenario "
                         f"again with this version")
    problems = _summary_problems(info, str(path))
    if problems:
        raise ValidationError(problems)
    return info


_INTEGER = Text("an integer, 0 or more", "un entier, 0 ou plus")
_RUNS = Text("an integer, 1 or more", "un entier, 1 ou plus")
_NUMBER = Text("a number", "un nombre")
_NUMBER_OR_NULL = Text("a number, or null", "un nombre, ou null")
_TEXT = Text("a text", "un texte")
_OBJECT = Text("an object {...}", "un objet {...}")
_OBJECT_OR_NULL = Text("an object {...}, or null", "un objet {...}, ou null")
_AS_WRITTEN = Text("what `tousrisques run` wrote there, or run the scenario again",
                   "ce qu'y a écrit `tousrisques run`, ou relancez le scénario")


def _summary_problems(info: dict[str, Any], file: str, prefix: str = "") -> list[Problem]:
    """Every field of ``summary.json`` that the commands read, of the right type (a summary
    edited by hand must give a message, not a KeyError)."""
    problems: list[Problem] = []

    def check(obj: dict[str, Any], name: str, expected: Text, ok: Callable[[Any], bool],
              *, required: bool = True, within: str = "") -> bool:
        field = prefix + (f"{within}.{name}" if within else name)
        if name not in obj:
            if required:
                problems.append(Problem("field.missing", file, {"expected": expected},
                                        field=field))
            return False
        if not ok(obj[name]):
            got = json.dumps(obj[name], ensure_ascii=False)
            problems.append(Problem("field.type", file, {
                "expected_type": expected, "got": got if len(got) < 60 else got[:57] + "…",
                "expected": _AS_WRITTEN}, field=field))
            return False
        return True

    def integer(low: int) -> Callable[[Any], bool]:
        return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= low

    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    def is_dict(v: Any) -> bool:
        return isinstance(v, dict)

    def is_text(v: Any) -> bool:
        return isinstance(v, str) and "\0" not in v

    if check(info, "scenario", _OBJECT, is_dict):
        for name in ("path", "relative_path", "hash"):
            check(info["scenario"], name, _TEXT, is_text, within="scenario")
    if check(info, "territory", _OBJECT, is_dict, required=False):
        check(info["territory"], "hash", _TEXT, lambda v: v is None or is_text(v),
              required=False, within="territory")
    runs_ok = check(info, "runs", _RUNS, integer(1))
    check(info, "seed", _INTEGER, integer(0))
    if check(info, "representative_run", _INTEGER, integer(0)) and runs_ok \
            and info["representative_run"] >= info["runs"]:
        problems.append(Problem("field.invalid", file, {
            "detail": Text(f"run {info['representative_run']} of {info['runs']} runs "
                           f"(numbered from 0)", f"tirage {info['representative_run']} sur "
                           f"{info['runs']} (numérotés à partir de 0)"),
            "expected": _AS_WRITTEN}, field=prefix + "representative_run"))
    if check(info, "criticality", _OBJECT_OR_NULL, lambda v: v is None or is_dict(v),
             required=False) and info["criticality"] is not None:
        crit = info["criticality"]
        check(crit, "baseline_population", _NUMBER, number, within="criticality")
        check(crit, "baseline_actors", _INTEGER, integer(0), within="criticality")
        check(crit, "horizon_s", _NUMBER_OR_NULL, lambda v: v is None or number(v),
              within="criticality")
    if not prefix and check(info, "other", _OBJECT, is_dict, required=False):
        problems += _summary_problems(info["other"], file, "other.")
    return problems
