"""The log of changes of a timeline: every change of state with its cause, as arrays.

``CAUSES`` names the causes (the log's ``cause`` column); ``StateLog`` holds the rows;
``_Recorder`` writes them as the timeline computes the states (docs/engine.md, the log).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tousrisques.engine._fixedpoint import DISCONNECTED, REQUIREMENT, Reasons
from tousrisques.engine._network import BoolArray, IntArray, Network

# why a state changed (the log's ``cause`` column)
CAUSE_EVENT = 1  # an event put it down or back up (``ref``: the event's index)
CAUSE_REQUIREMENT = 2  # a requirement group not met, without backup (``ref``: the group)
CAUSE_BACKUP = 3  # a requirement group not met and its backup ran out (``ref``: the group)
CAUSE_DISCONNECTED = 4  # cut from every source of its layer (``ref``: the layer)
CAUSE_RECOVERED = 5  # back up because what it needs works again
CAUSES = ("", "event", "requirement", "backup exhausted", "disconnected", "recovered")
# the causes a row that says an asset is down may have (``recovered`` only says it works)
DOWN_CAUSES = (CAUSE_EVENT, CAUSE_REQUIREMENT, CAUSE_BACKUP, CAUSE_DISCONNECTED)


@dataclass(frozen=True, eq=False)
class StateLog:
    """Every change of state: at ``time_s``, ``asset`` became ``working`` (True/False) because
    of ``cause`` (a code of :data:`CAUSES`) with ``ref`` (event, group or layer index).

    Attributes
    ----------
    time_s : ndarray
    asset : ndarray
        Asset rows.
    working : ndarray of bool
    cause : ndarray of int8
        Index into :data:`CAUSES`.
    ref : ndarray
        Event, group or layer index.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> ps, ant = ids.index("PS-ELBEUF"), ids.index("ANT-NORD")
    >>> plan = make_plan(c, events=outage([ps], 3600, 6 * 3600, "storm"),
    ...                  duration_s=12 * 3600, step_s=3600)
    >>> tl = replay(plan, 0)
    >>> from tousrisques.engine import CAUSES
    >>> log = tl.log
    >>> [(ids[a], CAUSES[k]) for a, k in zip(log.asset[:3], log.cause[:3])]
    [('PS-ELBEUF', 'event'), ('L-NORD', 'disconnected'), ('L-SUD', 'disconnected')]
    """

    time_s: npt.NDArray[np.float64]
    asset: IntArray
    working: BoolArray
    cause: npt.NDArray[np.int8]
    ref: IntArray

    def __len__(self) -> int:
        return len(self.asset)


class _Recorder:
    """Collects the changes of state, with their causes, as arrays.

    The cause of an asset that is down is a function of the state at that instant: ``event``
    when it is damaged (the event that began its damage), else the reason the removal from
    every undamaged asset gives (a requirement group, its backup run out, cut from a layer).
    A row is written when an asset changes state, or stays down and its cause changes. A row
    that says an asset works names the event that repaired it, or ``recovered``; a row that
    says it is down never does.
    """

    def __init__(self, n: int) -> None:
        self.parts: list[tuple[npt.NDArray[np.generic], ...]] = []
        self.last_cause = np.zeros(n, np.int8)
        self.last_ref = np.full(n, -1, np.int64)

    def record(self, t: float, before: BoolArray, after: BoolArray, why: Reasons,
               touched: BoolArray, net: Network, damaged: BoolArray, damage_ref: IntArray,
               repaired: BoolArray, restored_by: IntArray) -> None:
        # an asset whose state, damage and reason did not change keeps its cause
        rows = np.nonzero((after != before) | (~after & touched))[0]
        if len(rows) == 0:
            return
        down = ~after[rows]
        hit = damaged[rows]
        r = why.reason[rows]
        g = why.group[rows]
        backup = net.backup_s[g.clip(0)] if net.n_groups else np.zeros(len(g))
        req = down & ~hit & (r == REQUIREMENT) & (g >= 0)
        cut = down & ~hit & (r == DISCONNECTED)
        fixed = ~down & repaired[rows]
        cause = np.select(
            [down & hit, req & (backup > 0), req, cut, fixed, ~down],
            [CAUSE_EVENT, CAUSE_BACKUP, CAUSE_REQUIREMENT, CAUSE_DISCONNECTED, CAUSE_EVENT,
             CAUSE_RECOVERED],
            -1).astype(np.int8)
        ref = np.select([down & hit, req, cut, fixed],
                        [damage_ref[rows], g, why.layer[rows].astype(np.int64),
                         restored_by[rows]], -1).astype(np.int64)
        # no reason found (cannot happen with a source in every layer): the last one stands
        unknown = cause < 0
        cause[unknown] = self.last_cause[rows[unknown]]
        ref[unknown] = self.last_ref[rows[unknown]]
        keep = (after[rows] != before[rows]) | (cause != self.last_cause[rows]) \
            | (ref != self.last_ref[rows])
        rows, cause, ref = rows[keep], cause[keep], ref[keep]
        self.last_cause[rows] = cause
        self.last_ref[rows] = ref
        if len(rows):
            self.parts.append((np.full(len(rows), t), rows, after[rows], cause, ref))

    def record_states(self, t: float, before: BoolArray, after: BoolArray) -> None:
        """The changes of state alone, without their causes (cause 0, ref -1)."""
        rows = np.nonzero(after != before)[0]
        if len(rows):
            self.parts.append((np.full(len(rows), t), rows, after[rows],
                               np.zeros(len(rows), np.int8), np.full(len(rows), -1, np.int64)))

    def log(self) -> StateLog:
        if not self.parts:
            return StateLog(np.zeros(0), np.zeros(0, np.int64), np.zeros(0, bool),
                            np.zeros(0, np.int8), np.zeros(0, np.int64))
        cols = [np.concatenate(c) for c in zip(*self.parts, strict=True)]
        return StateLog(cols[0], cols[1], cols[2], cols[3], cols[4])
