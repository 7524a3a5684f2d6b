"""Reports of a study: what it shows (``ReportData``), the HTML that shows it, and the run
folder that holds it with the results.

``render_report(data, lang="fr")`` writes one self-contained HTML file (inline CSS and SVG,
no script, nothing fetched from the network) in French or English; ``write_run(study,
folder)`` writes a whole run folder, moved into place in one step.
"""

from tousrisques.report._build import build_report_data, key_figures
from tousrisques.report._data import Finding, KeyFigure, ReportData
from tousrisques.report._folder import (
    finding_text,
    load_run,
    summary_figures,
    write_report,
    write_run,
)
from tousrisques.report._html import render_report

__all__ = [
    "Finding",
    "KeyFigure",
    "ReportData",
    "build_report_data",
    "finding_text",
    "key_figures",
    "load_run",
    "render_report",
    "summary_figures",
    "write_report",
    "write_run",
]
