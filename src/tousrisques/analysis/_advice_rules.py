"""The rules of the advice that propose a measure for one asset or one actor, read from the
base runs (docs/advice.md, "Candidates"); each gives at most ``per_rule`` candidates of the
catalogue, the worst hit first (most runs, then earliest):

* **feed** — an asset stopped because the one alternative of a requirement group failed
  gets a second one: the nearest asset of the same kind that worked at the most of those
  moments (a second power feed, a redundant backhaul);
* **terminal** — an actor cut off from every crisis cell while its site worked (town halls
  and crisis cells' roles first) gets a channel that needs no asset of the territory (no
  ``requires``, a coverage kind outside every network layer, not tied to an operator) that
  a crisis cell it reports to — else another one — had at the most of those moments;
* **fallback** — a crisis cell or a town hall without a fallback site whose site went down
  gets the site of another actor, of its site's kind, that worked at the most of those
  moments, the nearest first (else any asset of that kind);
* **volunteers** — an actor with a site and a door-to-door channel whose zones (those its
  door-to-door assets cover) had people no network channel reached gets the catalogue's
  volunteers;
* **restoration** — with repair crews or mobile generators, the site of a crisis cell or a
  town hall that went down is restored first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from tousrisques.analysis._advice_candidates import Candidate
from tousrisques.analysis._advice_catalogue import Catalogue
from tousrisques.analysis._advice_facts import BaseFacts
from tousrisques.engine import Plan
from tousrisques.scenario import (
    FallbackSpec,
    FeedSpec,
    RestorationSpec,
    Scenario,
    TerminalSpec,
    VolunteerSpec,
    door_channels,
)
from tousrisques.territory._relays import relay_arrays

BoolArray = npt.NDArray[np.bool_]
#: the roles that the rules of an actor look at, besides the actors marked crisis_cell
DECIDING_ROLES = ("mayor", "crisis_cell", "prefecture")


class _Context:
    """What every rule reads: the scenario, its compiled territory, names per language."""

    def __init__(self, s: Scenario, plan: Plan, catalogue: Catalogue, facts: BaseFacts):
        self.s, self.plan, self.cat, self.facts = s, plan, catalogue, facts
        self.c = plan.compiled
        self.t = s.territory
        self.ids = [str(x) for x in self.c.asset_ids.to_pylist()]
        names = self.t.assets.attrs.get("name")
        self.asset_names = [str(n) if isinstance(n, str) and n else i
                            for n, i in zip(names if names is not None else self.ids,
                                            self.ids, strict=True)]
        absent = np.zeros(self.c.n_assets, bool)
        absent[list(s.absent)] = True
        self.present = ~absent & np.isfinite(self.t.assets.x)

    def asset(self, row: int) -> dict[str, str]:
        return {"en": self.asset_names[row], "fr": self.asset_names[row]}

    def actor(self, a: int) -> dict[str, str]:
        name = self.t.actors[a].name
        return {"en": name.en or self.t.actors[a].id, "fr": name.fr or self.t.actors[a].id}

    def channel(self, ch: int) -> dict[str, str]:
        name = self.t.channels[ch].name
        return {"en": name.en or self.t.channels[ch].id, "fr": name.fr or self.t.channels[ch].id}

    def deciding(self) -> list[int]:
        """The crisis cells and town halls with a site."""
        return [i for i, a in enumerate(self.t.actors)
                if (a.crisis_cell or a.role in DECIDING_ROLES) and self.c.actor_site[i] >= 0]

    def nearest(self, row: int, choices: npt.NDArray[np.int64], moments: list[tuple[int, int]]
                ) -> tuple[int, float, int] | None:
        """Of ``choices``, the one working at the most of ``moments`` ((run, time index)),
        then the nearest to ``row``: (its row, distance in m, moments it worked)."""
        x, y = self.t.assets.x, self.t.assets.y
        choices = choices[(choices != row) & self.present[choices]]
        if len(choices) == 0 or not moments:
            return None
        runs, ks = np.array(moments).T
        works = self.facts.working[runs, ks][:, choices].sum(axis=0)
        dist = np.hypot(x[choices] - x[row], y[choices] - y[row])
        dist = np.where(np.isfinite(dist), dist, np.inf)
        best = int(np.lexsort((dist, -works))[0])
        if works[best] == 0:
            return None
        return int(choices[best]), float(dist[best]), int(works[best])


def _windows(hit: BoolArray, times: npt.NDArray[np.float64]) -> dict[str, float]:
    """Runs hit, the first moment over them, and the median first and last moment of a hit
    run (``hit``: ``(runs, times)``)."""
    runs = np.nonzero(hit.any(axis=1))[0]
    if len(runs) == 0:
        return {"runs": 0, "first_s": float("inf"), "from_s": float("inf"),
                "to_s": float("inf")}
    first = np.array([times[np.argmax(hit[r])] for r in runs])
    last = np.array([times[len(times) - 1 - np.argmax(hit[r][::-1])] for r in runs])
    step = float(times[1] - times[0]) if len(times) > 1 else 0.0
    return {"runs": len(runs), "first_s": float(first.min()),
            "from_s": float(np.median(first)), "to_s": float(np.median(last)) + step}


def _worst_first(found: list[Candidate], most: int) -> list[Candidate]:
    found.sort(key=lambda c: (-c.lost_runs, c.first_loss_s, c.key))
    return found[:most]


def feed_rule(x: _Context) -> list[Candidate]:
    """Second feeds and redundant backhauls (see the module)."""
    c, f = x.c, x.facts
    req = c.requires
    single = np.diff(req.alt_ptr) == 1
    lost = np.isfinite(f.group_lost_s) & single[None, :]
    counts = lost.sum(axis=0)
    out: list[Candidate] = []
    seen: set[int] = set()
    for g in np.argsort(-counts, kind="stable").tolist():
        if counts[g] == 0 or len(out) >= x.cat.per_rule:
            break
        owner, alt = int(req.owner[g]), int(req.alt[req.alt_ptr[g]])
        if owner in seen:
            continue
        moments = [(int(r), f.at(float(f.group_lost_s[r, g])))
                   for r in np.nonzero(lost[:, g])[0]]
        kind = c.kind_names[c.kind[alt]]
        price = x.cat.feed_of(kind)
        same = np.nonzero(c.kind == c.kind[alt])[0]
        got = x.nearest(alt, same[same != owner], moments) if price else None
        if got is None or price is None:
            continue
        add, dist, works = got
        seen.add(owner)
        cost = price.fixed + price.per_km * dist / 1000
        layer = c.layer[alt]
        spec = FeedSpec(name=f"advice: feed:{x.ids[owner]}", assets=[x.ids[owner]],
                        beside=x.ids[alt], add=x.ids[add])
        out.append(Candidate(
            f"feed:{x.ids[owner]}", "feed", c.kind_names[c.kind[owner]], (x.ids[owner],), 1,
            0.0, cost, cost, price.source, 0.0, int(counts[g]),
            float(f.group_lost_s[:, g].min()), (("feeds", spec),),
            {"asset": x.asset(owner), "beside": x.asset(alt), "add": x.asset(add),
             "distance_m": dist, "held": works, "moments": len(moments),
             "power": bool(layer >= 0 and c.layer_names[layer] == "power")}))
    return out


def _network_free(x: _Context, ch: int) -> bool:
    """A channel that needs no asset of the territory's networks."""
    spec = x.t.channels[ch]
    if spec.mode != "point_to_point" or spec.requires or spec.by_operator:
        return False
    kind = x.t.kinds.get(spec.coverage) if spec.coverage else None
    return kind is None or kind.layer is None


