"""The report as a file: drawn from a study (read from a run folder with
``tousrisques.results.read_run``, or just run) and written atomically."""

from __future__ import annotations

from pathlib import Path

from tousrisques._atomic import atomic_file
from tousrisques.analysis import Study
from tousrisques.report._build import build_report_data
from tousrisques.report._data import Finding, ReportData
from tousrisques.report._html import render_report


def report_html(study: Study, *, lang: str, map_hours: list[float] | None = None
                ) -> tuple[ReportData, str]:
    """What the report of ``study`` shows, and its HTML in ``lang``."""
    data = build_report_data(study, map_hours=map_hours)
    return data, render_report(data, lang=lang)


def write_report(study: Study, output: str | Path, *, lang: str,
                 map_hours: list[float] | None = None, replace: bool = False) -> ReportData:
    """Write only the report, atomically (a temporary file renamed into place); an
    existing file is replaced only with ``replace``."""
    output = Path(output)
    data, html = report_html(study, lang=lang, map_hours=map_hours)
    with atomic_file(output, replace=replace) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return data


def finding_text(f: Finding, lang: str, *, duration_h: float = 0.0) -> str:
    """The plain-words sentence of a finding, as the report writes it (for the terminal)."""
    from tousrisques.report._i18n import Formats, translations
    from tousrisques.report._words import finding

    return finding(f, translations(lang), Formats(lang), duration_h=duration_h)
