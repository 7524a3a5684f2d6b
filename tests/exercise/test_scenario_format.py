"""An inject's channel and expected actions in the scenario format: read, and refused with
one clear message per problem (file, line, field, what would be right)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_example, write_scenario
from tousrisques import ValidationError
from tousrisques.exercise import Exercise
from tousrisques.scenario import load_scenario

BASE = """name: test
territory: ..
duration: 24h
step: 1h
injects:
"""

GOOD = BASE + """  - at: 2h
    to: [mayor]
    channel: fixe
    message: {fr: "Routes coupées", en: "Roads cut"}
    expected:
      - {who: MAIRIE-PCS, action: {fr: "Déclencher le PCS", en: "Trigger the PCS"}, within: 45m}
      - {who: fire_service, action: "Report to the mayor"}
"""


def test_an_inject_with_channel_and_expected_actions_is_read(tmp_path: Path) -> None:
    s = load_scenario(write_scenario(copy_example(tmp_path), "ok.yaml", GOOD))
    (inj,) = s.spec.injects
    assert inj.channel == "fixe"
    assert [(e.who, e.within) for e in inj.expected] == [("MAIRIE-PCS", "45m"),
                                                          ("fire_service", "30m")]
    assert inj.expected[0].action.fr == "Déclencher le PCS"
    assert inj.expected[1].action.fr == "Report to the mayor"  # one text for both
    ex = Exercise.for_run(s, 0)
    (x,) = ex.injects
    assert x.id == "I1" and x.at_s == 7200 and x.to == ("MAIRIE-PCS",)
    assert [e["within_s"] for e in x.expected] == [2700.0, 1800.0]
    assert set(ex.players()) == {"MAIRIE-PCS"}


@pytest.mark.parametrize(("inject", "code", "field", "line"), [
    ("  - {at: 1h, to: [mayor], channel: pigeon, message: x}\n", "ref.channel",
     "injects.channel", 6),
    ("  - {at: 1h, to: [CIS], channel: courriel, message: x}\n", "field.invalid",
     "injects.channel", 6),
    ("  - at: 1h\n    to: [mayor]\n    message: x\n    expected:\n"
     "      - {who: maire, action: y}\n", "ref.actor", "injects.expected.who", 10),
    ("  - at: 1h\n    to: [mayor]\n    message: x\n    expected:\n"
     "      - {who: mayor, action: y, within: 0m}\n", "field.invalid", None, 10),
    ("  - at: 1h\n    to: [mayor]\n    message: x\n    expected:\n"
     "      - {who: mayor}\n", "field.missing", None, 10),
    ("  - {at: 1h, to: [mayor], message: x, expected: [{who: mayor, action: y, by: z}]}\n",
     "field.unknown", None, 6),
])
def test_broken_injects_name_file_line_and_field(tmp_path: Path, inject: str, code: str,
                                                 field: str | None, line: int) -> None:
    path = write_scenario(copy_example(tmp_path), "broken.yaml", BASE + inject)
    with pytest.raises(ValidationError) as exc:
        load_scenario(path)
    errors = [p for p in exc.value.problems if p.severity == "error"]
    assert len(errors) == 1, [p.render("en") for p in errors]
    (p,) = errors
    assert p.code == code and p.line == line and p.file.endswith("broken.yaml")
    if field is not None:
        assert p.field == field
    en, fr = p.render("en"), p.render("fr")
    assert en != fr and "broken.yaml" in en and "broken.yaml" in fr


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = BASE + ("  - {at: 1h, to: [mayor], channel: pigeon, message: x}\n"
                   "  - {at: 2h, to: [mayor], message: y, expected: [{who: wizard, action: z}]}\n")
    with pytest.raises(ValidationError) as exc:
        load_scenario(write_scenario(copy_example(tmp_path), "two.yaml", text))
    assert sorted((p.code, p.line) for p in exc.value.problems if p.severity == "error") == \
        [("ref.actor", 7), ("ref.channel", 6)]
