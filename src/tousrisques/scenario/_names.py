"""The asset names of a scenario resolved to rows all at once: one vectorised lookup of every
plain id per load, and one pass in C over the territory's ids per distinct pattern.

The loader used to look each id up on its own (hashing every asset id of the territory each
time: 58 ms per id on 200,000 assets) and to match each pattern with :mod:`fnmatch` in a Python
loop over every id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tousrisques._problems import Problems, suggest
from tousrisques.territory import Territory
from tousrisques.territory._globs import GLOB
from tousrisques.territory._model import IntArray

SUGGEST_BELOW = 20_000  # from this many assets on, "did you mean" would cost more than it helps
UNKNOWN, PATTERN = -1, -2  # what rows_or_marks gives for an unknown id and for a pattern


def first_seen(rows: IntArray) -> IntArray:
    """``rows`` without repeats, each where it first appears (``[3, 1, 3, 2]`` → ``[3, 1, 2]``):
    an asset named twice in one list (``[TR1, "TR*"]``) is one asset."""
    if len(rows) < 2:
        return rows
    _, first = np.unique(rows, return_index=True)
    return rows[np.sort(first)]


class AssetNames:
    """Rows of the asset names and patterns (``GE-ANT-*``) of a scenario.

    Give every list of names the scenario holds at construction: they are resolved together,
    the plain ids in one vectorised lookup, each distinct pattern in one pass over the ids.
    A list asked for later with names not seen then costs one more lookup.

    >>> from tousrisques import load_territory
    >>> territory = load_territory("src/tousrisques/templates/petite-ville")
    >>> names = AssetNames(territory, [["T-NORD", "T-*"], ["ANT-SUD"]])
    >>> names.rows(["T-NORD", "T-*"])  # T-NORD named twice is one asset
    array([3, 4])
    """

    def __init__(self, territory: Territory, lists: Iterable[Sequence[str]] = ()) -> None:
        self.assets = territory.assets
        self._row: dict[str, int] = {}  # plain id → row, or UNKNOWN; pattern → PATTERN
        self._match: dict[str, IntArray] = {}  # pattern → its rows
        self._ids: list[str] | None = None
        self._said: dict[str, int] = {}
        self._resolve([n for names in lists for n in names])

    def _resolve(self, names: Sequence[str]) -> None:
        new = [n for n in dict.fromkeys(names) if n not in self._row]
        if not new:
            return
        asked = pa.array(new, type=pa.string())
        glob = np.asarray(pc.match_substring_regex(asked, GLOB).to_numpy(zero_copy_only=False),
                          bool)
        plain = asked.filter(pa.array(~glob))
        if len(plain):
            self._row.update(zip(plain.to_pylist(), self.assets.rows_of(plain).tolist(),
                                 strict=True))
        for i in np.nonzero(glob)[0].tolist():
            self._row[new[i]] = PATTERN
            self._match[new[i]] = self.assets.rows_matching(new[i])

    def _marks(self, names: Sequence[str]) -> IntArray:
        """Each name's row, UNKNOWN or PATTERN."""
        row = self._row
        try:
            return np.fromiter((row[n] for n in names), np.int64, len(names))
        except KeyError:  # names not given at construction
            self._resolve(names)
            return np.fromiter((row[n] for n in names), np.int64, len(names))

    def rows(self, names: Sequence[str]) -> IntArray:
        """Rows of ``names`` in order, each pattern's matches in territory order, each asset
        once (where it is first named). Raises KeyError for an unknown plain id."""
        marks = self._marks(names)
        if (marks == UNKNOWN).any():
            raise KeyError(names[int(np.argmax(marks == UNKNOWN))])
        at = np.nonzero(marks == PATTERN)[0]
        if len(at) == 0:
            return first_seen(marks)
        parts: list[IntArray] = []
        start = 0
        for k in at.tolist():
            parts += [marks[start:k], self._match[names[k]]]
            start = k + 1
        parts.append(marks[start:])
        return first_seen(np.concatenate(parts))

    def check(self, names: Sequence[str], rel: str, line: int | None, where: str,
              problems: Problems) -> None:
        """A ``ref.asset`` problem for each unknown id (with "did you mean" on territories of
        fewer than 20,000 assets), then one for each pattern that matches nothing."""
        marks = self._marks(names)
        for k in np.nonzero(marks == UNKNOWN)[0].tolist():
            problems.error("ref.asset", rel, line=line, field=where, ref=names[k],
                           suggest=self._suggest(names[k], where, problems))
        for k in np.nonzero(marks == PATTERN)[0].tolist():
            if len(self._match[names[k]]) == 0:
                self._said[where] = self._said.get(where, 0) + 1
                problems.error("ref.asset", rel, line=line, field=where, ref=names[k],
                               suggest="")

    def _suggest(self, name: str, where: str, problems: Problems) -> str:
        # past max_repeats a problem is only counted: its suggestion would never be read
        said = self._said[where] = self._said.get(where, 0) + 1
        if len(self.assets) >= SUGGEST_BELOW or said > problems.max_repeats:
            return ""
        if self._ids is None:
            self._ids = self.assets.ids.to_pylist()
        return suggest(name, self._ids)
