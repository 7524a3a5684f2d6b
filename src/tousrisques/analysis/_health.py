"""Assets that can never work: dead from the start, with nothing damaged.

The territory layer checks each file and each reference, but whether an asset can work at all
is a question for the engine: an antenna whose only link leads nowhere, a transformer whose
requirement names an asset that is itself cut off. The engine's greatest fixed point with
nothing damaged and no backup running answers it once for the whole territory: every asset
it leaves down can never work, whatever the scenario (backups only delay the loss). Each one
gets a warning that says why — the requirement group never met, or the layer whose sources it
cannot reach — capped per file like other repeated problems.
"""

from __future__ import annotations

import numpy as np

from tousrisques._problems import Problem
from tousrisques.engine import DISCONNECTED, REQUIREMENT, Network, fixed_point
from tousrisques.territory import CompiledTerritory, Territory

MAX_NAMED = 5  # alternatives named in one warning


def never_working(territory: Territory, compiled: CompiledTerritory | None = None, *,
                  max_repeats: int = 20) -> list[Problem]:
    """A warning for each asset that does not work at t=0 with nothing damaged.

    Parameters
    ----------
    territory
        A validated territory (planned assets count as built: what cannot work even then
        can never work).
    compiled
        Its compiled form, when already at hand (``territory.compile()`` otherwise).
    max_repeats
        Warnings of one kind per file beyond this are counted in one more line.

    Returns
    -------
    list of Problem
        ``health.requirement`` (a requirement group that is never met) or
        ``health.no_source`` (no path to a source of its layer), severity ``warning``.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> from tousrisques.analysis import never_working
    >>> never_working(load_territory("src/tousrisques/templates/petite-ville"))
    []
    """
    c = compiled if compiled is not None else territory.compile()
    n = c.n_assets
    if n == 0:
        return []
    net = Network.from_compiled(c)
    fp = fixed_point(net, np.zeros(n, bool))
    dead = np.nonzero(~fp.working)[0]
    if len(dead) == 0:
        return []
    assets = territory.assets
    req = c.requires
    out: list[Problem] = []
    counts: dict[tuple[str, str], int] = {}
    for r in dead.tolist():
        file = territory.files[int(assets.file[r])] if int(assets.file[r]) >= 0 else ""
        if fp.reason[r] == REQUIREMENT:
            code, fld = "health.requirement", "requires"
        elif fp.reason[r] == DISCONNECTED:
            code, fld = "health.no_source", "layer"
        else:  # pragma: no cover - nothing is damaged
            continue
        n_seen = counts.get((file, code), 0) + 1
        counts[(file, code)] = n_seen
        if n_seen > max_repeats:
            continue
        ident = assets.id_of(r)
        if code == "health.requirement":
            g = int(fp.group[r])
            alts = req.alt[req.alt_ptr[g]:req.alt_ptr[g + 1]].tolist()
            named = ", ".join(assets.id_of(a) for a in alts[:MAX_NAMED])
            if len(alts) > MAX_NAMED:
                named += ", …"
            out.append(Problem(code, file, {"group": g - int(req.owner_ptr[r]) + 1,
                                            "alternatives": named}, field=fld, ident=ident,
                               severity="warning"))
        else:
            layer = c.layers[int(fp.layer[r])]
            out.append(Problem(code, file, {"layer": layer.name,
                                            "sources": int(layer.sources.sum())},
                               field=fld, ident=ident, severity="warning"))
    for (file, code), count in counts.items():
        if count > max_repeats:
            out.append(Problem("more.same", file, {"count": count - max_repeats, "of": code},
                               field="requires" if code == "health.requirement" else "layer",
                               severity="warning"))
    return out
