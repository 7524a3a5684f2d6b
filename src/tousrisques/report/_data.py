"""What a report shows, as plain data: built from a study (``_build``), drawn by ``_html``.

Everything here is numbers, ids and texts shown in the reader's language (``Words``: a
``Text(en, fr)`` a user wrote, or a ``Msg`` of our own words translated by the catalog); nothing
refers to the engine, so the renderer can be tested on a hand-made example. Times are hours
from the scenario's start. Shares are in [0, 1]. Coordinates of maps are in the territory's
metric CRS (metres; y grows northwards).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tousrisques._i18n import Text, Words
from tousrisques.analysis import Advice
from tousrisques.results import Finding, IsolatedCommune, KeyFigure, Tail, Unit

__all__ = ["Finding", "IsolatedCommune", "KeyFigure", "Tail", "Unit"]  # and the classes below


@dataclass(frozen=True)
class Series:
    """One indicator over time with its Monte Carlo statistics (one value per time)."""

    name: str  # the indicator's name (DESIGN §5), e.g. "population_reached:fr-alert"
    label: Words
    mean: list[float]
    p10: list[float]
    p50: list[float]
    p90: list[float]


@dataclass(frozen=True)
class Chart:
    """A chart of one or more series over ``ReportData.times_h`` (same unit for all)."""

    id: str
    title: Words
    unit: Unit
    series: list[Series]
    total: float | None = None  # for counts: the maximum possible (actors, links), if any


Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class MapAsset:
    """An asset drawn on the asset maps: a point (``x``, ``y``) or a line (``line``),
    ``underground`` when the territory says so (drawn dashed)."""

    id: str
    name: str
    kind: str
    kind_label: Words
    x: float
    y: float
    line: list[tuple[float, float]] | None = None
    underground: bool = False


@dataclass(frozen=True)
class MapUnit:
    """A commune (the zones that share its code), or a zone when the territory names no
    commune: the unit of the per-commune maps and of the names written on the maps."""

    id: str
    name: str
    population: float
    rings: list[Ring]
    label_at: tuple[float, float]  # a point well inside it, where its name is written
    zones: list[int]  # its zones, as indices into ``MapData.zones``


@dataclass(frozen=True)
class ReachMap:
    """The zones a channel reaches at that channel's own worst moment: ``reached[z]`` is the
    share of runs in which zone ``z`` is reached (for door to door, the mean share of its
    people informed). ``channel`` is a channel id, or ``"any"`` (at least one broadcast
    channel; ``label`` None)."""

    channel: str
    label: Words | None
    time_h: float
    reached: list[float]


@dataclass(frozen=True)
class Choropleth:
    """One share per unit (commune) at ``time_h`` in the representative run: ``down[u]`` of
    ``total[u]`` are hit — people without power (``what`` ``"without_power"``) or assets of
    ``kind`` not working (``what`` ``"down"``). ``time_h`` is the worst moment of the
    matching indicator's mean over the runs."""

    what: str  # "without_power" or "down"
    kind: str  # the asset kind, for "down"
    label: Words  # the kind's name, or the people's
    time_h: float
    down: list[float]
    total: list[float]


@dataclass(frozen=True)
class Footprint:
    """Where a hazard acts: ``rings`` its whole extent over the scenario, ``core`` where its
    intensity is highest, ``track`` the path of a storm's core (start to end), in the
    metric CRS. A shape that covers the whole map is left out and said by a flag."""

    id: str
    name: Words
    model: str  # "storm", "flood", "plume", "footprint"
    rings: list[Ring]
    core: list[Ring]
    track: list[tuple[float, float]] | None = None
    reach_everywhere: bool = False  # it reaches the whole map (``rings`` are then left out)
    core_everywhere: bool = False  # it is strongest over the whole map (``core`` left out)


@dataclass(frozen=True)
class MapData:
    """Geometry and states for the maps.

    ``zones`` are the population zones' outer rings (one list of rings per zone; a ring is a
    list of (x, y)); ``outline`` the rings of the territory's (or communes') boundaries,
    drawn on top. ``reach`` holds a map of zones per channel, each at its own worst moment.
    ``asset_state[k][a]``: state of asset ``a`` at ``times_h[k]`` in the representative run:
    0 working, 1 down, 2 not there (a mitigation not yet delivered). ``bounds`` frame the
    zones; ``off_map`` are the assets left out because they lie far outside them.
    ``aggregated`` are the kinds too many to draw one by one: each has a per-commune map in
    ``choropleths`` instead.
    """

    bounds: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax
    zones: list[list[Ring]]
    zone_ids: list[str]
    zone_population: list[float]
    outline: list[Ring]
    times_h: list[float]
    assets: list[MapAsset]
    asset_state: list[list[int]]
    assets_total: int = 0  # located assets (more than drawn on a very large territory)
    reach: list[ReachMap] = field(default_factory=list)
    units: list[MapUnit] = field(default_factory=list)
    choropleths: list[Choropleth] = field(default_factory=list)
    footprints: list[Footprint] = field(default_factory=list)
    off_map: list[MapAsset] = field(default_factory=list)
    aggregated: list[str] = field(default_factory=list)
    kind_labels: dict[str, Words] = field(default_factory=dict)  # every kind drawn or counted


@dataclass(frozen=True)
class ActorChannel:
    """A channel an actor holds, and the share of runs in which it is available to the
    actor at each of ``MapData.times_h``."""

    id: str
    label: Words
    kept: list[float]
    absent: bool = False  # not available at the start in any run (a planned means)


