"""Rows of concatenated blocks: where each comes from, its id, its columns, its references.

All id references of a territory are resolved in one hash lookup (:meth:`IdIndex.resolve_many`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tousrisques._i18n import N_, Msg
from tousrisques._limits import MAX_FIELD_VALUES
from tousrisques._problems import Place, Problems, suggest
from tousrisques.territory._columns import Block, RawGroups, strings
from tousrisques.territory._model import (
    FloatArray,
    IntArray,
    Requirements,
)

FINITE = Msg(N_("a finite number >= 0"))
SUGGEST_MAX = 20_000  # above this many ids, "did you mean" would cost more than it helps
MISSING_ID = "\x00"  # stands for a missing id: no user can write it, so nothing resolves to it

BoolArray = npt.NDArray[np.bool_]


def to_numpy(a: Any) -> npt.NDArray[Any]:
    return np.asarray(a.to_numpy(zero_copy_only=False))


class Places:
    """Maps a row of concatenated blocks back to its file and line or feature."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = list(blocks)
        self.offsets: list[int] = np.cumsum([0] + [len(b) for b in blocks]).tolist()

    def __call__(self, row: int) -> tuple[str, Place]:
        b = bisect.bisect_right(self.offsets, row) - 1
        block = self.blocks[b]
        return block.file, block.place(row - self.offsets[b])

    def block(self, row: int) -> Block:
        return self.blocks[bisect.bisect_right(self.offsets, row) - 1]

    def file_codes(self, files: Sequence[str]) -> tuple[npt.NDArray[np.int16], IntArray]:
        if not self.blocks:
            return np.zeros(0, np.int16), np.zeros(0, np.int64)
        code = np.concatenate([np.full(len(b), files.index(b.file), np.int16)
                               for b in self.blocks])
        row = np.concatenate([np.arange(len(b), dtype=np.int64) for b in self.blocks])
        return code, row


class IdIndex:
    """Resolves ids to rows with one hash lookup over the whole set (pyarrow, in C)."""

    def __init__(self, ids: pa.Array) -> None:
        self.ids = ids
        self._list: list[str] | None = None

    def resolve(self, refs: Any) -> IntArray:
        """Row of each reference, -1 where unknown (refs: list, numpy or pyarrow array)."""
        return self.resolve_many([refs])[0]

    def resolve_many(self, parts: Sequence[Any]) -> list[IntArray]:
        """Resolve several arrays of references with a single lookup."""
        arrays = [strings(p) for p in parts]
        total = sum(len(a) for a in arrays)
        if total == 0:
            return [np.zeros(0, np.int64) for _ in arrays]
        idx = pc.index_in(pa.concat_arrays(arrays), value_set=self.ids)
        flat = np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        ends = np.cumsum([len(a) for a in arrays])
        return np.split(flat, ends[:-1])

    def suggest(self, ref: str) -> str:
        if len(self.ids) > SUGGEST_MAX:
            return ""
        if self._list is None:
            self._list = [s for s in self.ids.to_pylist() if s]
        return suggest(ref, self._list)


def concat_ids(blocks: Sequence[Block]) -> pa.Array:
    """All ids of the blocks; a missing id becomes :data:`MISSING_ID`."""
    if not blocks:
        return strings([])
    ids = pa.concat_arrays([b.ids for b in blocks])
    return pc.fill_null(ids, MISSING_ID)


def concat_column(blocks: Sequence[Block], get: Callable[[Block], Any], fill: Any,
            dtype: Any) -> np.ndarray:
    parts = []
    for b in blocks:
        v = get(b)
        parts.append(np.full(len(b), fill, dtype=dtype) if v is None else v)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def concat_numbers(blocks: Sequence[Block], name: str) -> FloatArray:
    return concat_column(blocks, lambda b: b.numbers.get(name), np.nan, np.float64)


def concat_text(blocks: Sequence[Block], name: str) -> pa.Array:
    parts = [b.text.get(name) if b.text.get(name) is not None else pa.nulls(len(b), pa.string())
             for b in blocks]
    return pa.concat_arrays(parts) if parts else strings([])


