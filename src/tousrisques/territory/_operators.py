"""Mobile operators: which operators an asset belongs to, which operator an actor's phones
use, and the coverage a ``by_operator`` channel gives each actor.

An asset's ``operator`` attribute names one operator or several separated by ``|`` for a
shared site (``orange|sfr``; in GeoJSON a list works too). Names are matched without regard
to case or repeated spaces, and shown as first written. An actor's ``operator`` must name an
operator some asset carries. A point-to-point channel with ``by_operator: true`` reaches an
actor only through coverage assets of the actor's operator, or of no operator at all (a
neutral host, or a territory that does not say); broadcasts are never filtered: cell
broadcast goes out over every operator's working cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tousrisques._problems import Problems, suggest
from tousrisques.territory._actors import Listing
from tousrisques.territory._config import Actor, Channel
from tousrisques.territory._model import AssetTable, IntArray
from tousrisques.territory._rows import Places

#: characters that most likely meant ``|`` between two operators
_OTHER_SEPARATORS = (",", ";", "/", "+")


def operator_key(name: str) -> str:
    """How operator names are compared: case-folded, spaces collapsed.

    Parameters
    ----------
    name : str
        An operator as written in a file.

    Returns
    -------
    str

    Examples
    --------
    >>> operator_key("  Bouygues   Telecom ")
    'bouygues telecom'
    """
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, eq=False)
class Operators:
    """The operators the assets name, and which assets belong to which.

    Attributes
    ----------
    names : tuple of str
        Each operator as first written, in the order of their keys (:func:`operator_key`).
    of_asset : scipy.sparse.csr_matrix
        Assets × operators, ``True`` where the asset belongs to the operator.
    bad : tuple of (int, str)
        Asset rows whose ``operator`` is neither a name nor a list of names, with the value.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> t.operators.names  # who owns each asset (here not only mobile operators)
    ('commune', 'opérateur A', 'État')
    >>> t.operators.code("OPÉRATEUR  a"), t.operators.code("Orange")
    (1, -1)
    """

    names: tuple[str, ...]
    of_asset: sp.csr_matrix
    bad: tuple[tuple[int, str], ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(operator_key(n) for n in self.names)

    def code(self, name: str) -> int:
        """Column of operator ``name`` in :attr:`of_asset` (any case), -1 when none has it.

        Parameters
        ----------
        name : str
            An operator's name.

        Returns
        -------
        int

        Examples
        --------
        >>> import scipy.sparse as sp
        >>> from tousrisques.territory._operators import Operators
        >>> ops = Operators(("Orange", "SFR"), sp.csr_matrix((0, 2), dtype=bool))
        >>> ops.code("sfr"), ops.code("free")
        (1, -1)
        """
        key = operator_key(name)
        keys = self.keys
        return keys.index(key) if key in keys else -1


def _names_in(value: Any) -> list[str] | None:
    """The operator names of one ``operator`` value; None when it is of no usable type."""
    if isinstance(value, str):
        parts = value.split("|")
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        parts = list(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        parts = [str(value)]  # a numeric operator code (MCC-MNC such as 20801)
    else:
        return None
    return [p.strip() for p in parts if p.strip()]


def asset_operators(assets: AssetTable) -> Operators:
    """Read the ``operator`` attribute of every asset (see the module docstring).

    Parameters
    ----------
    assets : AssetTable

    Returns
    -------
    Operators

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> ops = asset_operators(t.assets)
    >>> row = t.assets.rows_of(["ANT-NORD"])[0]
    >>> [ops.names[k] for k in ops.of_asset[row].indices]
    ['opérateur A']
    """
    n = len(assets)
    column = assets.attrs.get("operator")
    rows: list[int] = []
    cols: list[int] = []
    bad: list[tuple[int, str]] = []
    display: dict[str, str] = {}
    if column is not None:
        given = np.nonzero(np.array([v is not None and v != "" for v in column], bool))[0]
        seen: dict[Any, list[str] | None] = {}
        found: list[tuple[int, list[str]]] = []
        for r in given.tolist():
            value = column[r]
            key = tuple(value) if isinstance(value, list) else value
            try:
                names = seen[key] if key in seen else seen.setdefault(key, _names_in(value))
            except TypeError:  # unhashable (a mapping): of no usable type
                names = None
            if names is None:
                bad.append((r, str(value)[:60]))
                continue
            for name in names:
                display.setdefault(operator_key(name), name)
            found.append((r, names))
        keys = sorted(display)
        code = {k: i for i, k in enumerate(keys)}
        for r, names in found:
            for c in sorted({code[operator_key(name)] for name in names}):
                rows.append(r)
                cols.append(c)
    keys = sorted(display)
    of_asset = sp.csr_matrix((np.ones(len(rows), bool), (np.array(rows, np.int64),
                                                        np.array(cols, np.int64))),
                             shape=(n, len(keys)))
    return Operators(tuple(display[k] for k in keys), of_asset, tuple(bad))


def check_operators(ops: Operators, assets: AssetTable, kind_names: Sequence[str],
                    places: Places, channels: Listing[Channel], actors: Listing[Actor],
                    problems: Problems) -> None:
    """Assets' operators, ``by_operator`` channels and actors' ``operator``.

    Errors: an asset ``operator`` of another type than a name or a list of names; an actor's
    operator that no asset carries; ``by_operator`` on a broadcast or on a channel without
    ``coverage``. Warnings: an operator written with another separator than ``|``; an actor
    without ``operator`` holding a ``by_operator`` channel in a territory of several operators
    (it uses every operator's coverage): several operators among the assets of the
    channel's coverage kind; an actor's operator that owns no asset of the coverage kind of a
    ``by_operator`` channel it holds (it has the channel only from assets of no operator).

    Parameters
    ----------
    ops : Operators
        From :func:`asset_operators`.
    assets : AssetTable
        The assets (their ids and kinds).
    kind_names : sequence of str
        The kinds that ``assets.kind`` codes.
    places : Places
        Where each asset was read.
    channels, actors : Listing
        The read channels and actors.
    problems : Problems
        Where the problems go.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> from tousrisques._problems import Problems
    >>> from tousrisques.territory._actors import Listing
    >>> from tousrisques.territory._config import Actor
    >>> from tousrisques.territory._rows import Places
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> actors = Listing("actors.yaml", [Actor(id="A", name="A", role="mayor",
    ...                                        operator="operateur A")], [0])
    >>> problems = Problems()
    >>> check_operators(t.operators, t.assets, t.kind_names, Places([]),
    ...                 Listing("channels.yaml"), actors, problems)
    >>> [(p.code, p.params["suggest"]) for p in problems.errors]
    [('ref.operator', 'opérateur A')]
    """
    ids = assets.ids
    for r, value in ops.bad:
        file, place = places(r)
        problems.error("asset.operator", file, field="operator", ident=_ident(ids, r),
                       value=value, **place)
    _check_separators(ops, places, ids, problems)
    by_operator: dict[str, str] = {}  # channel id: the operators of its coverage kind
    covering: dict[str, tuple[set[int], str]] = {}  # the same, as columns, and its kind
    for i, ch in enumerate(channels.items):
        if not ch.by_operator:
            continue
        left_out = channels.partial.get(i, set())
        line = channels.line(i, "by_operator")
        if ch.mode == "broadcast" and "mode" not in left_out:
            problems.error("channel.by_operator_mode", channels.rel, line=line,
                           field="by_operator", ident=ch.id)
        elif ch.coverage is None and "coverage" not in left_out:
            problems.error("channel.by_operator_coverage", channels.rel, line=line,
                           field="by_operator", ident=ch.id)
        elif ch.coverage in kind_names:
            of_kind = assets.kind == kind_names.index(ch.coverage)
            cols = np.unique(ops.of_asset[np.nonzero(of_kind)[0]].indices)
            if len(cols):
                covering[ch.id] = ({int(k) for k in cols}, str(ch.coverage))
            if len(cols) > 1:
                by_operator[ch.id] = ", ".join(ops.names[int(k)] for k in cols)
    names = ", ".join(ops.names) or "-"
    for i, a in enumerate(actors.items):
        if a.operator is not None:
            if ops.code(a.operator) < 0:
                near = suggest(operator_key(a.operator), list(ops.keys))
                problems.error("ref.operator", actors.rel, line=actors.line(i, "operator"),
                               field="operator", ident=a.id, ref=a.operator, allowed=names,
                               suggest=ops.names[ops.code(near)] if near else "")
                continue
            code = ops.code(a.operator)
            for c in a.channels:
                if c in covering and code not in covering[c][0]:
                    problems.warning(
                        "actor.operator_no_coverage", actors.rel,
                        line=actors.line(i, "operator"), field="operator", ident=a.id,
                        ref=a.operator, kind=covering[c][1], channel=c,
                        allowed=", ".join(ops.names[k] for k in sorted(covering[c][0])))
        else:
            held = [c for c in a.channels if c in by_operator]
            if held:
                problems.warning("actor.operator_any", actors.rel, line=actors.line(i, "id"),
                                 field="operator", ident=a.id, channel=held[0],
                                 allowed=by_operator[held[0]])


def _ident(ids: Sequence[str] | Any, r: int) -> str:
    value = ids[r]
    return str(value.as_py() if hasattr(value, "as_py") else value)


def _check_separators(ops: Operators, places: Places, ids: Sequence[str] | Any,
                      problems: Problems) -> None:
    odd = [i for i, name in enumerate(ops.names) if any(s in name for s in _OTHER_SEPARATORS)]
    if not odd:
        return
    of_op = ops.of_asset.tocsc()
    for i in odd:
        name = ops.names[i]
        better = name
        for s in _OTHER_SEPARATORS:
            better = better.replace(s, "|")
        better = "|".join(p.strip() for p in better.split("|") if p.strip())
        for r in of_op[:, i].indices[:1].tolist():  # once per name: the first asset with it
            file, place = places(int(r))
            problems.warning("asset.operator_separator", file, field="operator",
                             ident=_ident(ids, r), value=name, better=better, **place)


def operator_coverage(actor_coverage: dict[str, sp.csr_matrix], kinds: set[str],
                      ops: Operators, actor_operator: IntArray) -> dict[str, sp.csr_matrix]:
    """Per coverage kind of a ``by_operator`` channel, the actors × assets coverage kept to
    the assets of each actor's operator (and those of no operator); actors without an
    operator keep every asset. Empty when no asset names an operator.

    Parameters
    ----------
    actor_coverage : dict of scipy.sparse.csr_matrix
        Per coverage kind, actors × assets (:class:`~tousrisques.territory._coverage.Coverage`).
    kinds : set of str
        The coverage kinds of the ``by_operator`` channels.
    ops : Operators
        Which assets belong to which operator.
    actor_operator : ndarray of int
        Each actor's operator (a column of ``ops.of_asset``; -1: none).

    Returns
    -------
    dict of scipy.sparse.csr_matrix

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> ops = Operators(("A", "B"), sp.csr_matrix(np.array([[1, 0], [0, 1], [0, 0]], bool)))
    >>> reach = {"antenna": sp.csr_matrix(np.ones((3, 3), np.int8))}  # everyone, every asset
    >>> out = operator_coverage(reach, {"antenna"}, ops, np.array([0, 1, -1]))
    >>> out["antenna"].toarray().tolist()  # A: its own and the neutral one; none: all
    [[1, 0, 1], [0, 1, 1], [1, 1, 1]]
    """
    if ops.of_asset.shape[1] == 0:
        return {}
    belongs: npt.NDArray[np.bool_] = ops.of_asset.toarray().astype(bool)
    neutral = np.asarray(belongs.sum(axis=1) == 0, dtype=bool)
    out: dict[str, sp.csr_matrix] = {}
    for kind in sorted(kinds):
        if kind not in actor_coverage:
            continue
        m = actor_coverage[kind].tocoo()
        op = actor_operator[m.row]
        keep: npt.NDArray[np.bool_] = (op < 0) | neutral[m.col] | belongs[m.col, op.clip(0)]
        out[kind] = sp.csr_matrix((m.data[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    return out


def operator_fields(ops: Operators, actors: Sequence[Actor], channels: Sequence[Channel],
                    actor_coverage: dict[str, sp.csr_matrix]) -> dict[str, Any]:
    """The :class:`~tousrisques.territory.CompiledTerritory` fields about operators.

    Parameters
    ----------
    ops : Operators
    actors, channels : sequence
        The territory's actors and channels.
    actor_coverage : dict of scipy.sparse.csr_matrix
        Per coverage kind, actors × assets.

    Returns
    -------
    dict
        ``operator_names``, ``asset_operators``, ``actor_operator``, ``channel_by_operator``
        and ``operator_coverage``.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> f = operator_fields(t.operators, t.actors, t.channels, t.coverage.actors)
    >>> f["actor_operator"].tolist(), f["operator_coverage"]
    ([-1, -1, -1, -1, -1], {})
    """
    actor_operator = np.array([ops.code(a.operator) if a.operator else -1 for a in actors],
                              np.int16)
    by_operator = np.array([c.by_operator and c.mode == "point_to_point" for c in channels],
                           bool)
    kinds = {c.coverage for c, on in zip(channels, by_operator, strict=True)
             if on and c.coverage}
    return {"operator_names": ops.names, "asset_operators": ops.of_asset,
            "actor_operator": actor_operator, "channel_by_operator": by_operator,
            "operator_coverage": operator_coverage(actor_coverage, kinds, ops,
                                                   actor_operator.astype(np.int64))}
