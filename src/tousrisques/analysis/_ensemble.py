"""The results of a Monte Carlo: every run's indicators, their statistics, and how often
each zone was reached and each channel available to each actor. Their files in a run folder
are ``tousrisques.results``'s business."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

FloatArray = npt.NDArray[np.float64]
STATS = ("mean", "p10", "p50", "p90")


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Every run's indicators (``values[run, name, time]``), their statistics, metadata.

    ``zone_reached[k, j, z]`` is the share of runs in which zone ``z`` is reached by the
    broadcast channel ``broadcast_ids[j]`` at ``times_s[k]`` (the last ``j``: by any) — for
    door to door by volunteers, the mean share of the zone's people informed;
    ``actor_channels[k, a, c]`` the share of runs in which channel ``c`` is available to
    actor ``a``.

    Attributes
    ----------
    times_s : ndarray
    names : tuple of str
        Indicator names.
    values, counts : ndarray
        ``(runs, names, times)``.
    metadata : dict
        What was run.

    Examples
    --------
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> ens.values.shape  # runs, indicators, times
    (2, 32, 49)
    """

    times_s: FloatArray
    names: tuple[str, ...]
    values: npt.NDArray[np.float64]
    counts: npt.NDArray[np.float64]
    metadata: dict[str, str] = field(default_factory=dict)
    zone_reached: FloatArray | None = None
    actor_channels: FloatArray | None = None
    zone_ids: tuple[str, ...] = ()
    actor_ids: tuple[str, ...] = ()
    channel_ids: tuple[str, ...] = ()
    broadcast_ids: tuple[str, ...] = ()  # the broadcast channels, then "any"

    @property
    def runs(self) -> int:
        return int(self.values.shape[0])

    def stat(self, name: str, which: str, *, counts: bool = False) -> FloatArray:
        """``mean``, ``p10``, ``p50`` or ``p90`` of indicator ``name`` at each time.

        Parameters
        ----------
        name : str
            An indicator name.
        which : {"mean", "p10", "p50", "p90"}
        counts : bool
            Of the counts instead of the values.

        Returns
        -------
        ndarray
            One per output time.

        Examples
        --------
        >>> from tousrisques.analysis import run_ensemble
        >>> from tousrisques.scenario import load_scenario, scenario_plan
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> ens = run_ensemble(scenario_plan(s), runs=2)
        >>> ens.stat("population_reached:any", "p50")[:3].round(3).tolist()
        [0.943, 0.943, 0.943]
        """
        if name not in self.names:
            raise KeyError(name)
        data = (self.counts if counts else self.values)[:, self.names.index(name)]
        if which == "mean":
            return np.asarray(data.mean(axis=0), dtype=np.float64)
        q = {"p10": 10, "p50": 50, "p90": 90}[which]
        return np.asarray(np.percentile(data, q, axis=0, method="inverted_cdf"),
                          dtype=np.float64)

    def representative_run(self, name: str = "population_reached:any") -> int:
        """The run whose series of ``name`` is closest to the median series (sum of absolute
        differences; the first such run on ties): the one to tell as a story.

        Parameters
        ----------
        name : str
            The indicator that decides.

        Returns
        -------
        int
            A run number, for ``tousrisques.engine.replay``.

        Examples
        --------
        >>> from tousrisques.analysis import run_ensemble
        >>> from tousrisques.scenario import load_scenario, scenario_plan
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> ens = run_ensemble(scenario_plan(s), runs=2)
        >>> ens.representative_run() in (0, 1)
        True
        """
        data = self.values[:, self.names.index(name)]
        data = np.where(np.isfinite(data), data, 1e12)
        median = np.percentile(data, 50, axis=0, method="inverted_cdf")
        return int(np.argmin(np.abs(data - median).sum(axis=1)))

    def stats_table(self) -> pa.Table:
        """Long format: name, time_s, mean, p10, p50, p90 (of values), and the same of counts.

        Returns
        -------
        pyarrow.Table

        Examples
        --------
        >>> from tousrisques.analysis import run_ensemble
        >>> from tousrisques.scenario import load_scenario, scenario_plan
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> ens = run_ensemble(scenario_plan(s), runs=2)
        >>> ens.stats_table().column_names[:5]
        ['name', 'time_s', 'mean', 'count_mean', 'p10']
        """
        cols: dict[str, Any] = {
            "name": np.repeat(np.array(self.names, dtype=object), len(self.times_s)).tolist(),
            "time_s": np.tile(self.times_s, len(self.names))}
        for which in STATS:
            cols[which] = np.concatenate([self.stat(n, which) for n in self.names])
            cols[f"count_{which}"] = np.concatenate([self.stat(n, which, counts=True)
                                                     for n in self.names])
        return pa.table(cols)