@dataclass(frozen=True)
class ActorRow:
    """An actor: ``connected[k]`` is the share of runs in which it can reach a crisis cell
    at ``ReportData.times_h[k]``."""

    id: str
    name: str
    role: str
    role_label: Words
    crisis_cell: bool
    connected: list[float]
    channels: list[ActorChannel]


@dataclass(frozen=True)
class Step:
    """A link of a causal chain (see ``tousrisques.engine.Cause``)."""

    depth: int
    asset: str
    name: str
    kind_label: Words
    time_h: float
    cause: str  # "event", "requirement", "backup exhausted", "disconnected"
    event: str = ""  # the event's own words for a first cause ("hazard:tempete")
    because: list[str] = field(default_factory=list)
    parent: str | None = None  # the asset of the step it explains (None: top of the chain)
    skipped: int = 0  # links of the same network left out between the parent and this one
    layer: str = ""  # for "disconnected": the layer it was cut from ("power")


@dataclass(frozen=True)
class Chain:
    """Why ``subject`` (an actor or an asset) was down at ``at_h`` in the representative
    run. For an actor, ``reason`` says what failed it: ``site`` (its site is down; the
    steps explain the site) or ``channels`` (its site works but no channel it holds
    reaches a crisis cell; the steps explain the channels' assets)."""

    subject: str
    subject_name: str
    at_h: float
    reason: Literal["site", "channels", "asset"]
    steps: list[Step]


@dataclass(frozen=True)
class CriticalAsset:
    """What the single loss of ``asset`` costs (see ``analysis/_criticality.py``): one line
    of the ranking, standing for its group of ``group_size`` assets that fall together
    (``asset`` is the group's most critical member and carries its cost)."""

    rank: int  # the group's place in the ranking
    asset: str
    name: str
    kind_label: Words
    population_lost: float  # people no longer reached by any broadcast
    population_share: float
    actors_cut: int  # actors no longer able to reach a crisis cell
    assets_down: int  # assets down with it, itself included
    commune: str = ""
    group_size: int = 1
    group: Words | None = None  # what the group is: a feeder, or those falling with it
    channel: Words | None = None  # the main alert channel's name
    main_lost: float = 0.0  # people the main alert channel no longer reaches
    main_share: float = 0.0
    actors_cut_off: int = 0  # no crisis cell, or cut from the one they report to


@dataclass(frozen=True)
class Comparison:
    """The scenario beside another (its mitigated variant): ``charts`` hold two series each
    (this scenario first); ``figures`` pairs key figures (this, other)."""

    other_name: Text  # the other scenario's name, as its file gives it
    charts: list[Chart]
    figures: list[tuple[KeyFigure, KeyFigure]]


@dataclass(frozen=True)
class HazardInfo:
    id: str
    name: Text  # the hazard's name, as the scenario gives it
    model: str  # "storm", "flood", "plume", "footprint"
    kinds: list[str]  # the asset kinds it can damage (its fragility table)
    assets_exposed: int
    expected_damaged: float


@dataclass(frozen=True)
class Method:
    """What was simulated and how (the template adds the general assumptions)."""

    hazards: list[HazardInfo]
    mitigations: list[str]
    events: int
    repairs: dict[str, tuple[float, float | None]]  # kind -> (median hours, beta or None)
    runs: int
    seed: int
    repair_beta: float
    backup_beta: float
    step_h: float
    duration_h: float
    criticality_horizon: str  # "permanent" or a duration
    kind_labels: dict[str, Text] = field(default_factory=dict)  # every kind's name, by id


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows.

    Attributes
    ----------
    title, description : Words
        The scenario's name and description.
    territory : str
    territory_description : Words or None
    start : str or None
        The scenario's start, ISO 8601 with its offset, when it names one.
    generated, version : str
        When and by which version the report was drawn.
    territory_hash, scenario_hash : str
    runs, seed, representative_run : int
    times_h : list of float
        The output times, hours from the start.
    findings : list of Finding
        The plain-words summary, as data.
    key_figures : list of KeyFigure
    charts : list of Chart
    maps : MapData
    actors : list of ActorRow
    chains : list of Chain
        Why the first actors cut off were cut off, in the representative run.
    criticality : list of CriticalAsset
    comparison : Comparison or None
        The scenario beside its mitigated variant.
    method : Method
    sources : list of Words
        Where the territory's data come from.
    timezone : str or None
        The territory's time zone (``Europe/Paris``) when the scenario names a start: every
        moment is then shown as a local date and hour of that clock (without it, as hours
        after the start, even when ``start`` is given).
    tail : Tail or None
        The worst tenth of the runs: what collapsed in them, when and why.
    communes : list of IsolatedCommune
        The communes no channel reaches or whose crisis cell is cut off, the worst first.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> from tousrisques.report import build_report_data
    >>> data = build_report_data(study)
    >>> data.title.en, data.runs, data.times_h[-1]
    ('Winter storm and ransomware', 2, 48.0)
    """

    title: Words
    description: Words | None
    territory: str
    territory_description: Words | None
    start: str | None  # ISO 8601, when the scenario names one
    generated: str  # ISO 8601
    version: str
    territory_hash: str
    scenario_hash: str
    runs: int
    seed: int
    representative_run: int
    times_h: list[float]
    findings: list[Finding]
    key_figures: list[KeyFigure]
    charts: list[Chart]
    maps: MapData
    actors: list[ActorRow]
    chains: list[Chain]
    criticality: list[CriticalAsset]
    comparison: Comparison | None
    method: Method
    sources: list[Words]
    timezone: str | None = None
    tail: Tail | None = None
    communes: list[IsolatedCommune] = field(default_factory=list)
    advice: Advice | None = None  # from `tousrisques advise` (report/_advice.py)
