"""A zone's ``supply``: the power assets its homes hang on (MV/LV transformers).

Read from the zone files' ``supply`` field (a GeoJSON list of asset ids, or a text of ids
separated by ``|``, as in CSV), checked, and compiled to a sparse zones × assets matrix whose
row sums to 1 where a zone gives a supply: its population is split evenly among them, so that
two transformers down out of four leave half of its people without power.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from tousrisques._problems import Problems
from tousrisques.territory._model import AssetTable, ZoneTable
from tousrisques.territory._rows import IdIndex, Places

#: the zone field that names the supply
SUPPLY = "supply"


def _ids(value: Any) -> list[str] | None:
    """The asset ids of one ``supply`` value (None: not a list of ids). A text that is a
    JSON list (``'["T1", "T2"]'``, as QGIS writes a list into a text column) is read as one."""
    if value is None:
        return []
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, str):
        items: list[Any] = value.split("|")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    if not all(isinstance(x, str) for x in items):
        return None
    return list(dict.fromkeys(x.strip() for x in items if x.strip()))


def zone_supply(zones: ZoneTable, assets: AssetTable, layer_names: tuple[str, ...],
                index: IdIndex, places: Places, problems: Problems) -> sp.csr_matrix:
    """The zones × assets supply matrix (weights ``1/len(supply)``; a zone without a supply
    has an empty row), with a problem for each id that is unknown (an error) or not in the
    ``power`` layer (a warning).

    Parameters
    ----------
    zones : ZoneTable
        The zones, their ``supply`` among their attributes.
    assets : AssetTable
        The assets the ids refer to.
    layer_names : tuple of str
        The territory's layers.
    index : IdIndex
        The asset ids, to resolve and suggest.
    places, problems
        Where each zone was read; where problems go.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(zones, assets)``.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> t.zones.supply.shape == (len(t.zones), len(t.assets)), t.zones.supply.nnz
    (True, 0)
    """
    n_z, n_a = len(zones), len(assets)
    raw = zones.attrs.get(SUPPLY)
    if raw is None or n_z == 0:
        return sp.csr_matrix((n_z, n_a))
    lists: list[list[str]] = []
    for z, value in enumerate(raw.tolist()):
        got = _ids(value)
        if got is None:
            file, place = places(z)
            problems.error("zone.supply_type", file, field=SUPPLY,
                           ident=zones.ids[z].as_py(), got=type(value).__name__, **place)
            got = []
        lists.append(got)
    flat = [ref for refs in lists for ref in refs]
    rows = index.resolve(pa.array(flat, pa.string())) if flat else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(n_z), [len(refs) for refs in lists])
    power = layer_names.index("power") if "power" in layer_names else -2
    for k in np.nonzero(rows < 0)[0].tolist():
        z = int(owner[k])
        file, place = places(z)
        problems.error("ref.asset", file, field=SUPPLY, ident=zones.ids[z].as_py(),
                       ref=flat[k], suggest=index.suggest(flat[k]), **place)
    off = np.nonzero((rows >= 0) & (assets.layer[rows.clip(0)] != power))[0]
    for k in off.tolist():
        z = int(owner[k])
        file, place = places(z)
        code = int(assets.layer[rows[k]])
        problems.warning("zone.supply_layer", file, field=SUPPLY, ident=zones.ids[z].as_py(),
                         ref=flat[k], layer=layer_names[code] if code >= 0 else "none",
                         **place)
    keep = rows >= 0
    count = np.bincount(owner[keep], minlength=n_z).astype(np.float64)
    weight = 1.0 / count[owner[keep]]
    return sp.csr_matrix((weight, (owner[keep], rows[keep])), shape=(n_z, n_a))
