"""The advice in the report: ``tousrisques advise``'s result attached to the report's data,
drawn by ``templates/_advice.html`` (included by ``report.html`` where the advice belongs).

A run folder that holds an advice folder's ``advice.json`` (or one given by path) puts its
advice into the report; without one the section is not drawn.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tousrisques.analysis import Advice
from tousrisques.report._data import ReportData
from tousrisques.results import read_advice


def with_advice(data: ReportData, advice: Advice | str | Path | None) -> ReportData:
    """``data`` with the advice to draw: an ``Advice``, or an advice folder (or its
    ``advice.json``) read as untrusted input (``InputError`` when it is not one).

    Parameters
    ----------
    data : ReportData
    advice : Advice, str, Path or None

    Returns
    -------
    ReportData

    Examples
    --------
    >>> from tousrisques.analysis import Advice
    >>> from tousrisques.report._advice import with_advice
    >>> a = Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 2, 2, None, "EUR", {}, {}, [], {})
    >>> callable(with_advice)
    True
    """
    if advice is None:
        return data
    if not isinstance(advice, Advice):
        advice = read_advice(advice)
    return replace(data, advice=advice)