def terminal_rule(x: _Context) -> list[Candidate]:
    """Satellite phones and radios for actors cut off from every crisis cell (see the
    module)."""
    c, f = x.c, x.facts
    ids = [a.id for a in x.t.actors]
    cells = [i for i, a in enumerate(x.t.actors) if a.crisis_cell]
    free = [ch for ch in range(len(c.channel_ids)) if _network_free(x, ch)]
    out: list[Candidate] = []
    for a, mine in enumerate(x.t.actors):
        site = int(c.actor_site[a])
        if site < 0 or mine.crisis_cell:
            continue
        hit = ~f.connected[:, :, a] & f.working[:, :, site]
        if not hit.any():
            continue
        # the crisis cells it reports to first, then the others
        first = [ids.index(r) for r in mine.reports_to if r in ids and ids.index(r) in cells]
        targets = first + [i for i in cells if i not in first]
        best: tuple[int, int, int] | None = None  # (moments linked, channel, target)
        for tg in targets:
            for ch in free:
                if x.cat.terminal_of(str(c.channel_ids[ch])) is None:
                    continue
                linked = int((hit & f.channels[:, :, tg, ch]).sum())
                if linked and (best is None or linked > best[0]):
                    best = (linked, ch, tg)
        if best is None:
            continue
        linked, ch, tg = best
        channel = str(c.channel_ids[ch])
        price = x.cat.terminal_of(channel)
        assert price is not None
        w = _windows(hit, f.times_s)
        spec = TerminalSpec(name=f"advice: terminal:{mine.id}", actors=[mine.id],
                            channel=channel)
        out.append(Candidate(
            f"terminal:{mine.id}:{channel}", "terminal", c.kind_names[c.kind[site]],
            (x.ids[site],), 1, 0.0, price.cost, price.cost, price.source, 0.0, int(w["runs"]),
            w["first_s"], (("terminals", spec),),
            {"actor": x.actor(a), "target": x.actor(tg), "channel": x.channel(ch),
             "deciding": mine.role in DECIDING_ROLES, **w}))
    # the town halls and crisis cells first
    out.sort(key=lambda k: (not k.facts["deciding"], -k.lost_runs, k.first_loss_s, k.key))
    return out[:x.cat.per_rule]


