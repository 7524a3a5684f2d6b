"""A scenario's hazards as the engine draws them: each asset's shape in metric
coordinates, the stages of a footprint (a builder's or a file's), the damage probability of
each asset as it rises stage after stage, and the storm that spares underground assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from tousrisques._durations import parse_duration
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems
from tousrisques.engine import Hazard
from tousrisques.scenario._builders import flood, plume, storm
from tousrisques.scenario._exposure import Stage, project_geometries
from tousrisques.scenario._footprint import read_footprint
from tousrisques.scenario._fragility import Fragility
from tousrisques.territory import Territory

FloatArray = npt.NDArray[np.float64]


def hazard_targets(t: Territory) -> npt.NDArray[np.object_]:
    """Each asset's geometry in the metric CRS: its shape, the segment between the two
    assets it connects, or its point."""
    a = t.assets
    out = project_geometries(a.shapes, t.metric_crs)
    pts = np.isfinite(a.x) & ~np.asarray(shapely.is_geometry(out), dtype=bool)
    line = pts & (a.connects[:, 0] >= 0)
    if line.any():
        i, j = a.connects[line, 0], a.connects[line, 1]
        ok = np.isfinite(a.x[i]) & np.isfinite(a.x[j])
        rows = np.nonzero(line)[0][ok]
        out[rows] = shapely.linestrings(np.stack([
            np.column_stack([a.x[i[ok]], a.y[i[ok]]]),
            np.column_stack([a.x[j[ok]], a.y[j[ok]]])], axis=1))
        pts[rows] = False
    out[pts] = shapely.points(a.x[pts], a.y[pts])
    return out


def hazard_stages(h: Any, folder: Path, duration: float, problems: Problems, crs: str,
            limits: ReadLimits, territory: Territory | None = None) -> list[Stage]:
    if h.plume is not None:
        p = h.plume
        return plume(p.source, wind_from_deg=p.wind_from_deg, wind_speed_ms=p.wind_speed_ms,
                     start_s=parse_duration(p.start), duration_s=parse_duration(p.duration),
                     step_s=parse_duration(p.step), half_angle_deg=p.half_angle_deg,
                     max_length_m=p.max_length_m, crs=crs)
    if h.flood is not None:
        f = h.flood
        return flood(f.river, bands=[(d, depth, parse_duration(t)) for d, depth, t in f.bands],
                     end_s=parse_duration(f.end), crs=crs)
    if h.storm is not None:
        s = h.storm
        return storm(s.start_point, s.end_point, start_s=parse_duration(s.start),
                     end_s=parse_duration(s.end), step_s=parse_duration(s.step),
                     peak_kmh=s.peak_kmh, radius_m=s.radius_m, crs=crs)
    return read_footprint(folder / h.footprint, h.footprint, duration, problems, limits,
                          territory)


def staged_hazard(stages: list[Stage], levels: list[FloatArray],
                   frag: dict[int, Fragility], t: Territory, cause: str) -> Hazard:
    """The damage probability of each asset as it rises stage after stage (a running
    maximum), kept where it rises: the engine draws once per asset against these steps."""
    n = len(t.assets)
    running = np.zeros(n)
    when = np.zeros(n)
    s_asset, s_time, s_prob = [], [], []
    order = sorted(range(len(stages)), key=lambda k: stages[k].start_s)
    for k in order:
        prob = np.zeros(n)
        for code, fragility in frag.items():
            sel = (t.assets.kind == code) & (levels[k] > 0)
            prob[sel] = fragility.probability(levels[k][sel])
        rises = np.nonzero(prob > running)[0]
        running[rises] = prob[rises]
        when[rises] = stages[k].start_s
        s_asset.append(rises)
        s_time.append(np.full(len(rises), stages[k].start_s))
        s_prob.append(prob[rises])
    steps = (np.concatenate(s_asset).astype(np.int64) if s_asset else np.zeros(0, np.int64),
             np.concatenate(s_time) if s_time else np.zeros(0),
             np.concatenate(s_prob) if s_prob else np.zeros(0))
    return Hazard(when, running, cause, steps)


def spare_underground(hazard: Hazard, territory: Territory) -> Hazard:
    """The hazard without its damage to underground assets (wind does not reach them)."""
    under = territory.assets.construction == 1
    if not under.any():
        return hazard
    prob = np.where(under, 0.0, hazard.probability)
    steps = hazard.steps
    if steps is not None:
        keep = ~under[steps[0]]
        steps = (steps[0][keep], steps[1][keep], steps[2][keep])
    return Hazard(hazard.time_s, prob, hazard.cause, steps)
