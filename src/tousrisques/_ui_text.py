"""Words of the command line: English message ids of the package's one gettext catalog (their
French is in ``locale/fr/LC_MESSAGES/tousrisques.po``), by key; problem messages and errors
live in :mod:`tousrisques._messages`.

Numbers, shares and durations put into these words are written by
:class:`tousrisques._i18n.Formats` (``Formats(lang).integer(5570)``), never here.

>>> t("valid", "en", path="town")
'town: valid territory'
>>> t("valid", "fr", path="town") == "town\\u00a0: territoire valide"
True
"""

from __future__ import annotations

import os

from tousrisques._i18n import N_, gettext, in_lang

__all__ = ["TEXT", "argv_lang", "default_lang", "t"]

TEXT: dict[str, str] = {
    "valid": N_("{path}: valid territory"),
    "invalid": N_("{path}: {errors} error(s), {warnings} warning(s)"),
    "valid_scenario": N_("{path}: valid scenario"),
    "inputs_changed": N_("Inputs changed since the run ({paths}); this uses the copies kept in "
                         "the run folder (inputs/), which are those the results were computed "
                         "from — run the scenario again to see the effect of the changes."),
    # the summary of a valid scenario
    "sc_territory": N_("territory"),
    "sc_start": N_("start"),
    "sc_duration_h": N_("duration (hours)"),
    "sc_step_h": N_("output step (hours)"),
    "sc_events": N_("timed events"),
    "sc_absent_assets": N_("assets absent at the start"),
    "sc_runs": N_("Monte Carlo runs"),
    "sc_seed": N_("seed"),
    "sc_injects": N_("injects"),
    "sc_hazard": N_("hazard {id}: {assets_exposed} assets exposed, {expected_damaged} damaged "
                    "on average"),
    # the summary of a valid territory
    "assets": N_("Assets"),
    "kind": N_("kind"),
    "label": N_("what it is"),
    "layer": N_("layer"),
    "count": N_("count"),
    "links": N_("links (edges of the layers)"),
    "zones": N_("population zones"),
    "population": N_("population"),
    "vulnerable": N_("vulnerable people"),
    "actors": N_("actors"),
    "crisis_cells": N_("crisis cells"),
    "channels": N_("channels"),
    "coverage": N_("Coverage"),
    "planned": N_("planned assets (brought by a scenario's mitigations; not counted in the "
                  "coverage below)"),
    "pop_share": N_("share of population reached"),
    "site_share": N_("share of actor sites reached"),
    "colon": N_("{label}: {value}"),
    "compiled": N_("compiled {n} assets into {path}"),
    "written": N_("synthetic territory of {n} assets written to {path}"),
    # demo, run, report
    "demo_running": N_("Playing “{name}” on the Rouen sample, and its mitigated variant "
                       "“{variant}” ({runs} Monte Carlo runs each)…"),
    "demo_advising": N_("Looking for the measures that buy the most against the storm "
                        "({runs} runs per evaluation)…"),
    "demo_table": N_("Winter storm on {territory}: what the mitigated variant “{variant}” "
                     "buys (a written scenario, not the advised plan; median, P10–P90)"),
    "demo_base": N_("storm"),
    "demo_plan": N_("mitigated variant"),
    "demo_exercise": N_("Play this storm as a live exercise (nothing is left running): start "
                        "the server with `tousrisques serve --library {library}`, open "
                        "{url} with the admin token it prints, and create an exercise from "
                        "“{scenario}”."),
    "init_territory": N_("new territory in {path} (a copy of the example town): edit its "
                         "files, then `tousrisques validate {path}`"),
    "init_scenario": N_("new scenario {path}: edit it, then `tousrisques validate {path}`"),
    "init_needs_territory": N_("a scenario needs its territory: add --territory FOLDER"),
    "init_yaml": N_("{path}: a scenario file ends in .yaml"),
    "bad_duration": N_("{option} {value}: {detail}"),
    "running": N_("Running “{name}”"),
    "dask_unreachable": N_("--dask {address}: no Dask scheduler answers there ({detail}); "
                           "start one (`dask scheduler`, then `dask worker ADDRESS` on each "
                           "machine) or use --workers N on this machine"),
    "figure": N_("figure"),
    "difference": N_("difference"),
    "at": N_("at"),
    "value_band": N_("median (P10–P90)"),
    "key_figures": N_("{name}: key figures over {runs} runs (median, P10–P90)"),
    # a key figure whose indicator never moves: said instead of a worst moment
    "holds": N_("holds"),
    "worst_at": N_("worst: {time}"),
    "end_at": N_("end: {time}"),
    "people": N_("{num} people"),
    "folder_written": N_("results written to {path}"),
    "report_at": N_("report: {path}"),
    # explain, compare, criticality, export
    "run_out_of_range": N_("--run {run}: this folder holds {runs} runs, numbered 0 to {last}"),
    "at_none": N_("{option} {value}: no time given; expected times such as 4h,12h,2d"),
    "output_is_folder": N_("{path} is a folder: give the path of a file to write"),
    "output_not_folder": N_("{path} is a file, not a folder: give the path of a folder to "
                            "write (a file is never replaced by a folder)"),
    "output_under_file": N_("{path}: {parent} is a file, not a folder: choose a path inside a "
                            "folder"),
    "cannot_write": N_("cannot write {path}: {detail}; choose a place where you may write"),
    "permission_denied": N_("{path}: permission denied"),
    "at_out_of_range": N_("--at {at}: outside the scenario ({start} to {end})"),
    "unknown_subject": N_("{subject}: no asset or actor has this id"),
    "why_line": N_("{asset}, {kind}, down at {time}: {cause}"),
    "why_skipped": N_("… {n} links of the same network, cut in cascade, left out …"),
    "actor_cut": N_("{actor} could not reach any crisis cell at {time} (run {run}):"),
    "actor_connected": N_("{actor} could reach a crisis cell at {time} (run {run}):"),
    "site_down": N_("  its site {site} was down:"),
    "channel_ok": N_("{channel}: available"),
    "channel_nobody": N_("{channel}: available, but no crisis cell could be reached through "
                         "it"),
    "channel_site": N_("{channel}: needs the site, which was down"),
    "channel_requires": N_("{channel}: what it needs everywhere was down:"),
    "channel_coverage": N_("{channel}: nothing of its coverage reached the site:"),
    "asset_working": N_("{asset} was working at {time} (run {run})"),
    "asset_down": N_("{asset} was down at {time} (run {run}), because:"),
    "compare_title": N_("Key figures side by side (mean, P10–P90)"),
    "crit_title": N_("The {n} most critical assets or groups (single loss, backups run "
                     "out)"),
    "crit_title_horizon": N_("The {n} most critical assets or groups (single loss lasting "
                             "{horizon})"),
    "crit_rule_severity": N_("Ranked by the larger share lost: of the people {channel} "
                             "alerts, or of the actors (cut from every crisis cell or from "
                             "the one they report to). A group: assets that fall together, "
                             "shown by the most critical of them."),
    "crit_rule_other": N_("A group: assets that fall together, shown by the most critical of "
                          "them."),
    "crit_group": N_("group of {n} assets that fall together"),
    "crit_feeder": N_("feeder {feeder}: {n} assets"),
    "col_rank": N_("rank"),
    "col_asset": N_("asset"),
    "col_commune": N_("commune"),
    "col_kind": N_("kind"),
    "col_main_lost": N_("no longer alerted by {channel}"),
    "col_pop_lost": N_("people no longer reached"),
    "col_any_lost": N_("by no channel"),
    "col_actors_cut": N_("actors cut off"),
    "col_assets_down": N_("assets down"),
    "export_nothing": N_("nothing to export: add --geojson FILE and/or --indicators FILE"),
    "export_needs_at": N_("--geojson needs --at (the time of the snapshot, e.g. 6h)"),
    "export_suffix": N_("{path}: the indicators are written as .csv or .parquet"),
    "exported": N_("written: {path}"),
    "internal": N_("internal error: {detail} (set TOUSRISQUES_DEBUG=1 for details, and please "
                   "report it)"),
}


def t(key: str, lang: str, **params: object) -> str:
    """The command line's words ``key`` in ``lang``, with ``params`` put in (numbers already
    written by :class:`~tousrisques._i18n.Formats`)."""
    return gettext(TEXT[key], lang).format(**{k: _said(v, lang) for k, v in params.items()})


def _said(value: object, lang: str) -> object:
    """A parameter as ``lang`` reads it: an error of ours (a bad duration…) or a text in
    both languages in that language, anything else as it is."""
    render = getattr(value, "render", None)
    if isinstance(value, Exception) and callable(render):
        return render(lang)
    return in_lang(value, lang)


def default_lang() -> str:
    """``fr`` when TOUSRISQUES_LANG, LC_ALL or LANG (the first one set) says French, else
    ``en``."""
    for var in ("TOUSRISQUES_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def argv_lang(argv: list[str]) -> str:
    """The language asked for on the command line (``--lang fr``, ``--lang=en``), known
    before the command is parsed; else :func:`default_lang`.

    >>> argv_lang(["run", "s.yaml", "--lang", "fr"]), argv_lang(["--lang=en"])
    ('fr', 'en')
    """
    for i, arg in enumerate(argv):
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in ("en", "fr"):
            return value
    return default_lang()
