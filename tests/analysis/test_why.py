"""Why an actor was cut off, on a territory written so that each answer is known: its site
down, a channel's required asset down, no working coverage, no coverage at all, nobody to
reach through a channel that works."""

from __future__ import annotations

import math

import pytest

from tests.conftest import MakeTerritory
from tests.runs import simulate
from tousrisques import load_territory
from tousrisques.analysis import explain_actor
from tousrisques.engine import Event, Network
from tousrisques.territory import CompiledTerritory

H = 3600.0

FILES = {
    "assets/telecom.csv": """\
id,kind,lon,lat,requires,connects
CORE,core,1.02,49.32,,
A1,antenna,1.011,49.311,T1@2h,
SITE,site,1.012,49.312,,
SITE2,site,1.0115,49.3115,,
FAR,site,1.5,49.6,,
""",
    "channels.yaml": """\
channels:
  - id: mobile
    name: Mobile
    mode: point_to_point
    latency: 1m
    requires: CORE
    coverage: antenna
  - id: talkie
    name: Talkie-walkie
    mode: point_to_point
    latency: 2m
    needs_site: false
""",
    "actors.yaml": """\
actors:
  - id: COD
    name: Préfecture
    role: prefecture
    site: SITE
    channels: [mobile]
    crisis_cell: true
  - id: MAIRIE
    name: Mairie
    role: mayor
    site: SITE2
    channels: [mobile, talkie]
    reports_to: [COD]
  - id: LOIN
    name: Hameau éloigné
    role: citizen_relay
    site: FAR
    channels: [mobile, talkie]
    reports_to: [MAIRIE]
""",
}


@pytest.fixture
def town(make_territory: MakeTerritory) -> CompiledTerritory:
    return load_territory(make_territory(**FILES)).compile()


def why(c: CompiledTerritory, actor: str, at_h: float, *failures: tuple[float, str]):
    """Explain ``actor`` at ``at_h`` hours after ``failures`` (hour, asset id)."""
    ids = c.asset_ids.to_pylist()
    events = [Event(h * H, (ids.index(a),), "fail", f"{a} hit") for h, a in failures]
    _, tl = simulate(c, events, duration_s=12 * H, step_s=H)
    actor_row = [str(a) for a in c.actor_ids.tolist()].index(actor)
    return explain_actor(c, tl, Network.from_compiled(c), actor_row, at_h * H), ids


def channels(answer) -> dict[str, tuple[str, list[str]]]:
    return {ch.channel: ch for ch in answer.channels}


def test_connected_when_nothing_happens(town: CompiledTerritory) -> None:
    w, ids = why(town, "MAIRIE", 3.0)
    assert w.connected and w.latency_s == 60.0  # two halves of the mobile's minute
    assert w.actor == "MAIRIE" and w.site == ids.index("SITE2") and w.site_chain == ()
    assert {c: ch.status for c, ch in channels(w).items()} == {"mobile": "ok", "talkie": "ok"}
    # the hamlet: no antenna reaches it (no asset to blame), the talkie to the town hall does
    w, _ = why(town, "LOIN", 3.0)
    assert w.connected and w.latency_s == 60.0 + 120.0
    ch = channels(w)
    assert ch["mobile"].status == "coverage" and ch["mobile"].assets == ()
    assert ch["talkie"].status == "ok"


def test_its_site_down(town: CompiledTerritory) -> None:
    w, ids = why(town, "MAIRIE", 2.0, (1.0, "SITE2"))
    assert not w.connected and math.isinf(w.latency_s)
    assert [(c.asset, c.cause, c.event) for c in w.site_chain] == \
        [(ids.index("SITE2"), "event", "SITE2 hit")]
    ch = channels(w)
    assert ch["mobile"].status == "site" and ch["mobile"].assets == (ids.index("SITE2"),)
    assert ch["mobile"].chains == ()  # the site's chain tells it
    # the talkie does not need the site: it works, but reaches nobody who reaches a cell
    assert ch["talkie"].status == "nobody"


def test_a_required_asset_down(town: CompiledTerritory) -> None:
    w, ids = why(town, "MAIRIE", 2.0, (1.0, "CORE"))
    assert not w.connected and w.site_chain == ()
    mobile = channels(w)["mobile"]
    assert mobile.status == "requires" and mobile.assets == (ids.index("CORE"),)
    assert [[(c.asset, c.cause) for c in chain] for chain in mobile.chains] == \
        [[(ids.index("CORE"), "event")]]
    assert channels(w)["talkie"].status == "nobody"


def test_no_working_coverage(town: CompiledTerritory) -> None:
    w, ids = why(town, "MAIRIE", 2.0, (1.0, "A1"))
    mobile = channels(w)["mobile"]
    assert not w.connected
    assert mobile.status == "coverage" and mobile.assets == (ids.index("A1"),)
    assert mobile.chains[0][0].cause == "event" and mobile.chains[0][0].event == "A1 hit"


def test_coverage_lost_when_a_battery_runs_out(town: CompiledTerritory) -> None:
    """Power lost at 1 h: the antenna holds two hours on its battery, then falls; the
    chain goes from the antenna back to the transformer's event."""
    held, _ = why(town, "MAIRIE", 2.5, (1.0, "T1"))
    assert held.connected
    w, ids = why(town, "MAIRIE", 3.0, (1.0, "T1"))
    mobile = channels(w)["mobile"]
    assert not w.connected and mobile.status == "coverage"
    chain = mobile.chains[0]
    assert [(c.asset, c.cause, c.depth) for c in chain] == [
        (ids.index("A1"), "backup exhausted", 0), (ids.index("T1"), "event", 1)]
    assert chain[0].time_s == 3 * H and chain[1].time_s == 1 * H
    # the hamlet falls with it: its talkie reaches the town hall, which is cut too
    w, _ = why(town, "LOIN", 3.0, (1.0, "T1"))
    assert not w.connected and channels(w)["talkie"].status == "nobody"


def test_the_state_is_the_last_output_time_before(town: CompiledTerritory) -> None:
    """Between two output times, the earlier one answers (zones' and channels' backups are
    followed on that grid)."""
    w, _ = why(town, "MAIRIE", 1.5, (1.0, "CORE"))
    assert w.time_s == 1 * H and not w.connected
    w, _ = why(town, "MAIRIE", 0.99, (1.0, "CORE"))
    assert w.time_s == 0.0 and w.connected
