"""Fallback sites (*sites de repli*): where an actor moves when its own site is down.

An actor's ``fallback_site`` names an asset with a location; ``fallback_delay`` (a duration,
default 2 h) is how long the move takes. The indicators let an actor whose site has been down
for that long work from its fallback site, while that one works (docs/engine.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from tousrisques._durations import parse_duration
from tousrisques._i18n import N_, Msg
from tousrisques._problems import Problems
from tousrisques.territory._actors import Listing
from tousrisques.territory._config import Actor, Channel
from tousrisques.territory._coverage import _reach
from tousrisques.territory._model import AssetTable, IntArray, Territory
from tousrisques.territory._operators import Operators, operator_coverage
from tousrisques.territory._rows import IdIndex

#: the move to a fallback site when the actor gives no ``fallback_delay``
DEFAULT_DELAY_S = 2 * 3600.0


def check_fallbacks(actors: Listing[Actor], rows: IntArray, index: IdIndex,
                    assets: AssetTable, problems: Problems) -> None:
    """Each ``fallback_site`` an existing asset with a location (``rows``: resolved, -1
    unknown); a ``fallback_delay`` only with a ``fallback_site``.

    Examples
    --------
    >>> from tousrisques import ValidationError, load_territory
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp()) / "t"
    >>> _ = shutil.copytree("src/tousrisques/templates/petite-ville", d)
    >>> text = (d / "actors.yaml").read_text("utf-8")
    >>> _ = (d / "actors.yaml").write_text(text.replace(
    ...     "    site: MAIRIE\\n", "    site: MAIRIE\\n    fallback_site: CIS-PVV\\n", 1), "utf-8")
    >>> try:
    ...     load_territory(d)
    ... except ValidationError as e:
    ...     print([(p.code, p.field) for p in e.problems])
    [('ref.asset', 'fallback_site')]
    """
    rel = actors.rel
    for i, a in enumerate(actors.items):
        if a.fallback_site is None:
            if a.fallback_delay is not None:
                problems.error("actor.fallback_delay", rel, line=actors.line(i, "fallback_delay"),
                               field="fallback_delay", ident=a.id)
            continue
        r = int(rows[i])
        if r < 0:
            problems.error("ref.asset", rel, line=actors.line(i, "fallback_site"),
                           field="fallback_site", ident=a.id, ref=a.fallback_site,
                           suggest=index.suggest(a.fallback_site))
        elif assets.x[r] != assets.x[r]:  # NaN: no location
            problems.error("location.missing", rel, line=actors.line(i, "fallback_site"),
                           field="fallback_site", ident=a.id,
                           what=Msg(N_("fallback site '{site}'"), site=a.fallback_site))


def fallback_fields(t: Territory, kinds: Sequence[str], ops: Operators,
                    actor_operator: IntArray, channels: Sequence[Channel]) -> dict[str, Any]:
    """The :class:`~tousrisques.territory.CompiledTerritory` fields about fallback sites:
    ``actor_fallback`` (asset row, -1: none), ``actor_fallback_delay_s``, and the coverage
    of each actor at its fallback site per coverage kind, plain (``fallback_coverage``) and
    kept to the actor's operator for ``by_operator`` channels
    (``fallback_operator_coverage``).

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> c.actor_fallback.tolist(), c.fallback_coverage["antenna"].nnz
    ([-1, -1, -1, -1, -1], 0)
    """
    a = t.assets
    n_a = len(t.actors)
    rows = t.actor_fallbacks if len(t.actor_fallbacks) == n_a else np.full(n_a, -1, np.int64)
    fx = np.where(rows >= 0, a.x[rows.clip(0)], np.nan) if n_a else np.zeros(0)
    fy = np.where(rows >= 0, a.y[rows.clip(0)], np.nan) if n_a else np.zeros(0)
    located = np.isfinite(a.x) & (a.range_m > 0)
    cover: dict[str, sp.csr_matrix] = {}
    for name in kinds:
        code = t.kind_names.index(name) if name in t.kind_names else -1
        hit = np.nonzero(located & (a.kind == code))[0]
        cover[name] = _reach(fx, fy, a.x[hit], a.y[hit], a.range_m[hit], hit, len(a))
    wanted = {c.coverage for c in channels
              if c.by_operator and c.mode == "point_to_point" and c.coverage}
    delay = [parse_duration(ac.fallback_delay) if ac.fallback_delay else DEFAULT_DELAY_S
             for ac in t.actors]
    return {"actor_fallback": rows.astype(np.int64),
            "actor_fallback_delay_s": np.array(delay, np.float64),
            "fallback_coverage": cover,
            "fallback_operator_coverage": operator_coverage(
                cover, wanted, ops, np.asarray(actor_operator, np.int64))}
