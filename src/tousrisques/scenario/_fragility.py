"""Fragility: the probability that an asset is damaged by a hazard of a given intensity.

Three forms, as engineers write them:

* ``step``: damaged for sure at or above a threshold, never below;
* ``lognormal``: the cumulative lognormal of HAZUS and of most published curves,
  P = Φ(ln(I / median) / beta);
* ``table``: points (intensity, probability), linear in between, flat outside.

>>> import numpy as np
>>> Step(100).probability(np.array([90.0, 100.0]))
array([0., 1.])
>>> round(float(Lognormal(120, 0.3).probability(np.array([120.0]))[0]), 3)
0.5
>>> Table(((80, 0.0), (120, 0.5))).probability(np.array([60.0, 100.0, 200.0]))
array([0.  , 0.25, 0.5 ])
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from tousrisques._exceptions import InvalidValueError

FloatArray = npt.NDArray[np.float64]


class FragilityError(InvalidValueError):
    """A fragility curve is malformed; the message says what would be right, in the reader's
    language (a code of ``_messages.ERRORS``)."""


@dataclass(frozen=True)
class Step:
    """A step fragility: damaged for certain at ``threshold`` and above, never below.

    Parameters
    ----------
    threshold : float
        The intensity (wind km/h, depth m…).

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.scenario import parse_fragility
    >>> f = parse_fragility({"step": {"threshold": 160}})
    >>> f.probability(np.array([150.0, 160.0])).tolist()
    [0.0, 1.0]
    """
    threshold: float

    def probability(self, intensity: FloatArray) -> FloatArray:
        return np.where(intensity >= self.threshold, 1.0, 0.0)


@dataclass(frozen=True)
class Lognormal:
    """A lognormal fragility curve: half the assets are damaged at ``median``.

    Parameters
    ----------
    median : float
        The intensity at which the probability is 0.5.
    beta : float
        The log standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.scenario import parse_fragility
    >>> f = parse_fragility({"lognormal": {"median": 110, "beta": 0.3}})
    >>> f.probability(np.array([110.0])).round(2).tolist()
    [0.5]
    """
    median: float
    beta: float

    def probability(self, intensity: FloatArray) -> FloatArray:
        out = np.zeros(len(intensity))
        pos = intensity > 0
        out[pos] = ndtr(np.log(intensity[pos] / self.median) / self.beta)
        return out


@dataclass(frozen=True)
class Table:
    """A fragility table: probabilities at given intensities, linear in between.

    Parameters
    ----------
    points : tuple of (intensity, probability)
        In increasing intensity.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.scenario import parse_fragility
    >>> f = parse_fragility({"table": [[90, 0.0], [130, 0.2], [170, 0.8]]})
    >>> f.probability(np.array([110.0, 200.0])).round(2).tolist()
    [0.1, 0.8]
    """
    points: tuple[tuple[float, float], ...]

    def probability(self, intensity: FloatArray) -> FloatArray:
        xs = np.array([p[0] for p in self.points])
        ys = np.array([p[1] for p in self.points])
        return np.asarray(np.interp(intensity, xs, ys), dtype=np.float64)


Fragility = Step | Lognormal | Table


def _number(value: Any, what: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FragilityError("fragility.number", what=what)
    if value < 0 or (positive and value == 0):
        if positive:
            raise FragilityError("fragility.positive", what=what)
        raise FragilityError("fragility.not_negative", what=what)
    return float(value)


def parse_fragility(value: Any) -> Fragility:
    """A fragility curve from its YAML form: ``{step: {threshold: 100}}``,
    ``{lognormal: {median: 120, beta: 0.3}}`` or ``{table: [[80, 0], [120, 0.5]]}``.

    Parameters
    ----------
    value : mapping
        One key, the curve's form.

    Returns
    -------
    Step, Lognormal or Table

    Raises
    ------
    ValueError
        When ``value`` is none of these forms.

    Examples
    --------
    >>> from tousrisques.scenario import parse_fragility
    >>> parse_fragility({"table": [[80, 0], [120, 0.5]]})
    Table(points=((80.0, 0.0), (120.0, 0.5)))
    """
    if not isinstance(value, dict) or len(value) != 1:
        raise FragilityError("fragility.forms")
    (form, body), = value.items()
    if form == "step":
        if not isinstance(body, dict) or set(body) != {"threshold"}:
            raise FragilityError("fragility.step")
        return Step(_number(body["threshold"], "threshold"))
    if form == "lognormal":
        if not isinstance(body, dict) or set(body) != {"median", "beta"}:
            raise FragilityError("fragility.lognormal")
        return Lognormal(_number(body["median"], "median", positive=True),
                         _number(body["beta"], "beta", positive=True))
    if form == "table":
        if not isinstance(body, list) or len(body) < 2 or not all(
                isinstance(p, list) and len(p) == 2 for p in body):
            raise FragilityError("fragility.table")
        pts = tuple((_number(x, "intensity"), _number(p, "probability")) for x, p in body)
        if any(b[0] <= a[0] for a, b in itertools.pairwise(pts)):
            raise FragilityError("fragility.increase")
        if any(p > 1 for _, p in pts):
            raise FragilityError("fragility.probability")
        return Table(pts)
    raise FragilityError("fragility.form", form=form)
