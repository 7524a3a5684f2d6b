"""`run --dask`: the same numbers as local processes; an address that does not answer is a
clear bad input, not a crash."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import bad_input, invoke
from tests.conftest import EXAMPLE
from tests.runs import run_scenario

SCENARIO = EXAMPLE / "scenarios" / "tempete.yaml"


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_numbers_of_one_process(tmp_path: Path) -> None:
    r = invoke("run", str(SCENARIO), "--runs", "4", "--dask", "local", "--no-report",
               "-o", str(tmp_path / "dask"), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["runs"] == 4
    r = invoke("run", str(SCENARIO), "--runs", "4", "--workers", "1", "--no-report",
               "-o", str(tmp_path / "local"))
    assert r.exit_code == 0, r.output
    a = pq.read_table(tmp_path / "dask" / "runs.parquet").to_pydict()
    b = pq.read_table(tmp_path / "local" / "runs.parquet").to_pydict()
    assert a["name"] == b["name"] and a["run"] == b["run"]
    for column in ("value", "count"):  # NaN counts (latencies) compare equal here
        assert np.array_equal(a[column], b[column], equal_nan=True)


@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1:1"])
def test_an_address_where_no_scheduler_answers_is_bad_input(address: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setattr("tousrisques.cli._run.DASK_TIMEOUT", "1s")
    r = invoke("run", str(SCENARIO), "--runs", "2", "--dask", address, "-o",
               str(tmp_path / "x"))
    bad_input(r, "--dask")
    assert "dask scheduler" in r.output and not (tmp_path / "x").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_every_run_once(workers: int) -> None:
    ticks: list[int] = []
    ens = run_scenario(SCENARIO, runs=5, workers=workers, progress=ticks.append)
    assert sum(ticks) == ens.runs == 5 and all(k > 0 for k in ticks)
