"""The YAML files of a territory: ``territory.yaml``, ``channels.yaml`` and ``actors.yaml``.

Parsed with pydantic; its errors are turned into problems that carry the YAML line.
"""

from __future__ import annotations

import math
import types
from collections.abc import Hashable, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from pydantic import ValidationError as PydanticError

from tousrisques._durations import parse_duration
from tousrisques._exceptions import InvalidValueError
from tousrisques._i18n import N_, Msg
from tousrisques._limits import MAX_FIELD_VALUES
from tousrisques._problems import Problems, suggest
from tousrisques._readers import LineMap
from tousrisques.territory._kinds import KIND_FIELDS, KIND_FLAGS
from tousrisques.territory._relays import (
    DAY_S,
    MAX_MUSTER_S,
    MAX_VOLUNTEERS,
    duration_within,
    households_per_hour,
    whole_number,
)
from tousrisques.territory._requires import Group, RequiresSyntaxError, parse_groups

ROLES: tuple[str, ...] = (
    "prefecture", "crisis_cell", "mayor", "fire_service", "police", "emergency_medical",
    "hospital", "health_agency", "operator", "association", "citizen_relay", "media",
    "industrial", "school", "other",
)

# Words a French (or English) user may write for a role: used only to suggest the role
# ("did you mean …?"), never accepted as a value. Keys are folded (see ``_problems.fold``).
ROLE_ALIASES: dict[str, str] = {
    **dict.fromkeys(("prefet", "prefete", "sous_prefecture", "sous_prefet", "pref",
                     "prefecture_de_departement", "etat", "cod_prefecture"), "prefecture"),
    **dict.fromkeys(("cellule_de_crise", "cellule_crise", "cellule", "cod", "pcc",
                     "poste_de_commandement", "poste_de_commandement_communal", "pc",
                     "pc_crise", "centre_operationnel", "centre_de_crise", "crisis_center",
                     "crisis_centre", "crise"), "crisis_cell"),
    **dict.fromkeys(("maire", "mairie", "commune", "municipalite", "hotel_de_ville",
                     "adjoint_au_maire", "elu", "town_hall", "city_hall", "municipality"),
                    "mayor"),
    **dict.fromkeys(("pompiers", "pompier", "sapeurs_pompiers", "sapeur_pompier", "sdis",
                     "codis", "cta_codis", "caserne", "centre_de_secours", "firefighters",
                     "fire_brigade", "fire_department"), "fire_service"),
    **dict.fromkeys(("gendarmerie", "gendarme", "gendarmes", "police_nationale",
                     "police_municipale", "commissariat", "forces_de_l_ordre", "fdo",
                     "policiers"), "police"),
    **dict.fromkeys(("samu", "smur", "centre_15", "urgences", "secours",
                     "aide_medicale_urgente", "ambulance", "ambulances", "ems"),
                    "emergency_medical"),
    **dict.fromkeys(("hopital", "chu", "ch", "centre_hospitalier", "clinique",
                     "etablissement_de_sante"), "hospital"),
    **dict.fromkeys(("ars", "agence_regionale_de_sante", "sante", "sante_publique"),
                    "health_agency"),
    **dict.fromkeys(("operateur", "operateurs", "exploitant", "gestionnaire_de_reseau",
                     "enedis", "rte", "grdf", "orange", "telecom", "energie", "eau",
                     "fournisseur"), "operator"),
    **dict.fromkeys(("asso", "associatif", "croix_rouge", "protection_civile", "benevoles",
                     "ong"), "association"),
    **dict.fromkeys(("relais_citoyen", "relais_citoyens", "citoyen", "citoyens", "relais",
                     "reserve_communale", "reserve_communale_de_securite_civile", "rcsc",
                     "voisins_vigilants", "volontaires"), "citizen_relay"),
    **dict.fromkeys(("medias", "presse", "journal", "journaliste", "radio", "television",
                     "tele", "france_bleu"), "media"),
    **dict.fromkeys(("industriel", "industrie", "usine", "seveso", "site_seveso",
                     "site_industriel", "entreprise"), "industrial"),
    **dict.fromkeys(("ecole", "college", "lycee", "etablissement_scolaire", "education",
                     "education_nationale", "rectorat", "creche"), "school"),
    **dict.fromkeys(("autre", "autres", "divers"), "other"),
}

Role = Literal[
    "prefecture", "crisis_cell", "mayor", "fire_service", "police", "emergency_medical",
    "hospital", "health_agency", "operator", "association", "citizen_relay", "media",
    "industrial", "school", "other",
]


