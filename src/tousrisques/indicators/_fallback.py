"""Actors that move to their fallback site (*site de repli*) when their own site is down.

An actor with a ``fallback_site`` whose site has been down for its ``fallback_delay``
(default 2 h) works from the fallback site while that one works: its channels that need the
site are those of the fallback site, covered where the fallback site is. It goes back as soon
as its own site works again. The time down is counted on the output grid: the move happens at
the first output time at least ``fallback_delay`` after the first output time the site was
seen down.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tousrisques.territory import CompiledTerritory

BoolArray = npt.NDArray[np.bool_]


class Moves:
    """Which actors work from their fallback site, output time after output time.

    Parameters
    ----------
    c : CompiledTerritory

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> Moves(c).step(0.0, np.ones(len(c.asset_ids), bool)) is None  # nobody has one
    True
    """

    def __init__(self, c: CompiledTerritory) -> None:
        n_a = len(c.actor_ids)
        fallback = c.actor_fallback if len(c.actor_fallback) == n_a \
            else np.full(n_a, -1, np.int64)
        self._has = (fallback >= 0) & (c.actor_site >= 0)
        self._site = c.actor_site.clip(0)
        self._fallback = fallback.clip(0)
        self._delay = c.actor_fallback_delay_s if len(c.actor_fallback_delay_s) == n_a \
            else np.zeros(n_a)
        self._since = np.full(n_a, np.nan)

    def step(self, t_s: float, working: BoolArray) -> BoolArray | None:
        """The actors working from their fallback site at ``t_s`` (``None``: no actor has
        a fallback site); call it once per output time, in order.

        Parameters
        ----------
        t_s : float
            The output time, seconds.
        working : ndarray of bool
            Per asset, at ``t_s``.

        Returns
        -------
        ndarray of bool or None

        Examples
        --------
        >>> import numpy as np
        >>> from tousrisques import load_compiled
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> Moves(c).step(3600.0, np.zeros(len(c.asset_ids), bool)) is None
        True
        """
        if not self._has.any():
            return None
        down = self._has & ~working[self._site]
        self._since[~down] = np.nan
        self._since[down & np.isnan(self._since)] = t_s
        with np.errstate(invalid="ignore"):
            moved: BoolArray = down & working[self._fallback] \
                & (t_s - self._since >= self._delay - 1e-9)
        return moved
