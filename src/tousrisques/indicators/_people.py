"""Indicators of people and establishments (DESIGN §5, added with the credible model).

* ``population_without_power`` — value: share of the territory's population, count: people
  whose homes have no power. A zone with a ``supply`` splits its people evenly among those
  power assets (two transformers down out of four: half of them); a zone without one falls
  back on its requirement groups made only of power-layer assets (all or nothing: any such
  group with no working alternative cuts the whole zone); a zone with neither never counts.
  Backups are ignored: a home has no generator, so the assets' state is read, not the zone's
  requirements with their autonomy.
* ``vulnerable_unreached:<channel>`` for each broadcast channel, ``vulnerable_unreached:any``
  — the zones' ``vulnerable`` people the channel (any broadcast channel) does not reach;
  value: share of the territory's vulnerable people, count: people.
* ``sites_down:<kind>`` for each sensitive kind (``sensitive: true`` in the kind catalogue:
  hospitals, EHPAD, schools) the territory has — value: share of those sites down (among
  those that exist at the time), count: how many.
* ``population_reached:network`` — reached by at least one broadcast channel that needs a
  network, i.e. all of them apart from those whose coverage kind is carried by people
  (``carried_by_people: true``, as door to door by citizen relays).
* ``coordination_links_broken`` — ``coordinates_with`` links whose two actors cannot reach
  each other, counted apart from the command links of ``governance_links_broken``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tousrisques.indicators._relays import door_channels
from tousrisques.territory import CompiledTerritory

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Add = Callable[[str, FloatArray, FloatArray], None]


def _share(count: FloatArray, total: float | FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.nan_to_num(np.asarray(count / total, np.float64))
    return out


def _power_code(c: CompiledTerritory) -> int:
    return c.layer_names.index("power") if "power" in c.layer_names else -2


def network_channels(c: CompiledTerritory) -> BoolArray:
    """Per broadcast channel (in the territory's order), whether it needs a network: its
    coverage kind is not carried by people.

    Parameters
    ----------
    c : CompiledTerritory

    Returns
    -------
    ndarray of bool
        One per broadcast channel.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.indicators import network_channels
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> c.channel_ids[c.channel_broadcast].tolist(), network_channels(c).tolist()
    (['fr-alert', 'sirene'], [True, True])
    """
    out: BoolArray = ~door_channels(c)
    return out


def without_power(c: CompiledTerritory, working: BoolArray) -> FloatArray:
    """Per zone, the share of its homes without power when ``working`` assets work.

    Parameters
    ----------
    c : CompiledTerritory
    working : ndarray of bool
        Per asset.

    Returns
    -------
    ndarray
        Per zone, from 0 to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.indicators import without_power
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> up = np.ones(len(c.asset_ids), bool)
    >>> up[c.asset_ids.to_pylist().index("T-NORD")] = False
    >>> dict(zip(c.zone_ids.to_pylist(), without_power(c, up).tolist()))
    {'Z-CENTRE': 1.0, 'Z-PLATEAU': 1.0, 'Z-BORDS': 0.0, 'Z-HAMEAU': 0.0}
    """
    return _Power(c).down(working)


class _Power:
    """What each zone's power hangs on, prepared once per territory."""

    def __init__(self, c: CompiledTerritory) -> None:
        n_z, n_a = len(c.population), len(c.asset_ids)
        supply = c.zone_supply if c.zone_supply is not None else sp.csr_matrix((n_z, n_a))
        self.supply = sp.csr_matrix(supply, dtype=np.float64)
        self.given = np.diff(self.supply.indptr) > 0
        r = c.zone_requires
        alt_ok = c.layer[r.alt] == _power_code(c) if len(r.alt) else np.zeros(0, bool)
        # a group made only of power-layer assets (at least one), of a zone without supply
        size = np.diff(r.alt_ptr)
        ok_so_far = np.r_[0, np.cumsum(alt_ok, dtype=np.int64)]
        ok_per_group = ok_so_far[r.alt_ptr[1:]] - ok_so_far[r.alt_ptr[:-1]]
        groups = np.nonzero((size > 0) & (ok_per_group == size) & ~self.given[r.owner])[0]
        self.groups = r.matrix(n_a)[groups]
        self.owner = r.owner[groups]
        self.n_z = n_z

    def down(self, working: BoolArray) -> FloatArray:
        out: FloatArray = np.where(self.given, 1.0 - self.supply @ working.astype(np.float64),
                                   0.0)
        unmet = (self.groups @ working.view(np.int8)) == 0
        out[self.owner[unmet]] = 1.0
        return out.clip(0.0, 1.0)


class PeopleIndicators:
    """Accumulates the indicators of this module over the output times of one run.

    Parameters
    ----------
    c : CompiledTerritory
    n_t : int
        Output times.
    wanted : callable, optional
        Whether an indicator is wanted, by name (default: all); people without power,
        sensitive sites and coordination links are computed only when wanted.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> from tousrisques.indicators import compute_indicators
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> t_nord = c.asset_ids.to_pylist().index("T-NORD")
    >>> plan = make_plan(c, events=outage([t_nord], 3600, 3600, "fault"),
    ...                  duration_s=3 * 3600, step_s=3600)
    >>> ind = compute_indicators(c, replay(plan, 0))
    >>> ind.count("population_without_power").tolist()
    [0.0, 3500.0, 0.0, 0.0]
    """

    def __init__(self, c: CompiledTerritory, n_t: int,
                 wanted: Callable[[str], bool] | None = None) -> None:
        self.c = c
        self.wanted = wanted or (lambda _: True)
        self.power = _Power(c)
        self.no_power = np.zeros(n_t)
        broadcast = np.nonzero(c.channel_broadcast)[0]
        self.broadcast_ids = [str(c.channel_ids[ch]) for ch in broadcast]
        self.network = network_channels(c)
        self.unreached = np.zeros((len(broadcast) + 1, n_t))
        self.reached_network = np.zeros(n_t)
        n_kinds = len(c.kind_names)
        sensitive = c.kind_sensitive if len(c.kind_sensitive) == n_kinds \
            else np.zeros(n_kinds, bool)
        has = np.bincount(c.kind.astype(np.int64), minlength=n_kinds) > 0
        self.sensitive = np.nonzero(sensitive & has)[0]
        self.sensitive = self.sensitive[[self.wanted(f"sites_down:{c.kind_names[k]}")
                                         for k in self.sensitive.tolist()]]
        self.sites = [np.nonzero(c.kind == kind)[0] for kind in self.sensitive.tolist()]
        self.sites_down = np.zeros((len(self.sensitive), n_t))
        self.sites_present = np.zeros((len(self.sensitive), n_t))
        self.coordination_broken = np.zeros(n_t)

    def step(self, k: int, working: BoolArray, present: BoolArray,
             zone_reached: npt.NDArray[np.bool_ | np.float64],
             component: npt.NDArray[np.int32]) -> None:
        """Read output time ``k``: the assets ``working`` and ``present``, the zones reached
        by each broadcast channel then by any (``Snapshot.zone_reached``; a share per zone
        works too) and each actor's component of the information network.

        Parameters
        ----------
        k : int
        working, present : ndarray of bool
        zone_reached : ndarray
        component : ndarray
        """
        c = self.c
        if self.wanted("population_without_power"):
            self.no_power[k] = self.power.down(working) @ c.population
        reached = np.asarray(zone_reached, np.float64)
        self.unreached[:, k] = (1.0 - reached) @ c.vulnerable
        if self.network.any():
            self.reached_network[k] = reached[:-1][self.network].max(axis=0) @ c.population
        for row, sites in enumerate(self.sites):
            there = present[sites]
            self.sites_present[row, k] = np.count_nonzero(there)
            self.sites_down[row, k] = np.count_nonzero(there & ~working[sites])
        links = c.coordinates_with
        if len(links) and len(component) and self.wanted("coordination_links_broken"):
            self.coordination_broken[k] = np.count_nonzero(
                component[links[:, 0]] != component[links[:, 1]])

    def emit(self, add: Add) -> None:
        """Hand every series to ``add(name, values, counts)``.

        Parameters
        ----------
        add : callable
        """
        c = self.c
        total = float(c.population.sum())
        vulnerable = float(c.vulnerable.sum())
        add("population_reached:network", _share(self.reached_network, total),
            self.reached_network)
        add("population_without_power", _share(self.no_power, total), self.no_power)
        for j, ident in enumerate([*self.broadcast_ids, "any"]):
            add(f"vulnerable_unreached:{ident}", _share(self.unreached[j], vulnerable),
                self.unreached[j])
        for row, kind in enumerate(self.sensitive.tolist()):
            add(f"sites_down:{c.kind_names[kind]}",
                _share(self.sites_down[row], self.sites_present[row]), self.sites_down[row])
        add("coordination_links_broken",
            _share(self.coordination_broken, float(len(c.coordinates_with))),
            self.coordination_broken)
