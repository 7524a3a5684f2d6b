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

from tousrisques._i18n import N_, Msg
from tousrisques._problems import Place, Problems
from tousrisques._readers import decode_utf8, strip_bom
from tousrisques.territory._columns import Block, GroupsBuilder, ObjArray, RawGroups
from tousrisques.territory._fields import FALSE, NUMBER_HINT, TRUE, FieldSpec
from tousrisques.territory._requires import RequiresSyntaxError, parse_compact
from tousrisques.territory._requires_column import parse_column


class CsvTable:
    """The text columns of a CSV file and a way back from row numbers to lines."""

    def __init__(self, rel: str, text: str, columns: dict[str, pa.Array],
                 delimiter: str = ",") -> None:
        self.rel = rel
        self._text = text
        self.columns = columns
        self.delimiter = delimiter
        # a French spreadsheet writes "49,44" in a ";"-separated file
        self.decimal_comma = delimiter == ";"
        self.n = len(next(iter(columns.values()))) if columns else 0
        self._lines: npt.NDArray[np.int64] | None = None

    def line(self, row: int) -> int:
        """1-based line where data row ``row`` (0-based) starts."""
        if self._lines is None:
            starts = []
            reader = csv.reader(io.StringIO(self._text), delimiter=self.delimiter)
            prev = 0
            for record in reader:
                if record and any(record) and prev > 0:
                    starts.append(prev + 1)
                prev = reader.line_num
            self._lines = np.asarray(starts, dtype=np.int64)
        return int(self._lines[row]) if row < len(self._lines) else row + 2

    def place(self, row: int) -> Place:
        return Place(line=self.line(row))

    def get(self, name: str) -> pa.Array | None:
        return self.columns.get(name)


def read_csv(raw: bytes, rel: str, problems: Problems, *,
             required: tuple[str, ...]) -> CsvTable | None:
    """Read a CSV file as text columns; check its header; ``None`` if unusable.

    The separator is ``,`` or, when the header holds more of them, ``;`` (what a French
    spreadsheet writes); numbers then may use a decimal comma.
    """
    text = decode_utf8(raw, rel, problems)
    if text is None:
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        problems.error("file.empty", rel, line=1,
                       expected=Msg(N_("a header line with at least: {required}"),
                                    required=", ".join(required)))
        return None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter))
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
    try:
        table = pacsv.read_csv(
            pa.BufferReader(strip_bom(raw)),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, delimiter=delimiter),
        )
    except pa.ArrowInvalid as exc:
        _find_bad_rows(text, rel, len(names), problems, str(exc), delimiter)
        return None
    columns = {n: pc.ascii_trim_whitespace(table.column(n).combine_chunks()) for n in names}
    return CsvTable(rel, text, columns, delimiter)


def _find_bad_rows(text: str, rel: str, width: int, problems: Problems, detail: str,
                   delimiter: str) -> None:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
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


def column_numbers(t: CsvTable, name: str, problems: Problems, *,
                   ids: pa.Array | None = None, hint: Msg = NUMBER_HINT,
                   flagged: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.float64]:
    """A text column as floats (NaN where empty); each bad cell is a problem with its line,
    and is marked in ``flagged`` when given."""
    col = t.get(name)
    if col is None:
        return np.full(t.n, np.nan)
    if t.decimal_comma:
        col = pc.replace_substring(col, ",", ".")
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
            if flagged is not None:
                flagged[row] = True
            problems.error("field.number", t.rel, line=t.line(row), field=name,
                           ident=None if ids is None else ids[row].as_py(),
                           value=s[:40], expected=hint)
    return out


def column_flags(t: CsvTable, name: str, problems: Problems,
                 ids: pa.Array) -> npt.NDArray[np.int8]:
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
                       ident=ids[int(row)].as_py(), value=str(values[row])[:40])
    return out


def column_text(t: CsvTable, name: str) -> pa.Array | None:
    """A text column with nulls where empty, or None when the column is absent."""
    col = t.get(name)
    if col is None:
        return None
    return pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)


def column_groups(t: CsvTable, name: str, problems: Problems, ids: pa.Array) -> RawGroups:
    """Parse a compact ``requires`` column a whole column at a time; malformed cells are
    parsed one by one to report exactly what is wrong."""
    col = t.get(name)
    if col is None:
        return RawGroups.empty()
    groups, redo = parse_column(col)
    if len(redo) == 0:
        return groups
    builder = GroupsBuilder()
    builder.add_raw(groups)
    for row in redo.tolist():
        s = col[row].as_py()
        try:
            builder.add(row, parse_compact(s))
        except RequiresSyntaxError as exc:
            problems.error("requires.syntax", t.rel, line=t.line(row), field=name,
                           ident=ids[row].as_py(), text=s[:80], detail=exc)
    return builder.finish()


def read_block(raw: bytes, rel: str, spec: FieldSpec, problems: Problems) -> Block | None:
    """Read assets or zones from CSV: ``id`` required; ``lon``/``lat`` or ``wkt`` for geometry."""
    t = read_csv(raw, rel, problems, required=("id",))
    if t is None:
        return None
    ids = column_text(t, "id")
    assert ids is not None
    for row in np.nonzero(_np(ids.is_null()))[0]:
        problems.error("field.missing", rel, line=t.line(int(row)), field="id",
                       expected=spec.id_hint)
    flagged = {k: np.zeros(t.n, bool) for k in (*spec.numbers, "geometry")}
    text = {k: v for k in spec.text if (v := column_text(t, k)) is not None}
    numbers = {k: column_numbers(t, k, problems, ids=ids, flagged=flagged[k])
               for k in spec.numbers}
    flags = {k: column_flags(t, k, problems, ids) for k in spec.flags}
    groups = column_groups(t, "requires", problems, ids)
    lon, lat, given, shapes = _geometry(t, problems, ids, spec, flagged["geometry"])
    connects = _connects(t, problems, ids) if spec.connects else None
    attrs: dict[str, Any] = {}
    for name in t.columns:
        if name not in spec.known:
            attrs[name] = column_text(t, name)
    return Block(file=rel, ids=ids, lon=lon, lat=lat, shapes=shapes, groups=groups,
                 place=t.place, text=text, numbers=numbers, flags=flags, connects=connects,
                 attrs=attrs, point_given=given, flagged=flagged, point_fields=("lon", "lat"),
                 shape_field="wkt")


