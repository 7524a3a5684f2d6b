"""CSV cells that a spreadsheet cannot take for a formula (OWASP, "CSV injection").

Ids, causes, hazard and attack names come from files that travel between organisations;
our CSV files are opened in spreadsheets. A text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading ``'`` so that it is shown, not run. Numbers
are written as numbers (a negative number stays one).

>>> escape_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> escape_cell("-12.5"), escape_cell("-cmd"), escape_cell("ANT-12")
('-12.5', "'-cmd", 'ANT-12')
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def escape_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def escape_table(table: pa.Table) -> pa.Table:
    """Every text column of ``table`` escaped (numbers and booleans untouched)."""
    columns = []
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            risky = pc.starts_with(col, "=")
            for ch in FORMULA_START[1:]:
                risky = pc.or_(risky, pc.starts_with(col, ch))
            if pc.any(risky).as_py():
                col = pa.chunked_array(
                    [
                        pa.array(
                            [None if v is None else escape_cell(v) for v in chunk.to_pylist()],
                            col.type,
                        )
                        for chunk in col.chunks
                    ],
                    col.type,
                )
        columns.append(col)
    return pa.table(columns, names=table.column_names)


def write_csv(table: pa.Table, path: str | Path) -> None:
    """Write ``table`` as UTF-8 CSV with a header, its text cells escaped."""
    pacsv.write_csv(escape_table(table), str(path))
