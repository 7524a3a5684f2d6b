"""The kind catalogue: what each kind of asset is by default.

Defaults are plausible orders of magnitude for a French territory, not measurements; a
territory overrides them under ``kinds:`` in ``territory.yaml`` and per asset with the
``range_m``, ``backup_hours`` and ``repair_hours`` attributes. ``docs/territory-format.md``
explains each figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

LAYERS: tuple[str, ...] = ("power", "telecom")


@dataclass(frozen=True, slots=True)
class KindSpec:
    """Defaults of one kind of asset.

    ``line`` kinds join two assets of their layer (``connects``); ``range_m`` > 0 makes a kind
    a coverage kind (its assets cover zones and sites within that distance); ``backup_hours``
    is the autonomy of the power supply (batteries, generator fuel): it applies to requirement
    groups made only of power-layer assets that give no backup of their own. ``sensitive``
    kinds are establishments whose loss matters by itself (hospitals, EHPAD, schools): each
    gets a ``sites_down:<kind>`` indicator; a coverage kind ``carried_by_people`` is word of
    mouth (door to door), not a network: its channels do not count in
    ``population_reached:network``.

    Parameters
    ----------
    name : str
        The kind's name.
    layer : str, optional
        Its network layer.
    source, line : bool
        A source of its layer; an edge of its layer.
    range_m, backup_hours, repair_hours : float
        Coverage range, autonomy and repair time.
    label_en, label_fr : str
        What people call it.
    sensitive, carried_by_people : bool
        A sensitive establishment; a coverage carried by people, not by a network.

    Examples
    --------
    >>> from tousrisques.territory import CATALOGUE
    >>> k = CATALOGUE["antenna"]
    >>> k.layer, k.range_m, k.backup_hours
    ('telecom', 3000, 2)
    >>> CATALOGUE["nursing_home"].sensitive, CATALOGUE["citizen_relay"].carried_by_people
    (True, True)
    """

    name: str
    layer: str | None = None
    source: bool = False
    line: bool = False
    range_m: float = 0.0
    backup_hours: float = 0.0
    repair_hours: float = 24.0
    label_en: str = ""
    label_fr: str = ""
    sensitive: bool = False
    carried_by_people: bool = False

    def label(self, lang: str = "en") -> str:
        text = self.label_fr if lang == "fr" else self.label_en
        return text or self.name


_K = KindSpec
CATALOGUE: dict[str, KindSpec] = {k.name: k for k in (
    _K("generator", "power", source=True, repair_hours=12, label_en="generator",
       label_fr="groupe électrogène / production"),
    _K("substation", "power", repair_hours=48, label_en="substation", label_fr="poste source"),
    _K("transformer", "power", repair_hours=8, label_en="MV/LV transformer",
       label_fr="poste HTA/BT"),
    _K("line", "power", line=True, repair_hours=12, label_en="power line",
       label_fr="ligne électrique"),
    _K("switch", "power", line=True, repair_hours=4, label_en="switch (feeder tie)",
       label_fr="interrupteur (bouclage HTA)"),
    _K("antenna", "telecom", range_m=3000, backup_hours=2, repair_hours=12,
       label_en="antenna site", label_fr="site d'antennes"),
    _K("backhaul", "telecom", line=True, repair_hours=12, label_en="backhaul link",
       label_fr="lien de collecte"),
    _K("fibre_node", "telecom", backup_hours=4, repair_hours=24, label_en="fibre node",
       label_fr="nœud de fibre (NRO)"),
    _K("core", "telecom", source=True, backup_hours=72, repair_hours=24,
       label_en="core network", label_fr="cœur de réseau"),
    _K("datacenter", None, backup_hours=48, repair_hours=48, label_en="data centre",
       label_fr="centre de données"),
    _K("service", None, repair_hours=24, label_en="digital service",
       label_fr="service numérique"),
    _K("siren", None, range_m=1500, repair_hours=48, label_en="siren", label_fr="sirène"),
    _K("radio_relay", None, range_m=15000, backup_hours=8, repair_hours=24,
       label_en="emergency radio relay", label_fr="relais radio des secours"),
    _K("fm_transmitter", None, range_m=40000, backup_hours=24, repair_hours=24,
       label_en="FM transmitter", label_fr="émetteur FM"),
    _K("site", None, repair_hours=72, label_en="site (building)", label_fr="site (bâtiment)"),
    _K("hospital", None, repair_hours=72, sensitive=True,
       label_en="hospital / health facility", label_fr="hôpital / établissement de santé"),
    _K("nursing_home", None, repair_hours=72, sensitive=True,
       label_en="nursing home (EHPAD)", label_fr="EHPAD"),
    _K("school", None, repair_hours=72, sensitive=True, label_en="school", label_fr="école"),
    _K("citizen_relay", None, range_m=1500, repair_hours=0, carried_by_people=True,
       label_en="citizen relay (door to door)", label_fr="relais citoyen (porte-à-porte)"),
    _K("zone", None, repair_hours=24, label_en="population zone",
       label_fr="zone de population"),
)}

KIND_FIELDS = ("layer", "source", "line", "range_m", "backup_hours", "repair_hours",
               "label_en", "label_fr", "sensitive", "carried_by_people")
#: the kind fields that are true or false
KIND_FLAGS = ("source", "line", "sensitive", "carried_by_people")


def merge_kind(base: KindSpec | None, name: str, overrides: dict[str, Any]) -> KindSpec:
    """A catalogue kind with ``overrides`` applied, or a new kind built from them."""
    return replace(base, **overrides) if base is not None else KindSpec(name=name, **overrides)
