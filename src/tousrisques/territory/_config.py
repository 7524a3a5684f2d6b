"""The YAML files of a territory: ``territory.yaml``, ``channels.yaml`` and ``actors.yaml``.

Parsed with pydantic; its errors are turned into problems that carry the YAML line.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticError

from tousrisques._durations import parse_duration
from tousrisques._limits import MAX_FIELD_VALUES
from tousrisques._messages import Text
from tousrisques._problems import Problems, suggest
from tousrisques._readers import LineMap
from tousrisques.territory._kinds import KIND_FIELDS
from tousrisques.territory._requires import Group, RequiresSyntaxError, parse_groups

ROLES: tuple[str, ...] = (
    "prefecture", "crisis_cell", "mayor", "fire_service", "police", "emergency_medical",
    "hospital", "health_agency", "operator", "association", "citizen_relay", "media",
    "industrial", "school", "other",
)

Role = Literal[
    "prefecture", "crisis_cell", "mayor", "fire_service", "police", "emergency_medical",
    "hospital", "health_agency", "operator", "association", "citizen_relay", "media",
    "industrial", "school", "other",
]


class LocalText(BaseModel):
    """A text in English and French; a plain string is used for both."""

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
    description: str | None = None
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
    """A way information moves, between actors or to the population (``channels.yaml``)."""

    id: str = Field(min_length=1)
    name: Local
    mode: Literal["point_to_point", "broadcast"]
    latency: str = "1m"
    requires: tuple[Group, ...] = ()
    coverage: str | None = None
    needs_site: bool = True
    triggered_by: tuple[str, ...] = ()
    description: Local | None = None


    @field_validator("triggered_by", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("latency", mode="before")
    @classmethod
    def _latency(cls, v: Any) -> Any:
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise ValueError("write a unit: 30s, 15m, 2h")
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
    """An organisation or group of people (``actors.yaml``)."""

    id: str = Field(min_length=1)
    name: Local
    role: Role
    site: str | None = None
    channels: tuple[str, ...] = ()
    crisis_cell: bool = False
    reports_to: tuple[str, ...] = ()
    attributes: dict[str, Any] = Field(default_factory=dict)


    @field_validator("channels", "reports_to", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


_TEXT = Text("text", "du texte")
_BOOL = Text("true or false", "true ou false")
_LIST = Text("a list", "une liste")
_MAPPING = Text("a mapping", "un dictionnaire")
_NUMBER = Text("a number >= 0", "un nombre >= 0")
_TYPES = {"string_type": _TEXT, "bool_parsing": _BOOL, "bool_type": _BOOL,
          "list_type": _LIST, "dict_type": _MAPPING,
          "float_parsing": Text("a number", "un nombre"),
          "int_parsing": Text("a whole number", "un nombre entier"), "tuple_type": _LIST,
          "model_type": _MAPPING}


def report_pydantic(exc: PydanticError, rel: str, lines: LineMap, base: tuple[Hashable, ...],
                    problems: Problems, *, model: type[BaseModel], ident: str | None = None,
                    ) -> None:
    """Turn pydantic's errors into problems with the YAML line of each field."""
    fields = sorted(model.model_fields)
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
                           detail=cause.text, **kw)
        elif etype == "missing":
            problems.error("field.missing", rel, expected=Text(f"a value for `{loc[-1]}`",
                                                               f"une valeur pour `{loc[-1]}`"),
                           **kw)
        elif etype == "extra_forbidden":
            name = str(loc[-1])
            problems.error("field.unknown", rel, name=name,
                           allowed=", ".join(fields), suggest=suggest(name, fields), **kw)
        elif etype == "literal_error":
            allowed = str(err.get("ctx", {}).get("expected", ""))
            value = str(err.get("input"))[:40]
            choices = [c.strip(" '") for c in allowed.replace(" or ", ",").split(",")]
            problems.error("field.choice", rel, value=value, allowed=allowed,
                           suggest=suggest(value, [c for c in choices if c]), **kw)
        elif etype in _TYPES:
            problems.error("field.type", rel, expected_type=_TYPES[etype],
                           got=type(err.get("input")).__name__, expected=_TYPES[etype], **kw)
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.error("field.invalid", rel, detail=msg, expected=_expected(loc), **kw)


def _expected(loc: Sequence[Any]) -> Text:
    first = str(loc[0]) if loc else ""
    local = Text("a text, or {en: ..., fr: ...}", "un texte, ou {en: ..., fr: ...}")
    return {
        "latency": Text("a duration such as 30s, 15m or 2h",
                        "une durée comme 30s, 15m ou 2h"),
        "name": local,
        "description": local,
    }.get(first, Text("a valid value", "une valeur valide"))


def check_kind_overrides(raw: dict[str, dict[str, Any]], rel: str, lines: LineMap,
                         problems: Problems) -> dict[str, dict[str, Any]]:
    """Check the ``kinds:`` block of territory.yaml; return the usable overrides."""
    out: dict[str, dict[str, Any]] = {}
    for kind, fields in raw.items():
        if not isinstance(fields, dict):
            problems.error("field.type", rel, line=lines.get(("kinds", kind)),
                           field=f"kinds.{kind}", expected_type=_MAPPING,
                           got=type(fields).__name__,
                           expected=Text("a mapping of kind fields",
                                         "un dictionnaire de champs du type"))
            continue
        ok: dict[str, Any] = {}
        for key, value in fields.items():
            line = lines.get(("kinds", kind, key))
            where = f"kinds.{kind}.{key}"
            if key not in KIND_FIELDS:
                problems.error("field.unknown", rel, line=line, field=where, name=key,
                               allowed=", ".join(KIND_FIELDS),
                               suggest=suggest(key, KIND_FIELDS))
            elif key in ("source", "line"):
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
