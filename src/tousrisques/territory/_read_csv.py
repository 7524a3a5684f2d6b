"""CSV files of assets, zones or links to columns, with pyarrow, and lines for every problem.

The fast path reads every column as text with pyarrow and converts whole columns at once;
Python loops run only over the rows that need them (compact requirements with several groups,
rows with a problem). Line numbers are worked out only when a problem is reported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely

from tousrisques._problems import Problems
from tousrisques._readers import decode_utf8
from tousrisques.territory._columns import Block, GroupsBuilder, ObjArray
from tousrisques.territory._fields import NUMBER_HINT, FALSE, TRUE, FieldSpec
from tousrisques.territory._requires import RequiresSyntaxError, parse_compact


class CsvTable:
    """The text columns of a CSV file and a way back from row numbers to lines."""

    def __init__(self, rel: str, text: str, columns: dict[str, pa.Array]) -> None:
        self.rel = rel
        self._text = text
        self.columns = columns
        self.n = len(next(iter(columns.values()))) if columns else 0
        self._lines: npt.NDArray[np.int64] | None = None

    def line(self, row: int) -> int:
        """1-based line where data row ``row`` (0-based) starts."""
        if self._lines is None:
            starts = []
            reader = csv.reader(io.StringIO(self._text))
            prev = 0
            for record in reader:
                if record and any(record) and prev > 0:
                    starts.append(prev + 1)
                prev = reader.line_num
            self._lines = np.asarray(starts, dtype=np.int64)
        return int(self._lines[row]) if row < len(self._lines) else row + 2

    def place(self, row: int) -> dict[str, int]:
        return {"line": self.line(row)}

    def get(self, name: str) -> pa.Array | None:
        return self.columns.get(name)


def read_csv(raw: bytes, rel: str, problems: Problems, *,
             required: tuple[str, ...]) -> CsvTable | None:
    """Read a CSV file as text columns; check its header; ``None`` if unusable."""
    text = decode_utf8(raw, rel, problems)
    if text is None:
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        problems.error("file.empty", rel, line=1,
                       expected="a header line with at least: " + ", ".join(required))
        return None
    header = next(csv.reader([first]))
    names = [h.strip() for h in header]
    ok = True
    seen: set[str] = set()
    for pos, name in enumerate(names, start=1):
        if not name:
            problems.error("csv.column_empty", rel, line=1, position=pos)
            ok = False
        elif name in seen:
            problems.error("csv.column_duplicate", rel, line=1, column=name)
            ok = False
        seen.add(name)
    for name in required:
        if name not in seen:
            problems.error("csv.column_missing", rel, line=1, column=name,
                           required=", ".join(required))
            ok = False
    if not ok:
        return None
    body = text.encode("utf-8")
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
        )
    except pa.ArrowInvalid as exc:
        _find_bad_rows(text, rel, len(names), problems, str(exc))
        return None
    columns = {n: pc.utf8_trim_whitespace(table.column(n).combine_chunks()) for n in names}
    return CsvTable(rel, text, columns)


def _find_bad_rows(text: str, rel: str, width: int, problems: Problems, detail: str) -> None:
    reader = csv.reader(io.StringIO(text))
    found = False
    prev = 0
    try:
        for record in reader:
            if prev > 0 and record and len(record) != width:
                problems.error("csv.row_length", rel, line=prev + 1, got=len(record),
                               expected=width)
                found = True
            prev = reader.line_num
    except csv.Error as exc:
        problems.error("csv.syntax", rel, line=reader.line_num, detail=str(exc))
        found = True
    if not found:
        problems.error("csv.syntax", rel, detail=detail.splitlines()[0][:160])


def _nonempty(col: pa.Array) -> npt.NDArray[np.bool_]:
    return np.asarray(pc.not_equal(col, "").to_numpy(zero_copy_only=False), dtype=bool)


def column_numbers(t: CsvTable, name: str, problems: Problems, *, what: str,
                   ids: ObjArray | None = None, hint: str = NUMBER_HINT) -> npt.NDArray[np.float64]:
    """A text column as floats (NaN where empty); each bad cell is a problem with its line."""
    col = t.get(name)
    if col is None:
        return np.full(t.n, np.nan)
    nulled = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
    try:
        values = pc.cast(nulled, pa.float64())
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    out = np.full(t.n, np.nan)
    for row, s in enumerate(col.to_pylist()):
        if not s:
            continue
        try:
            out[row] = float(s)
        except ValueError:
            problems.error("field.number", t.rel, line=t.line(row), field=name,
                           ident=None if ids is None else str(ids[row]),
                           value=s[:40], expected=hint)
    return out


def column_flags(t: CsvTable, name: str, problems: Problems,
                 ids: ObjArray) -> npt.NDArray[np.int8]:
    """A text column of booleans as 1/0, -1 where empty."""
    col = t.get(name)
    out = np.full(t.n, -1, np.int8)
    if col is None:
        return out
    lower = pc.utf8_lower(col)
    out[np.asarray(pc.is_in(lower, pa.array(sorted(TRUE))).to_numpy(zero_copy_only=False))] = 1
    out[np.asarray(pc.is_in(lower, pa.array(sorted(FALSE))).to_numpy(zero_copy_only=False))] = 0
    bad = np.nonzero((out == -1) & _nonempty(col))[0]
    values = col.to_pylist() if len(bad) else []
    for row in bad:
        problems.error("field.bool", t.rel, line=t.line(int(row)), field=name,
                       ident=str(ids[row]), value=str(values[row])[:40])
    return out


def column_text(t: CsvTable, name: str) -> ObjArray:
    """A text column as an object array, None where empty."""
    col = t.get(name)
    if col is None:
        return np.full(t.n, None, dtype=object)
    arr = np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    arr[arr == ""] = None
    return arr


def column_groups(t: CsvTable, name: str, problems: Problems, ids: ObjArray) -> GroupsBuilder:
    """Parse a compact ``requires`` column; single-id cells take a vectorised path."""
    groups = GroupsBuilder()
    col = t.get(name)
    if col is None:
        return groups
    nonempty = _nonempty(col)
    special = np.asarray(pc.match_substring_regex(col, r"[;|@\s]").to_numpy(
        zero_copy_only=False), dtype=bool)
    simple = np.nonzero(nonempty & ~special)[0]
    if len(simple):
        groups.add_single(simple.astype(np.int64),
                          np.asarray(col.take(pa.array(simple)).to_numpy(zero_copy_only=False),
                                     dtype=object))
    complex_rows = np.nonzero(nonempty & special)[0]
    for row in complex_rows:
        s = col[int(row)].as_py()
        try:
            groups.add(int(row), parse_compact(s))
        except RequiresSyntaxError as exc:
            problems.error("requires.syntax", t.rel, line=t.line(int(row)), field=name,
                           ident=str(ids[row]), text=s[:80], detail=str(exc))
    return groups


def read_block(raw: bytes, rel: str, spec: FieldSpec, problems: Problems) -> Block | None:
    """Read assets or zones from CSV: ``id`` required; ``lon``/``lat`` or ``wkt`` for geometry."""
    t = read_csv(raw, rel, problems, required=("id",))
    if t is None:
        return None
    ids = column_text(t, "id")
    for row in np.nonzero(ids == None)[0]:  # noqa: E711 — elementwise comparison
        problems.error("field.missing", rel, line=t.line(int(row)), field="id",
                       expected=f"a unique id for the {spec.what}")
    text = {k: column_text(t, k) for k in spec.text}
    numbers = {k: column_numbers(t, k, problems, what=spec.what, ids=ids)
               for k in spec.numbers}
    flags = {k: column_flags(t, k, problems, ids) for k in spec.flags}
    groups = column_groups(t, "requires", problems, ids).finish()
    geometry = _geometry(t, problems, ids, spec)
    connects = _connects(t, problems, ids) if spec.connects else None
    attrs: dict[str, Any] = {}
    for name, col in t.columns.items():
        if name not in spec.known:
            attrs[name] = column_text(t, name)
    return Block(file=rel, ids=ids, geometry=geometry, groups=groups, place=t.place,
                 text=text, numbers=numbers, flags=flags, connects=connects, attrs=attrs)


def _geometry(t: CsvTable, problems: Problems, ids: ObjArray, spec: FieldSpec) -> ObjArray:
    geometry = np.full(t.n, None, dtype=object)
    lon = column_numbers(t, "lon", problems, what=spec.what, ids=ids,
                         hint="a WGS84 longitude in decimal degrees")
    lat = column_numbers(t, "lat", problems, what=spec.what, ids=ids,
                         hint="a WGS84 latitude in decimal degrees")
    has_lon = _nonempty(t.get("lon")) if t.get("lon") is not None else np.zeros(t.n, bool)
    has_lat = _nonempty(t.get("lat")) if t.get("lat") is not None else np.zeros(t.n, bool)
    for row in np.nonzero(has_lon ^ has_lat)[0]:
        problems.error("field.missing", t.rel, line=t.line(int(row)),
                       field="lat" if has_lon[row] else "lon", ident=str(ids[row]),
                       expected="both lon and lat, or neither")
    both = np.nonzero(has_lon & has_lat)[0]
    if len(both):
        geometry[both] = shapely.points(lon[both], lat[both])
    wkt = t.get("wkt")
    if wkt is not None:
        rows = np.nonzero(_nonempty(wkt))[0]
        texts = np.asarray(wkt.take(pa.array(rows)).to_numpy(zero_copy_only=False), dtype=object)
        parsed = shapely.from_wkt(texts, on_invalid="ignore")
        for row, g, s in zip(rows, parsed, texts, strict=True):
            if g is None:
                problems.error("geom.invalid", t.rel, line=t.line(int(row)), field="wkt",
                               ident=str(ids[row]), detail=f"not WKT: {str(s)[:40]}")
            elif geometry[row] is not None:
                problems.error("field.invalid", t.rel, line=t.line(int(row)), field="wkt",
                               ident=str(ids[row]), detail="both wkt and lon/lat given",
                               expected="either wkt or lon/lat")
            elif g.geom_type not in spec.geometry_types:
                problems.error("geom.type", t.rel, line=t.line(int(row)), field="wkt",
                               ident=str(ids[row]), type=g.geom_type,
                               allowed=", ".join(spec.geometry_types))
            else:
                geometry[row] = g
    return geometry


def _connects(t: CsvTable, problems: Problems, ids: ObjArray) -> ObjArray:
    out = np.full((t.n, 2), None, dtype=object)
    col = t.get("connects")
    if col is None:
        return out
    rows = np.nonzero(_nonempty(col))[0]
    values = col.take(pa.array(rows)).to_pylist() if len(rows) else []
    for row, s in zip(rows, values, strict=True):
        parts = [p.strip() for p in s.split(";")]
        if len(parts) != 2 or not all(parts):
            problems.error("connects.count", t.rel, line=t.line(int(row)), field="connects",
                           ident=str(ids[row]), count=len([p for p in parts if p]))
            continue
        out[row, 0], out[row, 1] = parts
    return out


def read_links(raw: bytes, rel: str,
               problems: Problems) -> tuple[pa.Array, pa.Array, ObjArray, Callable[[int], dict[str, int]]] | None:
    """Read a links file ``from,to[,layer]``: returns the two id columns, layers, and places."""
    t = read_csv(raw, rel, problems, required=("from", "to"))
    if t is None:
        return None
    frm, to = t.columns["from"], t.columns["to"]
    for name, col in (("from", frm), ("to", to)):
        for row in np.nonzero(~_nonempty(col))[0]:
            problems.error("field.missing", rel, line=t.line(int(row)), field=name,
                           expected="an asset id")
    return frm, to, column_text(t, "layer"), t.place
