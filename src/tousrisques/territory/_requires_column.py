"""The compact requirement syntax parsed a whole column at a time, in pyarrow.

Gives exactly what :func:`~tousrisques.territory._requires.parse_compact` gives row by row (a
property test checks it); rows it is not sure about — anything malformed — are returned so
that the caller parses them one by one and reports the precise problem.
"""

from __future__ import annotations

import contextlib

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tousrisques._durations import parse_duration
from tousrisques._limits import MAX_BACKUP_S
from tousrisques.territory._columns import IntArray, RawGroups

FORBIDDEN = r"[ \t\r\n\f\v,]"


def _np(a: pa.Array) -> npt.NDArray[np.int64]:
    return np.asarray(a.to_numpy(zero_copy_only=False))


def parse_column(col: pa.Array) -> tuple[RawGroups, IntArray]:
    """Parse every non-empty cell of ``col``; returns (groups owned by row, rows to redo)."""
    n = len(col)
    bad = np.zeros(n, bool)
    nonempty = _np(pc.not_equal(col, "")).astype(bool)
    rows = np.nonzero(nonempty)[0]
    if len(rows) == 0:
        return RawGroups.empty(), np.zeros(0, np.int64)
    cells = col.take(pa.array(rows))
    split = pc.split_pattern(cells, ";")
    offsets = _np(split.offsets)
    counts = np.diff(offsets)
    g_cell = _np(pc.list_parent_indices(split))
    g_text = pc.ascii_trim_whitespace(pc.list_flatten(split))
    pos = np.arange(len(g_cell)) - offsets[g_cell]
    empty = _np(pc.equal(g_text, "")).astype(bool)
    last = pos == counts[g_cell] - 1
    # a trailing ';' leaves one empty last group, allowed; any other empty group is an error
    bad[rows[g_cell[empty & ~(last & (counts[g_cell] > 1))]]] = True
    keep = np.nonzero(~empty)[0]
    g_cell, g_text = g_cell[keep], g_text.take(pa.array(keep))
    parts = pc.split_pattern(g_text, "@")
    n_parts = _np(pc.list_value_length(parts))
    bad[rows[g_cell[n_parts > 2]]] = True
    body = pc.list_element(parts, 0)
    with_backup = np.nonzero(n_parts == 2)[0]
    backup = np.full(len(g_cell), np.nan)
    if len(with_backup):
        second = pc.list_element(parts.take(pa.array(with_backup)), 1)
        uniq = pc.unique(second)
        values = np.full(len(uniq), np.nan)
        for i, text in enumerate(uniq.to_pylist()):
            with contextlib.suppress(ValueError):
                values[i] = parse_duration(text)
        values[values > MAX_BACKUP_S] = np.nan  # redone one by one, which says the limit
        code = _np(pc.index_in(second, value_set=uniq))
        backup[with_backup] = values[code]
        bad[rows[g_cell[with_backup[np.isnan(values[code])]]]] = True
    alts = pc.split_pattern(body, "|")
    a_group = _np(pc.list_parent_indices(alts))
    a_text = pc.ascii_trim_whitespace(pc.list_flatten(alts))
    a_bad = _np(pc.or_(pc.equal(a_text, ""), pc.match_substring_regex(a_text, FORBIDDEN)))
    bad[rows[g_cell[a_group[a_bad.astype(bool)]]]] = True
    # drop every group of a bad row; the caller parses those rows one by one
    g_ok = ~bad[rows[g_cell]]
    a_ok = g_ok[a_group]
    count = np.bincount(a_group, minlength=len(g_cell))[g_ok]
    groups = RawGroups.from_parts(rows[g_cell[g_ok]].astype(np.int64), backup[g_ok],
                                  count.astype(np.int64),
                                  a_text.filter(pa.array(a_ok)))
    return groups, np.nonzero(bad)[0].astype(np.int64)