class LocalText(BaseModel):
    """A text in English and French; a plain string is used for both.

    Parameters
    ----------
    en, fr : str
        The text in each language.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> t.channels[0].name.fr
    'Téléphonie mobile (voix et SMS)'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    fr: str

    def get(self, lang: str = "en") -> str:
        return self.fr if lang == "fr" else self.en


def _local(value: Any) -> Any:
    if isinstance(value, str):
        return {"en": value, "fr": value}
    if isinstance(value, dict) and ("en" in value or "fr" in value):
        text = value.get("en") or value.get("fr")
        return {"en": value.get("en", text), "fr": value.get("fr", text)}
    return value


Local = Annotated[LocalText, BeforeValidator(_local)]
"""A text field: a plain string, or ``{en: ..., fr: ...}``."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TerritoryFile(_Strict):
    """``territory.yaml``: the territory's name, settings, and the files it is made of."""

    name: str = Field(min_length=1)
    description: Local | None = None  # a text, or {en: ..., fr: ...}
    timezone: str = "Europe/Paris"
    metric_crs: str = "EPSG:2154"
    assets: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    zones: list[str] = Field(default_factory=list)
    channels: str | None = None
    actors: str | None = None
    kinds: dict[str, dict[str, Any]] = Field(default_factory=dict)
    layers: list[str] = Field(default_factory=list)

    @field_validator("assets", "links", "zones", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Channel(_Strict):
    """A way information moves, between actors or to the population (``channels.yaml``).

    Parameters
    ----------
    id : str
        Unique among channels.
    name : LocalText
        In English and French.
    mode : {"point_to_point", "broadcast"}
        Between actors, or to the population.
    latency : str
        A typical delay (a duration).
    requires : tuple of Group
        Assets it needs everywhere.
    coverage : str, optional
        The asset kind that must reach the endpoint.
    needs_site : bool
        Whether the endpoint's own site or zone must work.
    triggered_by : tuple of str
        Actors or roles that may trigger a broadcast.
    by_operator : bool
        Point-to-point with a coverage kind only: an actor has the channel only where a
        coverage asset of its own ``operator`` (or of none) covers its site.
    description : LocalText, optional

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> ch = t.channels[0]
    >>> ch.id, ch.mode, ch.coverage, ch.requires
    ('mobile', 'point_to_point', 'antenna', (Group(any_of=('CORE-RN',), backup_s=None),))
    """

    id: str = Field(min_length=1)
    name: Local
    mode: Literal["point_to_point", "broadcast"]
    latency: str = "1m"
    requires: tuple[Group, ...] = ()
    coverage: str | None = None
    needs_site: bool = True
    triggered_by: tuple[str, ...] = ()
    by_operator: bool = False
    description: Local | None = None


    @field_validator("triggered_by", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("latency", mode="before")
    @classmethod
    def _latency(cls, v: Any) -> Any:
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise InvalidValueError("value.unit", examples="30s, 15m, 2h")
        parse_duration(str(v))
        return str(v)

    @field_validator("requires", mode="before")
    @classmethod
    def _requires(cls, v: Any) -> Any:
        return parse_groups(v)  # a RequiresSyntaxError is a ValueError pydantic reports

    @property
    def latency_s(self) -> float:
        return parse_duration(self.latency)


class Actor(_Strict):
    """An organisation or group of people (``actors.yaml``).

    Parameters
    ----------
    id : str
        Unique among actors.
    name : LocalText
        In English and French.
    role : str
        One of :data:`ROLES`.
    site : str, optional
        The asset where the actor sits.
    channels : tuple of str
        The channels it has.
    crisis_cell : bool
        A decision centre.
    reports_to : tuple of str
        The actors it reports to (command links).
    coordinates_with : tuple of str
        The actors it coordinates with without commanding them (coordination links, e.g.
        the Métropole with the mayors).
    operator : str, optional
        The mobile operator of its phones (a name some asset's ``operator`` carries).
    volunteers : int, optional
        Citizen relays: how many people go door to door (see ``territory/_relays.py``).
    households_per_hour : float, optional
        Households one volunteer informs in an hour (default 12).
    shift : str, optional
        A volunteer's shift, a duration (default ``8h``).
    shifts_per_day : int, optional
        Shifts that follow one another each day, the volunteers split among them (default 1).
    muster : str, optional
        Time to gather after being called, a duration (default ``1h``).
    fallback_site : str, optional
        The asset where it moves when its site is down (*site de repli*).
    fallback_delay : str, optional
        How long the move takes, a duration (default ``2h``; only with ``fallback_site``).
    attributes : dict
        Anything else the file gives.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> a = t.actors[0]
    >>> a.id, a.role, a.site, a.crisis_cell
    ('MAIRIE-PCS', 'mayor', 'MAIRIE', True)
    """

    id: str = Field(min_length=1)
    name: Local
    role: Role
    site: str | None = None
    channels: tuple[str, ...] = ()
    crisis_cell: bool = False
    reports_to: tuple[str, ...] = ()
    coordinates_with: tuple[str, ...] = ()
    operator: str | None = Field(default=None, min_length=1)
    attributes: dict[str, Any] = Field(default_factory=dict)
    volunteers: int | None = None
    households_per_hour: float | None = None
    shift: str | None = None
    shifts_per_day: int | None = None
    muster: str | None = None
    fallback_site: str | None = Field(default=None, min_length=1)
    fallback_delay: str | None = None

    @field_validator("fallback_delay", mode="before")
    @classmethod
    def _fallback_delay(cls, v: Any) -> Any:
        if v is None:
            return v
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise InvalidValueError("value.unit", examples="30m, 2h")
        parse_duration(str(v))
        return str(v)

    @field_validator("volunteers", "shifts_per_day", mode="before")
    @classmethod
    def _relay_count(cls, v: Any, info: ValidationInfo) -> Any:
        if v is None:
            return v
        return whole_number(v, MAX_VOLUNTEERS if info.field_name == "volunteers" else 24)

    @field_validator("households_per_hour", mode="before")
    @classmethod
    def _relay_pace(cls, v: Any) -> Any:
        return v if v is None else households_per_hour(v)

    @field_validator("shift", "muster", mode="before")
    @classmethod
    def _relay_duration(cls, v: Any, info: ValidationInfo) -> Any:
        if v is None:
            return v
        if info.field_name == "shift":
            return duration_within(v, 0, DAY_S, zero=False)
        return duration_within(v, 0, MAX_MUSTER_S, zero=True)


    @field_validator("channels", "reports_to", "coordinates_with", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


_TEXT = Msg(N_("text"))
_BOOL = Msg(N_("true or false"))
_LIST = Msg(N_("a list"))
_MAPPING = Msg(N_("a mapping"))
_NUMBER = Msg(N_("a number >= 0"))
#: what a value of pydantic's error type should have been
_TYPES = {"string_type": _TEXT, "bool_parsing": _BOOL, "bool_type": _BOOL,
          "list_type": _LIST, "dict_type": _MAPPING,
          "float_parsing": Msg(N_("a number")),
          "int_parsing": Msg(N_("a whole number")), "tuple_type": _LIST,
          "model_type": _MAPPING}


def report_pydantic(exc: PydanticError, rel: str, lines: LineMap, base: tuple[Hashable, ...],
                    problems: Problems, *, model: type[BaseModel], ident: str | None = None,
                    ) -> None:
    """Turn pydantic's errors into problems with the YAML line of each field.

    An unknown key is matched against the fields of the model where it stands (a key inside
    a hazard's ``plume`` gets the fields of a plume), and a role gets a "did you mean"
    from :data:`ROLE_ALIASES` too.
    """
    for err in exc.errors():
        loc = tuple(err["loc"])
        field_name = ".".join(str(p) for p in loc) or None
        line = None
        for cut in range(len(loc), -1, -1):
            line = lines.get((*base, *loc[:cut]))
            if line is not None:
                break
        etype = err["type"]
        cause = err.get("ctx", {}).get("error")
        kw: dict[str, Any] = {"line": line, "field": field_name, "ident": ident}
        if isinstance(cause, RequiresSyntaxError):
            problems.error("requires.syntax", rel, text=str(err.get("input"))[:80],
                           detail=cause, **kw)
        elif etype == "missing":
            problems.error("field.missing", rel,
                           expected=Msg(N_("a value for `{name}`"), name=loc[-1]), **kw)
        elif etype == "extra_forbidden":
            name = str(loc[-1])
            fields = sorted(model_at(model, loc[:-1]).model_fields)
            problems.error("field.unknown", rel, name=name,
                           allowed=", ".join(fields), suggest=suggest(name, fields), **kw)
        elif etype == "literal_error":
            allowed = str(err.get("ctx", {}).get("expected", ""))
            value = str(err.get("input"))[:40]
            choices = [c.strip(" '") for c in allowed.replace(" or ", ",").split(",")]
            aliases = ROLE_ALIASES if loc and loc[-1] == "role" else None
            problems.error("field.choice", rel, value=value,
                           allowed=", ".join(c for c in choices if c),
                           suggest=suggest(value, [c for c in choices if c], aliases), **kw)
        elif etype in _TYPES:
            problems.error("field.type", rel, expected_type=_TYPES[etype],
                           got=type(err.get("input")).__name__, expected=_TYPES[etype], **kw)
        else:
            detail: object = (cause if isinstance(cause, InvalidValueError)
                              else str(err["msg"]).removeprefix("Value error, "))
            problems.error("field.invalid", rel, detail=detail, expected=_expected(loc), **kw)


def _bare(tp: Any) -> Any:
    """``tp`` without ``Annotated`` and without ``None`` in a union of one model."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        if isinstance(tp, types.UnionType) or get_origin(tp) is Union:
            kept = [a for a in get_args(tp) if a is not type(None)]
            if len(kept) == 1:
                tp = kept[0]
                continue
        return tp


def model_at(model: type[BaseModel], path: Sequence[Any]) -> type[BaseModel]:
    """The model that holds the value at ``path`` (a pydantic error location without its
    last part) inside ``model``: ``("hazards", 0, "plume")`` in a scenario is a plume.
    Where the path leaves models (a mapping of free keys), the last model reached.

    >>> from tousrisques.territory._config import Channel
    >>> model_at(Channel, ()).__name__
    'Channel'
    """
    found: type[BaseModel] = model
    tp: Any = model
    for part in path:
        tp = _bare(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            found = tp
            info = tp.model_fields.get(str(part))
            if info is None:
                return found
            tp = info.annotation
        elif get_origin(tp) in (list, tuple, set, frozenset) and get_args(tp):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict and len(get_args(tp)) == 2:
            tp = get_args(tp)[1]
        else:
            return found
    tp = _bare(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else found


def _expected(loc: Sequence[Any]) -> Msg:
    first = str(loc[0]) if loc else ""
    local = N_("a text, or {en: ..., fr: ...}")
    return Msg({
        "latency": N_("a duration such as 30s, 15m or 2h"),
        "name": local,
        "description": local,
        "volunteers": N_("a whole number of people, e.g. 30"),
        "households_per_hour": N_("households one volunteer informs in an hour, e.g. 12"),
        "shift": N_("a duration such as 8h"),
        "shifts_per_day": N_("a whole number of shifts a day, e.g. 1 or 3"),
        "muster": N_("a duration such as 1h"),
        "fallback_delay": N_("a duration such as 2h"),
        "start": N_("an ISO 8601 date and time, e.g. 2023-11-02T06:00 (the territory's time "
                    "zone) or 2023-11-02T06:00+01:00"),
    }.get(first, N_("a valid value")))


def check_kind_overrides(raw: dict[str, dict[str, Any]], rel: str, lines: LineMap,
                         problems: Problems) -> dict[str, dict[str, Any]]:
    """Check the ``kinds:`` block of territory.yaml; return the usable overrides."""
    out: dict[str, dict[str, Any]] = {}
    for kind, fields in raw.items():
        if not isinstance(fields, dict):
            problems.error("field.type", rel, line=lines.get(("kinds", kind)),
                           field=f"kinds.{kind}", expected_type=_MAPPING,
                           got=type(fields).__name__,
                           expected=Msg(N_("a mapping of kind fields")))
            continue
        ok: dict[str, Any] = {}
        for key, value in fields.items():
            line = lines.get(("kinds", kind, key))
            where = f"kinds.{kind}.{key}"
            if key not in KIND_FIELDS:
                problems.error("field.unknown", rel, line=line, field=where, name=key,
                               allowed=", ".join(KIND_FIELDS),
                               suggest=suggest(key, KIND_FIELDS))
            elif key in KIND_FLAGS:
                if not isinstance(value, bool):
                    problems.error("field.bool", rel, line=line, field=where, value=value)
                else:
                    ok[key] = value
            elif key in ("range_m", "backup_hours", "repair_hours"):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    problems.error("field.number", rel, line=line, field=where,
                                   value=value, expected=_NUMBER)
                elif not math.isfinite(value) or value < 0:
                    problems.error("field.negative", rel, line=line, field=where, value=value)
                elif value > MAX_FIELD_VALUES[key]:
                    problems.error("field.too_large", rel, line=line, field=where,
                                   value=f"{value:g}", limit=f"{MAX_FIELD_VALUES[key]:g}")
                else:
                    ok[key] = float(value)
            elif value is not None and not isinstance(value, str):
                problems.error("field.type", rel, line=line, field=where,
                               expected_type=_TEXT, got=type(value).__name__,
                               expected=_TEXT)
            else:
                ok[key] = value
        out[kind] = ok
    return out
