"""A study: a scenario's Monte Carlo, its representative run told whole, the criticality
of its assets, and optionally another scenario beside it (its mitigated variant).

Its data files are written into a folder the caller makes whole (``write_study``) and read
back with the scenario re-loaded from its file, checked against the hash recorded at run
time: a report is never drawn from a scenario that changed since.
"""

from __future__ import annotations

import json
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

from tousrisques._exceptions import InputError
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
               horizon_s: float | None = None) -> Study:
    """Run the scenario (and ``other``) and gather what the report needs."""
    ens = run_scenario(scenario, runs=runs, seed=seed, workers=workers, dask=dask,
                       progress=progress)
    compared = None
    if other is not None:
        other_ens = run_scenario(other, runs=runs, seed=seed, workers=workers, dask=dask,
                                 progress=progress)
        compared = _complete(other, other_ens, seed=seed, crit=None, other=None)
    crit = criticality(scenario.compiled, horizon_s=horizon_s,
                       absent=present_after_mitigations(scenario), workers=workers)
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
    """A study back from a run folder (``info``: what ``summary.json`` recorded)."""
    base = folder / prefix if prefix else folder
    s = _reload(info, folder)
    ens = Ensemble.from_parquet(base)
    crit = None
    c = info.get("criticality")
    if c is not None:
        try:
            table = pq.read_table(base / "criticality.parquet")
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(f"{base}: criticality.parquet unreadable ({exc})") from exc
        crit = Criticality(table, float(c["baseline_population"]),
                           int(c["baseline_actors"]), c["horizon_s"])
    other = read_study(folder, info["other"], prefix="other") if "other" in info else None
    study = _complete(s, ens, seed=int(info["seed"]), crit=crit, other=other)
    if study.run != int(info["representative_run"]) or not np.allclose(
            study.result.indicators.values, ens.values[study.run], equal_nan=True):
        raise InputError(f"{base}: the representative run does not replay the same; the "
                         f"results were made by another version — run the scenario again")
    return study


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
    return info
