"""A run folder: the study's data files, ``summary.json`` and the report, written in a
temporary folder beside the target and moved in whole — a crash, a kill or a bad input
leaves either no folder or the previous one, never half of one.

Layout (docs/outputs.md lists every column)::

    summary.json            what was run, with which files and hashes; key figures
    stats.parquet           per indicator and time: mean, P10, P50, P90 (values, counts)
    runs.parquet            every run's indicators
    indicators.csv          stats.parquet as CSV, with time_h
    zones.parquet           per zone, broadcast channel and time: share of runs reached
    actor_channels.parquet  per actor, channel and time: share of runs available
    changes.parquet/.csv    the representative run's log of changes, with causes
    criticality.parquet/.csv
    report.html             the report (``--lang``)
    other/                  the same files for the scenario compared with, if any
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tousrisques._atomic import atomic_file, atomic_folder
from tousrisques.analysis import STUDY_FORMAT, Study, read_study, read_summary, write_study
from tousrisques.report._build import build_report_data
from tousrisques.report._data import Finding, ReportData
from tousrisques.report._html import render_report


def _clean(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def summary_figures(data: ReportData) -> dict[str, Any]:
    """The key figures and findings as plain JSON (numbers unrounded to 6 digits)."""
    return {
        "key_figures": [{"id": f.id, "label": {"en": f.label.en, "fr": f.label.fr},
                         "unit": f.unit, "mean": _clean(f.value), "p10": _clean(f.p10),
                         "p90": _clean(f.p90), "at_h": _clean(f.at_h)}
                        for f in data.key_figures],
        "findings": [{"kind": f.kind, "at_h": _clean(f.at_h), "mean": _clean(f.value),
                      "p10": _clean(f.p10), "p90": _clean(f.p90), "total": _clean(f.total),
                      "subject": None if f.subject is None else {"en": f.subject.en,
                                                                 "fr": f.subject.fr}}
                     for f in data.findings],
    }


def write_run(study: Study, folder: str | Path, *, lang: str = "fr",
              map_hours: list[float] | None = None, report: bool = True) -> ReportData:
    """Write the run folder of ``study`` (replacing ``folder`` whole); returns what the
    report shows."""
    folder = Path(folder)
    data = build_report_data(study, map_hours=map_hours)
    with atomic_folder(folder) as tmp:
        info = write_study(study, tmp, folder)
        summary = {"format": STUDY_FORMAT, "created": datetime.now(UTC).isoformat(
            timespec="seconds"), "version": data.version, **info, **summary_figures(data)}
        (tmp / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
        if report:
            (tmp / "report.html").write_text(render_report(data, lang=lang), encoding="utf-8")
    return data


def load_run(folder: str | Path) -> tuple[Study, dict[str, Any]]:
    """A run folder back: its study (scenario re-loaded and checked) and its summary."""
    folder = Path(folder)
    info = read_summary(folder)
    return read_study(folder, info), info


def write_report(study: Study, output: str | Path, *, lang: str,
                 map_hours: list[float] | None = None) -> ReportData:
    """Write only the report, atomically (a temporary file renamed into place)."""
    output = Path(output)
    data = build_report_data(study, map_hours=map_hours)
    html = render_report(data, lang=lang)
    with atomic_file(output) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return data


def finding_text(f: Finding, lang: str, *, duration_h: float = 0.0) -> str:
    """The plain-words sentence of a finding, as the report writes it (for the terminal)."""
    from tousrisques.report._i18n import Formats, translations
    from tousrisques.report._words import finding

    return finding(f, translations(lang), Formats(lang), duration_h=duration_h)
