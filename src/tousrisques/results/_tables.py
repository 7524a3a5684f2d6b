"""The log of changes of a run as a table people can read."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa

from tousrisques._clock import iso_times
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


def with_local_time(table: pa.Table, start: datetime | None, at: int) -> pa.Table:
    """``table`` with a ``local_time`` column at position ``at``: the local date-time of its
    ``time_s`` on the territory's clock, ISO 8601 with its offset
    (``2023-11-02T06:00:00+01:00``); ``table`` as it is when there is no ``start``.

    Parameters
    ----------
    table : pyarrow.Table
        With a ``time_s`` column (seconds from the start).
    start : datetime or None
        The scenario's start, aware (``Scenario.start``).
    at : int
        Where the column goes.

    Returns
    -------
    pyarrow.Table

    Examples
    --------
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> import pyarrow as pa
    >>> from tousrisques.results import with_local_time
    >>> t = pa.table({"time_s": [0.0, 10800.0]})
    >>> start = datetime(2023, 10, 29, 1, tzinfo=ZoneInfo("Europe/Paris"))
    >>> with_local_time(t, start, 1).column("local_time").to_pylist()
    ['2023-10-29T01:00:00+02:00', '2023-10-29T03:00:00+01:00']
    >>> with_local_time(t, None, 1).column_names
    ['time_s']
    """
    if start is None:
        return table
    times = table.column("time_s").to_numpy()
    return table.add_column(at, "local_time", pa.array(iso_times(start, times), pa.string()))
