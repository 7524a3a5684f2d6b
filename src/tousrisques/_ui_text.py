"""Words of the command line in English and French (problem messages live in _messages)."""

from __future__ import annotations

import os

TEXT: dict[str, tuple[str, str]] = {
    "valid": ("{path}: valid territory", "{path} : territoire valide"),
    "invalid": ("{path}: {errors} error(s), {warnings} warning(s)",
                "{path} : {errors} erreur(s), {warnings} avertissement(s)"),
    "valid_scenario": ("{path}: valid scenario", "{path} : scénario valide"),
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
    "demo_running": ("Playing “{name}” on the Rouen sample ({runs} Monte Carlo runs)…",
                     "Simulation « {name} » sur l'échantillon de Rouen ({runs} tirages)…"),
    "demo_table": ("Winter storm on Métropole Rouen Normandie: what the plan buys "
                   "(mean, P10 in brackets)",
                   "Tempête sur la Métropole Rouen Normandie : ce que le plan apporte "
                   "(moyenne, P10 entre parenthèses)"),
    "demo_base": ("storm", "tempête"),
    "demo_plan": ("with the plan", "avec le plan"),
    "demo_reach": ("FR-Alert reach", "portée FR-Alert"),
    "demo_halls": ("town halls", "mairies reliées"),
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
