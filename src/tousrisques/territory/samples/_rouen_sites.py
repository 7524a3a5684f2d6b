"""The Rouen sample's institutional sites, crisis sites and their fallback sites (*sites de
repli*), digital services and hospitals; the rules are in docs/sample-territory.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyproj import Transformer

from tousrisques.territory.samples._rouen_actors import CORE
from tousrisques.territory.samples._rouen_health import Hospital

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
Nearest = Callable[[float, float], str]
Row = dict[str, Any]

# metres east and north of Rouen's representative point (all synthetic, see the docs)
OFFSETS: dict[str, tuple[float, float]] = {
    "PREFECTURE": (300, 200), "REPLI-COD": (-2800, 3200), "METROPOLE": (-600, -300),
    "REPLI-METRO": (1800, -3500), "SDIS-CTA": (2500, 1500), "REPLI-SDIS": (-4000, -1500),
    "DDSP": (700, 600), "GGD": (-1500, 2200), "DDTM": (900, -1400), "ARS": (100, -200),
    "ENEDIS": (3000, -2500), "RADIO": (-200, 900), "FM": (1500, 5000),
    "CRF": (1200, -900), "ADPC": (-1800, -700),
}
REPLI_COMMUNE = (600, -400)  # a commune's fallback site from its town hall


def hospital_id(h: Hospital, k: int) -> str:
    """``CHU`` for Charles-Nicolle (FINESS 760000158), ``HOSP<nn>`` for the others.

    Examples
    --------
    >>> from tousrisques.territory.samples._rouen_health import Hospital
    >>> hospital_id(Hospital(("760000158",), "", 0, 0, "", False, False), 1)
    'CHU'
    """
    return "CHU" if h.finess[0] == "760000158" else f"HOSP{k:02d}"


def sites(rouen: tuple[float, float], nearest: Nearest, halls: dict[str, tuple[float, float]],
          hall_names: dict[str, str], repli: dict[str, str], hospitals: list[Hospital]
          ) -> list[Row]:
    """The rows of the sites (``x``, ``y`` in Lambert-93 metres, ``None`` for no place).

    ``nearest(x, y)`` is the power asset a building at ``x, y`` hangs on; ``halls`` and
    ``hall_names``: each commune's town hall and the name of its town hall (``Mairie de
    Rouen``); ``repli``: the communes whose crisis cell has a fallback site, with their
    names.

    Examples
    --------
    >>> rows = sites((0.0, 0.0), lambda x, y: "T0", {"1": (0.0, 0.0)}, {"1": "Mairie de A"},
    ...              {"1": "A"}, [])
    >>> [r["id"] for r in rows if r["kind"] == "service"]
    ['MAIL-METRO', 'WEB-METRO', 'FR-ALERT']
    >>> next(r for r in rows if r["id"] == "FR-ALERT")["x"] is None
    True
    """
    rx, ry = rouen
    out: list[Row] = []

    def add(ident: str, kind: str, name: str, xy: tuple[float, float] | None, req: str,
            **extra: Any) -> None:
        x, y = (None, None) if xy is None else xy
        out.append({"id": ident, "kind": kind, "name": name, "x": x, "y": y, "requires": req,
                    **extra})

    def at(ident: str) -> tuple[float, float]:
        dx, dy = OFFSETS[ident]
        return rx + dx, ry + dy

    def building(ident: str, name: str, generator: str | None = None, backup: str = "",
                 xy: tuple[float, float] | None = None) -> None:
        where = xy or at(ident)
        power = nearest(*where)
        if generator:
            add(ident, "site", name, where, f"{power}|GE-{ident}")
            add(f"GE-{ident}", "generator", f"Groupe électrogène — {generator}", where, "")
        else:
            add(ident, "site", name, where, power + backup)

    building("PREFECTURE", "Préfecture de la Seine-Maritime (salle du COD)", "préfecture")
    building("REPLI-COD", "Site de repli du COD", "site de repli du COD")
    building("METROPOLE", "Siège de la Métropole (salle de crise)")
    building("REPLI-METRO", "Site de repli de la Métropole (centre technique)",
             "site de repli de la Métropole")
    metro = at("METROPOLE")
    add("DC-METRO", "datacenter", "Salle informatique de la Métropole", metro,
        f"{nearest(*metro)}|GE-DC")
    add("GE-DC", "generator", "Groupe électrogène — salle informatique", metro, "")
    add("MAIL-METRO", "service", "Messagerie de la Métropole", metro, f"DC-METRO; {CORE}")
    add("WEB-METRO", "service", "Site web de la Métropole", metro, f"DC-METRO; {CORE}")
    # a national platform: it has no place in Rouen, and nothing of Rouen can break it
    add("FR-ALERT", "service", "Plateforme nationale FR-Alert", None, "")
    building("SDIS-CTA", "SDIS 76 — CTA-CODIS", "CTA-CODIS")
    building("REPLI-SDIS", "SDIS 76 — CTA-CODIS de repli", "CTA-CODIS de repli")
    building("DDSP", "Hôtel de police de Rouen (DDSP 76)", "hôtel de police")
    building("GGD", "Groupement de gendarmerie départementale de la Seine-Maritime",
             "groupement de gendarmerie")
    building("DDTM", "DDTM de la Seine-Maritime")
    building("ARS", "ARS Normandie (délégation départementale)")
    building("ENEDIS", "Enedis — agence de conduite régionale", "agence de conduite")
    building("RADIO", "Radio locale (studio)", backup="@24h")
    fm = at("FM")
    add("FM", "fm_transmitter", "Émetteur FM", fm, f"{nearest(*fm)}@24h")
    port = TO_M.transform(1.060, 49.443)  # the port of Rouen, where the plume starts
    building("SEVESO", "Site industriel Seveso (port de Rouen)", xy=port)
    building("CRF", "Croix-Rouge française — délégation territoriale")
    building("ADPC", "Protection civile de Seine-Maritime (ADPC 76)")
    for k, h in enumerate(hospitals):
        ident = hospital_id(h, k)
        x, y = TO_M.transform(h.lon, h.lat)
        extra = {"finess": " ".join(h.finess), "psychiatric": str(h.psychiatric).lower(),
                 "day_hospital": str(h.day_hospital).lower()}
        if h.day_hospital:  # closed at night: no generator of its own
            add(ident, "hospital", h.name, (x, y), nearest(x, y), **extra)
        else:
            add(ident, "hospital", h.name, (x, y), f"{nearest(x, y)}|GE-{ident}", **extra)
            add(f"GE-{ident}", "generator", f"Groupe électrogène — {h.name}", (x, y), "")
    for code, (x, y) in sorted(halls.items()):
        add(f"MAIRIE-{code}", "site", hall_names[code], (x, y), nearest(x, y))
    for code, commune in sorted(repli.items()):
        x, y = halls[code][0] + REPLI_COMMUNE[0], halls[code][1] + REPLI_COMMUNE[1]
        add(f"REPLI-{code}", "site", f"Site de repli communal — {commune}", (x, y),
            nearest(x, y))
    return out
