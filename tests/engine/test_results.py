"""A run's log of changes as a table, and what the Monte Carlo records of its inputs."""

from __future__ import annotations

import numpy as np

from tests.conftest import EXAMPLE
from tests.runs import ensemble, simulate
from tousrisques import load_territory
from tousrisques.engine import Event, Hazard


def test_changes_table_names_assets_causes_and_events() -> None:
    c = load_territory(EXAMPLE).compile()
    ids = c.asset_ids.to_pylist()
    r, tl = simulate(c, [Event(3600, (ids.index("PS-ELBEUF"),), "fail", "storm Ciarán")],
                     duration_s=8 * 3600, step_s=1800)
    rows = r.changes.to_pylist()
    assert len(rows) == len(tl.log)
    first = rows[0]
    assert (first["asset"], first["working"], first["cause"], first["event"]) == \
        ("PS-ELBEUF", False, "event", "storm Ciarán")
    assert {"backup exhausted", "disconnected", "requirement"} <= {x["cause"] for x in rows}


def test_metadata_names_the_territory_files(make_territory) -> None:
    from tousrisques import load_compiled
    from tousrisques.territory import territory_hash

    folder = make_territory()
    c = load_compiled(folder)
    assert c.source_hash == territory_hash(folder)
    e = ensemble(c, hazards=[Hazard(0, np.zeros(c.n_assets), "none")], runs=2, seed=3,
                 duration_s=3600, step_s=3600)
    assert e.metadata["territory_hash"] == territory_hash(folder)
    assert e.metadata["seed"] == "3" and e.metadata["version"]
    assert load_compiled(folder).source_hash == c.source_hash  # from the cache too
