"""How much work and memory a run takes, estimated before it starts, and refused above a
limit the user can raise.

A Monte Carlo keeps, for every run, each indicator at each output time (a value and a
count: 16 bytes), the packed bits of which zone each broadcast reaches and which channel
each actor has, and the plan's events; a footprint keeps one exposure per stage for every
asset and zone. These are computed from the sizes alone, before anything large is made:
``run --runs 1000000000`` or a scenario of 7.3 million load-shedding events is refused at
once, with how much work and memory it would take and how to raise the limit.

The limit on memory is ``max_memory`` (bytes) where a function takes it, else the
environment variable ``TOUSRISQUES_MAX_MEMORY`` (``16G``, ``512M``, ``2GiB``, bytes), else
half of the machine's physical memory. On the command line: ``--max-memory`` of ``run``,
``demo`` and ``synthetic``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tousrisques._exceptions import InputError
from tousrisques._i18n import N_, Text, gettext
from tousrisques.engine import Plan
from tousrisques.scenario._memory import (
    ENV,
    count_text,
    max_memory,
    max_workers,
    parse_size,
    size_text,
)
from tousrisques.territory import CompiledTerritory

if TYPE_CHECKING:
    from tousrisques.scenario._loader import Scenario

__all__ = [
    "ENV",
    "MAX_EVENTS",
    "MAX_RUNS",
    "Estimate",
    "check_events",
    "check_plan",
    "check_runs",
    "check_scenario",
    "check_stages",
    "check_synthetic",
    "check_workers",
    "estimate_run",
    "max_memory",
    "max_workers",
    "parse_size",
]

#: the most runs of one Monte Carlo (as in a scenario's ``monte_carlo.runs``)
MAX_RUNS = 1_000_000
#: what one timed event takes in memory through a run, measured: 202 bytes in the plan
#: (tracemalloc), about 1 kB at the peak of a run (its log rows, its sorted copies; 73,000
#: load-shedding events on the example town: 76 MB more)
EVENT_BYTES = 1_024
#: the most timed events of one run: a replay takes about 240 µs per event (73,000 events in
#: 17.6 s on the example town), so a million events are some four minutes per run
MAX_EVENTS = 1_000_000
#: what a synthetic territory takes per asset while it is made and written, measured
#: (peak resident memory: 1,430 bytes per asset at 20,000 assets, 820 at 100,000)
SYNTHETIC_ASSET_BYTES = 1_500
#: what one extra link of a synthetic territory takes (a CSV row and its arrays)
LINK_BYTES = 200
def _both(f: Callable[[str], str]) -> Text:
    return Text(f("en"), f("fr"))


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a run would take: ``work`` asset-steps over every run, ``events`` timed events,
    and ``memory`` bytes, the sum of ``parts`` (name → bytes).

    Attributes
    ----------
    runs, assets, steps, events : int
        Runs, assets, output times of a run, timed events.
    parts : tuple of (str, int)
        Bytes by part: ``outputs``, ``shares``, ``events``, ``progress``, ``stages``,
        ``territory``.
    work : int
        Asset-steps over every run.
    memory : int
        Bytes in all.

    Examples
    --------
    >>> from tousrisques.scenario import Estimate
    >>> e = Estimate(runs=2, assets=20, steps=49, events=3, parts=(("outputs", 1000),))
    >>> e.work, e.memory
    (1960, 1000)
    >>> e.check("1k")  # fits
    >>> from tousrisques import InputError
    >>> try:
    ...     e.check(500)
    ... except InputError as exc:
    ...     print(exc.code)
    budget.memory
    """

    runs: int
    assets: int
    steps: int
    events: int
    parts: tuple[tuple[str, int], ...]

    @property
    def work(self) -> int:
        """Asset-steps over every run: runs × assets × output times."""
        return self.runs * self.assets * self.steps

    @property
    def memory(self) -> int:
        return sum(b for _, b in self.parts)

    def check(self, limit: int | str | None = None, *, what: str = "run") -> None:
        """Raise ``InputError("budget.memory")`` when the memory passes the limit."""
        cap = max_memory(limit)
        if self.memory <= cap:
            return
        words = {
            "outputs": N_("the run outputs {size}"),
            "shares": N_("the zone and actor shares {size}"),
            "events": N_("the plan's events {size}"),
            "stages": N_("the footprint's stages {size}"),
            "progress": N_("the runs in progress {size}"),
            "territory": N_("the territory {size}"),
        }

        def parts(lang: str) -> str:
            return ", ".join(gettext(words[name], lang).format(size=size_text(b, lang))
                             for name, b in self.parts if b)

        suggest = max(1, math.ceil(self.memory * 1.25 / 1000**3))
        params = dict(
            runs=_both(lambda lang: count_text(self.runs, lang)),
            assets=_both(lambda lang: count_text(self.assets, lang)),
            steps=_both(lambda lang: count_text(self.steps, lang)),
            work=_both(lambda lang: count_text(self.work, lang)),
            events=_both(lambda lang: count_text(self.events, lang)),
            memory=_both(lambda lang: size_text(self.memory, lang)),
            limit=_both(lambda lang: size_text(cap, lang)),
            parts=_both(parts),
            suggest=f"{suggest}G",
        )
        if what == "stages":
            raise InputError("budget.memory_stages", **params)
        if what == "synthetic":
            raise InputError("budget.memory_synthetic", **params)
        raise InputError("budget.memory", **params)


