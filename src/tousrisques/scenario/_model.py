"""The scenario file (YAML): what happens to a territory, and when (DESIGN §4)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tousrisques._durations import parse_duration
from tousrisques.territory._config import LocalText, _local

MAX_STAGES = 10_000


def _duration(v: Any) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):
        raise ValueError("write a unit: 30m, 2h, 1d")
    parse_duration(str(v))
    return str(v)


def _positive(v: Any) -> Any:
    v = _duration(v)
    if parse_duration(v) <= 0:
        raise ValueError("must be longer than zero, e.g. 1h")
    return v


def _stage_count(span: str, step: str) -> None:
    if parse_duration(span) / parse_duration(step) > MAX_STAGES:
        raise ValueError(f"more than {MAX_STAGES} stages: use a longer step")


def _lonlat(v: Any) -> Any:
    if (not isinstance(v, list | tuple) or len(v) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)):
        raise ValueError("a point is [longitude, latitude]")
    lon, lat = float(v[0]), float(v[1])
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise ValueError("longitude in [-180, 180] and latitude in [-90, 90]")
    return (lon, lat)


def _band(v: Any) -> Any:
    if not isinstance(v, list | tuple) or len(v) != 3:
        raise ValueError("a band is [distance in metres, depth in metres, time]")
    distance, depth, when = v
    for x, what in ((distance, "distance"), (depth, "depth")):
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise ValueError(f"the {what} must be a finite number")
    if distance <= 0 or depth < 0:
        raise ValueError("the distance must be > 0 and the depth >= 0")
    return (float(distance), float(depth), _duration(when))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PlumeBuilder(_Strict):
    source: tuple[float, float]

    _p = field_validator("source", mode="before")(classmethod(lambda cls, v: _lonlat(v)))
    wind_from_deg: float = Field(ge=0, le=360)
    wind_speed_ms: float = Field(gt=0, le=60)
    start: str = "0s"
    duration: str
    step: str = "1h"
    half_angle_deg: float = Field(default=12.0, gt=0, lt=90)
    max_length_m: float = Field(default=30_000.0, gt=0, allow_inf_nan=False)

    _d = field_validator("start", mode="before")(classmethod(lambda cls, v: _duration(v)))
    _s = field_validator("step", "duration", mode="before")(classmethod(
        lambda cls, v: _positive(v)))

    @model_validator(mode="after")
    def _stages(self) -> PlumeBuilder:
        _stage_count(self.duration, self.step)
        return self


class FloodBuilder(_Strict):
    river: list[tuple[float, float]] = Field(min_length=2)
    bands: list[tuple[float, float, str]] = Field(min_length=1)  # distance m, depth m, time
    end: str

    @field_validator("river", mode="before")
    @classmethod
    def _points(cls, v: Any) -> Any:
        return [_lonlat(p) for p in v] if isinstance(v, list) else v

    @field_validator("bands", mode="before")
    @classmethod
    def _bands(cls, v: Any) -> Any:
        return [_band(b) for b in v] if isinstance(v, list) else v

    _d = field_validator("end", mode="before")(classmethod(lambda cls, v: _duration(v)))


class StormBuilder(_Strict):
    start_point: tuple[float, float]
    end_point: tuple[float, float]

    _p = field_validator("start_point", "end_point", mode="before")(classmethod(
        lambda cls, v: _lonlat(v)))
    start: str
    end: str
    step: str = "1h"
    peak_kmh: float = Field(gt=0, le=400)
    radius_m: float = Field(gt=0, allow_inf_nan=False)

    _d = field_validator("start", "end", mode="before")(classmethod(
        lambda cls, v: _duration(v)))
    _s = field_validator("step", mode="before")(classmethod(lambda cls, v: _positive(v)))

    @model_validator(mode="after")
    def _stages(self) -> StormBuilder:
        if parse_duration(self.end) < parse_duration(self.start):
            raise ValueError("end comes before start")
        span = parse_duration(self.end) - parse_duration(self.start)
        if span / parse_duration(self.step) > MAX_STAGES:
            raise ValueError(f"more than {MAX_STAGES} stages: use a longer step")
        return self


class HazardSpec(_Strict):
    """A hazard: a footprint (a GeoJSON file, or a builder) and fragility per kind."""

    id: str = Field(min_length=1)
    name: LocalText | None = None
    footprint: str | None = None
    plume: PlumeBuilder | None = None
    flood: FloodBuilder | None = None
    storm: StormBuilder | None = None
    fragility: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("name", mode="before")
    @classmethod
    def _texts(cls, v: Any) -> Any:
        return _local(v)

    @model_validator(mode="after")
    def _one_footprint(self) -> HazardSpec:
        given = [k for k in ("footprint", "plume", "flood", "storm") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of footprint, plume, flood, storm "
                             f"(got {', '.join(given) or 'none'})")
        return self


class EventSpec(_Strict):
    """Assets that fail (for ``duration``, when given) or are restored at ``at``."""

    at: str
    assets: list[str] = Field(min_length=1)
    action: Literal["fail", "restore"] = "fail"
    duration: str | None = None
    cause: str = Field(min_length=1)

    _d = field_validator("at", "duration", mode="before")(classmethod(
        lambda cls, v: v if v is None else _duration(v)))


class MitigationSpec(_Strict):
    """Assets that do not exist before ``at`` (a generator delivered at +6 h)."""

    name: str = Field(min_length=1)
    at: str = "0s"
    assets: list[str] = Field(min_length=1)

    _d = field_validator("at", mode="before")(classmethod(lambda cls, v: _duration(v)))


class CyberAttackSpec(_Strict):
    """Named digital services (or any assets) down from ``at`` for ``duration``."""

    name: str = Field(min_length=1)
    assets: list[str] = Field(min_length=1)
    at: str
    duration: str

    _d = field_validator("at", "duration", mode="before")(classmethod(
        lambda cls, v: _duration(v)))


class LoadSheddingSpec(_Strict):
    """Rotating load shedding of named feeders (source substations, lines)."""

    name: str = Field(min_length=1)
    feeders: list[str] = Field(min_length=1)
    start: str
    slot: str = "2h"
    every: str = "24h"
    days: int = Field(default=1, ge=1, le=365)

    _d = field_validator("start", "slot", "every", mode="before")(classmethod(
        lambda cls, v: _duration(v)))


class RepairSpec(_Strict):
    median: str
    beta: float | None = Field(default=None, ge=0, le=3)  # None: monte_carlo.repair_beta

    _d = field_validator("median", mode="before")(classmethod(lambda cls, v: _duration(v)))


class MonteCarloSpec(_Strict):
    runs: int = Field(default=100, ge=1, le=1_000_000)
    seed: int = Field(default=0, ge=0)
    repair_beta: float = Field(default=0.0, ge=0, le=3)
    backup_beta: float = Field(default=0.0, ge=0, le=3)


class InjectSpec(_Strict):
    at: str
    to: list[str] = Field(min_length=1)
    message: LocalText

    _d = field_validator("at", mode="before")(classmethod(lambda cls, v: _duration(v)))

    @field_validator("message", mode="before")
    @classmethod
    def _texts(cls, v: Any) -> Any:
        return _local(v)


class ScenarioFile(_Strict):
    """A scenario: a territory, a start, a duration, an output step, and what happens."""

    name: LocalText
    description: LocalText | None = None
    territory: str
    start: datetime | None = None
    duration: str
    step: str = "1h"
    hazards: list[HazardSpec] = Field(default_factory=list)
    events: list[EventSpec] = Field(default_factory=list)
    mitigations: list[MitigationSpec] = Field(default_factory=list)
    cyber_attacks: list[CyberAttackSpec] = Field(default_factory=list)
    load_shedding: list[LoadSheddingSpec] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    repairs: dict[str, RepairSpec] = Field(default_factory=dict)
    monte_carlo: MonteCarloSpec = Field(default_factory=MonteCarloSpec)
    injects: list[InjectSpec] = Field(default_factory=list)

    @field_validator("name", "description", mode="before")
    @classmethod
    def _texts(cls, v: Any) -> Any:
        return _local(v)

    _d = field_validator("duration", mode="before")(classmethod(lambda cls, v: _positive(v)))
    _s = field_validator("step", mode="before")(classmethod(lambda cls, v: _positive(v)))