def _site_down(x: _Context, a: int) -> BoolArray:
    down: BoolArray = ~x.facts.working[:, :, int(x.c.actor_site[a])]
    return down


def fallback_rule(x: _Context) -> list[Candidate]:
    """Fallback sites for crisis cells whose site went down (see the module)."""
    c, f = x.c, x.facts
    price = x.cat.fallback
    if price is None:
        return []
    fallback = c.actor_fallback if len(c.actor_fallback) == len(c.actor_ids) \
        else np.full(len(c.actor_ids), -1)
    out: list[Candidate] = []
    for a in x.deciding():
        if fallback[a] >= 0:
            continue
        site = int(c.actor_site[a])
        down = _site_down(x, a)
        if not down.any():
            continue
        moments = [(int(r), int(k)) for r, k in zip(*np.nonzero(down), strict=True)]
        # a building where actors already sit, of the kind of its own (a town hall, a
        # fire station); else any asset of that kind
        others = np.unique(c.actor_site[c.actor_site >= 0]).astype(np.int64)
        got = x.nearest(site, others[c.kind[others] == c.kind[site]], moments) or \
            x.nearest(site, np.nonzero(c.kind == c.kind[site])[0], moments)
        if got is None:
            continue
        row, dist, _ = got
        w = _windows(down, f.times_s)
        mine = x.t.actors[a]
        spec = FallbackSpec(name=f"advice: fallback:{mine.id}", actor=mine.id,
                            site=x.ids[row], delay=price.delay)
        out.append(Candidate(
            f"fallback:{mine.id}", "fallback", c.kind_names[c.kind[site]], (x.ids[row],), 1,
            0.0, price.cost, price.cost, price.source, 0.0, int(w["runs"]), w["first_s"],
            (("fallbacks", spec),),
            {"actor": x.actor(a), "site": x.asset(site), "add": x.asset(row),
             "distance_m": dist, "delay": price.delay, **w}))
    return _worst_first(out, x.cat.per_rule)


