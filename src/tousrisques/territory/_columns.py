"""Column blocks read from one GeoJSON or CSV file, before ids are resolved.

Readers of both formats produce the same :class:`Block`, so that everything after reading
(geometry checks, id resolution, compilation) is written once and vectorised.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tousrisques.territory._requires import Group

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


class GroupsBuilder:
    """Accumulates requirement groups owned by rows, in any order."""

    def __init__(self) -> None:
        self.owner = array("q")
        self.backup = array("d")
        self.count = array("q")
        self.alt_ids: list[str] = []
        self._bulk: list[tuple[IntArray, ObjArray]] = []

    def add(self, owner: int, groups: tuple[Group, ...]) -> None:
        for g in groups:
            self.owner.append(owner)
            self.backup.append(np.nan if g.backup_s is None else g.backup_s)
            self.count.append(len(g.any_of))
            self.alt_ids.extend(g.any_of)

    def add_single(self, owners: IntArray, ids: ObjArray) -> None:
        """Many one-alternative groups without backup at once (the common case in CSV)."""
        self._bulk.append((owners, ids))

    def finish(self) -> RawGroups:
        owner = np.frombuffer(self.owner, dtype=np.int64) if self.owner else np.zeros(0, np.int64)
        backup = np.frombuffer(self.backup, dtype=np.float64) if self.backup else np.zeros(0)
        count = np.frombuffer(self.count, dtype=np.int64) if self.count else np.zeros(0, np.int64)
        ids = np.array(self.alt_ids, dtype=object)
        for owners, bulk_ids in self._bulk:
            owner = np.concatenate([owner, owners])
            backup = np.concatenate([backup, np.full(len(owners), np.nan)])
            count = np.concatenate([count, np.ones(len(owners), np.int64)])
            ids = np.concatenate([ids, bulk_ids])
        return RawGroups.from_parts(owner, backup, count, ids)


@dataclass(frozen=True)
class RawGroups:
    """Groups sorted by owner: ``alt_ids[alt_ptr[g]:alt_ptr[g + 1]]`` are group g's ids."""

    owner: IntArray
    backup_s: FloatArray
    alt_ptr: IntArray
    alt_ids: ObjArray

    @classmethod
    def from_parts(cls, owner: IntArray, backup: FloatArray, count: IntArray,
                   ids: ObjArray) -> RawGroups:
        starts = np.zeros(len(count) + 1, np.int64)
        np.cumsum(count, out=starts[1:])
        if len(owner) > 1 and np.any(np.diff(owner) < 0):
            order = np.argsort(owner, kind="stable")
            lengths = count[order]
            idx = np.repeat(starts[:-1][order], lengths) + _ranges(lengths)
            ids = ids[idx]
            owner, backup, count = owner[order], backup[order], lengths
            starts = np.zeros(len(count) + 1, np.int64)
            np.cumsum(count, out=starts[1:])
        return cls(owner, backup, starts, ids)

    @classmethod
    def empty(cls) -> RawGroups:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(1, np.int64),
                   np.zeros(0, dtype=object))

    @staticmethod
    def concat(parts: list[tuple[int, RawGroups]]) -> RawGroups:
        """Concatenate groups of successive blocks, shifting owners by each block's offset."""
        if not parts:
            return RawGroups.empty()
        owner = np.concatenate([g.owner + off for off, g in parts])
        backup = np.concatenate([g.backup_s for _, g in parts])
        count = np.concatenate([np.diff(g.alt_ptr) for _, g in parts])
        ids = np.concatenate([g.alt_ids for _, g in parts])
        return RawGroups.from_parts(owner, backup, count, ids)


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
    """The rows of one file: known fields as columns, the rest as attributes."""

    file: str
    ids: ObjArray
    geometry: ObjArray
    groups: RawGroups
    place: Callable[[int], dict[str, int]]
    text: dict[str, ObjArray] = field(default_factory=dict)
    numbers: dict[str, FloatArray] = field(default_factory=dict)
    flags: dict[str, npt.NDArray[np.int8]] = field(default_factory=dict)
    connects: ObjArray | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)
