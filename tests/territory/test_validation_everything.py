"""Validation that tells everything (issue 9, item 7).

Every problem of an actor at once, "did you mean" with the fields of the model where a
misspelt key stands, roles suggested from the words a French user writes, and a warning for
each asset that can never work.
"""

from __future__ import annotations

import itertools
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from tousrisques import Problem, ValidationError, load_territory
from tousrisques._problems import fold, suggest
from tousrisques.territory._config import ROLE_ALIASES, ROLES, Actor, Channel, TerritoryFile

MakeTerritory = Callable[..., Path]


def problems_of(folder: Path) -> tuple[Problem, ...]:
    with pytest.raises(ValidationError) as info:
        load_territory(folder)
    return info.value.problems


def codes(problems: tuple[Problem, ...] | list[Problem]) -> list[str]:
    return [p.code for p in problems]


# ----------------------------------------------------------------- every problem at once


ACTORS_BROKEN = """\
actors:
  - id: COD
    name: Préfecture
    role: prefecture
    site: SITE
    channels: [mobile, fr-alert]
    crisis_cell: true
  - id: MAIRIE
    name: Mairie
    role: maire
    site: SIET
    channels: [mobile, radoi]
    reports_to: [CODE]
"""


def test_a_role_error_does_not_hide_the_other_problems_of_the_actor(
        make_territory: MakeTerritory) -> None:
    found = [p for p in problems_of(make_territory(**{"actors.yaml": ACTORS_BROKEN}))
             if p.ident == "MAIRIE"]
    by_code = {p.code: p for p in found}
    assert set(by_code) == {"field.choice", "ref.asset", "ref.channel", "ref.actor"}
    assert by_code["field.choice"].params["suggest"] == "mayor"
    assert by_code["ref.asset"].params["suggest"] == "SITE"
    assert by_code["ref.channel"].params["ref"] == "radoi"
    assert by_code["ref.actor"].params["suggest"] == "COD"
    lines = ACTORS_BROKEN.splitlines()
    assert by_code["ref.channel"].line == 1 + next(i for i, x in enumerate(lines)
                                                   if "radoi" in x)
    assert by_code["field.choice"].line == 1 + lines.index("    role: maire")


def test_a_channel_with_a_bad_mode_is_still_checked_without_inventing_problems(
        make_territory: MakeTerritory) -> None:
    channels = """\
channels:
  - id: mobile
    name: Mobile
    mode: point_to_point
    requires: CORE
    coverage: antenna
  - id: fr-alert
    name: FR-Alert
    mode: broadcst
    requires: [COER]
    coverage: antenna
    triggered_by: [prefecture]
"""
    found = [p for p in problems_of(make_territory(**{"channels.yaml": channels}))
             if p.ident == "fr-alert"]
    # the mode's error and the unknown asset; not "only broadcast channels have
    # triggered_by", which the stand-in mode would have made up
    assert sorted(codes(found)) == ["field.choice", "ref.asset"]
    assert next(p for p in found if p.code == "field.choice").params["suggest"] == "broadcast"


def test_an_actor_whose_id_fails_is_not_checked_further(make_territory: MakeTerritory) -> None:
    actors = ACTORS_BROKEN.replace("  - id: MAIRIE\n", "  - id: [MAIRIE]\n")
    found = problems_of(make_territory(**{"actors.yaml": actors}))
    assert "field.type" in codes(found) or "field.invalid" in codes(found)
    assert "ref.channel" not in codes(found)


# ------------------------------------------------------------ did you mean: nested keys


def test_a_misspelt_key_in_a_channel_requirement_gets_the_group_fields(
        make_territory: MakeTerritory) -> None:
    channels = MINIMAL_CHANNELS.replace("requires: CORE",
                                        "requires: [{any_of: [CORE], backup_hour: 2}]")
    found = problems_of(make_territory(**{"channels.yaml": channels}))
    (p,) = [p for p in found if p.code == "requires.syntax"]
    assert "backup_hours" in p.render("en") and "did you mean" in p.render("en")
    assert "vouliez-vous dire" in p.render("fr")


def test_a_misspelt_key_in_a_kind_override_gets_the_kind_fields(
        make_territory: MakeTerritory) -> None:
    from tests.conftest import MINIMAL

    territory = MINIMAL["territory.yaml"] + "kinds:\n  antenna: {range_m: 2500, backup_hour: 2}\n"
    found = problems_of(make_territory(**{"territory.yaml": territory}))
    (p,) = [p for p in found if p.code == "field.unknown"]
    assert p.field == "kinds.antenna.backup_hour"
    assert p.params["suggest"] == "backup_hours"
    assert "range_m" in str(p.params["allowed"]) and "timezone" not in str(p.params["allowed"])


MINIMAL_CHANNELS = """\
channels:
  - id: mobile
    name: {fr: Mobile, en: Mobile}
    mode: point_to_point
    latency: 1m
    requires: CORE
    coverage: antenna
"""


