"""A run's results saved to Parquet and read back; nothing half-written on failure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tousrisques import InputError, load_territory
from tousrisques.engine import Event
from tousrisques.engine._results import RunResult, simulate


def test_run_result_round_trip(tmp_path: Path) -> None:
    c = load_territory(EXAMPLE).compile()
    ids = c.asset_ids.to_pylist()
    r, tl = simulate(c, [Event(3600, (ids.index("PS-ELBEUF"),), "fail", "storm Ciarán")],
                     duration_s=8 * 3600, step_s=1800, metadata={"seed": "7"})
    r.to_parquet(tmp_path / "run")
    back = RunResult.from_parquet(tmp_path / "run")
    assert back.metadata["seed"] == "7" and back.metadata["version"]
    np.testing.assert_array_equal(back.indicators.values, r.indicators.values)
    rows = back.changes.to_pylist()
    assert len(rows) == len(tl.log)
    first = rows[0]
    assert (first["asset"], first["working"], first["cause"], first["event"]) == \
        ("PS-ELBEUF", False, "event", "storm Ciarán")
    assert {"backup exhausted", "disconnected", "requirement"} <= {x["cause"] for x in rows}


def test_failed_write_leaves_the_previous_result_whole(tmp_path: Path, monkeypatch) -> None:
    c = load_territory(EXAMPLE).compile()
    r, _ = simulate(c, [], duration_s=3600, step_s=3600)
    r.to_parquet(tmp_path / "run")
    before = sorted(p.name for p in (tmp_path / "run").iterdir())

    import pyarrow.parquet as pq

    calls = {"n": 0}
    real = pq.write_table

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", crash_on_second)
    with pytest.raises(OSError):
        r.to_parquet(tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left


def test_reading_something_else_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        RunResult.from_parquet(tmp_path)


def test_metadata_names_the_territory_files(make_territory, tmp_path: Path) -> None:
    from tousrisques import load_compiled
    from tousrisques.engine import Hazard, run_ensemble
    from tousrisques.territory import territory_hash

    folder = make_territory()
    c = load_compiled(folder)
    assert c.source_hash == territory_hash(folder)
    r, _ = simulate(c, [], duration_s=3600, step_s=3600, metadata={"scenario_hash": "abc"})
    assert r.metadata["territory_hash"] == territory_hash(folder)
    assert r.metadata["scenario_hash"] == "abc"
    e = run_ensemble(c, hazards=[Hazard(0, np.zeros(c.n_assets), "none")], runs=2, seed=3,
                     duration_s=3600, step_s=3600)
    assert e.metadata["territory_hash"] == territory_hash(folder)
    assert e.metadata["seed"] == "3" and e.metadata["version"]
    assert load_compiled(folder).source_hash == c.source_hash  # from the cache too
