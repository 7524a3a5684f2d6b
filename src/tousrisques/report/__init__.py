"""Reports of a study: what it shows (``ReportData``) and the HTML that shows it.

``render_report(data, lang="fr")`` writes one self-contained HTML file (inline CSS and SVG,
no script, nothing fetched from the network) in French or English. The report reads studies;
run folders are written and read by ``tousrisques.results``.
"""

from tousrisques.report._build import build_report_data
from tousrisques.report._data import Finding, KeyFigure, ReportData
from tousrisques.report._folder import finding_text, report_html, tail_text, write_report
from tousrisques.report._html import render_report

__all__ = [
    "Finding",
    "KeyFigure",
    "ReportData",
    "build_report_data",
    "finding_text",
    "render_report",
    "report_html",
    "tail_text",
    "write_report",
]
