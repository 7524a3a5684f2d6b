"""The Rouen sample's channels and actors, in the vocabulary of French crisis management:
the préfecture's COD and its cells, the communes' *cellules de crise communales*, the
Métropole that coordinates without commanding, the emergency and state services, the
operators' crisis cells, the associations and the réserves communales (the list and the
reasons are in docs/sample-territory.md, Actors).
"""

from __future__ import annotations

from typing import Any

# the four mobile operators, as the telecom assets' `operator` field names them
OPERATORS: dict[str, str] = {"orange": "Orange", "sfr": "SFR",
                             "bouygues": "Bouygues Telecom", "free": "Free"}
EVERYDAY = ["fixe", "mobile", "courriel"]
EMERGENCY = [*EVERYDAY, "radio-secours"]
CORE = "CORE-ORANGE|CORE-SFR|CORE-BOUYGUES|CORE-FREE"


def _ch(ident: str, fr: str, en: str, mode: str, latency: str, **kw: Any) -> dict[str, Any]:
    return {"id": ident, "name": {"fr": fr, "en": en}, "mode": mode, "latency": latency,
            **{k: v for k, v in kw.items() if v is not None}}


def channels() -> list[dict[str, Any]]:
    """The channels of ``channels.yaml`` (their ids are those the scenario library uses).

    Examples
    --------
    >>> [c["id"] for c in channels()][:3]
    ['fixe', 'mobile', 'fr-alert']
    >>> next(c for c in channels() if c["id"] == "radio-secours")["name"]["fr"]
    'Réseau radio des secours (INPT/ANTARES)'
    """
    return [
        _ch("fixe", "Téléphonie fixe (box VoIP)", "Fixed line (VoIP box)", "point_to_point",
            "1m", requires=CORE),
        _ch("mobile", "Téléphonie mobile (voix et SMS)", "Mobile voice and SMS",
            "point_to_point", "1m", requires=CORE, coverage="antenna"),
        _ch("fr-alert", "Diffusion cellulaire FR-Alert", "Cell broadcast (FR-Alert)",
            "broadcast", "10m", requires=f"FR-ALERT; {CORE}", coverage="antenna",
            needs_site=False, triggered_by=["prefecture"]),
        _ch("sirenes", "Sirènes (SAIP)", "Sirens (SAIP)", "broadcast", "5m", coverage="siren",
            needs_site=False, triggered_by=["prefecture", "mayor"]),
        _ch("radio-fm", "Radio FM (radio conventionnée)", "FM radio (partner station)",
            "broadcast", "15m", coverage="fm_transmitter", needs_site=False,
            triggered_by=["media"]),
        _ch("radio-secours", "Réseau radio des secours (INPT/ANTARES)",
            "Emergency services radio (INPT/ANTARES)", "point_to_point", "30s",
            coverage="radio_relay"),
        _ch("courriel", "Courriel", "E-mail", "point_to_point", "15m",
            requires=f"MAIL-METRO; {CORE}"),
        _ch("reseaux-sociaux", "Réseaux sociaux", "Social networks", "broadcast", "20m",
            requires=CORE, coverage="antenna", needs_site=False,
            triggered_by=["prefecture", "crisis_cell", "mayor"]),
        _ch("site-web", "Site web de la Métropole", "Métropole website", "broadcast", "30m",
            requires=f"WEB-METRO; {CORE}", coverage="antenna", needs_site=False,
            triggered_by=["crisis_cell"]),
        _ch("satellite", "Téléphone satellite", "Satellite phone", "point_to_point", "2m",
            coverage="satphone", needs_site=False),
        _ch("officier-liaison", "Officier de liaison", "Liaison officer", "point_to_point",
            "1h", needs_site=False),
        _ch("porte-a-porte", "Porte-à-porte des bénévoles", "Door to door by volunteers",
            "broadcast", "2h", coverage="citizen_relay", needs_site=False,
            triggered_by=["mayor", "citizen_relay"]),
    ]


def _actor(ident: str, name: str, role: str, site: str | None, chans: list[str],
           **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ident, "name": name, "role": role}
    if site is not None:
        out["site"] = site
    out["channels"] = chans
    out.update({k: v for k, v in kw.items() if v not in (None, [], False)})
    return out