def check_runs(runs: int, estimate: Estimate | None = None) -> None:
    """At least one run, at most :data:`MAX_RUNS` (the message says what ``estimate``
    would take).

    Parameters
    ----------
    runs : int
    estimate : Estimate, optional
        What the runs would take, said in the message.

    Returns
    -------
    None

    Raises
    ------
    InputError
        ``ensemble.runs`` below 1, ``budget.runs`` above ``MAX_RUNS``.

    Examples
    --------
    >>> from tousrisques.scenario import check_runs
    >>> check_runs(2)
    >>> from tousrisques import InputError
    >>> try:
    ...     check_runs(10**9)
    ... except InputError as exc:
    ...     print(exc.code)
    budget.runs
    """
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InputError("ensemble.runs", runs=runs)
    if runs > MAX_RUNS:
        est = estimate or Estimate(runs, 0, 0, 0, ())
        raise InputError("budget.runs", runs=_both(lambda lang: count_text(runs, lang)),
                         limit=_both(lambda lang: count_text(MAX_RUNS, lang)),
                         work=_both(lambda lang: count_text(est.work, lang)),
                         memory=_both(lambda lang: size_text(est.memory, lang)))


def check_workers(workers: int) -> None:
    """At least one process, at most :func:`max_workers`.

    Parameters
    ----------
    workers : int
        Local processes.

    Returns
    -------
    None

    Raises
    ------
    InputError
        ``budget.workers`` below 1 or above four per core.

    Examples
    --------
    >>> from tousrisques.scenario import check_workers
    >>> check_workers(1)
    >>> from tousrisques import InputError
    >>> try:
    ...     check_workers(5000)
    ... except InputError as exc:
    ...     print(exc.code)
    budget.workers
    """
    cap = max_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1 \
            or workers > cap:
        raise InputError("budget.workers", workers=workers, limit=cap,
                         cpus=os.cpu_count() or 1)


def output_times(duration_s: float, step_s: float) -> int:
    """The output times of a run: 0, step, … up to the duration."""
    return math.floor(duration_s / step_s + 0.5) + 1


def _indicators(c: CompiledTerritory) -> int:
    """An upper bound of the number of indicators of a territory (reach and vulnerable
    people unreached per broadcast channel, assets working and sites down per kind, …)."""
    return (2 * (int(c.channel_broadcast.sum()) + 1) + 2 * len(c.kind_names)
            + len(c.layer_names) + len(c.actor_ids) + 12)


