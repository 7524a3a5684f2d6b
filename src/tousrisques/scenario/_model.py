"""The scenario file (YAML): what happens to a territory, and when (DESIGN §4)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from tousrisques._clock import parse_start
from tousrisques._durations import parse_duration
from tousrisques._exceptions import InvalidValueError
from tousrisques.scenario._measures_model import (
    FallbackSpec,
    FeedSpec,
    RestorationSpec,
    TerminalSpec,
    VolunteerSpec,
)
from tousrisques.territory._config import Local

MAX_STAGES = 10_000
MAX_DISTANCE_M = 1_000_000.0  # 1000 km: a radius, a plume, a flood band
MAX_DEPTH_M = 1_000.0
MAX_DURATION_S = 3650 * 86400.0  # ten years: any duration of a scenario


def _duration(v: Any) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):
        raise InvalidValueError("value.unit", examples="30m, 2h, 1d")
    if parse_duration(str(v)) > MAX_DURATION_S:
        raise InvalidValueError("value.duration_max", days=f"{MAX_DURATION_S / 86400:g}")
    return str(v)


def _positive(v: Any) -> Any:
    v = _duration(v)
    if parse_duration(v) <= 0:
        raise InvalidValueError("value.positive_duration")
    return v


def _stage_count(span: str, step: str) -> None:
    if parse_duration(span) / parse_duration(step) > MAX_STAGES:
        raise InvalidValueError("value.stages", limit=MAX_STAGES)


def _lonlat(v: Any) -> Any:
    if (not isinstance(v, list | tuple) or len(v) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)):
        raise InvalidValueError("value.point")
    lon, lat = float(v[0]), float(v[1])
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise InvalidValueError("value.lonlat")
    return (lon, lat)


def _band(v: Any) -> Any:
    if not isinstance(v, list | tuple) or len(v) != 3:
        raise InvalidValueError("value.band")
    distance, depth, when = v
    for x, what in ((distance, "distance"), (depth, "depth")):
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise InvalidValueError(f"value.band_{what}")
    if distance <= 0 or depth < 0:
        raise InvalidValueError("value.band_sign")
    if distance > MAX_DISTANCE_M or depth > MAX_DEPTH_M:
        raise InvalidValueError("value.band_max", distance=f"{MAX_DISTANCE_M:g}",
                           depth=f"{MAX_DEPTH_M:g}")
    return (float(distance), float(depth), _duration(when))


Duration = Annotated[str, BeforeValidator(_duration)]
#: a date and an hour, with or without offset (naive: read in the territory's time zone)
Start = Annotated[datetime, BeforeValidator(parse_start)]
PositiveDuration = Annotated[str, BeforeValidator(_positive)]
LonLat = Annotated[tuple[float, float], BeforeValidator(_lonlat)]
Band = Annotated[tuple[float, float, str], BeforeValidator(_band)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PlumeBuilder(_Strict):
    source: LonLat
    wind_from_deg: float = Field(ge=0, le=360)
    wind_speed_ms: float = Field(gt=0, le=60)
    start: Duration = "0s"
    duration: PositiveDuration
    step: PositiveDuration = "1h"
    half_angle_deg: float = Field(default=12.0, gt=0, lt=90)
    max_length_m: float = Field(default=30_000.0, gt=0, le=MAX_DISTANCE_M, allow_inf_nan=False)

    @model_validator(mode="after")
    def _stages(self) -> PlumeBuilder:
        _stage_count(self.duration, self.step)
        return self


class FloodBuilder(_Strict):
    river: list[LonLat] = Field(min_length=2)
    bands: list[Band] = Field(min_length=1)  # distance m, depth m, time
    end: Duration


class StormBuilder(_Strict):
    start_point: LonLat
    end_point: LonLat
    start: Duration
    end: Duration
    step: PositiveDuration = "1h"
    peak_kmh: float = Field(gt=0, le=400)
    radius_m: float = Field(gt=0, le=MAX_DISTANCE_M, allow_inf_nan=False)

    @model_validator(mode="after")
    def _stages(self) -> StormBuilder:
        if parse_duration(self.end) < parse_duration(self.start):
            raise InvalidValueError("value.end_before_start")
        _stage_count(str(parse_duration(self.end) - parse_duration(self.start)) + "s",
                     self.step)
        return self


class HazardSpec(_Strict):
    """A hazard: a footprint (a GeoJSON file, or a builder) and fragility per kind."""

    id: str = Field(min_length=1)
    name: Local | None = None
    footprint: str | None = None
    plume: PlumeBuilder | None = None
    flood: FloodBuilder | None = None
    storm: StormBuilder | None = None
    fragility: dict[str, dict[str, Any]] = Field(default_factory=dict)
    underground: bool | None = None  # may it damage underground assets? (storm: no)


    @model_validator(mode="after")
    def _one_footprint(self) -> HazardSpec:
        given = [k for k in ("footprint", "plume", "flood", "storm") if getattr(self, k)]
        if not given:
            raise InvalidValueError("value.no_footprint")
        if len(given) != 1:
            raise InvalidValueError("value.one_footprint", given=", ".join(given))
        return self


class EventSpec(_Strict):
    """Assets that fail (for ``duration``, when given) or are restored at ``at``."""

    at: Duration
    assets: list[str] = Field(min_length=1)
    action: Literal["fail", "restore"] = "fail"
    duration: Duration | None = None
    cause: str = Field(min_length=1)


class MitigationSpec(_Strict):
    """Assets that do not exist before ``at`` (a generator delivered at +6 h).

    Parameters
    ----------
    name : str
        The cause in the log (``mitigation: <name>``).
    at : str
        When the assets arrive (a duration from the start).
    assets : list of str
        Asset ids or patterns.

    Examples
    --------
    >>> from tousrisques.scenario import MitigationSpec
    >>> MitigationSpec(name="satellite phones", assets=["SAT-*"]).at
    '0s'
    """

    name: str = Field(min_length=1)
    at: Duration = "0s"
    assets: list[str] = Field(min_length=1)


class BackupSpec(_Strict):
    """Backup autonomy brought to the power requirements of some kinds or named assets
    (batteries, a generator and its fuel): at least ``autonomy`` on each of their groups
    that has an alternative in the power layer.

    Parameters
    ----------
    name : str
        What it is ("batteries 8 h at the fibre nodes").
    kinds : list of str
        Kinds whose assets get it.
    assets : list of str
        Asset ids or patterns that get it besides.
    autonomy : str
        A duration > 0: the autonomy each of their power groups has at least.

    Examples
    --------
    >>> from tousrisques.scenario import BackupSpec
    >>> BackupSpec(name="batteries", kinds=["fibre_node"], autonomy="8h").autonomy
    '8h'
    """

    name: str = Field(min_length=1)
    kinds: list[str] = Field(default_factory=list)
    assets: list[str] = Field(default_factory=list)
    autonomy: PositiveDuration

    @model_validator(mode="after")
    def _something(self) -> BackupSpec:
        if not self.kinds and not self.assets:
            raise InvalidValueError("value.backups_empty")
        return self


class CyberAttackSpec(_Strict):
    """Named digital services (or any assets) down from ``at`` for ``duration``."""

    name: str = Field(min_length=1)
    assets: list[str] = Field(min_length=1)
    at: Duration
    duration: Duration


class LoadSheddingSpec(_Strict):
    """Rotating load shedding of named feeders (source substations, lines), sparing the
    feeders of the priority customers named in ``spare``."""

    name: str = Field(min_length=1)
    feeders: list[str] = Field(min_length=1)
    start: Duration
    slot: Duration = "2h"
    every: Duration = "24h"
    days: int = Field(default=1, ge=1, le=365)
    # priority customers: a feeder that would cut their grid supply is never shed
    spare: list[str] = Field(default_factory=list)


class RepairSpec(_Strict):
    median: Duration
    beta: float | None = Field(default=None, ge=0, le=3)  # None: monte_carlo.repair_beta


class CrewSpec(_Strict):
    """A pool of repair crews: the damaged assets of its kinds (or named assets) wait for one
    of its ``count`` crews, from ``from`` on (crews go out when the wind has dropped)."""

    name: str = Field(min_length=1)
    kinds: list[str] = Field(default_factory=list)
    assets: list[str] = Field(default_factory=list)
    count: int = Field(ge=1, le=1_000_000)
    start: Duration = Field(default="0s", alias="from")

    @model_validator(mode="after")
    def _something(self) -> CrewSpec:
        if not self.kinds and not self.assets:
            raise InvalidValueError("value.crews_empty")
        return self


class RefuelSpec(_Strict):
    """Refuelling rounds for the backups (generator tanks) of some kinds or assets."""

    kinds: list[str] = Field(default_factory=list)
    assets: list[str] = Field(default_factory=list)
    every: PositiveDuration
    needs: list[str] = Field(default_factory=list)


class GeneratorSpec(_Strict):
    """A pool of mobile generators, sent by priority to the sites that lose their power."""

    count: int = Field(ge=0, le=1_000_000)
    delivery: Duration = "4h"
    fuel: PositiveDuration = "24h"
    every: PositiveDuration | None = None  # refuelling round; none: the tank runs dry
    needs: list[str] = Field(default_factory=list)
    to: list[str] = Field(min_length=1)  # kinds or asset names and patterns


Priority = Literal["hospitals", "crisis_cells", "pcs", "sensitive", "vulnerable", "customers"]
PRIORITIES: tuple[Priority, ...] = ("hospitals", "crisis_cells", "pcs", "sensitive",
                                    "vulnerable", "customers")


class MonteCarloSpec(_Strict):
    runs: int = Field(default=100, ge=1, le=1_000_000)
    seed: int = Field(default=0, ge=0)
    repair_beta: float = Field(default=0.0, ge=0, le=3)
    backup_beta: float = Field(default=0.0, ge=0, le=3)


class ExpectedSpec(_Strict):
    """An action an inject expects of an actor or a role, within a time after the inject
    (scored by the exercise's RETEX).

    Parameters
    ----------
    who : str
        An actor id or a role.
    action : LocalText
        What it is expected to do ("trigger the PCS").
    within : str
        A duration > 0 after the inject (default 30m).

    Examples
    --------
    >>> from tousrisques.scenario import ExpectedSpec
    >>> ExpectedSpec(who="mayor", action="trigger the PCS").within
    '30m'
    """

    who: str = Field(min_length=1)
    action: Local
    within: PositiveDuration = "30m"


class InjectSpec(_Strict):
    """A timed message of a live exercise, to actors or roles, by a channel (default: any
    the addressee still has), with the actions it expects.

    Parameters
    ----------
    at : str
        When, a duration from the start.
    to : list of str
        Actor ids or roles.
    message : LocalText
    channel : str, optional
        The channel it comes by; none: any the addressee has.
    expected : list of ExpectedSpec

    Examples
    --------
    >>> from tousrisques.scenario import InjectSpec
    >>> i = InjectSpec(at="3h", to=["mayor"], message={"en": "Trees down", "fr": "Arbres"},
    ...                expected=[{"who": "mayor", "action": "open a shelter", "within": "1h"}])
    >>> i.channel, i.expected[0].within
    (None, '1h')
    """

    at: Duration
    to: list[str] = Field(min_length=1)
    message: Local
    channel: str | None = Field(default=None, min_length=1)
    expected: list[ExpectedSpec] = Field(default_factory=list, max_length=100)


class ScenarioFile(_Strict):
    """A scenario: a territory, a start, a duration, an output step, and what happens.

    Parameters
    ----------
    name : LocalText
    territory : str
        The territory's folder, relative to the scenario file.
    start : datetime, optional
        The clock time of t = 0 as written: naive (a local time of the territory's time
        zone) or with its offset; ``Scenario.start`` is it read in the territory's zone.
    duration, step : str
        Durations.
    hazards, events, mitigations, cyber_attacks, load_shedding, absent, repairs : list
        As ``docs/scenario-format.md`` describes them.
    backups, feeds, terminals, fallbacks, volunteers, restoration : list
        Measures (``docs/scenario-format.md``, "Backups" and "Measures").
    monte_carlo, injects
        As ``docs/scenario-format.md`` describes them.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> spec = s.spec
    >>> spec.duration, spec.step, spec.territory, spec.monte_carlo.seed
    ('48h', '1h', '..', 2026)
    """

    name: Local
    description: Local | None = None
    territory: str
    start: Start | None = None
    duration: PositiveDuration
    step: PositiveDuration = "1h"
    hazards: list[HazardSpec] = Field(default_factory=list)
    events: list[EventSpec] = Field(default_factory=list)
    mitigations: list[MitigationSpec] = Field(default_factory=list)
    backups: list[BackupSpec] = Field(default_factory=list)
    feeds: list[FeedSpec] = Field(default_factory=list)
    terminals: list[TerminalSpec] = Field(default_factory=list)
    fallbacks: list[FallbackSpec] = Field(default_factory=list)
    volunteers: list[VolunteerSpec] = Field(default_factory=list)
    restoration: list[RestorationSpec] = Field(default_factory=list)
    cyber_attacks: list[CyberAttackSpec] = Field(default_factory=list)
    load_shedding: list[LoadSheddingSpec] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    repairs: dict[str, RepairSpec] = Field(default_factory=dict)
    crews: list[CrewSpec] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=lambda: list(PRIORITIES))
    refuelling: list[RefuelSpec] = Field(default_factory=list)
    generators: GeneratorSpec | None = None
    switching: Duration | None = None
    monte_carlo: MonteCarloSpec = Field(default_factory=MonteCarloSpec)
    injects: list[InjectSpec] = Field(default_factory=list)


