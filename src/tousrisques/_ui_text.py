"""Words of the command line in English and French (problem messages live in _messages)."""

from __future__ import annotations

import os

TEXT: dict[str, tuple[str, str]] = {
    "valid": ("{path}: valid territory", "{path} : territoire valide"),
    "invalid": ("{path}: {errors} error(s), {warnings} warning(s)",
                "{path} : {errors} erreur(s), {warnings} avertissement(s)"),
    "valid_scenario": ("{path}: valid scenario", "{path} : scénario valide"),
    "inputs_changed": ("Inputs changed since the run ({paths}); this uses the copies kept in "
                       "the run folder (inputs/), which are those the results were computed "
                       "from — run the scenario again to see the effect of the changes.",
                       "Des entrées ont changé depuis le calcul ({paths}) ; les copies gardées "
                       "dans le dossier de résultats (inputs/), celles dont les résultats sont "
                       "tirés, sont utilisées — relancez le scénario pour voir l'effet des "
                       "changements."),
    "sc_territory": ("territory", "territoire"),
    "sc_duration_h": ("duration (hours)", "durée (heures)"),
    "sc_step_h": ("output step (hours)", "pas de sortie (heures)"),
    "sc_events": ("timed events", "événements datés"),
    "sc_absent_assets": ("assets absent at the start", "actifs absents au départ"),
    "sc_runs": ("Monte Carlo runs", "tirages Monte-Carlo"),
    "sc_seed": ("seed", "graine"),
    "sc_injects": ("injects", "injects"),
    "sc_hazard": ("hazard {id}: {assets_exposed} assets exposed, {expected_damaged} damaged on "
                  "average", "aléa {id} : {assets_exposed} actifs exposés, {expected_damaged} "
                  "endommagés en moyenne"),
    "warnings": ("{count} warning(s)", "{count} avertissement(s)"),
    "assets": ("Assets", "Actifs"),
    "kind": ("kind", "type"),
    "label": ("what it is", "ce que c'est"),
    "layer": ("layer", "couche"),
    "count": ("count", "nombre"),
    "links": ("links (edges of the layers)", "liens (arêtes des couches)"),
    "zones": ("population zones", "zones de population"),
    "population": ("population", "population"),
    "vulnerable": ("vulnerable people", "personnes vulnérables"),
    "actors": ("actors", "acteurs"),
    "crisis_cells": ("crisis cells", "cellules de crise"),
    "channels": ("channels", "canaux"),
    "coverage": ("Coverage", "Couverture"),
    "planned": ("planned assets (brought by a scenario's mitigations; not counted in the "
                "coverage below)", "actifs prévus (apportés par les mesures d'un scénario ; hors "
                "couverture ci-dessous)"),
    "pop_share": ("share of population reached", "part de la population couverte"),
    "site_share": ("share of actor sites reached", "part des sites d'acteurs couverts"),
    "compiled": ("compiled {n} assets into {path}", "{n} actifs compilés dans {path}"),
    "written": ("synthetic territory of {n} assets written to {path}",
                "territoire synthétique de {n} actifs écrit dans {path}"),
    "demo_intro": ("Validating the example territory {path}",
                   "Validation du territoire d'exemple {path}"),
    "demo_running": ("Playing “{name}” on the Rouen sample, with and without its plan "
                     "({runs} Monte Carlo runs each)…",
                     "Simulation « {name} » sur l'échantillon de Rouen, avec et sans son plan "
                     "({runs} tirages chacun)…"),
    "demo_table": ("Winter storm on Métropole Rouen Normandie: what the plan buys "
                   "(mean, P10–P90)",
                   "Tempête sur la Métropole Rouen Normandie : ce que le plan apporte "
                   "(moyenne, P10–P90)"),
    "demo_base": ("storm", "tempête"),
    "demo_plan": ("with the plan", "avec le plan"),
    "exists": ("{path} already exists: choose another path, or add --force to replace it",
               "{path} existe déjà : choisissez un autre chemin, ou ajoutez --force pour le "
               "remplacer"),
    "init_territory": ("new territory in {path} (a copy of the example town): edit its files, "
                       "then `tousrisques validate {path}`",
                       "nouveau territoire dans {path} (copie de la ville d'exemple) : "
                       "modifiez ses fichiers, puis `tousrisques validate {path}`"),
    "init_scenario": ("new scenario {path}: edit it, then `tousrisques validate {path}`",
                      "nouveau scénario {path} : modifiez-le, puis `tousrisques validate "
                      "{path}`"),
    "init_needs_territory": ("a scenario needs its territory: add --territory FOLDER",
                             "un scénario a besoin de son territoire : ajoutez --territory "
                             "DOSSIER"),
    "init_yaml": ("{path}: a scenario file ends in .yaml", "{path} : un fichier de scénario "
                  "se termine par .yaml"),
    "bad_duration": ("{option} {value}: {detail}", "{option} {value} : {detail}"),
    "running": ("Running “{name}”", "Calcul « {name} »"),
    "dask_unreachable": ("--dask {address}: no Dask scheduler answers there ({detail}); start "
                         "one (`dask scheduler`, then `dask worker ADDRESS` on each machine) "
                         "or use --workers N on this machine",
                         "--dask {address} : aucun ordonnanceur Dask ne répond à cette adresse "
                         "({detail}) ; démarrez-en un (`dask scheduler`, puis `dask worker "
                         "ADRESSE` sur chaque machine) ou utilisez --workers N sur cette "
                         "machine"),
    "figure": ("figure", "chiffre"),
    "difference": ("difference", "écart"),
    "at": ("at", "à"),
    "value_band": ("mean (P10–P90)", "moyenne (P10–P90)"),
    "key_figures": ("{name}: key figures over {runs} runs (mean, P10–P90)",
                    "{name} : chiffres clés sur {runs} tirages (moyenne, P10–P90)"),
    "folder_written": ("results written to {path}", "résultats écrits dans {path}"),
    "report_at": ("report: {path}", "rapport : {path}"),
    "run_out_of_range": ("--run {run}: this folder holds {runs} runs, numbered 0 to {last}",
                         "--run {run} : ce dossier contient {runs} tirages, numérotés de 0 à "
                         "{last}"),
    "at_none": ("{option} {value}: no time given; expected times such as 4h,12h,2d",
                "{option} {value} : aucune heure donnée ; attendu des heures comme 4h,12h,2d"),
    "output_is_folder": ("{path} is a folder: give the path of a file to write",
                         "{path} est un dossier : donnez le chemin d'un fichier à écrire"),
    "output_not_folder": ("{path} is a file, not a folder: give the path of a folder to write "
                          "(a file is never replaced by a folder)",
                          "{path} est un fichier, pas un dossier : donnez le chemin d'un dossier "
                          "à écrire (un fichier n'est jamais remplacé par un dossier)"),
    "output_under_file": ("{path}: {parent} is a file, not a folder: choose a path inside a "
                          "folder", "{path} : {parent} est un fichier, pas un dossier : "
                          "choisissez un chemin dans un dossier"),
    "cannot_write": ("cannot write {path}: {detail}; choose a place where you may write",
                     "impossible d'écrire {path} : {detail} ; choisissez un endroit où vous "
                     "pouvez écrire"),
    "force_not_run": ("{path} is not a run folder (no summary.json) and not empty: only a "
                      "run folder is replaced; choose another path",
                      "{path} n'est ni un dossier de résultats (pas de summary.json) ni vide : "
                      "seul un dossier de résultats est remplacé ; choisissez un autre chemin"),
    "force_not_territory": ("{path} is not a territory folder (no territory.yaml) and not "
                            "empty: only a territory is replaced; choose another path",
                            "{path} n'est ni un dossier de territoire (pas de territory.yaml) ni "
                            "vide : seul un territoire est remplacé ; choisissez un autre "
                            "chemin"),
    "at_out_of_range": ("--at {at}: outside the scenario (0 h to {end} h)",
                        "--at {at} : hors du scénario (0 h à {end} h)"),
    "unknown_subject": ("{subject}: no asset or actor has this id",
                        "{subject} : aucun actif ni acteur n'a cet identifiant"),
    "why_line": ("{asset}, {kind}, down at {time} h: {cause}",
                 "{asset}, {kind}, hors service à {time} h : {cause}"),
    "why_event": ("damaged by {event}", "endommagé par {event}"),
    "why_skipped": ("… {n} links of the same network, cut in cascade, left out …",
                    "… {n} maillons du même réseau, coupés en cascade, non détaillés …"),
    "why_hazard": ("the hazard “{name}”", "l'aléa « {name} »"),
    "why_absent": ("not there: a planned asset that no mitigation has brought (yet)",
                   "absent : un équipement prévu qu'aucune mesure n'a (encore) apporté"),
    "why_requirement": ("lost what it needs, with no backup (waiting for {because})",
                        "a perdu ce dont il dépend, sans secours (attend {because})"),
    "why_backup": ("its backup ran out (waiting for {because})",
                   "son secours s'est épuisé (attend {because})"),
    "why_disconnected": ("cut from every source of its {layer} (neighbours down: {because})",
                         "coupé de toute source de son {layer} (voisins hors service : "
                         "{because})"),
    "actor_cut": ("{actor} could not reach any crisis cell at {time} h (run {run}):",
                  "{actor} ne pouvait joindre aucune cellule de crise à {time} h (tirage "
                  "{run}) :"),
    "actor_connected": ("{actor} could reach a crisis cell at {time} h (run {run}):",
                        "{actor} pouvait joindre une cellule de crise à {time} h (tirage "
                        "{run}) :"),
    "site_down": ("  its site {site} was down:", "  son site {site} était hors service :"),
    "channel_ok": ("{channel}: available", "{channel} : disponible"),
    "channel_nobody": ("{channel}: available, but no crisis cell could be reached through it",
                       "{channel} : disponible, mais aucune cellule de crise joignable par ce "
                       "canal"),
    "channel_site": ("{channel}: needs the site, which was down",
                     "{channel} : a besoin du site, hors service"),
    "channel_requires": ("{channel}: what it needs everywhere was down:",
                         "{channel} : ce dont il dépend partout était hors service :"),
    "channel_coverage": ("{channel}: nothing of its coverage reached the site:",
                         "{channel} : aucune couverture n'atteignait le site :"),
    "asset_working": ("{asset} was working at {time} h (run {run})",
                      "{asset} fonctionnait à {time} h (tirage {run})"),
    "asset_down": ("{asset} was down at {time} h (run {run}), because:",
                   "{asset} était hors service à {time} h (tirage {run}), car :"),
    "compare_title": ("Key figures side by side (mean, P10–P90)",
                      "Chiffres clés côte à côte (moyenne, P10–P90)"),
    "crit_title": ("The {n} most critical assets (single loss, backups run out)",
                   "Les {n} actifs les plus critiques (perte isolée, secours épuisés)"),
    "crit_title_horizon": ("The {n} most critical assets (single loss lasting {horizon})",
                           "Les {n} actifs les plus critiques (perte isolée durant {horizon})"),
    "col_rank": ("rank", "rang"),
    "col_asset": ("asset", "actif"),
    "col_kind": ("kind", "type"),
    "col_pop_lost": ("people no longer reached", "personnes non atteintes"),
    "col_actors_cut": ("actors cut off", "acteurs isolés"),
    "col_assets_down": ("assets down", "actifs hors service"),
    "export_nothing": ("nothing to export: add --geojson FILE and/or --indicators FILE",
                       "rien à exporter : ajoutez --geojson FICHIER et/ou --indicators "
                       "FICHIER"),
    "export_needs_at": ("--geojson needs --at (the time of the snapshot, e.g. 6h)",
                        "--geojson demande --at (l'heure de l'instantané, ex. 6h)"),
    "export_suffix": ("{path}: the indicators are written as .csv or .parquet",
                      "{path} : les indicateurs s'écrivent en .csv ou .parquet"),
    "exported": ("written: {path}", "écrit : {path}"),
    "internal": ("internal error: {detail} (set TOUSRISQUES_DEBUG=1 for details, and please "
                 "report it)", "erreur interne : {detail} (TOUSRISQUES_DEBUG=1 pour le détail ; "
                 "merci de la signaler)"),
}


def default_lang() -> str:
    """``fr`` when TOUSRISQUES_LANG or LANG says French, else ``en``."""
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


def number(value: float, lang: str, *, digits: int = 0) -> str:
    """``5,570`` in English, ``5 570`` in French (narrow no-break space, comma decimals).

    >>> number(5570.0, "fr")
    '5\u202f570'
    >>> number(0.5, "fr", digits=1)
    '0,5'
    """
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def percent(share: float, lang: str) -> str:
    """``61.0%`` in English, ``61,0 %`` in French."""
    if lang == "fr":
        return number(100 * share, lang, digits=1) + "\u202f%"
    return f"{share:.1%}"


def t(key: str, lang: str, **params: object) -> str:
    en, fr = TEXT[key]
    return (fr if lang == "fr" else en).format(**params)
