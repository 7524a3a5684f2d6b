"""The coupling through the API, on the Rouen storm: a player's message over a channel the
simulation has down at its site is blocked with the engine's reason (the one ``/me`` gives),
it goes through once the channel is back, and an inject to an actor cut off from every
channel is recorded as not received, seen by the facilitator and not by the players."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ADMIN, ROOT, admin, bearer, join
from tousrisques.web import ServerSettings, create_app, hash_secret

RUN = 2  # a run with communes cut off for hours (the exercise model's tests use it too)


@pytest.fixture(scope="module")
def rouen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from starlette.testclient import TestClient

    if not (ROOT / "examples" / "rouen" / "scenarios" / "tempete.yaml").is_file():
        pytest.skip("the Rouen sample is not in this checkout (examples/rouen)")
    warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
    db: Path = tmp_path_factory.mktemp("rouen") / "ex.db"
    app = create_app(ServerSettings(f"sqlite:///{db}", ROOT / "examples", hash_secret(ADMIN),
                                    tick_s=0))
    with TestClient(app) as client:
        r = client.post("/api/exercises", headers=admin(),
                        json={"scenario": "rouen/tempete", "run": RUN, "speed": 1})
        assert r.status_code == 201, r.text
        created = r.json()
        model = app.state.service.model(created["id"])
        yield {"client": client, "created": created, "ex": created["id"], "model": model}


def _down_then_up(model: Any) -> tuple[str, str, float, float, str]:
    """A player's point-to-point channel down at one output time and back at a later one,
    and an addressee that has it at both."""
    times = [float(t) for t in model.timeline.times_s]
    for actor in model.actors:
        for channel in model.held(actor):
            if model.is_broadcast(channel):
                continue
            for k in range(1, len(times)):
                t = times[k] + 60
                if model.available(actor, channel, times[k - 1]) and \
                        not model.available(actor, channel, t):
                    back = [u for u in times[k:] if model.available(actor, channel, u)]
                    if not back:
                        continue
                    t2 = back[0]
                    target = next((b for b in model.actors if b != actor
                                   and model.available(b, channel, t)
                                   and model.available(b, channel, t2)), None)
                    if target is not None:
                        return actor, channel, t, t2, target
    raise AssertionError("no channel goes down then comes back in this run")


def test_a_blocked_message_says_the_engines_reason_then_goes_through(
        rouen: dict[str, Any]) -> None:
    client, ex, model = rouen["client"], rouen["ex"], rouen["model"]
    sender, channel, t, t2, target = _down_then_up(model)
    token = join(client, ex, rouen["created"]["join_codes"][sender], "Maire")
    assert client.post(f"/api/exercises/{ex}/jump", headers=admin(),
                       json={"scenario_s": t}).status_code == 201
    me = client.get(f"/api/exercises/{ex}/me", headers=bearer(token)).json()
    shown = next(c for c in me["channels"] if c["channel"] == channel)
    expected = model.reason(sender, channel, me["scenario_s"])
    assert not shown["available"]
    assert shown["reason"] == {"en": expected.en, "fr": expected.fr}
    assert "until_s" not in shown  # a player is not told the future
    r = client.post(f"/api/exercises/{ex}/messages", headers=bearer(token),
                    json={"channel": channel, "to": [target], "text": "PCS déclenché"})
    assert r.status_code == 201
    blocked = r.json()
    assert blocked["status"] == "blocked"
    assert blocked["reason"] == {"en": expected.en, "fr": expected.fr}
    # the repair time passes: the same message goes through
    assert client.post(f"/api/exercises/{ex}/jump", headers=admin(),
                       json={"scenario_s": t2}).status_code == 201
    r = client.post(f"/api/exercises/{ex}/messages", headers=bearer(token),
                    json={"channel": channel, "to": [target], "text": "PCS déclenché"})
    assert r.status_code == 201
    assert r.json()["status"] in ("delivered", "delayed")
    assert [x["actor"] for x in r.json()["recipients"]] == [target]


def test_an_inject_to_an_actor_cut_off_is_not_received(rouen: dict[str, Any]) -> None:
    client, ex, model = rouen["client"], rouen["ex"], rouen["model"]
    times = [float(x) for x in model.timeline.times_s]
    cut, at = None, 0.0
    for t in times[1:]:
        for actor in model.actors:
            held = [c for c in model.held(actor) if not model.is_broadcast(c)]
            if held and not any(model.available(actor, c, t + 30) for c in held):
                cut, at = actor, t + 30
                break
        if cut:
            break
    assert cut, "the storm cuts some actor off from every channel in this run"
    other = next(a for a in model.actors if a != cut)
    token_cut = join(client, ex, rouen["created"]["join_codes"][cut], "Cut off")
    token_other = join(client, ex, rouen["created"]["join_codes"][other], "Other")
    assert client.post(f"/api/exercises/{ex}/jump", headers=admin(),
                       json={"scenario_s": at}).status_code == 201
    r = client.post(f"/api/exercises/{ex}/injects", headers=admin(),
                    json={"to": [cut], "text": "Évacuez la salle des fêtes"})
    assert r.status_code == 201
    (seq,) = [x["seq"] for x in r.json()]
    everything = client.get(f"/api/exercises/{ex}/events", headers=admin(),
                            params={"after": seq - 1}).json()["events"]
    lost = everything[0]
    assert lost["kind"] == "inject.not_received" and lost["payload"]["to"] == cut
    assert lost["payload"]["reason"]["en"] and lost["payload"]["reason"]["fr"]
    for token in (token_cut, token_other):
        seen = client.get(f"/api/exercises/{ex}/events", headers=bearer(token),
                          params={"after": seq - 1}).json()["events"]
        assert seq not in {e["seq"] for e in seen}


def test_the_facilitator_sees_every_actors_channels_and_the_injects(
        rouen: dict[str, Any]) -> None:
    client, ex, model = rouen["client"], rouen["ex"], rouen["model"]
    code = next(iter(rouen["created"]["join_codes"].values()))
    player = join(client, ex, code, "Someone")
    for path in ("actors", "injects"):
        assert client.get(f"/api/exercises/{ex}/{path}", headers=bearer(player)
                          ).status_code == 403
    at = client.get(f"/api/exercises/{ex}", headers=admin()).json()["scenario_s"]
    actors = client.get(f"/api/exercises/{ex}/actors", headers=admin()).json()
    assert [a["actor"] for a in actors] == list(model.actors)
    for a in actors:
        for c in a["channels"]:
            assert c["available"] == model.available(a["actor"], c["channel"], at)
            assert "until_s" in c  # the facilitator may see when it comes back
    injects = client.get(f"/api/exercises/{ex}/injects", headers=admin()).json()
    assert all(e["kind"] == "inject.not_received" for e in injects["not_received"])
    # a new exercise: every inject of the scenario is to come, in order
    fresh = client.post("/api/exercises", headers=admin(),
                        json={"scenario": "rouen/tempete", "run": RUN}).json()["id"]
    upcoming = client.get(f"/api/exercises/{fresh}/injects", headers=admin()).json()["upcoming"]
    assert [i["inject"] for i in upcoming] == [f"I{k + 1}" for k in range(len(upcoming))]
    assert len(upcoming) == len(model.scenario.spec.injects) > 0
    assert [i["at_s"] for i in upcoming] == sorted(i["at_s"] for i in upcoming)
