"""The exercise's log for download: JSON (every event as the API gives it) and CSV, one row
an event, safe to open in a spreadsheet (no cell starts a formula: see
:mod:`tousrisques._csvsafe`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from tousrisques._csvsafe import escape_cell
from tousrisques.exercise import Event

__all__ = ["CSV_COLUMNS", "export_csv", "export_json"]

#: the CSV's columns, in order
CSV_COLUMNS = ("seq", "kind", "real_time", "scenario_s", "author", "name", "actor", "channel",
               "to", "status", "category", "text", "reason")


def export_json(events: list[Event]) -> bytes:
    """The events as one JSON document ``{"events": [...]}``.

    Parameters
    ----------
    events : list of Event

    Returns
    -------
    bytes

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> e = Event("log.entry", datetime(2026, 1, 1, tzinfo=UTC), 0.0, "COD", {"text": "hi"},
    ...           seq=1)
    >>> json.loads(export_json([e]))["events"][0]["payload"]
    {'text': 'hi'}
    """
    return json.dumps({"events": [e.to_json() for e in events]}, ensure_ascii=False,
                      indent=1).encode()


def _text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        if lang in value or "en" in value:
            return str(value.get(lang, value.get("en", "")))
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return " ".join(_text(v, lang) for v in value)
    return str(value)


def _row(e: Event, lang: str) -> list[str]:
    p = e.payload
    actor = p.get("actor") or p.get("from") or ""
    to = p.get("to", "")
    text = p.get("text") or p.get("what") or ""
    return [str(e.seq), e.kind, e.real_time.isoformat(), f"{e.scenario_s:g}", e.author,
            _text(p.get("name"), lang), _text(actor, lang), _text(p.get("channel"), lang),
            _text(to, lang), _text(p.get("status"), lang), _text(p.get("category"), lang),
            _text(text, lang), _text(p.get("reason"), lang)]


def export_csv(events: list[Event], lang: str = "en") -> str:
    """The events as CSV, texts in ``lang``, every cell escaped for spreadsheets.

    Parameters
    ----------
    events : list of Event
    lang : str

    Returns
    -------
    str

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> e = Event("log.entry", datetime(2026, 1, 1, tzinfo=UTC), 60.0, "COD",
    ...           {"actor": "COD", "text": "=1+1", "category": "situation"}, seq=1)
    >>> export_csv([e]).splitlines()[1]
    "1,log.entry,2026-01-01T00:00:00+00:00,60,COD,,COD,,,,situation,'=1+1,"
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow([escape_cell(cell) for cell in _row(e, lang)])
    return out.getvalue()
