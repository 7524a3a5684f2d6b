"""``tousrisques exercise play --bots``: a whole exercise played by scripted players over the
HTTP API, whose summary agrees with the log it leaves; and the command's refusals."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import bad_input, invoke
from tests.web.conftest import LIBRARY


@pytest.mark.slow
def test_bots_play_a_whole_exercise() -> None:
    scenario = LIBRARY / "petite-ville" / "scenarios" / "tempete.yaml"
    r = invoke("exercise", "play", scenario, "--bots", "--speed", "3600", "--seconds", "15",
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
    # part 2: each bot puts one annotation on the map, the observer one note; the town's
    # reserve has no volunteers, so no relay goes out (refused, not an error)
    assert got["annotations"] >= 1 and got["notes"] == 1 and got["relays"] == 0


def test_play_needs_bots_and_a_scenario_file(tmp_path: object) -> None:
    bad_input(invoke("exercise", "play", "x.yaml"), "--bots")
    bad_input(invoke("exercise", "play", "nope.txt", "--bots"), "nope.txt")


def test_play_says_when_no_server_answers() -> None:
    r = invoke("exercise", "play", "rouen/tempete", "--bots", "--server", "http://127.0.0.1:9")
    bad_input(r, "http://127.0.0.1:9")
