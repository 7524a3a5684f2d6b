"""The causal chains a report shows: the path to each first cause, whole, with long straight
runs of one network's cut links shortened to their ends."""

from __future__ import annotations

from tousrisques.analysis import readable_chain as _worth_reading
from tousrisques.engine import Cause


def _line(n: int) -> list[Cause]:
    """Asset 0 lost a requirement on 1; 1..n are cut from the power network one after the
    other (each waiting for the next); n+1 was damaged by the storm."""
    out = [Cause(0, 3600.0, "requirement", 0, (1,), group=0)]
    for a in range(1, n + 1):
        out.append(Cause(a, 3600.0, "disconnected", a, (a + 1,), layer=0))
    out.append(Cause(n + 1, 1800.0, "event", n + 1, event="hazard:storm"))
    return out


def test_a_long_straight_run_keeps_its_ends_and_counts_the_rest() -> None:
    causes = _line(8)
    kept = _worth_reading(causes)
    # the run of cut links 1..8 keeps 1 and 8, with 2..7 counted; the first cause stays
    assert [(c.asset, causes[up].asset if up >= 0 else None, skipped)
            for c, up, skipped in kept] == [(0, None, 0), (1, 0, 0), (8, 1, 6), (9, 8, 0)]


def test_short_runs_and_branches_are_kept_whole() -> None:
    kept = _worth_reading(_line(3))
    assert [c.asset for c, _, _ in kept] == [0, 1, 2, 3, 4]
    assert all(skipped == 0 for _, _, skipped in kept)
    # a branch: 2 waits for 3 and for 10, each leading to its own first cause
    causes = _line(6)
    causes[2] = Cause(2, 3600.0, "disconnected", 2, (3, 10), layer=0)
    causes.append(Cause(10, 1800.0, "event", 3, event="hazard:storm"))
    kept = _worth_reading(causes)
    assets = [c.asset for c, _, _ in kept]
    assert 10 in assets and 7 in assets and 2 in assets  # both first causes, and the fork
