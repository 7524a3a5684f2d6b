"""What a report says at the edges, found by trying: a territory without digital services
or without actors, a comparison with a scenario on other output times or whose territory has
another main alert channel."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import MINIMAL, MakeTerritory, write_scenario
from tousrisques.analysis import make_study
from tousrisques.report._build import build_report_data
from tousrisques.results import key_figures
from tousrisques.scenario import load_scenario

SCENARIO = """\
name: {name}
territory: ..
duration: 6h
step: {step}
events:
  - {{at: 2h, assets: [S1], duration: 2h, cause: panne}}
monte_carlo: {{runs: 2, seed: 1}}
"""


def _scenario(folder: Path, name: str = "a", step: str = "1h") -> Path:
    (folder / "scenarios").mkdir(exist_ok=True)
    return write_scenario(folder, f"{name}.yaml", SCENARIO.format(name=name, step=step))


def _ids(folder: Path) -> set[str]:
    s = load_scenario(_scenario(folder))
    study = make_study(s, runs=2)
    return {f.id for f in key_figures(s, study.ensemble)}


def test_no_figure_for_what_the_territory_does_not_have(make_territory: MakeTerritory
                                                        ) -> None:
    # before: "Digital services working: 0 %" and "Actors able to reach a crisis cell: 0 %"
    # for a territory that has no digital service, or no actor at all
    folder = make_territory()
    assert "services_worst" not in _ids(folder) and "actors_worst" in _ids(folder)
    folder = make_territory(**{"assets/telecom.csv": MINIMAL["assets/telecom.csv"]
                               + "MAIL,service,1.013,49.313,CORE,\n"})
    assert "services_worst" in _ids(folder)
    folder = make_territory(**{
        "actors.yaml": "actors: []\n",
        "channels.yaml": MINIMAL["channels.yaml"].replace("    triggered_by: [prefecture]\n",
                                                          "")})
    assert "actors_worst" not in _ids(folder)
    s = load_scenario(_scenario(folder))
    data = build_report_data(make_study(s, runs=2))
    assert "actors" not in {c.id for c in data.charts}


def test_a_comparison_on_other_output_times_keeps_its_figures(make_territory: MakeTerritory
                                                              ) -> None:
    # before: the comparison vanished from the report and the terminal, without a word
    folder = make_territory()
    a = load_scenario(_scenario(folder, "a", "1h"))
    b = load_scenario(_scenario(folder, "b", "2h"))
    data = build_report_data(make_study(a, runs=2, other=b))
    assert data.comparison is not None
    assert data.comparison.charts == []  # the curves need the same times
    ids = {x.id for x, _ in data.comparison.figures}
    assert {"reach_any_worst", "reach_main_worst", "actors_worst"} <= ids


def test_a_comparison_speaks_of_the_same_main_channel(make_territory: MakeTerritory,
                                                      tmp_path: Path) -> None:
    # before: each side's "main alert channel" was its own: FR-Alert beside the radio
    folder = make_territory()
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    radio = """\
channels:
  - id: radio
    name: Radio
    mode: broadcast
    latency: 5m
    requires: [S1]
"""
    (other / "channels.yaml").write_text(
        radio + MINIMAL["channels.yaml"].removeprefix("channels:\n"), encoding="utf-8")
    (other / "actors.yaml").write_text(MINIMAL["actors.yaml"].replace(
        "[mobile, fr-alert]", "[mobile, fr-alert, radio]"), encoding="utf-8")
    a = load_scenario(_scenario(folder))
    b = load_scenario(_scenario(other))
    study = make_study(a, runs=2, other=b)
    own = {f.id: f for f in key_figures(b, study.other.ensemble)}  # type: ignore[union-attr]
    assert "Radio" in str(own["reach_main_worst"].label)  # on its own, the radio leads
    data = build_report_data(study)
    assert data.comparison is not None
    pairs = {x.id: (x, y) for x, y in data.comparison.figures}
    mine, theirs = pairs["reach_main_worst"]
    assert "FR-Alert" in str(mine.label) and "FR-Alert" in str(theirs.label)