def estimate_run(c: CompiledTerritory, *, duration_s: float, step_s: float, runs: int,
                 events: int = 0, event_assets: int = 0, workers: int = 1) -> Estimate:
    """What ``runs`` runs of ``events`` timed events (naming ``event_assets`` assets in all)
    on ``c`` take.

    >>> from tousrisques.territory import load_territory
    >>> c = load_territory("src/tousrisques/templates/petite-ville").compile()
    >>> e = estimate_run(c, duration_s=86400, step_s=3600, runs=10**9)
    >>> e.steps, e.work == 10**9 * c.n_assets * 25, e.memory > 10**12
    (25, True, True)

    Parameters
    ----------
    c : CompiledTerritory
    duration_s, step_s : float
        The run's length and output step.
    runs : int
    events : int
        Timed events of a run.
    event_assets : int
        Assets the events name, in all.
    workers : int
        Local processes (runs in progress at once).

    Returns
    -------
    Estimate

    Examples
    --------
    >>> from tousrisques.territory import load_territory
    >>> c = load_territory("src/tousrisques/templates/petite-ville").compile()
    >>> e = estimate_run(c, duration_s=86400, step_s=3600, runs=10**9)
    >>> e.steps, e.work == 10**9 * c.n_assets * 25, e.memory > 10**12
    (25, True, True)
    """
    n_t = output_times(duration_s, step_s)
    n_z, n_a, n_c = len(c.population), len(c.actor_ids), len(c.channel_ids)
    bits = n_t * ((int(c.channel_broadcast.sum()) + 1) * n_z + n_a * n_c)
    outputs = runs * _indicators(c) * n_t * 16
    shares = runs * math.ceil(bits / 8) + bits * 16
    plan = events * EVENT_BYTES + event_assets * 8
    progress = min(workers, runs) * n_t * (c.n_assets + n_z + bits // max(n_t, 1))
    return Estimate(runs, c.n_assets, n_t, events,
                    (("outputs", outputs), ("shares", shares), ("events", plan),
                     ("progress", progress)))


def check_plan(plan: Plan, *, runs: int, workers: int = 1,
               max_memory: int | str | None = None) -> Estimate:
    """Refuse a Monte Carlo of ``plan`` that passes the limits (runs, workers, memory);
    return its estimate.

    Parameters
    ----------
    plan : Plan
        From ``scenario_plan`` or ``tousrisques.engine.make_plan``.
    runs : int
    workers : int
    max_memory : int or str, optional
        The limit (default as for :func:`max_memory`).

    Returns
    -------
    Estimate
        What the Monte Carlo would take.

    Raises
    ------
    InputError
        ``ensemble.runs``, ``budget.runs``, ``budget.workers`` or ``budget.memory`` (the
        message says how much work and memory it would take, and how to raise the limit).

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.scenario import check_plan, scenario_plan
    >>> plan = scenario_plan(s)
    >>> check_plan(plan, runs=2).runs
    2
    >>> from tousrisques import InputError
    >>> try:
    ...     check_plan(plan, runs=10**9)
    ... except InputError as exc:
    ...     print(exc.code)
    budget.memory
    """
    if runs < 1:
        check_runs(runs)
    check_workers(workers)
    est = estimate_run(plan.compiled, duration_s=plan.duration_s, step_s=plan.step_s,
                       runs=runs, events=len(plan.events),
                       event_assets=sum(len(e.assets) for e in plan.events),
                       workers=workers)
    est.check(max_memory)
    check_runs(runs, est)
    return est


def check_scenario(s: Scenario, *, runs: int | None = None, workers: int = 1,
                   max_memory: int | str | None = None) -> Estimate:
    """Refuse the Monte Carlo of a loaded scenario (``runs`` default its file's) that passes
    the limits, before its plan is made; return its estimate.

    Parameters
    ----------
    s : Scenario
    runs : int, optional
        Default: the file's ``monte_carlo.runs``.
    workers : int
    max_memory : int or str, optional
        The limit (default as for :func:`max_memory`).

    Returns
    -------
    Estimate
        What the Monte Carlo would take.

    Raises
    ------
    InputError
        As for :func:`check_plan`.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.scenario import check_scenario
    >>> check_scenario(s).runs == s.spec.monte_carlo.runs
    True
    >>> from tousrisques import InputError
    >>> try:
    ...     check_scenario(s, workers=5000)
    ... except InputError as exc:
    ...     print(exc.code)
    budget.workers
    """
    n = s.spec.monte_carlo.runs if runs is None else runs
    if n < 1:
        check_runs(n)
    check_workers(workers)
    est = estimate_run(s.compiled, duration_s=s.duration_s, step_s=s.step_s, runs=n,
                       events=len(s.events),
                       event_assets=sum(len(e.assets) for e in s.events), workers=workers)
    est.check(max_memory)
    check_runs(n, est)
    return est


def check_events(c: CompiledTerritory, *, events: int, duration_s: float, step_s: float,
                 max_memory: int | str | None = None) -> None:
    """Refuse a scenario whose timed events (load shedding of many feeders over many days)
    would not fit in one run, before they are made (the Monte Carlo is checked when it
    starts, with its number of runs)."""
    est = estimate_run(c, duration_s=duration_s, step_s=step_s, runs=1, events=events)
    est.check(max_memory)
    if events > MAX_EVENTS:
        raise InputError("budget.events", events=_both(lambda lang: count_text(events, lang)),
                         limit=_both(lambda lang: count_text(MAX_EVENTS, lang)),
                         minutes=_both(lambda lang: count_text(events * 240e-6 / 60, lang)))


def check_stages(c: CompiledTerritory, *, stages: Sequence[int], targets: int,
                 duration_s: float, step_s: float, max_memory: int | str | None = None
                 ) -> None:
    """Refuse footprints whose stages' exposures (one value per stage and asset or zone)
    would not fit, before they are computed."""
    n = sum(stages)
    est = Estimate(1, c.n_assets, output_times(duration_s, step_s), 0,
                   (("stages", n * targets * 8 * 2),))
    est.check(max_memory, what="stages")


def check_synthetic(n_assets: int, max_memory: int | str | None = None, *,
                    links: float = 0.0) -> None:
    """Refuse a synthetic territory (``links`` extra mesh links per asset) that would not fit
    in memory while it is made.

    Parameters
    ----------
    n_assets : int
    max_memory : int or str, optional
        The limit (default as for :func:`max_memory`).
    links : float
        Extra mesh links per asset.

    Returns
    -------
    None

    Raises
    ------
    InputError
        ``budget.memory_synthetic`` when it would not fit.

    Examples
    --------
    >>> from tousrisques.scenario import check_synthetic
    >>> check_synthetic(20_000)
    >>> from tousrisques import InputError
    >>> try:
    ...     check_synthetic(10**9, "8G")
    ... except InputError as exc:
    ...     print(exc.code)
    budget.memory_synthetic
    """
    size = n_assets * SYNTHETIC_ASSET_BYTES + n_assets * links * LINK_BYTES
    est = Estimate(1, n_assets, 1, 0, (("territory", int(min(size, 1e30))),))
    est.check(max_memory, what="synthetic")