def _bare(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is not None and getattr(origin, "__name__", "") == "Annotated":
            tp = get_args(tp)[0]
        elif isinstance(tp, types.UnionType) or origin is Union:
            kept = [a for a in get_args(tp) if a is not type(None)]
            if len(kept) != 1:
                return tp
            tp = kept[0]
        elif hasattr(tp, "__metadata__"):
            tp = tp.__origin__
        else:
            return tp


def nested_models(model: type[BaseModel], path: tuple[Any, ...] = ()
                  ) -> list[tuple[tuple[Any, ...], type[BaseModel]]]:
    """Every strict model reachable from ``model``, with a path of keys that reaches it."""
    out = [(path, model)]
    for name, info in model.model_fields.items():
        tp, step = _bare(info.annotation), (name,)
        while get_origin(tp) in (list, tuple, dict):
            args = get_args(tp)
            step += (0,) if get_origin(tp) is not dict else ("k",)
            tp = _bare(args[-1] if get_origin(tp) is dict else args[0])
        if isinstance(tp, type) and issubclass(tp, BaseModel) and tp is not model \
                and tp.model_config.get("extra") == "forbid" and "en" not in tp.model_fields:
            out += nested_models(tp, path + step)
    return out


def _misspelt(field: str) -> str:
    return field[:-1] if len(field) > 4 else field + "x"


STRICT = [TerritoryFile, Channel, Actor]


def _scenario_models() -> list[tuple[tuple[Any, ...], type[BaseModel]]]:
    from tousrisques.scenario._model import ScenarioFile

    return nested_models(ScenarioFile)


@pytest.mark.parametrize("where", [
    *((p, m) for top in STRICT for p, m in nested_models(top)), *_scenario_models()],
    ids=lambda w: ".".join(map(str, w[0])) or w[1].__name__)
def test_every_strict_model_suggests_its_own_fields(
        where: tuple[tuple[Any, ...], type[BaseModel]]) -> None:
    """A misspelt key at any depth gets the fields of the model where it stands."""
    from pydantic import ValidationError as PydanticError

    from tousrisques._problems import Problems
    from tousrisques.territory._config import report_pydantic

    path, model = where
    top = {"TerritoryFile": TerritoryFile, "Channel": Channel, "Actor": Actor}
    field = max(model.model_fields, key=len)
    wrong = _misspelt(field)
    data: Any = {wrong: 1}
    for part in reversed(path):
        data = [data] if part == 0 else {part: data}
    root = next((m for name, m in top.items() for p, mm in nested_models(m)
                 if mm is model and p == path), None)
    if root is None:
        from tousrisques.scenario._model import ScenarioFile
        root = ScenarioFile
    problems = Problems()
    with pytest.raises(PydanticError) as info:
        root.model_validate(data)
    report_pydantic(info.value, "f.yaml", {}, (), problems, model=root)
    unknown = [p for p in problems.all() if p.code == "field.unknown"]
    assert [p.field for p in unknown] == [".".join(map(str, (*path, wrong)))]
    assert unknown[0].params["suggest"] == field
    assert unknown[0].params["allowed"] == ", ".join(sorted(model.model_fields))


def test_scenario_models_are_all_reached() -> None:
    from tousrisques.scenario import _model

    reached = {m for _, m in _scenario_models()}
    strict = {m for m in vars(_model).values() if isinstance(m, type)
              and issubclass(m, BaseModel) and m.model_config.get("extra") == "forbid"
              and m.__module__ == _model.__name__ and m.model_fields}
    assert strict <= reached, strict - reached


# ------------------------------------------------------------------ did you mean: roles


FRENCH_WORDS = {
    "maire": "mayor", "Mairie": "mayor", "gendarmerie": "police", "Gendarmerie": "police",
    "police municipale": "police", "pompiers": "fire_service", "SDIS": "fire_service",
    "sapeurs-pompiers": "fire_service", "SAMU": "emergency_medical",
    "hôpital": "hospital", "CHU": "hospital", "ARS": "health_agency",
    "préfet": "prefecture", "Préfecture": "prefecture", "cellule de crise": "crisis_cell",
    "COD": "crisis_cell", "opérateur": "operator", "Enedis": "operator",
    "Croix-Rouge": "association", "réserve communale": "citizen_relay",
    "relais citoyen": "citizen_relay", "médias": "media", "presse": "media",
    "industriel": "industrial", "école": "school", "collège": "school", "autre": "other",
    "fire service": "fire_service", "polcie": "police", "mayr": "mayor",
}


@pytest.mark.parametrize(("word", "role"), sorted(FRENCH_WORDS.items()))
def test_the_words_a_user_writes_suggest_the_role(word: str, role: str) -> None:
    assert suggest(word, ROLES, ROLE_ALIASES) == role


def test_every_role_has_french_words_and_aliases_point_to_roles() -> None:
    assert set(ROLE_ALIASES.values()) == set(ROLES)
    assert all(fold(k) == k for k in ROLE_ALIASES)
    assert not set(ROLE_ALIASES) & set(ROLES)


def test_an_alias_is_suggested_never_accepted(make_territory: MakeTerritory) -> None:
    from tests.conftest import MINIMAL

    actors = MINIMAL["actors.yaml"].replace("role: mayor", "role: maire")
    found = problems_of(make_territory(**{"actors.yaml": actors}))
    (p,) = found
    assert p.code == "field.choice" and p.params["suggest"] == "mayor"
    assert 'did you mean "mayor"?' in p.render("en")
    assert "vouliez-vous dire" in p.render("fr") and "mayor" in p.render("fr")


def test_a_trigger_role_gets_a_suggestion(make_territory: MakeTerritory) -> None:
    from tests.conftest import MINIMAL

    channels = MINIMAL["channels.yaml"].replace("triggered_by: [prefecture]",
                                                "triggered_by: [préfet]")
    (p,) = problems_of(make_territory(**{"channels.yaml": channels}))
    assert p.code == "ref.actor" and p.params["suggest"] == "prefecture"


def test_unrelated_words_get_no_suggestion() -> None:
    assert suggest("banane", ROLES, ROLE_ALIASES) == ""
    assert all(suggest(a, ROLES) in ("", r) for a, r in itertools.islice(
        ROLE_ALIASES.items(), 200))


# -------------------------------------------------------- assets that can never work


def _with_dead_assets(make_territory: MakeTerritory, extra: str) -> Path:
    from tests.conftest import MINIMAL

    return make_territory(**{"assets/telecom.csv": MINIMAL["assets/telecom.csv"] + extra})


def test_an_antenna_without_link_and_what_needs_it_are_reported(
        make_territory: MakeTerritory) -> None:
    from tousrisques.analysis._health import never_working

    folder = _with_dead_assets(make_territory, "A2,antenna,1.013,49.313,T1,\n"
                                               "SRV,service,1.013,49.313,A2|A1,\n"
                                               "SRV2,service,1.013,49.313,T1;A2,\n")
    found = never_working(load_territory(folder))
    by_id = {p.ident: p for p in found}
    assert set(by_id) == {"A2", "SRV2"}  # SRV has A1 as another alternative
    assert by_id["A2"].code == "health.no_source" and by_id["A2"].params["layer"] == "telecom"
    assert by_id["A2"].file == "assets/telecom.csv" and by_id["A2"].severity == "warning"
    assert by_id["SRV2"].code == "health.requirement"
    assert by_id["SRV2"].params == {"group": 2, "alternatives": "A2"}
    assert "never met" in by_id["SRV2"].render("en")
    assert "jamais satisfait" in by_id["SRV2"].render("fr")
    assert "aucun chemin vers une source de la couche telecom" in by_id["A2"].render("fr")


def test_a_healthy_territory_has_no_such_warning(make_territory: MakeTerritory) -> None:
    from tousrisques.analysis._health import never_working

    assert never_working(load_territory(make_territory())) == []


def test_the_warnings_are_capped_per_file(make_territory: MakeTerritory) -> None:
    from tousrisques.analysis._health import never_working

    rows = "".join(f"X{i},antenna,1.013,49.313,T1,\n" for i in range(25))
    found = never_working(load_territory(_with_dead_assets(make_territory, rows)),
                          max_repeats=20)
    assert codes(found).count("health.no_source") == 20
    (more,) = [p for p in found if p.code == "more.same"]
    assert more.params["count"] == 5 and more.severity == "warning"


def test_validate_shows_them_in_both_languages(make_territory: MakeTerritory) -> None:
    import json

    from typer.testing import CliRunner

    from tousrisques.cli import app

    folder = _with_dead_assets(make_territory, "A2,antenna,1.013,49.313,T1,\n")
    runner = CliRunner()
    en = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    fr = runner.invoke(app, ["validate", str(folder), "--lang", "fr"])
    assert en.exit_code == 0 and fr.exit_code == 0
    assert 'assets/telecom.csv [layer] (id "A2"): never works' in en.output
    assert "ne fonctionne jamais" in fr.output
    got = runner.invoke(app, ["validate", str(folder), "--json"])
    problems = json.loads(got.output)["problems"]
    assert [p["code"] for p in problems] == ["health.no_source"]


def test_a_misspelt_kind_override_is_a_warning_with_the_kind_it_meant(
        make_territory: MakeTerritory) -> None:
    """`kinds: {antena: …}` used to make a new, unused kind silently: the antennas kept the
    catalogue's defaults and the override was lost."""
    from tests.conftest import MINIMAL

    yaml = str(MINIMAL["territory.yaml"]) + "kinds:\n  antena: {range_m: 2500}\n"
    t = load_territory(make_territory(**{"territory.yaml": yaml}))
    found = [p for p in t.warnings if p.code == "kind.unused"]
    assert len(found) == 1 and found[0].field == "kinds.antena"
    assert 'did you mean "antenna"' in found[0].render("en")
    assert "vouliez-vous dire «\u202fantenna\u202f»" in found[0].render("fr")
    # a new kind that assets use is no warning
    yaml = str(MINIMAL["territory.yaml"]) + "kinds:\n  core: {range_m: 0}\n"
    t = load_territory(make_territory(**{"territory.yaml": yaml}))
    assert not [p for p in t.warnings if p.code == "kind.unused"]
