"""The Rouen sample's hospitals, from the FINESS register: which facilities are kept, one
site per place, and their names as French writes them (docs/sample-territory.md, Hospitals).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

PSYCHIATRIC = "Centre Hospitalier Spécialisé lutte Maladies Mentales"
# testing centres (CeGIDD: centre gratuit d'information, de dépistage et de diagnostic) are
# FINESS facilities of a hospital, not a place where patients stay
TESTING = re.compile(r"\bCEGIDD\b|DEPISTAGE")
# of the psychiatric facilities, the hospitals (full-time and day hospitals); the others are
# outpatient consultation centres (CMP, CATTP alone), mobile teams and family therapy
PSY_HOSPITAL = re.compile(r"HOSPITALIER|HOSPITALISATION|\bHOP JOUR\b|\bHOPITAL DE JOUR\b")
DAY_HOSPITAL = re.compile(r"\bHOP JOUR\b|\bHOPITAL DE JOUR\b")
# which facility stands for a place when several share the same coordinates
RANK = ("Centre Hospitalier Régional (C.H.R.)", "Centre Hospitalier (C.H.)",
        "Centre de Lutte Contre Cancer")

# names the general rule cannot get right (an institution's usual name)
CORRECTIONS: dict[str, str] = {
    "HOPITAL CHARLES NICOLLE CHU ROUEN": "Hôpital Charles-Nicolle (CHU de Rouen)",
    "CENTRE HOSPITALIER SPECIALISE DU ROUVRAY": "Centre hospitalier du Rouvray",
    "CENTRE HOSPITALIER SAINT JULIEN PETIT QUEVILLY":
        "Hôpital Saint-Julien (CHU de Rouen, Le Petit-Quevilly)",
    "CENTRE REGIONAL LUTTE CONTRE CANCER HENRI BECQUEREL ROUEN": "Centre Henri-Becquerel",
    "CH DU BELVEDERE MONT-SAINT-AIGNAN": "Centre hospitalier du Belvédère (Mont-Saint-Aignan)",
    "CENTRE HOSPITALIER D'ELBEUF LES FEUGRAIS": "Centre hospitalier d'Elbeuf (Les Feugrais)",
    "CENTRE SSR PA CH DARNETAL": "Centre SSR pour personnes âgées de Darnétal",
    "CENTRE SSR PA CH SOTTEVILLE/ROUEN": "Centre SSR pour personnes âgées de Sotteville",
    "USLD BOUCICAUT MONT ST AIGNAN": "USLD Boucicaut (Mont-Saint-Aignan)",
    "CTRE HOSPITALIER UNIVERSITAIRE - HOPITAL DE BOISGUILLAUME":
        "Hôpital de Bois-Guillaume (CHU de Rouen)",
    "HOPITAL DE OISSEL CHU ROUEN": "Hôpital d'Oissel (CHU de Rouen)",
    "CLINIQUE MATHILDE SA CLINIQUE ST ROMAIN ROUEN RIVE GAUCHE": "Clinique Saint-Romain",
    "CTRE  MEDECINE PHYSIQUE ET READAPT. LES HERBIERS BOIS-GUILL":
        "Centre de médecine physique et de réadaptation Les Herbiers",
    "CENTRE SSR ET READAPTATION ET RF PEDIATRIQUE ASS LADAPT":
        "Centre SSR et de réadaptation pédiatrique LADAPT",
    "HOPITAL-HAD DE BOIS-GUILLAUME": "Hôpital (HAD) de Bois-Guillaume",
    "CLINIQUE ST ANTOINE BOIS GUILLAUME": "Clinique Saint-Antoine (Bois-Guillaume)",
    "CLINIQUE DES ESSARTS GRAND COURONNE": "Clinique des Essarts (Grand-Couronne)",
    "CLINIQUE SAINT-HILAIRE ROUEN": "Clinique Saint-Hilaire",
    "HOP JOUR CMP CATTP FED GERONTO-PSY": "Hôpital de jour de gérontopsychiatrie",
    "HOP JOUR ADOSPHERE SAINT-ETIENNE": "Hôpital de jour Adosphère (Saint-Étienne-du-Rouvray)",
    "HOP JOUR ADULTE DARNETAL CHS SOTTEVILE": "Hôpital de jour pour adultes de Darnétal",
    "HOP JOUR ENFANT BLEU SOLEIL ST ETIENNE":
        "Hôpital de jour Bleu Soleil (Saint-Étienne-du-Rouvray)",
    "HOP JOUR ADULTES L. BONNAFE ST-ETIENNE":
        "Hôpital de jour Lucien-Bonnafé (Saint-Étienne-du-Rouvray)",
    "HOP JOUR ADULTES C. CLAUDEL SOTTEVILLE":
        "Hôpital de jour Camille-Claudel (Sotteville-lès-Rouen)",
}

# words written in full or with their accents, keyed by the register's spelling
WORDS: dict[str, str] = {
    "HOPITAL": "hôpital", "HOP": "hôpital", "HOSPITALIER": "hospitalier",
    "HOSPITALIERE": "hospitalière", "SANTE": "santé", "SPECIALISE": "spécialisé",
    "REGIONAL": "régional", "CTRE": "centre", "CH": "centre hospitalier", "ST": "Saint",
    "STE": "Sainte", "READAPT.": "réadaptation", "READAPTATION": "réadaptation",
    "REEDUCATION": "rééducation", "MEDECINE": "médecine", "PEDIATRIQUE": "pédiatrique",
    "RESIDENCE": "résidence", "CHATEAU": "Château", "CEDRE": "Cèdre", "EVREUX": "Évreux",
    "ETIENNE": "Étienne", "DARNETAL": "Darnétal", "MERIDIENNE": "Méridienne",
    "ND": "Notre-Dame", "LES": "les", "GERONTO-PSY": "gérontopsychiatrie",
}
# common nouns and small words: lower case unless first (French capitalises proper names)
LOWER = {"centre", "hospitalier", "hospitalière", "hôpital", "clinique", "jour", "adulte",
         "adultes", "enfant", "enfants", "pour", "de", "du", "des", "d'", "l'", "la", "le",
         "et", "à", "en", "sur", "lès", "soins", "suite", "spécialisé", "régional", "lutte",
         "contre", "cancer", "médecine", "physique", "réadaptation", "rééducation",
         "résidence", "pédiatrique", "santé", "centre hospitalier"}
UPPER = {"CHU", "CH", "SSR", "USLD", "CMP", "CATTP", "HAD", "SAFT", "GTA", "PA"}
# places written with their hyphens and accents
PLACES: tuple[tuple[str, str], ...] = (
    ("SAINT ETIENNE DU ROUVRAY", "Saint-Étienne-du-Rouvray"),
    ("ST ETIENNE DU ROUVRAY", "Saint-Étienne-du-Rouvray"),
    ("NOTRE DAME DE BONDEVILLE", "Notre-Dame-de-Bondeville"),
    ("ND DE BONDEVILLE", "Notre-Dame-de-Bondeville"),
    ("MONT SAINT AIGNAN", "Mont-Saint-Aignan"), ("MONT ST AIGNAN", "Mont-Saint-Aignan"),
    ("PETIT QUEVILLY", "Petit-Quevilly"), ("GRAND QUEVILLY", "Grand-Quevilly"),
    ("GRAND COURONNE", "Grand-Couronne"), ("BOIS GUILLAUME", "Bois-Guillaume"),
    ("MESNIL ESNARD", "Mesnil-Esnard"), ("SOTTEVILLE LES ROUEN", "Sotteville-lès-Rouen"),
    ("JUMIEGES", "Jumièges"),
)


@dataclass(frozen=True)
class Hospital:
    """One hospital site of the sample: the facility kept for its place, and the FINESS
    numbers of every facility there."""

    finess: tuple[str, ...]
    name: str
    lon: float
    lat: float
    facility_type: str
    psychiatric: bool
    day_hospital: bool


def clean_name(raw: str) -> str:
    """A FINESS name as French writes it: a correction when there is one, otherwise title
    case with common nouns and small words in lower case, abbreviations written in full,
    accents and hyphens on known words and places.

    Examples
    --------
    >>> clean_name("HOPITAL CHARLES NICOLLE CHU ROUEN")
    'Hôpital Charles-Nicolle (CHU de Rouen)'
    >>> clean_name("HOP JOUR CMP CATTP ADULTES DUCLAIR")
    'Hôpital de jour CMP CATTP adultes Duclair'
    >>> clean_name("HOPITAL DE JOUR POUR ENFANTS DE JUMIEGES 76I01")
    'Hôpital de jour pour enfants de Jumièges'
    """
    if raw in CORRECTIONS:
        return CORRECTIONS[raw]
    text = re.sub(r"\s+", " ", raw).strip()
    # sector codes of psychiatry (76I01, SECT 4, 76 I 03) mean nothing to a reader
    text = re.sub(r"\s+(76\s?I\s?\d+|SECT \d+)$", "", text)
    text = re.sub(r"\bHOP JOUR\b", "HOPITAL DE JOUR", text)
    text = re.sub(r"\bDE (PETIT|GRAND)[ -]QUEVILLY\b", r"DU \1 QUEVILLY", text)
    for place, written in PLACES:
        text = re.sub(rf"\b{place}\b", written.upper().replace("-", "\0"), text)
    out: list[str] = []
    for i, word in enumerate(text.split(" ")):
        if word in UPPER and word != "CH":
            out.append(word)
            continue
        low = WORDS.get(word)
        if low is None:
            low = "-".join(p[:1] + p[1:].lower() for p in word.replace("\0", "-").split("-"))
            if low.startswith(("D'", "L'")):
                low = low[:2].lower() + low[2:3].upper() + low[3:]
            low = _place(low)
        if low.lower() in LOWER or low in LOWER:
            low = low.lower()
        out.append(low[:1].upper() + low[1:] if i == 0 else low)
    return " ".join(out)


def _place(word: str) -> str:
    for _, written in PLACES:
        if word.lower() == written.lower():
            return written
    return word


def hospitals(text: str) -> list[Hospital]:
    """The hospital sites from the register's rows (``hospitals.csv``): testing centres and
    psychiatric outpatient centres left out, one site per place (the facility of the first
    type in :data:`RANK` stands for it, psychiatric ones last), in the register's order.

    Examples
    --------
    >>> from importlib import resources
    >>> csv_text = (resources.files("tousrisques") / "data" / "rouen" / "hospitals.csv"
    ...             ).read_text("utf-8")
    >>> kept = hospitals(csv_text)
    >>> chu = kept[1]
    >>> chu.name, chu.finess, chu.psychiatric
    ('Hôpital Charles-Nicolle (CHU de Rouen)', ('760000158', '760023952'), True)
    """
    rows = [r for r in csv.DictReader(io.StringIO(text)) if not TESTING.search(r["name"])
            and (r["facility_type"] != PSYCHIATRIC or PSY_HOSPITAL.search(r["name"]))]
    places: dict[tuple[float, float], list[dict[str, str]]] = {}
    for r in rows:
        places.setdefault((round(float(r["lon"]), 5), round(float(r["lat"]), 5)), []).append(r)

    def rank(r: dict[str, str]) -> int:
        t = r["facility_type"]
        return RANK.index(t) if t in RANK else len(RANK) + (t == PSYCHIATRIC)

    out = []
    for group in places.values():
        head = min(group, key=rank)  # min is stable: the first of the best rank
        out.append(Hospital(
            finess=(head["finess"], *(r["finess"] for r in group if r is not head)),
            name=clean_name(head["name"]),
            lon=float(head["lon"]), lat=float(head["lat"]),
            facility_type=head["facility_type"],
            psychiatric=any(r["facility_type"] == PSYCHIATRIC for r in group),
            day_hospital=all(DAY_HOSPITAL.search(r["name"]) for r in group)))
    return out