def _np(a: Any) -> npt.NDArray[Any]:
    return np.asarray(a.to_numpy(zero_copy_only=False))


def _geometry(t: CsvTable, problems: Problems, ids: pa.Array, spec: FieldSpec,
              flagged: npt.NDArray[np.bool_]
              ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64],
                         npt.NDArray[np.bool_], ObjArray]:
    shapes = np.full(t.n, None, dtype=object)
    lon = column_numbers(t, "lon", problems, ids=ids, flagged=flagged,
                         hint=Msg(N_("a WGS84 longitude in decimal degrees")))
    lat = column_numbers(t, "lat", problems, ids=ids, flagged=flagged,
                         hint=Msg(N_("a WGS84 latitude in decimal degrees")))
    has_lon = _nonempty(t.columns["lon"]) if "lon" in t.columns else np.zeros(t.n, bool)
    has_lat = _nonempty(t.columns["lat"]) if "lat" in t.columns else np.zeros(t.n, bool)
    flagged |= has_lon ^ has_lat
    given = has_lon & has_lat & ~flagged
    for row in np.nonzero(has_lon ^ has_lat)[0]:
        problems.error("field.missing", t.rel, line=t.line(int(row)),
                       field="lat" if has_lon[row] else "lon", ident=ids[int(row)].as_py(),
                       expected=Msg(N_("both lon and lat, or neither")))
    wkt = t.get("wkt")
    if wkt is not None:
        rows = np.nonzero(_nonempty(wkt))[0]
        texts = np.asarray(wkt.take(pa.array(rows)).to_numpy(zero_copy_only=False), dtype=object)
        parsed = shapely.from_wkt(texts, on_invalid="ignore")
        for r, g, s in zip(rows.tolist(), parsed, texts, strict=True):
            ident = ids[r].as_py()
            flagged[r] = True  # cleared below when the geometry is usable
            if g is None:
                problems.error("geom.invalid", t.rel, line=t.line(r), field="wkt",
                               ident=ident, detail=Msg(N_("not WKT: {text}"), text=str(s)[:40]))
            elif has_lon[r] or has_lat[r]:
                problems.error("field.invalid", t.rel, line=t.line(r), field="wkt",
                               ident=ident, detail=Msg(N_("both wkt and lon/lat given")),
                               expected=Msg(N_("either wkt or lon/lat")))
            elif g.geom_type not in spec.geometry_types:
                problems.error("geom.type", t.rel, line=t.line(r), field="wkt",
                               ident=ident, type=g.geom_type,
                               allowed=", ".join(spec.geometry_types))
            elif g.geom_type == "Point" and not g.is_empty:
                lon[r], lat[r] = g.x, g.y
                given[r], flagged[r] = True, False
            else:
                shapes[r], flagged[r] = g, False
    return lon, lat, given, shapes


def _connects(t: CsvTable, problems: Problems, ids: pa.Array) -> tuple[pa.Array, pa.Array]:
    col = t.get("connects")
    if col is None:
        none = pa.nulls(t.n, pa.string())
        return none, none
    parts = pc.split_pattern(col, ";")
    count = _np(pc.list_value_length(parts))
    nonempty = _nonempty(col)
    ok_rows = np.nonzero(nonempty & (count == 2))[0]
    pairs = parts.take(pa.array(ok_rows))
    a = pc.ascii_trim_whitespace(pc.list_element(pairs, 0))
    b = pc.ascii_trim_whitespace(pc.list_element(pairs, 1))
    blank = _np(pc.or_(pc.equal(a, ""), pc.equal(b, ""))).astype(bool)
    bad = nonempty.copy()
    bad[ok_rows[~blank]] = False
    for row in np.nonzero(bad)[0].tolist():
        s = col[row].as_py()
        n_ids = len([p for p in s.split(";") if p.strip()])
        problems.error("connects.count", t.rel, line=t.line(row), field="connects",
                       ident=ids[row].as_py(), count=n_ids)
    # scatter the good pairs back to their rows, null elsewhere
    where = np.full(t.n, -1, np.int64)
    where[ok_rows[~blank]] = np.nonzero(~blank)[0]
    take = pa.array(where, mask=where < 0)
    return a.take(take), b.take(take)


LinkColumns = tuple[pa.Array, pa.Array, pa.Array | None, Callable[[int], Place]]


def read_links(raw: bytes, rel: str, problems: Problems) -> LinkColumns | None:
    """Read a links file ``from,to[,layer]``: the two id columns, layers, and places."""
    t = read_csv(raw, rel, problems, required=("from", "to"))
    if t is None:
        return None
    frm, to = t.columns["from"], t.columns["to"]
    for name, col in (("from", frm), ("to", to)):
        for row in np.nonzero(~_nonempty(col))[0]:
            problems.error("field.missing", rel, line=t.line(int(row)), field=name,
                           expected=Msg(N_("an asset id")))
    return frm, to, column_text(t, "layer"), t.place
