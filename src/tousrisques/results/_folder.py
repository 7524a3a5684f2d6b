"""A run folder: the study's data files, copies of its inputs, ``summary.json`` with the
hash of every file, and whatever the caller adds (the report), written in a temporary folder
beside the target and moved in whole — a crash, a kill or a bad input leaves either no
folder or the previous one, never half of one.

Layout (docs/outputs.md lists every column)::

    summary.json            what was run, shapes and hashes of every file, key figures
    stats.parquet           per indicator and time: mean, P10, P50, P90 (values, counts)
    runs.parquet            every run's indicators
    indicators.csv          stats.parquet as CSV, with time_h
    zones.parquet           per zone, broadcast channel and time: share of runs reached
    actor_channels.parquet  per actor, channel and time: share of runs available
    changes.parquet/.csv    the representative run's log of changes, with causes
    criticality.parquet/.csv
    inputs/                 copies of the inputs, so that the folder travels: territory/
                            (territory.yaml and its files), scenario/ (with its footprints)
    report.html             the report, when the caller adds it
    other/                  the same files for the scenario compared with, if any
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tousrisques._atomic import atomic_folder
from tousrisques._csvsafe import write_csv
from tousrisques._exceptions import InputError, ValidationError
from tousrisques._i18n import both
from tousrisques._version import __version__
from tousrisques.analysis import Criticality, Ensemble, Study, complete_study, ranking_order
from tousrisques.results._ensemble_io import (
    Shape,
    read_ensemble,
    read_parquet,
    shape_of,
    write_ensemble,
)
from tousrisques.results._figures import key_figures
from tousrisques.results._files import check_sizes, describe_tree, file_hash
from tousrisques.results._findings import findings
from tousrisques.results._inputs import changed_originals, copy_inputs
from tousrisques.results._summary import FORMAT, read_summary
from tousrisques.results._tables import changes_table, with_local_time
from tousrisques.scenario import Scenario, load_scenario

CRITICALITY_COLUMNS = {
    "rank": "number",
    "asset": "text",
    "name": "text",
    "kind": "text",
    "commune": "text",
    "feeder": "text",
    "group": "text",
    "group_size": "number",
    "severity": "number",
    "main_lost": "number",
    "main_share": "number",
    "actors_cut_off": "number",
    "actors_cut": "number",
    "population_lost": "number",
    "population_share": "number",
    "assets_down": "number",
}  # then population_lost:<channel> for each broadcast channel of the territory


@dataclass(frozen=True, eq=False)
class RunFolder:
    """A run folder read back: its study, its summary, and the original inputs that changed
    since the run (the study is always drawn from the copies the folder keeps).

    Attributes
    ----------
    study : Study
        Reloaded from the folder's copies of its inputs, its representative run replayed.
    summary : dict
        ``summary.json``, checked field by field.
    inputs_changed : tuple of str
        The original input files (by path) that changed since the run; empty when none did
        or when they are not at hand (a folder that travelled).

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> import tempfile
    >>> from tousrisques.results import write_run
    >>> out = tempfile.mkdtemp()
    >>> summary = write_run(study, f"{out}/tempete")
    >>> from tousrisques.results import read_run
    >>> folder = read_run(f"{out}/tempete")
    >>> folder.summary["runs"], folder.inputs_changed
    (2, ())
    """

    study: Study
    summary: dict[str, Any]
    inputs_changed: tuple[str, ...] = field(default=())


def _clean(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def summary_figures(study: Study) -> dict[str, Any]:
    """The key figures and findings of ``study`` as plain JSON (rounded to 6 digits).

    Parameters
    ----------
    study : Study

    Returns
    -------
    dict
        ``{"key_figures": [...], "findings": [...]}``: each figure with its ``id``, ``label``
        in both languages, ``unit``, ``median``, ``mean``, ``p10``, ``p90``, ``at_h``,
        ``count`` (people), ``holds`` and ``note`` (the assumptions); each finding with
        its ``kind`` and numbers (None where a number is not finite). A figure's ``median``
        is what the report shows; ``holds`` says that its indicator never moves.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> from tousrisques.results import summary_figures
    >>> first = summary_figures(study)["key_figures"][0]
    >>> first["id"], first["unit"], first["label"]["en"].startswith("People reached")
    ('reach_network_worst', 'share', True)
    """
    s, ens = study.scenario, study.ensemble
    return {
        "key_figures": [
            {
                "id": f.id,
                "label": both(f.label),
                "unit": f.unit,
                "median": _clean(f.value),
                "mean": _clean(f.mean),
                "p10": _clean(f.p10),
                "p90": _clean(f.p90),
                "at_h": _clean(f.at_h),
                "count": _clean(f.count),
                "holds": f.holds,
                "note": None if f.note is None else both(f.note),
            }
            for f in key_figures(s, ens)
        ],
        "findings": [
            {
                "kind": f.kind,
                "at_h": _clean(f.at_h),
                "median": _clean(f.value),
                "p10": _clean(f.p10),
                "p90": _clean(f.p90),
                "total": _clean(f.total),
                "subject": None if f.subject is None else both(f.subject),
            }
            for f in findings(s, ens)
        ],
    }


def _write_study(study: Study, folder: Path, final: Path, *, prefix: str = "") -> dict[str, Any]:
    """Write the study's data files and input copies into ``folder`` (to be moved to
    ``final``); returns what ``summary.json`` records of it."""
    ens = study.ensemble
    base = folder / prefix if prefix else folder
    base.mkdir(exist_ok=True)
    write_ensemble(ens, base)
    stats = ens.stats_table()
    stats = stats.add_column(2, "time_h", pc.divide(stats.column("time_s"), 3600.0))
    start = study.scenario.start
    stats = with_local_time(stats, start, 3)
    write_csv(stats, base / "indicators.csv")
    changes = with_local_time(changes_table(study.scenario.compiled, study.timeline), start, 1)
    pq.write_table(changes, base / "changes.parquet")
    write_csv(changes, base / "changes.csv")
    crit = study.criticality
    if crit is not None:
        pq.write_table(crit.table, base / "criticality.parquet")
        write_csv(crit.table, base / "criticality.csv")
    s = study.scenario
    info: dict[str, Any] = {
        "scenario": {
            "path": str(s.path.resolve()),
            "hash": s.content_hash,
            "name": {"en": s.spec.name.en, "fr": s.spec.name.fr},
        },
        "territory": {"name": s.territory.name, "hash": s.compiled.source_hash},
        # the clock of the outputs: t = 0 as an aware ISO date-time, and the territory's zone
        "start": s.start.isoformat() if s.start is not None else None,
        "timezone": s.territory.timezone,
        "inputs": copy_inputs(s, base, f"{prefix}/" if prefix else ""),
        "runs": ens.runs,
        "seed": int(ens.metadata.get("seed", "0")),
        "representative_run": study.run,
        "shape": shape_of(ens).as_json(),
        "criticality": None
        if crit is None
        else {
            "horizon_s": crit.horizon_s,
            "baseline_population": crit.baseline_population,
            "baseline_actors": crit.baseline_actors,
            "main_channel": crit.main_channel,
            "baseline_main": crit.baseline_main,
            "by": crit.by,
        },
    }
    if study.other is not None:
        info["other"] = _write_study(study.other, folder, final, prefix="other")
    return info


def write_run(
    study: Study,
    folder: str | Path,
    *,
    files: Mapping[str, str | bytes] | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Write the run folder of ``study``, whole or not at all.

    Parameters
    ----------
    study : Study
        From ``tousrisques.analysis.make_study``.
    folder : str or Path
        Where to write it.
    files : mapping, optional
        More files to put in it, by name or path inside it (``{"report.html": html}``).
    replace : bool
        Replace ``folder`` when it exists; without it an existing folder is refused (it is
        only ever replaced when it is a run folder).

    Returns
    -------
    dict
        What ``summary.json`` holds.

    Examples
    --------
    >>> import tempfile
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.results import read_run, write_run
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=3)
    >>> out = tempfile.mkdtemp()
    >>> summary = write_run(study, f"{out}/tempete")
    >>> read_run(f"{out}/tempete").study.run == summary["representative_run"]
    True
    """
    folder = Path(folder)
    with atomic_folder(folder, replace=replace, marker="summary.json") as tmp:
        info = _write_study(study, tmp, folder)
        # what is read back; not the report, which may be redrawn
        hashes, sizes = describe_tree(tmp)
        for name, content in (files or {}).items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)  # "advice/plan.yaml"
            (tmp / name).write_bytes(data)
        summary = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "version": __version__,
            **info,
            **summary_figures(study),
            "files": hashes,
            "sizes": sizes,
        }
        (tmp / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    return summary


def read_run(folder: str | Path) -> RunFolder:
    r"""A run folder back, checked: every file against its hash, every size before it is
    read, the study reloaded from the copies of its inputs and its representative run
    replayed to the same numbers.

    Parameters
    ----------
    folder : str or Path
        A run folder written by :func:`write_run` (or ``tousrisques run``), here or on
        another machine.

    Returns
    -------
    RunFolder
        The study, the summary and the original inputs changed since the run.

    Raises
    ------
    InputError
        When anything in the folder is not what ``write_run`` wrote (the message says what):
        no folder (``run.none``), a file changed since the run (``run.changed``), a Parquet
        file of another size or shape, inputs that no longer give the same numbers.
    ValidationError
        When ``summary.json`` has wrong fields (every problem listed).

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> import tempfile
    >>> from tousrisques.results import write_run
    >>> out = tempfile.mkdtemp()
    >>> summary = write_run(study, f"{out}/tempete")
    >>> from tousrisques import InputError
    >>> from tousrisques.results import read_run
    >>> read_run(f"{out}/tempete").study.run == summary["representative_run"]
    True
    >>> with open(f"{out}/tempete/indicators.csv", "r+b") as f:  # a byte edited by hand
    ...     _ = f.write(b"#")
    >>> try:
    ...     read_run(f"{out}/tempete")
    ... except InputError as exc:
    ...     print(exc.code)
    run.changed
    >>> with open(f"{out}/tempete/indicators.csv", "a") as f:  # a line added
    ...     _ = f.write("0,0,0\n")
    >>> try:
    ...     read_run(f"{out}/tempete")
    ... except InputError as exc:
    ...     print(exc.code)
    run.size
    """
    folder = Path(folder)
    info = read_summary(folder)
    files: dict[str, str] = info["files"]
    resized = check_sizes(folder, info["sizes"])
    if resized:
        raise InputError("run.size", path=folder, files=", ".join(resized[:5]))
    changed = [name for name, h in files.items() if file_hash(folder / name) != h]
    if changed:
        raise InputError("run.changed", path=folder, files=", ".join(changed[:5]))
    study = _read_study(folder, info)
    originals = changed_originals(info.get("inputs", {}), folder, files)
    if "other" in info:
        originals += changed_originals(info["other"].get("inputs", {}), folder, files)
    return RunFolder(study, info, tuple(dict.fromkeys(originals)))


def _reload(info: dict[str, Any], folder: Path) -> Scenario:
    inputs = info.get("inputs")
    if not isinstance(inputs, dict) or not all(
        isinstance(inputs.get(k), str) for k in ("scenario", "territory")
    ):
        raise InputError("run.inputs_missing", path=folder / "summary.json")
    scenario, territory = folder / inputs["scenario"], folder / inputs["territory"]
    for p in (scenario, territory):
        if not p.resolve().is_relative_to(folder.resolve()):
            raise InputError("run.inputs_outside", path=folder / "summary.json")
    try:
        s = load_scenario(scenario, territory_folder=territory)
    except ValidationError as exc:
        raise InputError("run.inputs_invalid", path=folder, count=len(exc.problems)) from exc
    if s.content_hash != info["scenario"]["hash"] or s.compiled.source_hash != info.get(
        "territory", {}
    ).get("hash"):
        raise InputError("run.inputs_other", path=folder)
    return s


def _read_study(folder: Path, info: dict[str, Any], *, prefix: str = "") -> Study:
    base = folder / prefix if prefix else folder
    s = _reload(info, folder)
    ens = read_ensemble(base, Shape(**info["shape"]))
    _check_matches(ens, s, info, base)
    crit = None
    c = info.get("criticality")
    if c is not None:
        by = c.get("by", "severity")
        crit = Criticality(
            _criticality_table(base, s, by),
            float(c["baseline_population"]),
            int(c["baseline_actors"]),
            c["horizon_s"],
            c.get("main_channel"),
            float(c.get("baseline_main", 0.0)),
            by,
        )
    other = (
        _read_study(folder, info["other"], prefix="other")
        if "other" in info and not prefix
        else None
    )  # no further nesting
    study = complete_study(s, ens, seed=int(info["seed"]), crit=crit, other=other)
    if study.run != int(info["representative_run"]) or not np.allclose(
        study.indicators.values, ens.values[study.run], equal_nan=True
    ):
        raise InputError("run.replay", path=base)
    return study


def _check_matches(ens: Ensemble, s: Scenario, info: dict[str, Any], base: Path) -> None:
    """The Parquet files are those of this summary and of this territory (not copied from
    another run folder)."""
    c = s.compiled
    zones = tuple(str(x) for x in c.zone_ids.to_pylist())
    actors = tuple(str(x) for x in c.actor_ids.tolist())
    wrong = []
    if ens.metadata.get("seed", str(info["seed"])) != str(info["seed"]):
        wrong.append(InputError("run.seed", got=ens.metadata["seed"], expected=info["seed"]))
    if ens.zone_reached is not None and ens.zone_ids != zones:
        wrong.append(InputError("run.zones_other"))
    if ens.actor_channels is not None and ens.actor_ids != actors:
        wrong.append(InputError("run.actors_other"))
    expected_t = len(np.arange(0.0, s.duration_s + s.step_s / 2, s.step_s))
    if len(ens.times_s) != expected_t:
        wrong.append(InputError("run.times", got=len(ens.times_s), expected=expected_t))
    elif ens.zone_reached is not None and ens.zone_ids == zones:
        # each zone's share of runs, weighted by its people, is the mean number of people
        # reached over the runs: a zones.parquet forged apart from runs.parquet shows
        for j, channel in enumerate(ens.broadcast_ids):
            name = f"population_reached:{channel}"
            if name not in ens.names:
                continue
            by_zones = ens.zone_reached[:, j, :] @ c.population
            by_runs = ens.counts[:, ens.names.index(name), :].mean(axis=0)
            if not np.allclose(by_zones, by_runs, rtol=1e-6, atol=0.5):
                k = int(np.argmax(np.abs(by_zones - by_runs)))
                wrong.append(InputError("run.reach", channel=channel,
                                        zones=round(float(by_zones[k])),
                                        runs=round(float(by_runs[k]))))
                break
    if wrong:
        raise InputError("run.apart", path=base, wrong=wrong)


def _criticality_table(base: Path, s: Scenario, by: str) -> pa.Table:
    path = base / "criticality.parquet"
    c = s.compiled
    columns = CRITICALITY_COLUMNS | {f"population_lost:{ch}": "number"
                                     for ch in c.channel_ids[c.channel_broadcast].tolist()}
    table = read_parquet(path, max_rows=c.n_assets, columns=columns)
    rows = table.num_rows
    ranks = table.column("rank").to_numpy()
    if not np.array_equal(ranks, np.arange(1, rows + 1)):
        raise InputError("run.ranks", path=path)
    # ranked as summary.json says (lexsort is stable: a table in order sorts to itself)
    order = ranking_order(table, by)
    if not np.array_equal(order, np.arange(rows)):
        row = int(np.nonzero(order != np.arange(rows))[0][0])
        raise InputError("run.criticality_order", path=path, row=row + 2)
    assets = [str(a) for a in table.column("asset").to_pylist()]
    rows_of = s.territory.assets.rows_of(assets)
    known = set(s.territory.kinds)
    unknown = [
        a
        for a, r, k in zip(assets, rows_of.tolist(), table.column("kind").to_pylist(), strict=True)
        if r < 0 or k not in known
    ][:5]
    if unknown:
        raise InputError("run.criticality_unknown", path=path, assets=", ".join(unknown))
    return table