def volunteers_rule(x: _Context) -> list[Candidate]:
    """Volunteers for the citizen relays of unreached zones (see the module)."""
    c, f, t = x.c, x.facts, x.t
    price = x.cat.volunteers
    door = door_channels(t)
    if price is None or not door:
        return []
    walkers = [i for i, a in enumerate(t.actors)
               if door.intersection(a.channels) and c.actor_site[i] >= 0]
    actors = tuple(a.model_copy(update={"volunteers": max(a.volunteers or 0, 1)})
                   if i in walkers else a for i, a in enumerate(t.actors))
    _, pairs = relay_arrays(replace(t, actors=actors))
    out: list[Candidate] = []
    for a in walkers:
        assets = pairs[pairs[:, 1] == a, 0]
        zones = np.zeros(len(c.population), bool)
        for kind in {t.channels[[ch.id for ch in t.channels].index(d)].coverage
                     for d in door.intersection(t.actors[a].channels)}:
            if kind in c.zone_coverage and len(assets):
                zones |= np.asarray(c.zone_coverage[kind][:, assets].sum(axis=1)).ravel() > 0
        if not zones.any():
            continue
        people = (f.unreached[:, :, zones] * c.population[zones]).sum(axis=2)  # (runs, t)
        hit = people > 0.5
        if not hit.any():
            continue
        w = _windows(hit, f.times_s)
        mine = t.actors[a]
        spec = VolunteerSpec(name=f"advice: volunteers:{mine.id}", actor=mine.id,
                             volunteers=price.count)
        out.append(Candidate(
            f"volunteers:{mine.id}", "volunteers", c.kind_names[c.kind[c.actor_site[a]]],
            (x.ids[int(c.actor_site[a])],), price.count, 0.0, price.cost * price.count,
            price.cost, price.source, 0.0, int(w["runs"]), w["first_s"],
            (("volunteers", spec),),
            {"actor": x.actor(a), "people": float(np.median(people.max(axis=1)[
                hit.any(axis=1)])), "zones": int(zones.sum()), "had": mine.volunteers or 0,
             **w}))
    return _worst_first(out, x.cat.per_rule)


def restoration_rule(x: _Context) -> list[Candidate]:
    """Priority restoration of the sites of crisis cells (see the module)."""
    c, f = x.c, x.facts
    price = x.cat.restoration
    if price is None or not (x.s.spec.crews or x.s.spec.generators is not None):
        return []
    out: list[Candidate] = []
    seen: set[int] = set()
    for a in x.deciding():
        site = int(c.actor_site[a])
        down = _site_down(x, a)
        if site in seen or not down.any():
            continue
        seen.add(site)
        w = _windows(down, f.times_s)
        spec = RestorationSpec(name=f"advice: restoration:{x.ids[site]}", assets=[x.ids[site]])
        out.append(Candidate(
            f"restoration:{x.ids[site]}", "restoration", c.kind_names[c.kind[site]],
            (x.ids[site],), 1, 0.0, price.cost, price.cost, price.source, 0.0, int(w["runs"]),
            w["first_s"], (("restoration", spec),),
            {"actor": x.actor(a), "site": x.asset(site), **w}))
    return _worst_first(out, x.cat.per_rule)


RULES: tuple[Callable[[_Context], list[Candidate]], ...] = (
    feed_rule, terminal_rule, fallback_rule, volunteers_rule, restoration_rule)


def rule_candidates(s: Scenario, plan: Plan, catalogue: Catalogue, facts: BaseFacts
                    ) -> list[Candidate]:
    """The candidates of the rules of one asset or actor (see the module).

    Parameters
    ----------
    s : Scenario
    plan : Plan
        Its plan (the base runs were read from it).
    catalogue : Catalogue
    facts : BaseFacts
        Of the base runs.

    Returns
    -------
    list of Candidate
        Feed, terminal, fallback, volunteers, restoration; each the worst hit first.

    Examples
    --------
    >>> from tousrisques.analysis import base_facts, load_catalogue, rule_candidates
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> plan = scenario_plan(s)
    >>> found = rule_candidates(s, plan, load_catalogue(), base_facts(plan, range(4)))
    >>> [c.key for c in found]  # the storm cuts the south quarter's transformer
    ['feed:ANT-SUD', 'feed:CIS-PV', 'feed:EHPAD', 'terminal:RESERVE:radio-secours']
    """
    if catalogue.per_rule == 0:
        return []
    x = _Context(s, plan, catalogue, facts)
    out: list[Candidate] = []
    for rule in RULES:
        out += rule(x)
    return out

