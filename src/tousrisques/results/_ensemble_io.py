"""The Monte Carlo's files in a run folder: written from an :class:`Ensemble`, read back with
every size known before reading and every share checked to be a share.

``stats.parquet`` (name, time_s, mean, p10, p50, p90 and the same of counts), ``runs.parquet``
(run, name, time_s, value, count), ``zones.parquet`` (zone, channel, time_s, reached_share;
channel "any" for any broadcast) and ``actor_channels.parquet`` (actor, channel, time_s,
available_share), with the metadata in every file's schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from tousrisques._exceptions import InputError
from tousrisques.analysis import Ensemble
from tousrisques.results._files import max_file_bytes, read_bounded

META_KEY = b"tousrisques"
#: indicators whose values are shares of something, in [0, 1]
FloatArray = npt.NDArray[np.float64]
SHARE_PREFIXES = ("population_reached:", "assets_working:", "actors_connected", "services_up",
                  "population_without_power", "vulnerable_unreached:", "sites_down:")


@dataclass(frozen=True)
class Shape:
    """How many of each the files hold; recorded in ``summary.json`` so that a file's size
    is known before it is read.

    Attributes
    ----------
    runs, indicators, times : int
    zones : int
    broadcasts : int
        Broadcast channels, and "any".
    actors, channels : int

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import shape_of
    >>> shape_of(ens).as_json()["runs"], shape_of(ens).times
    (2, 49)
    """

    runs: int
    indicators: int
    times: int
    zones: int
    broadcasts: int  # broadcast channels, and "any"
    actors: int
    channels: int

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


def shape_of(ens: Ensemble) -> Shape:
    """How many runs, indicators, times, zones, channels and actors ``ens`` holds.

    Parameters
    ----------
    ens : Ensemble

    Returns
    -------
    Shape

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import shape_of
    >>> shape_of(ens)
    Shape(runs=2, indicators=32, times=49, zones=4, broadcasts=3, actors=5, channels=6)
    """
    n_b = 0 if ens.zone_reached is None else ens.zone_reached.shape[1]
    return Shape(
        ens.runs,
        len(ens.names),
        len(ens.times_s),
        len(ens.zone_ids),
        n_b,
        len(ens.actor_ids),
        len(ens.channel_ids),
    )


def write_ensemble(ens: Ensemble, folder: Path) -> None:
    """Write the Parquet files of ``ens`` into ``folder`` (which the caller makes whole).

    Parameters
    ----------
    ens : Ensemble
    folder : Path
        An existing folder (a temporary one that the caller moves into place whole).

    Returns
    -------
    None

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> from tousrisques.results import write_ensemble
    >>> out = Path(tempfile.mkdtemp())
    >>> write_ensemble(ens, out)
    >>> sorted(os.listdir(out))
    ['actor_channels.parquet', 'runs.parquet', 'stats.parquet', 'zones.parquet']
    """
    meta = {META_KEY: json.dumps(ens.metadata).encode()}
    runs, n, t = ens.values.shape
    runs_table = pa.table(
        {
            "run": np.repeat(np.arange(runs), n * t),
            "name": np.tile(np.repeat(np.array(ens.names, dtype=object), t), runs).tolist(),
            "time_s": np.tile(ens.times_s, runs * n),
            "value": ens.values.ravel(),
            "count": ens.counts.ravel(),
        }
    )
    pq.write_table(ens.stats_table().replace_schema_metadata(meta), folder / "stats.parquet")
    pq.write_table(runs_table.replace_schema_metadata(meta), folder / "runs.parquet")
    if ens.zone_reached is not None:
        n_t, n_b, n_z = ens.zone_reached.shape
        pq.write_table(
            pa.table(
                {
                    "zone": np.tile(np.array(ens.zone_ids, dtype=object), n_t * n_b).tolist(),
                    "channel": np.tile(
                        np.repeat(np.array(ens.broadcast_ids, dtype=object), n_z), n_t
                    ).tolist(),
                    "time_s": np.repeat(ens.times_s, n_b * n_z),
                    "reached_share": ens.zone_reached.ravel(),
                }
            ).replace_schema_metadata(meta),
            folder / "zones.parquet",
        )
    if ens.actor_channels is not None:
        n_t, n_a, n_c = ens.actor_channels.shape
        pq.write_table(
            pa.table(
                {
                    "actor": np.tile(
                        np.repeat(np.array(ens.actor_ids, dtype=object), n_c), n_t
                    ).tolist(),
                    "channel": np.tile(np.array(ens.channel_ids, dtype=object), n_t * n_a).tolist(),
                    "time_s": np.repeat(ens.times_s, n_a * n_c),
                    "available_share": ens.actor_channels.ravel(),
                }
            ).replace_schema_metadata(meta),
            folder / "actor_channels.parquet",
        )


def read_parquet(path: Path, *, columns: dict[str, str], rows: int | None = None,
                 max_rows: int | None = None) -> pa.Table:
    """A Parquet file of the run folder that must hold exactly ``rows`` rows (or at most
    ``max_rows``, one per asset of the territory) and these columns (name → ``"number"`` or
    ``"text"``); its footer is read and checked before its data, so a file that claims more
    rows than expected or hides a bomb is refused unread.
    """
    raw = read_bounded(path, max_bytes=max_file_bytes())
    try:
        pf = pq.ParquetFile(pa.BufferReader(raw))
        meta = pf.metadata
        if rows is not None and meta.num_rows != rows:
            raise InputError("run.rows", path=path, rows=meta.num_rows, expected=rows)
        if max_rows is not None and meta.num_rows > max_rows:
            raise InputError("run.criticality_rows", path=path, rows=meta.num_rows,
                             assets=max_rows)
        rows = meta.num_rows
        # what the data would take once decoded: at most a few hundred bytes a row
        decoded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if decoded > rows * 64 * max(1, len(columns)) + (1 << 20):
            raise InputError("run.bomb", path=path, size=decoded, rows=rows)
        names = set(pf.schema_arrow.names)
        missing = [c for c in columns if c not in names]
        if missing:
            raise InputError("run.columns", path=path, columns=", ".join(missing))
        table = pf.read(columns=list(columns))
    except InputError:
        raise
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InputError("run.parquet", path=path, detail=exc) from None
    for name, kind in columns.items():
        typ = table.schema.field(name).type
        ok = (
            (pa.types.is_integer(typ) or pa.types.is_floating(typ))
            if kind == "number"
            else (pa.types.is_string(typ) or pa.types.is_large_string(typ))
        )
        if not ok and kind == "number":
            raise InputError("run.not_numbers", path=path, column=name, type=typ)
        if not ok:
            raise InputError("run.not_text", path=path, column=name, type=typ)
        if kind == "text" and table.column(name).null_count:
            raise InputError("run.empty_cells", path=path, column=name)
    return table


def _shares(values: np.ndarray[Any, Any], path: Path, column: str) -> None:
    finite = values[np.isfinite(values)]
    if len(finite) != len(values) or (finite < 0).any() or (finite > 1).any():
        bad = values[~(np.isfinite(values) & (values >= 0) & (values <= 1))][0]
        raise InputError("run.share", path=path, column=column, value=bad)


def _shares_table(path: Path, names: tuple[str, str, str], dims: tuple[int, int, int],
                  wrong: str) -> tuple[tuple[str, ...], tuple[str, ...], FloatArray]:
    """A table of shares by time and two keys (``names``: the key that varies slower, the
    one that varies faster, the share): the ids of each key in the order written, and the
    shares as an array of ``dims`` (times, slower, faster), each checked."""
    slow, fast, value = names
    table = read_parquet(path, rows=dims[0] * dims[1] * dims[2], columns={
        slow: "text", fast: "text", "time_s": "number", value: "number"})
    slow_ids = tuple(str(x) for x in dict.fromkeys(table.column(slow).to_pylist()))
    fast_ids = tuple(str(x) for x in dict.fromkeys(table.column(fast).to_pylist()))
    if (len(slow_ids), len(fast_ids)) != dims[1:]:
        if wrong == "zones":
            raise InputError("run.zones", path=path)
        raise InputError("run.actors", path=path)
    share = table.column(value).to_numpy().astype(np.float64)
    _shares(share, path, value)
    return slow_ids, fast_ids, share.reshape(dims)


def read_ensemble(folder: Path, shape: Shape) -> Ensemble:
    """The Monte Carlo of a run folder, each file of the size ``shape`` says.

    Parameters
    ----------
    folder : Path
        Where :func:`write_ensemble` wrote.
    shape : Shape
        What the files must hold (from ``summary.json``); a file of another size is refused
        before it is read.

    Returns
    -------
    Ensemble

    Raises
    ------
    InputError
        A file missing, of another size or shape, or a share outside [0, 1].

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> import tempfile
    >>> from pathlib import Path
    >>> from tousrisques.results import read_ensemble, shape_of, write_ensemble
    >>> out = Path(tempfile.mkdtemp())
    >>> write_ensemble(ens, out)
    >>> back = read_ensemble(out, shape_of(ens))
    >>> bool((back.values == ens.values).all()), back.names == ens.names
    (True, True)
    """
    runs_path = folder / "runs.parquet"
    n_rows = shape.runs * shape.indicators * shape.times
    table = read_parquet(
        runs_path,
        rows=n_rows,
        columns={
            "run": "number",
            "name": "text",
            "time_s": "number",
            "value": "number",
            "count": "number",
        },
    )
    try:
        meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
    except ValueError:
        meta = None
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise InputError("run.metadata", path=runs_path)
    names = tuple(str(n) for n in dict.fromkeys(table.column("name").to_pylist()))
    run = table.column("run").to_numpy()
    expected_run = np.repeat(np.arange(shape.runs), shape.indicators * shape.times)
    if len(names) != shape.indicators or not np.array_equal(run, expected_run):
        raise InputError("run.order", path=runs_path)
    dims = (shape.runs, shape.indicators, shape.times)
    values = table.column("value").to_numpy().astype(np.float64).reshape(dims)
    counts = table.column("count").to_numpy().astype(np.float64).reshape(dims)
    times = table.column("time_s").to_numpy()[: shape.times].astype(np.float64)
    for j, name in enumerate(names):
        if name.startswith(SHARE_PREFIXES):
            v = values[:, j, :].ravel()
            _shares(v[~np.isnan(v)], runs_path, f"value ({name})")
    zone_reached = None
    zone_ids: tuple[str, ...] = ()
    broadcast_ids: tuple[str, ...] = ()
    if shape.zones:
        broadcast_ids, zone_ids, zone_reached = _shares_table(
            folder / "zones.parquet", ("channel", "zone", "reached_share"),
            (shape.times, shape.broadcasts, shape.zones), "zones")
    actor_ids, channel_ids, actor_channels = _shares_table(
        folder / "actor_channels.parquet", ("actor", "channel", "available_share"),
        (shape.times, shape.actors, shape.channels), "actors")
    return Ensemble(
        times,
        names,
        values,
        counts,
        meta,
        zone_reached,
        actor_channels,
        zone_ids,
        actor_ids,
        channel_ids,
        broadcast_ids,
    )
