"""Column blocks read from one GeoJSON or CSV file, before ids are resolved.

Readers of both formats produce the same :class:`Block`, so that everything after reading
(geometry checks, id resolution, compilation) is written once and vectorised. Text columns are
pyarrow string arrays: they are hashed and compared in C, never turned into Python strings
row by row.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tousrisques._problems import Place
from tousrisques.territory._requires import Group

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


def strings(values: Any) -> pa.Array:
    """A pyarrow string array (chunks combined) from a list, numpy array or pyarrow array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else values.cast(pa.string())
    return pa.array(values, type=pa.string())


@dataclass(frozen=True)
class RawGroups:
    """Groups sorted by owner: ``alt_ids[alt_ptr[g]:alt_ptr[g + 1]]`` are group g's ids."""

    owner: IntArray
    backup_s: FloatArray
    alt_ptr: IntArray
    alt_ids: pa.Array

    @classmethod
    def from_parts(cls, owner: IntArray, backup: FloatArray, count: IntArray,
                   ids: pa.Array) -> RawGroups:
        starts = np.zeros(len(count) + 1, np.int64)
        np.cumsum(count, out=starts[1:])
        if len(owner) > 1 and np.any(np.diff(owner) < 0):
            order = np.argsort(owner, kind="stable")
            lengths = count[order]
            idx = np.repeat(starts[:-1][order], lengths) + _ranges(lengths)
            ids = ids.take(pa.array(idx))
            owner, backup, count = owner[order], backup[order], lengths
            starts = np.zeros(len(count) + 1, np.int64)
            np.cumsum(count, out=starts[1:])
        return cls(owner, backup, starts, ids)

    @classmethod
    def empty(cls) -> RawGroups:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(1, np.int64), strings([]))

    @property
    def alt_owner(self) -> IntArray:
        """Owner of each alternative."""
        return np.repeat(self.owner, np.diff(self.alt_ptr))

    @staticmethod
    def concat(parts: list[tuple[int, RawGroups]]) -> RawGroups:
        """Concatenate groups of successive blocks, shifting owners by each block's offset."""
        if not parts:
            return RawGroups.empty()
        owner = np.concatenate([g.owner + off for off, g in parts])
        backup = np.concatenate([g.backup_s for _, g in parts])
        count = np.concatenate([np.diff(g.alt_ptr) for _, g in parts])
        ids = pa.concat_arrays([g.alt_ids for _, g in parts])
        return RawGroups.from_parts(owner, backup, count, ids)


class GroupsBuilder:
    """Accumulates requirement groups owned by rows, one row at a time or by whole columns."""

    def __init__(self) -> None:
        self.owner = array("q")
        self.backup = array("d")
        self.count = array("q")
        self.alt_ids: list[str] = []
        self._bulk: list[RawGroups] = []

    def add(self, owner: int, groups: tuple[Group, ...]) -> None:
        for g in groups:
            self.owner.append(owner)
            self.backup.append(np.nan if g.backup_s is None else g.backup_s)
            self.count.append(len(g.any_of))
            self.alt_ids.extend(g.any_of)

    def add_raw(self, groups: RawGroups) -> None:
        """Groups parsed column-wise (their owners are rows of the same block)."""
        self._bulk.append(groups)

    def finish(self) -> RawGroups:
        owner = np.frombuffer(self.owner, dtype=np.int64).copy() if self.owner \
            else np.zeros(0, np.int64)
        backup = np.frombuffer(self.backup, dtype=np.float64).copy() if self.backup \
            else np.zeros(0)
        count = np.frombuffer(self.count, dtype=np.int64).copy() if self.count \
            else np.zeros(0, np.int64)
        parts = [RawGroups.from_parts(owner, backup, count, strings(self.alt_ids))]
        parts += self._bulk
        return RawGroups.concat([(0, p) for p in parts])


def _ranges(lengths: IntArray) -> IntArray:
    """``[0..l0-1, 0..l1-1, ...]`` without a Python loop; every length must be >= 1."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    out = np.ones(total, np.int64)
    out[0] = 0
    out[np.cumsum(lengths)[:-1]] = 1 - lengths[:-1]
    return np.cumsum(out)


@dataclass
class Block:
    """The rows of one file: known fields as columns, the rest as attributes.

    Point geometries are kept as ``lon``/``lat`` (``point_given`` marks the rows that gave
    one, even a non-finite one); other geometries as shapely objects in ``shapes`` (None where
    absent or a point). ``flagged`` marks, per field, the rows whose problem the reader has
    already reported, so that later checks do not report it again in other words.
    ``point_fields`` and ``shape_field`` name the fields that hold the geometry in this file.
    """

    file: str
    ids: pa.Array
    lon: FloatArray
    lat: FloatArray
    shapes: ObjArray
    groups: RawGroups
    place: Callable[[int], Place]
    text: dict[str, pa.Array] = field(default_factory=dict)
    numbers: dict[str, FloatArray] = field(default_factory=dict)
    flags: dict[str, npt.NDArray[np.int8]] = field(default_factory=dict)
    connects: tuple[pa.Array, pa.Array] | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    point_given: npt.NDArray[np.bool_] | None = None
    flagged: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    point_fields: tuple[str, str] = ("geometry", "geometry")
    shape_field: str = "geometry"

    def flag(self, name: str) -> npt.NDArray[np.bool_]:
        """The rows already reported for field ``name`` (a writable mask)."""
        if name not in self.flagged:
            self.flagged[name] = np.zeros(len(self), bool)
        return self.flagged[name]

    def __len__(self) -> int:
        return len(self.ids)