def check_ids(ids: pa.Array, places: Places, problems: Problems, *,
              first: IntArray | None = None,
              clash: npt.NDArray[np.bool_] | None = None) -> None:
    """Duplicate ids, ids with forbidden characters, and ids already taken elsewhere.

    ``first``, when given, is the row where each id first appears (the ids resolved against
    themselves): any other row is a duplicate.
    """
    if len(ids) == 0:
        return
    if first is not None:
        again = np.nonzero(first != np.arange(len(ids)))[0]
        dup = list(dict.fromkeys(ids.take(pa.array(again)).to_pylist())) if len(again) else []
    else:
        counts = pc.value_counts(ids)
        dup = counts.filter(pc.greater(counts.field("counts"), 1)).field("values").to_pylist()
    dup = [d for d in dup if d != MISSING_ID]
    if dup:
        values = to_numpy(ids)
        for d in dup[:200]:
            rows = np.nonzero(values == d)[0]
            first_file, first_place = places(int(rows[0]))
            other = f"{first_file} " + " ".join(f"{k} {v}" for k, v in first_place.items())
            for r in rows[1:]:
                file, place = places(int(r))
                problems.error("id.duplicate", file, field="id", ident=d, id=d, other=other,
                               **place)
    bad = to_numpy(pc.match_substring_regex(ids, r"[\s;|@,]")).astype(bool)
    bad &= to_numpy(pc.not_equal(ids, MISSING_ID)).astype(bool)
    for r in np.nonzero(bad)[0].tolist():
        file, place = places(r)
        problems.error("id.invalid", file, field="id", id=ids[r].as_py(), **place)
    if clash is not None:
        for r in np.nonzero(clash)[0].tolist():
            file, place = places(r)
            problems.error("id.duplicate", file, field="id", ident=ids[r].as_py(),
                           id=ids[r].as_py(), other="an asset", **place)


def requirements(raw: RawGroups, alt: IntArray, n_owners: int, ids: pa.Array,
                 places: Places, problems: Problems, index: IdIndex) -> Requirements:
    """Requirement CSR from parsed groups and their resolved alternatives (``backup_s`` NaN
    where the file gave none); unknown ids are reported with their owner's place."""
    unknown = np.nonzero(alt < 0)[0]
    if len(unknown):
        owner = raw.alt_owner
        for k in unknown[:2000].tolist():
            ref = raw.alt_ids[k].as_py()
            r = int(owner[k])
            file, place = places(r)
            problems.error("ref.asset", file, field="requires", ident=ids[r].as_py(), ref=ref,
                           suggest=index.suggest(ref), **place)
    owner_ptr = np.zeros(n_owners + 1, np.int64)
    np.cumsum(np.bincount(raw.owner, minlength=n_owners), out=owner_ptr[1:])
    return Requirements(owner_ptr, raw.alt_ptr.astype(np.int64),
                        alt.clip(0).astype(np.int32), raw.backup_s.copy())


def codes_of(values: pa.Array, names: Sequence[str]) -> npt.NDArray[np.int16]:
    idx = pc.index_in(values, value_set=strings(list(names)))
    return np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int16)


def check_numbers(v: FloatArray, name: str, ids: pa.Array, places: Places,
                   problems: Problems) -> None:
    with np.errstate(invalid="ignore"):
        negative = np.nonzero(v < 0)[0]
    for r in negative.tolist():
        file, place = places(r)
        problems.error("field.negative", file, field=name, ident=ids[r].as_py(),
                       value=f"{v[r]:g}", **place)
    for r in np.nonzero(np.isinf(v))[0].tolist():
        file, place = places(r)
        problems.error("field.not_finite", file, field=name, ident=ids[r].as_py(),
                       value=v[r], expected=FINITE, **place)
    limit = MAX_FIELD_VALUES.get(name)
    if limit is not None:
        with np.errstate(invalid="ignore"):
            over = np.nonzero(np.isfinite(v) & (v > limit))[0]
        for r in over.tolist():
            file, place = places(r)
            problems.error("field.too_large", file, field=name, ident=ids[r].as_py(),
                           value=f"{v[r]:g}", limit=f"{limit:g}", **place)


def concat_attrs(blocks: Sequence[Block]) -> dict[str, Any]:
    names: list[str] = []
    for b in blocks:
        names.extend(k for k in b.attrs if k not in names)
    out: dict[str, Any] = {}
    for k in names:
        parts = []
        for b in blocks:
            v = b.attrs.get(k)
            if v is None:
                v = np.full(len(b), None, dtype=object)
            elif isinstance(v, pa.Array):
                v = np.asarray(v.to_numpy(zero_copy_only=False), dtype=object)
            parts.append(v)
        out[k] = np.concatenate(parts)
    return out


