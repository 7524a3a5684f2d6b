"""Fallback sites (sites de repli): an actor whose site is down works from its fallback site
after the move's delay, while that one works; validated in actors.yaml; kept by .npz."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tousrisques import CompiledTerritory, ValidationError, load_territory
from tousrisques.engine import Event, Network, run_timeline
from tousrisques.indicators import compute_indicators

H = 3600.0
CIS = "  - id: CIS\n"


def _territory(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "t"
    shutil.copytree(EXAMPLE, folder)
    actors = folder / "actors.yaml"
    text = actors.read_text("utf-8")
    assert CIS in text
    actors.write_text(text.replace("    site: CIS-PV\n", "    site: CIS-PV\n" + extra, 1),
                      "utf-8")
    return folder


def _latency(folder: Path, down: list[str]) -> np.ndarray:
    c = load_territory(folder).compile()
    ids = c.asset_ids.to_pylist()
    rows = tuple(ids.index(a) for a in down)
    tl = run_timeline(Network.from_compiled(c),
                      [Event(1 * H, rows, "fail", "fault"), Event(7 * H, rows, "restore", "x")],
                      duration_s=9 * H, step_s=H,
                      owners={"zones": c.zone_requires, "channels": c.channel_requires})
    return compute_indicators(c, tl).value("actor_latency:CIS")


def test_without_a_fallback_site_the_actor_is_cut_off_while_its_site_is_down(
        tmp_path: Path) -> None:
    lat = _latency(_territory(tmp_path, ""), ["CIS-PV"])
    assert math.isfinite(lat[0]) and np.isinf(lat[1:7]).all() and math.isfinite(lat[7])


def test_the_actor_moves_after_the_default_two_hours(tmp_path: Path) -> None:
    lat = _latency(_territory(tmp_path, "    fallback_site: MAIRIE\n"), ["CIS-PV"])
    # down at 1 h; the move takes 2 h: back in touch from 3 h, from the town hall
    assert np.isinf(lat[1:3]).all()
    assert np.isfinite(lat[3:]).all()


def test_the_move_takes_the_delay_given(tmp_path: Path) -> None:
    lat = _latency(_territory(tmp_path, "    fallback_site: MAIRIE\n    fallback_delay: 4h\n"),
                   ["CIS-PV"])
    assert np.isinf(lat[1:5]).all() and np.isfinite(lat[5:]).all()


def test_a_fallback_site_that_is_down_too_does_not_help(tmp_path: Path) -> None:
    lat = _latency(_territory(tmp_path, "    fallback_site: EHPAD\n"), ["CIS-PV", "EHPAD"])
    assert np.isinf(lat[1:7]).all() and math.isfinite(lat[7])


def test_channels_at_the_fallback_site_are_those_covered_there(tmp_path: Path) -> None:
    folder = _territory(tmp_path, "    fallback_site: MAIRIE\n")
    c = load_territory(folder).compile()
    cis = c.actor_ids.tolist().index("CIS")
    mairie = c.asset_ids.to_pylist().index("MAIRIE")
    assert c.actor_fallback[cis] == mairie and c.actor_fallback_delay_s[cis] == 2 * H
    mobile = c.channel_ids.tolist().index("mobile")
    # the antennas that cover the town hall, not those that cover the fire station
    pcs = c.actor_ids.tolist().index("MAIRIE-PCS")
    assert set(c.fallback_reach(mobile)[cis].indices) == set(c.actor_reach(mobile)[pcs].indices)
    path = tmp_path / "c.npz"
    c.save(path)
    back = CompiledTerritory.load(path)
    assert back.actor_fallback.tolist() == c.actor_fallback.tolist()
    assert (back.fallback_reach(mobile) != c.fallback_reach(mobile)).nnz == 0


@pytest.mark.parametrize(("extra", "code", "field"), [
    ("    fallback_site: MAIRE\n", "ref.asset", "fallback_site"),
    ("    fallback_site: FR-ALERT\n", "location.missing", "fallback_site"),
    ("    fallback_delay: 2h\n", "actor.fallback_delay", "fallback_delay"),
    ("    fallback_site: MAIRIE\n    fallback_delay: 2\n", "field.invalid", "fallback_delay"),
])
def test_a_wrong_fallback_is_refused_with_its_line(tmp_path: Path, extra: str, code: str,
                                                   field: str) -> None:
    folder = _territory(tmp_path, extra)
    with pytest.raises(ValidationError) as err:
        load_territory(folder)
    got = [(p.code, p.field, p.file, p.line) for p in err.value.problems]
    assert len(got) == 1, got
    assert got[0][:3] == (code, field, "actors.yaml") and got[0][3] is not None
    if code == "ref.asset":
        assert err.value.problems[0].params["suggest"] == "MAIRIE"