def actors(communes: dict[str, str], reserves: dict[str, str]) -> list[dict[str, Any]]:
    """The actors of ``actors.yaml``.

    ``communes``: INSEE code → how French names the commune after "de" (``de Rouen``,
    ``d'Elbeuf``, ``du Grand-Quevilly``); ``reserves``: the communes with a réserve communale
    (and a fallback site for their crisis cell), code → name.

    Examples
    --------
    >>> acts = actors({"76540": "de Rouen"}, {"76540": "Rouen"})
    >>> by_id = {a["id"]: a for a in acts}
    >>> by_id["CCC-76540"]["name"], by_id["CCC-76540"]["reports_to"]
    ('Cellule de crise communale de Rouen', ['COD'])
    >>> by_id["CIC-METRO"]["coordinates_with"], by_id["CCC-76540"]["fallback_site"]
    (['CCC-76540'], 'REPLI-76540')
    """
    ccc = [f"CCC-{code}" for code in sorted(communes)]
    out = [
        _actor("COD", "Préfecture — centre opérationnel départemental (COD)", "prefecture",
               "PREFECTURE", [*EMERGENCY, "satellite", "officier-liaison", "fr-alert",
                              "sirenes", "reseaux-sociaux"],
               crisis_cell=True, fallback_site="REPLI-COD"),
        _actor("COD-COM", "COD — cellule communication", "crisis_cell", "PREFECTURE",
               [*EVERYDAY, "reseaux-sociaux"], reports_to=["COD"],
               fallback_site="REPLI-COD"),
        _actor("COD-ANTICIPATION", "COD — cellule anticipation", "crisis_cell", "PREFECTURE",
               EVERYDAY, reports_to=["COD"], fallback_site="REPLI-COD"),
        _actor("CIC-METRO", "Métropole Rouen Normandie — cellule de crise", "crisis_cell",
               "METROPOLE", [*EVERYDAY, "site-web", "reseaux-sociaux", "officier-liaison"],
               crisis_cell=True, reports_to=["COD"], coordinates_with=ccc,
               fallback_site="REPLI-METRO"),
        _actor("SDIS", "SDIS 76 — CTA-CODIS", "fire_service", "SDIS-CTA", EMERGENCY,
               reports_to=["COD"], coordinates_with=["SAMU", "DDSP", "GENDARMERIE"],
               fallback_site="REPLI-SDIS"),
        _actor("SAMU", "SAMU 76 — centre 15 (CHU de Rouen)", "emergency_medical", "CHU",
               EMERGENCY, reports_to=["COD"], coordinates_with=["CHU"]),
        _actor("DDSP", "DDSP 76 — police nationale (salle de commandement)", "police", "DDSP",
               EMERGENCY, reports_to=["COD"], coordinates_with=["GENDARMERIE"]),
        _actor("GENDARMERIE", "Groupement de gendarmerie de la Seine-Maritime (CORG)",
               "police", "GGD", EMERGENCY, reports_to=["COD"]),
        _actor("DDTM", "DDTM 76 (direction départementale des territoires et de la mer)",
               "other", "DDTM", [*EVERYDAY, "officier-liaison"], reports_to=["COD"]),
        _actor("ARS", "ARS Normandie — délégation départementale", "health_agency", "ARS",
               EVERYDAY, reports_to=["COD"]),
        _actor("CHU", "CHU de Rouen — cellule de crise hospitalière", "hospital", "CHU",
               EMERGENCY, reports_to=["ARS"]),
        _actor("ENEDIS", "Enedis — cellule de crise", "operator", "ENEDIS",
               [*EVERYDAY, "officier-liaison"], reports_to=["COD"]),
    ]
    # the operators' crisis cells are national: no site in Rouen; they send a liaison officer
    out += [_actor(f"OP-{key.upper()}", f"{name} — cellule de crise", "operator", None,
                   ["fixe", "courriel", "officier-liaison"], operator=name, reports_to=["COD"])
            for key, name in OPERATORS.items()]
    out += [
        _actor("RADIO", "Radio locale (radio conventionnée)", "media", "RADIO",
               [*EVERYDAY, "radio-fm"]),
        _actor("CROIX-ROUGE", "Croix-Rouge française — délégation territoriale",
               "association", "CRF", ["mobile", "radio-secours"], reports_to=["COD"]),
        _actor("PROTECTION-CIVILE", "Protection civile de Seine-Maritime (ADPC 76)",
               "association", "ADPC", ["mobile", "radio-secours"], reports_to=["COD"]),
        _actor("INDUSTRIEL", "Exploitant du site Seveso", "industrial", "SEVESO", EVERYDAY,
               reports_to=["COD"]),
    ]
    for code in sorted(communes):
        out.append(_actor(f"CCC-{code}", f"Cellule de crise communale {communes[code]}",
                          "mayor", f"MAIRIE-{code}",
                          [*EVERYDAY, "sirenes", "satellite", "reseaux-sociaux",
                           "porte-a-porte"], reports_to=["COD"],
                          fallback_site=f"REPLI-{code}" if code in reserves else None))
    for code, name in sorted(reserves.items()):
        out.append(_actor(f"RESERVE-{code}", f"Réserve communale de sécurité civile — {name}",
                          "citizen_relay", f"MAIRIE-{code}", ["mobile", "porte-a-porte"],
                          reports_to=[f"CCC-{code}"],
                          # a réserve communale counts tens of members: 30 in the city, 15
                          # elsewhere (docs/sample-territory.md)
                          volunteers=30 if code == "76540" else 15))
    return out
