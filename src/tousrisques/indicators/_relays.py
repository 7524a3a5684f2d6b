"""Door to door by volunteers: a reach that grows over the hours once the alert reaches them.

A broadcast channel whose coverage kind is carried by people (``carried_by_people: true``, as
``citizen_relay``) is walked by the actors with ``volunteers`` that hold it, each from the
coverage assets nearest to its site (``CompiledTerritory.relay_assets``).

* **The call.** A relay is called at the first output time at which it can be reached: its
  latency to a crisis cell is finite, or it shares a component of the information network
  with an actor it ``reports_to`` (point-to-point channels), or its own site works and an
  actor it reports to sits on the same site (called in person). The call replaces the
  channel's ``triggered_by`` test: the volunteers go when they are told, whoever tells them.
* **The pace.** From ``muster`` after the call, the volunteers work shifts: each volunteer one
  ``shift`` a day, ``shifts_per_day`` shifts following one another, the volunteers split
  evenly among them. People informed = volunteer-hours × households per hour ×
  :data:`PEOPLE_PER_HOUSEHOLD`, at most the people of the zones its working coverage assets
  cover (and whose own site works, for a channel with ``needs_site``).
* **The spread.** A relay's informed people are spread over its zones in proportion to their
  population (every zone the same share); a zone walked by two relays adds both shares, at
  most all its people. People informed stay informed: a zone's share never falls.

``population_reached:<channel>`` counts those people; ``population_reached:any`` takes, per
zone, the largest share of any channel (a zone reached by a network channel counts whole).
A door-to-door channel that no actor with volunteers holds keeps the instantaneous reach of
the other broadcasts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tousrisques.territory import CompiledTerritory
from tousrisques.territory._relays import DAY_S, PEOPLE_PER_HOUSEHOLD

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def volunteer_hours(elapsed_s: FloatArray, volunteers: FloatArray, shift_s: FloatArray,
                    shifts_per_day: FloatArray) -> FloatArray:
    """Volunteer-hours worked ``elapsed_s`` seconds after the volunteers start (muster done).

    Each volunteer works one shift a day; ``shifts_per_day`` shifts follow one another from
    the start, the volunteers split evenly among them; nobody works the rest of the day.

    Parameters
    ----------
    elapsed_s : ndarray
        Seconds since the start (negative or NaN: not started, 0).
    volunteers, shift_s, shifts_per_day : ndarray
        Per relay.

    Returns
    -------
    ndarray
        Volunteer-hours, per relay.

    Examples
    --------
    >>> import numpy as np
    >>> h = np.array([-1.0, 2, 8, 20, 26]) * 3600
    >>> one = np.ones(5)
    >>> volunteer_hours(h, 10 * one, 8 * 3600 * one, one).tolist()  # one 8 h shift a day
    [0.0, 20.0, 80.0, 80.0, 100.0]
    >>> volunteer_hours(h, 12 * one, 8 * 3600 * one, 3 * one).tolist()  # round the clock
    [0.0, 8.0, 32.0, 80.0, 104.0]
    """
    u = np.nan_to_num(np.asarray(elapsed_s, np.float64), nan=0.0, neginf=0.0, posinf=0.0)
    u = np.maximum(u, 0.0)
    days = np.floor(u / DAY_S)
    rest = u - days * DAY_S
    on_duty = volunteers / np.maximum(shifts_per_day, 1.0)
    hours: FloatArray = (volunteers * shift_s * days
                         + on_duty * np.minimum(rest, shifts_per_day * shift_s)) / 3600.0
    return hours


def door_channels(c: CompiledTerritory) -> BoolArray:
    """Per broadcast channel (in the territory's order), whether it is carried by people.

    Parameters
    ----------
    c : CompiledTerritory

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> door_channels(c).tolist()
    [False, False]
    """
    if len(c.kind_carried_by_people) == len(c.kind_names):
        carried = {k for k, flag in zip(c.kind_names, c.kind_carried_by_people.tolist(),
                                        strict=True) if flag}
    else:  # compiled before the flag existed
        carried = {"citizen_relay"}
    return np.array([int(cov) >= 0 and c.coverage_kinds[int(cov)] in carried
                     for cov in c.channel_coverage[c.channel_broadcast].tolist()], bool)


class RelayReach:
    """The door-to-door reach of one run, read output time after output time.

    Parameters
    ----------
    c : CompiledTerritory
    times_s : ndarray
        The output times.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> import numpy as np
    >>> RelayReach(c, np.zeros(1)).active  # no door-to-door channel there
    False
    """

    def __init__(self, c: CompiledTerritory, times_s: FloatArray) -> None:
        self.c = c
        self.times_s = times_s
        n_a = len(c.actor_ids)
        params = c.actor_relay if c.actor_relay.shape == (n_a, 5) else np.zeros((n_a, 5))
        self.volunteers, self.pace, self.shift_s, self.shifts, self.muster_s = params.T
        broadcast = np.nonzero(c.channel_broadcast)[0]
        held = c.actor_channels.toarray().astype(bool) if n_a and len(c.channel_ids) \
            else np.zeros((n_a, len(c.channel_ids)), bool)
        pairs = c.relay_assets.reshape(-1, 2)
        # per door channel walked by volunteers: (row, channel, zones × pairs, pairs × actors)
        self.doors: list[tuple[int, int, sp.csr_matrix, sp.csr_matrix, npt.NDArray[np.int64]]]
        self.doors = []
        walking = np.zeros(n_a, bool)
        for row, is_door in enumerate(door_channels(c).tolist()):
            ch = int(broadcast[row])
            if not is_door:
                continue
            kind = c.coverage_kinds[int(c.channel_coverage[ch])]
            code = c.kind_names.index(kind) if kind in c.kind_names else -1
            mine = pairs[(self.volunteers[pairs[:, 1]] > 0) & held[pairs[:, 1], ch]
                         & (c.kind[pairs[:, 0]] == code)]
            if len(mine) == 0:
                continue
            covers = c.zone_coverage[kind]
            zones = sp.csr_matrix(covers[:, mine[:, 0]], dtype=np.float64)
            owner = sp.csr_matrix((np.ones(len(mine)), (np.arange(len(mine)), mine[:, 1])),
                                  shape=(len(mine), n_a))
            self.doors.append((row, ch, zones, owner, mine[:, 0].astype(np.int64)))
            walking[mine[:, 1]] = True
        self.walking = walking
        self.called = np.full(n_a, np.inf)
        links = c.reports_to.reshape(-1, 2)
        links = links[walking[links[:, 0]]] if len(links) else links
        self.links = links
        # called in person: an actor it reports to sits on its own site
        self.same_site = np.zeros(n_a, bool)
        if len(links):
            site = c.actor_site
            near = (site[links[:, 0]] >= 0) & (site[links[:, 0]] == site[links[:, 1]])
            self.same_site[links[near, 0]] = True
        self.informed = [np.zeros(len(c.population)) for _ in self.doors]

    @property
    def active(self) -> bool:
        """Whether some door-to-door channel is walked by volunteers.

        Returns
        -------
        bool
        """
        return bool(self.doors)

    def call(self, k: int, latency: FloatArray, component: npt.NDArray[np.int32],
             site_ok: BoolArray) -> None:
        """Mark the relays that can be told at output time ``k`` as called (once).

        Parameters
        ----------
        k : int
        latency, component, site_ok : ndarray
            Per actor, from :class:`~tousrisques.indicators.Snapshot`.
        """
        told = np.isfinite(latency) | (self.same_site & site_ok)
        if len(self.links) and len(component):
            a, b = self.links[:, 0], self.links[:, 1]
            told[a[component[a] == component[b]]] = True
        new = self.walking & told & ~np.isfinite(self.called)
        self.called[new] = self.times_s[k]

    def informed_people(self, k: int) -> FloatArray:
        """Per actor, the people its volunteers can have informed by output time ``k``
        (before the cap of the people they cover).

        Parameters
        ----------
        k : int

        Returns
        -------
        ndarray
        """
        started = self.called + self.muster_s
        elapsed = np.where(np.isfinite(started), self.times_s[k] - started, 0.0)
        hours = volunteer_hours(elapsed, self.volunteers, self.shift_s, self.shifts)
        people: FloatArray = hours * self.pace * PEOPLE_PER_HOUSEHOLD
        return people

    def coverage(self, working: BoolArray, zones_ok: BoolArray, channels_ok: BoolArray
                 ) -> list[tuple[sp.csr_matrix, FloatArray]]:
        """What one state lets the volunteers walk, per door-to-door channel: the zones ×
        actors each relay's working coverage assets cover, and the people of those zones per
        actor (a function of the state alone: it can be kept for a state met again).

        Parameters
        ----------
        working : ndarray of bool
            Per asset.
        zones_ok, channels_ok : ndarray of bool
            Per zone (its own requirements) and per channel.

        Returns
        -------
        list of (sparse matrix, ndarray)
            One per door-to-door channel, for :meth:`apply`.
        """
        pop = self.c.population
        out = []
        for _, ch, zones, owner, assets in self.doors:
            walked = sp.diags(working[assets].astype(np.float64)) @ owner
            covered = (zones @ walked) > 0  # zones × actors
            if self.c.channel_needs_site[ch]:
                covered = sp.csr_matrix(sp.diags(zones_ok.astype(np.float64)) @ covered)
            if not channels_ok[ch]:
                covered = covered * 0
            covered = sp.csr_matrix(covered, dtype=np.float64)
            out.append((covered, np.asarray(covered.T @ pop, np.float64)))
        return out

    def apply(self, k: int, working: BoolArray, zones_ok: BoolArray, channels_ok: BoolArray,
              zone_reached: FloatArray,
              covers: list[tuple[sp.csr_matrix, FloatArray]] | None = None) -> None:
        """Overwrite the rows of the door-to-door channels in ``zone_reached`` (one output
        time: broadcast channels, then any) with the share of each zone informed, and the
        last row with the largest share per zone. Call :meth:`call` for ``k`` first.

        Parameters
        ----------
        k : int
        working : ndarray of bool
            Per asset.
        zones_ok, channels_ok : ndarray of bool
            Per zone (its own requirements) and per channel.
        zone_reached : ndarray
            ``(broadcast channels + 1, zones)``, changed in place.
        covers : list, optional
            :meth:`coverage` of this state, when already known.
        """
        if not self.doors:
            return
        people = self.informed_people(k)
        if covers is None:
            covers = self.coverage(working, zones_ok, channels_ok)
        for i, ((row, *_), (covered, total)) in enumerate(zip(self.doors, covers,
                                                               strict=True)):
            with np.errstate(invalid="ignore", divide="ignore"):
                part = np.where(total > 0, np.minimum(1.0, people / total), 0.0)
            share = np.minimum(1.0, covered @ part)
            self.informed[i] = np.maximum(self.informed[i], share)
            zone_reached[row] = self.informed[i]
        zone_reached[-1] = zone_reached[:-1].max(axis=0)
