"""The log of changes of a run as a table people can read."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tousrisques.engine import CAUSES, Timeline
from tousrisques.engine._log import CAUSE_EVENT
from tousrisques.territory import CompiledTerritory


def changes_table(c: CompiledTerritory, timeline: Timeline) -> pa.Table:
    """Every change of state of ``timeline``: time_s, asset id, working, cause name, ref
    (the event's number or the asset it waited for) and the event's own words.

    Parameters
    ----------
    c : CompiledTerritory
    timeline : Timeline
        A run, from ``tousrisques.engine.replay``.

    Returns
    -------
    pyarrow.Table
        One row per change, in time order.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.engine import replay
    >>> from tousrisques.results import changes_table
    >>> from tousrisques.scenario import scenario_plan
    >>> table = changes_table(s.compiled, replay(scenario_plan(s), 0))
    >>> table.column_names
    ['time_s', 'asset', 'working', 'cause', 'ref', 'event']
    """
    log, events = timeline.log, timeline.events
    event_text = np.array([e.cause for e in events] + [""], dtype=object)
    is_event = log.cause == CAUSE_EVENT
    ref = np.where(is_event & (log.ref >= 0), log.ref, len(events))
    return pa.table(
        {
            "time_s": pa.array(log.time_s),
            "asset": c.asset_ids.take(pa.array(log.asset)),
            "working": pa.array(log.working),
            "cause": pa.array(np.array(CAUSES, dtype=object)[log.cause].tolist(), pa.string()),
            "ref": pa.array(log.ref),
            "event": pa.array(np.where(is_event, event_text[ref], "").tolist(), pa.string()),
        }
    )
