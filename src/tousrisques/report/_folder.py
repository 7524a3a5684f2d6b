"""The report as a file: drawn from a study (read from a run folder with
``tousrisques.results.read_run``, or just run) and written atomically."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tousrisques._atomic import atomic_file
from tousrisques.analysis import Advice, Study
from tousrisques.report._advice import with_advice
from tousrisques.report._build import build_report_data
from tousrisques.report._data import Finding, ReportData
from tousrisques.report._html import render_report


def report_html(study: Study, *, lang: str, map_hours: list[float] | None = None,
                advice: Advice | str | Path | None = None) -> tuple[ReportData, str]:
    """What the report of ``study`` shows, and its HTML in ``lang``.

    Parameters
    ----------
    study : Study
    lang : {"fr", "en"}
    map_hours : list of float, optional
        As for :func:`build_report_data`.
    advice : Advice, str or Path, optional
        The advice to draw in its section (an advice folder is read, see
        ``report._advice.with_advice``).

    Returns
    -------
    (ReportData, str)
        What the report shows, and the whole HTML file.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> from tousrisques.report import report_html
    >>> data, html = report_html(study, lang="fr")
    >>> '<html lang="fr">' in html, data.runs
    (True, 2)
    """
    data = with_advice(build_report_data(study, map_hours=map_hours), advice)
    return data, render_report(data, lang=lang)


def write_report(study: Study, output: str | Path, *, lang: str,
                 map_hours: list[float] | None = None, replace: bool = False,
                 advice: Advice | str | Path | None = None) -> ReportData:
    """Write only the report, atomically (a temporary file renamed into place); an
    existing file is replaced only with ``replace``.

    Parameters
    ----------
    study : Study
    output : str or Path
        The HTML file to write.
    lang : {"fr", "en"}
    map_hours : list of float, optional
        As for :func:`build_report_data`.
    replace : bool
        Replace ``output`` when it exists; without it an existing file is refused.
    advice : Advice, str or Path, optional
        As for :func:`report_html`.

    Returns
    -------
    ReportData
        What the report shows.

    Raises
    ------
    InputError
        ``output.exists`` when ``output`` exists and ``replace`` is not given.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=2)
    >>> import tempfile
    >>> from tousrisques import InputError
    >>> from tousrisques.report import write_report
    >>> out = f"{tempfile.mkdtemp()}/report.html"
    >>> data = write_report(study, out, lang="en")
    >>> try:
    ...     write_report(study, out, lang="en")
    ... except InputError as exc:
    ...     print(exc.code)
    output.exists
    >>> data = write_report(study, out, lang="fr", replace=True)
    """
    output = Path(output)
    data, html = report_html(study, lang=lang, map_hours=map_hours, advice=advice)
    with atomic_file(output, replace=replace) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return data


def finding_text(f: Finding, lang: str, *, duration_h: float = 0.0,
                 start: datetime | None = None) -> str:
    """The plain-words sentence of a finding, as the report writes it (for the terminal).

    Parameters
    ----------
    f : Finding
        From ``tousrisques.results.findings`` or ``ReportData.findings``.
    lang : {"fr", "en"}
    duration_h : float
        The scenario's length in hours (said of a recovery that never comes).
    start : datetime, optional
        The scenario's start on the territory's clock (``Scenario.start``): moments are
        then said as a local hour and day (``at 09:00 (Thu 2 Nov, +9 h)``).

    Returns
    -------
    str
        One sentence, numbers written as ``lang`` writes them (with the non-breaking
        spaces each language puts before units and signs).

    Examples
    --------
    >>> from tousrisques.report import finding_text
    >>> from tousrisques.results import Finding
    >>> worst = Finding("worst", 9.0, 0.47, p10=0.0, p90=0.94)
    >>> print(finding_text(worst, "en"))  # doctest: +NORMALIZE_WHITESPACE
    The worst moment comes 9 h after the start: 47% of the population is reached by at least
    one channel (P10–P90: 0–94%).
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> paris = datetime(2023, 11, 2, tzinfo=ZoneInfo("Europe/Paris"))
    >>> finding_text(worst, "en", start=paris).startswith(
    ...     "The worst moment comes at 09:00 (Thu 2 Nov, +9")
    True
    >>> never = Finding("recovery", None, 0.9)
    >>> print(finding_text(never, "fr", duration_h=48))  # doctest: +NORMALIZE_WHITESPACE
    La part de la population atteinte par au moins un canal ne remonte pas au-dessus de 95 %
    de sa valeur de départ pendant le scénario (48 h).
    """
    from tousrisques.report._i18n import Formats, translations
    from tousrisques.report._words import finding

    return finding(f, translations(lang), Formats(lang, start), duration_h=duration_h)


def tail_text(data: ReportData, lang: str) -> str:
    """The worst tenth of the runs in words, as the report's executive page says it (for the
    terminal): how low the main alert channel falls in them, when, against the median run,
    and what collapses.

    Parameters
    ----------
    data : ReportData
        With its ``tail`` (from :func:`build_report_data`).
    lang : {"fr", "en"}

    Returns
    -------
    str
        One or a few sentences; empty when ``data`` has no tail.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=10)
    >>> from tousrisques.report import build_report_data, tail_text
    >>> tail_text(build_report_data(study), "en").startswith("In the worst run of 10")
    True
    """
    from tousrisques.report._executive import tail_sentence
    from tousrisques.report._html import report_formats
    from tousrisques.report._i18n import translations

    if data.tail is None:
        return ""
    return tail_sentence(data, translations(lang), report_formats(data, lang))
