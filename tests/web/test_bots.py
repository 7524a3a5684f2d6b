"""``tousrisques exercise play --bots``: a whole exercise played by scripted players over the
HTTP API, whose summary agrees with the log it leaves; and the command's refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import bad_input, invoke
from tests.web.conftest import LIBRARY

_EXPECTED = """
    expected:
      - who: mayor
        action: {fr: "Déclencher le PCS", en: "Trigger the PCS"}
        within: 30m
"""


@pytest.mark.slow
def test_bots_play_a_whole_exercise(tmp_path: Path) -> None:
    # the town, with an expected action for the mayor and volunteers in its reserve
    town = tmp_path / "petite-ville"
    shutil.copytree(LIBRARY / "petite-ville", town,
                    ignore=shutil.ignore_patterns(".tousrisques"))
    actors = (town / "actors.yaml").read_text(encoding="utf-8")
    (town / "actors.yaml").write_text(actors.replace(
        "    channels: [mobile]\n    reports_to: [MAIRIE-PCS]\n",
        "    channels: [mobile]\n    reports_to: [MAIRIE-PCS]\n    volunteers: 10\n"),
        encoding="utf-8")
    scenario = town / "scenarios" / "tempete.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8").rstrip() + _EXPECTED,
                        encoding="utf-8")
    r = invoke("exercise", "play", scenario, "--bots", "--speed", "3600", "--seconds", "8",
               "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["errors"] == []
    # the storm's inject (at 2 h) reached the mayor, who wrote it in the log
    assert got["injects_delivered"] + got["injects_not_received"] >= 1
    assert got["log_entries"] >= got["injects_delivered"]
    assert sum(got["messages"].values()) > 0
    assert set(got["messages"]) <= {"delivered", "delayed", "blocked"}
    # the log holds at least: created, started, 5 joins, the writes, ended
    writes = sum(got["messages"].values()) + got["log_entries"] + got["decisions"]
    assert got["events"] >= 2 + 5 + writes + got["injects_delivered"] + 1
    assert got["scenario_s"] > 0
    # part 2: each bot puts one annotation on the map, the mayor ticks its reflex sheet and
    # sends the reserve when its inject arrives, the observer writes one note
    kinds = got["kinds"]
    assert kinds["annotation.added"] == got["annotations"] == 5  # one a bot
    assert kinds["note.added"] == got["notes"] == 1
    assert kinds["action.done"] == got["actions_done"] == got["injects_delivered"] == 1
    assert kinds["relay.dispatched"] == got["relays"] == 1


def test_play_needs_bots_and_a_scenario_file(tmp_path: object) -> None:
    bad_input(invoke("exercise", "play", "x.yaml"), "--bots")
    bad_input(invoke("exercise", "play", "nope.txt", "--bots"), "nope.txt")


def test_play_says_when_no_server_answers() -> None:
    r = invoke("exercise", "play", "rouen/tempete", "--bots", "--server", "http://127.0.0.1:9")
    bad_input(r, "http://127.0.0.1:9")
