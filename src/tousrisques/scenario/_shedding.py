"""Load shedding that spares priority customers, as Enedis does: a feeder that supplies a
priority customer (a hospital, a crisis site) is left out of the rotation.

A cut spares ``spare``'s assets when it would take their grid supply: the power assets named
in their requirement groups (their transformer; a generator beside it does not count), or
the asset itself when it belongs to the power layer. Each asset that a feeder (an id or
every match of a pattern) would cut is checked alone, on the grid as it stands before any
damage, with the normally-open switches open (the normal state of the ties between
feeders).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tousrisques.engine import Network, fixed_point
from tousrisques.territory import CompiledTerritory


def spared_cuts(c: CompiledTerritory, candidates: Iterable[int], spare: Iterable[int],
                absent: Iterable[int] = ()) -> set[int]:
    """The rows of ``candidates`` whose cut alone would take the grid supply of an asset of
    ``spare`` (rows), the ``absent`` assets (normally-open switches, planned assets) left out.

    Parameters
    ----------
    c : CompiledTerritory
    candidates, spare, absent : iterable of int
        Asset rows.

    Returns
    -------
    set of int

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> rows = [ids.index(a) for a in ("L-NORD", "L-SUD")]
    >>> sorted(ids[r] for r in spared_cuts(c, rows, [ids.index("EHPAD")]))  # on T-SUD
    ['L-SUD']
    """
    spare = list(spare)
    candidates = sorted(set(candidates))
    if not spare or not candidates or "power" not in c.layer_names:
        return set()
    power = c.layer == c.layer_names.index("power")
    req = c.requires
    needed: set[int] = set()
    for s in spare:
        if power[s]:
            needed.add(s)
        for g in range(int(req.owner_ptr[s]), int(req.owner_ptr[s + 1])):
            alts = req.alt[req.alt_ptr[g]:req.alt_ptr[g + 1]]
            needed |= {int(a) for a in alts if power[a] and not c.source[a]}
    rows = np.array(sorted(needed), np.int64)
    if not len(rows):
        return set()
    net = Network.from_compiled(c)
    base = np.zeros(len(c.asset_ids), bool)
    base[list(absent)] = True
    before = fixed_point(net, base, reasons=False).working[rows]
    out = set()
    for r in candidates:
        damaged = base.copy()
        damaged[r] = True
        after = fixed_point(net, damaged, reasons=False).working[rows]
        if (before & ~after).any():
            out.add(r)
    return out
