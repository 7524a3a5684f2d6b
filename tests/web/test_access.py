"""No one gets in where they don't belong: other exercises, other actors' inboxes, acting as
another actor or as the facilitator, revoked tokens, join codes guessed, bodies too large or
malformed (a 4xx and nothing written), security headers, and tokens stored hashed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.web.conftest import ADMIN, admin, bearer, create_exercise, join


def _last_seq(client: Any, ex: str) -> int:
    r = client.get(f"/api/exercises/{ex}/events", headers=admin(), params={"limit": 10_000})
    return int(r.json()["last_seq"])


@pytest.fixture
def game(client: Any) -> dict[str, Any]:
    """Two exercises; in the first, two players and an observer."""
    one = create_exercise(client)
    two = create_exercise(client)
    actors = list(one["join_codes"])
    a, b, c = actors[0], actors[1], actors[2]
    return {
        "ex": one["id"], "other": two["id"], "a": a, "b": b,
        "ta": join(client, one["id"], one["join_codes"][a], "Anne"),
        "tb": join(client, one["id"], one["join_codes"][b], "Bruno"),
        "tc": join(client, one["id"], one["join_codes"][c], "Chloé"),
        "tobs": join(client, one["id"], one["observer_code"], "Olga"),
        "tother": join(client, two["id"], two["join_codes"][a], "Zoé"),
    }


def test_no_token_no_entry(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    for method, path in [("get", "me"), ("get", "events"), ("post", "log"),
                         ("get", "export.json"), ("get", "stream")]:
        r = getattr(client, method)(f"/api/exercises/{ex}/{path}")
        assert r.status_code == 401, (path, r.status_code)
        assert r.json()["code"] == "auth.missing"
    r = client.get(f"/api/exercises/{ex}/me", headers=bearer("forged-token"))
    assert r.status_code == 401 and r.json()["code"] == "auth.invalid"


def test_a_player_cannot_open_another_exercise(client: Any, game: dict[str, Any]) -> None:
    other = game["other"]
    for path in ("me", "events", "export.json", "export.csv"):
        r = client.get(f"/api/exercises/{other}/{path}", headers=bearer(game["ta"]))
        assert r.status_code == 403, path
        assert r.json()["code"] == "auth.exercise"
    before = _last_seq(client, other)
    r = client.post(f"/api/exercises/{other}/log", headers=bearer(game["ta"]),
                    json={"text": "intrusion", "category": "situation"})
    assert r.status_code == 403
    assert _last_seq(client, other) == before


def test_a_player_sees_only_its_own_inbox(client: Any, game: dict[str, Any]) -> None:
    ex, b = game["ex"], game["b"]
    me = client.get(f"/api/exercises/{ex}/me", headers=bearer(game["ta"])).json()
    channel = next(c["channel"] for c in me["channels"] if not c["broadcast"])
    sent = client.post(f"/api/exercises/{ex}/messages", headers=bearer(game["ta"]),
                       json={"channel": channel, "to": [b], "text": "secret for b"})
    assert sent.status_code == 201, sent.text
    seq = sent.json()["seq"]
    seen_by: dict[str, set[int]] = {}
    for who in ("ta", "tb", "tc", "tobs"):
        events = client.get(f"/api/exercises/{ex}/events", headers=bearer(game[who])).json()
        seen_by[who] = {e["seq"] for e in events["events"]}
        export = client.get(f"/api/exercises/{ex}/export.json", headers=bearer(game[who]))
        assert (seq in {e["seq"] for e in export.json()["events"]}) == (seq in seen_by[who])
    assert seq in seen_by["ta"] and seq in seen_by["tobs"]
    assert seq not in seen_by["tc"]  # neither sender nor addressee
    reached_b = any(r["actor"] == b and r["status"] != "not_received"
                    for r in sent.json()["recipients"])
    assert (seq in seen_by["tb"]) == reached_b


def test_no_one_acts_as_another(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    before = _last_seq(client, ex)
    # the body cannot say who sends: an unknown field is refused
    r = client.post(f"/api/exercises/{ex}/messages", headers=bearer(game["ta"]),
                    json={"channel": "mobile", "to": [game["a"]], "text": "x",
                          "from": game["b"]})
    assert r.status_code == 422
    r = client.post(f"/api/exercises/{ex}/log", headers=bearer(game["ta"]),
                    json={"text": "x", "category": "situation", "author": "facilitator"})
    assert r.status_code == 422
    # a player is not the facilitator
    for path in ("start", "pause", "end"):
        r = client.post(f"/api/exercises/{ex}/{path}", headers=bearer(game["ta"]))
        assert r.status_code == 403 and r.json()["code"] == "auth.admin", path
    r = client.post(f"/api/exercises/{ex}/injects", headers=bearer(game["ta"]),
                    json={"to": [game["b"]], "text": "fake inject"})
    assert r.status_code == 403
    r = client.post("/api/exercises", headers=bearer(game["ta"]),
                    json={"scenario": "petite-ville/tempete", "run": 0})
    assert r.status_code == 403
    # an observer writes nothing
    for path, body in (("log", {"text": "x"}), ("decisions", {"what": "x", "decided_by": "y"}),
                       ("messages", {"channel": "mobile", "to": [game["a"]], "text": "x"})):
        r = client.post(f"/api/exercises/{ex}/{path}", headers=bearer(game["tobs"]), json=body)
        assert r.status_code == 403, path
    assert _last_seq(client, ex) == before
    # what a player writes is signed with its actor
    r = client.post(f"/api/exercises/{ex}/log", headers=bearer(game["ta"]),
                    json={"text": "mine", "category": "situation"})
    event = client.get(f"/api/exercises/{ex}/events", headers=admin(),
                       params={"after": r.json()["seq"] - 1}).json()["events"][0]
    assert event["author"] == game["a"] and event["payload"]["actor"] == game["a"]


def test_tokens_are_revoked_when_the_exercise_ends(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    assert client.get(f"/api/exercises/{ex}/me", headers=bearer(game["ta"])).status_code == 200
    assert client.post(f"/api/exercises/{ex}/end", headers=admin()).status_code == 201
    for token in (game["ta"], game["tobs"]):
        r = client.get(f"/api/exercises/{ex}/me", headers=bearer(token))
        assert r.status_code == 401 and r.json()["code"] == "auth.invalid"
    # the other exercise's tokens still work; the facilitator still reads the log
    other = game["other"]
    assert client.get(f"/api/exercises/{other}/me",
                      headers=bearer(game["tother"])).status_code == 200
    assert client.get(f"/api/exercises/{ex}/export.json", headers=admin()).status_code == 200
    # nothing more happens in an ended exercise
    r = client.post(f"/api/exercises/{ex}/start", headers=admin())
    assert r.status_code == 409


def test_tokens_and_codes_are_stored_hashed(client: Any, game: dict[str, Any]) -> None:
    engine = client.app.state.store.engine
    with engine.connect() as conn:
        dump = " ".join(str(v) for table in ("participants", "join_codes", "stream_keys",
                                              "events", "exercises")
                        for row in conn.execute(text(f"SELECT * FROM {table}")) for v in row)
    for secret in (game["ta"], game["tb"], game["tobs"], ADMIN):
        assert secret not in dump


def test_join_codes_cannot_be_guessed(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    statuses = [client.post(f"/api/exercises/{ex}/join",
                            json={"code": f"GUESS{i:05d}", "name": "x"}).status_code
                for i in range(client.app.state.limiter.attempts + 2)]
    assert statuses[0] == 403
    assert statuses[-1] == 429
    r = client.post(f"/api/exercises/{ex}/join", json={"code": "GUESS", "name": "x"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


@pytest.mark.parametrize("body, status", [
    (b"{not json", 422),
    (b'{"text": 12, "category": "situation"}', 422),
    (b'{"text": "", "category": "situation"}', 422),
    (b'{"text": "x", "category": "no-such"}', 400),
    (b"[]", 422),
])
def test_malformed_bodies_write_nothing(client: Any, game: dict[str, Any], body: bytes,
                                        status: int) -> None:
    ex = game["ex"]
    before = _last_seq(client, ex)
    r = client.post(f"/api/exercises/{ex}/log", content=body,
                    headers={**bearer(game["ta"]), "content-type": "application/json"})
    assert r.status_code == status, r.text
    assert "code" in r.json()
    assert _last_seq(client, ex) == before


def test_oversized_bodies_write_nothing(client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    before = _last_seq(client, ex)
    huge = '{"text": "' + "x" * 70_000 + '", "category": "situation"}'
    r = client.post(f"/api/exercises/{ex}/log", content=huge.encode(),
                    headers={**bearer(game["ta"]), "content-type": "application/json"})
    assert r.status_code == 413
    # the same without Content-Length (chunked)
    r = client.post(f"/api/exercises/{ex}/log", content=iter([huge.encode()[:40_000],
                                                              huge.encode()[40_000:]]),
                    headers={**bearer(game["ta"]), "content-type": "application/json",
                             "accept-language": "fr-FR"})
    assert r.status_code == 413  # in the reader's language, the limit as French writes it
    assert r.json()["detail"] == "le corps de la requête dépasse 65\u202f536 octets"
    # a text over the model's bound, in a body under the server's
    r = client.post(f"/api/exercises/{ex}/log", headers=bearer(game["ta"]),
                    json={"text": "x" * 10_001, "category": "situation"})
    assert r.status_code == 422
    assert _last_seq(client, ex) == before


def test_security_headers(client: Any, game: dict[str, Any]) -> None:
    for r in (client.get("/api/health"),
              client.get(f"/api/exercises/{game['ex']}/me", headers=bearer(game["ta"])),
              client.get("/api/exercises/nope/me"),
              client.get("/openapi.json")):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/docs").status_code == 404  # Swagger UI loads a CDN: not served


def test_errors_speak_french_when_asked(client: Any, game: dict[str, Any]) -> None:
    r = client.get(f"/api/exercises/{game['ex']}/me", headers={"Accept-Language": "fr-FR"})
    assert r.status_code == 401
    assert r.json()["detail"] != client.get(f"/api/exercises/{game['ex']}/me").json()["detail"]


_EXPLAINED = [
    ("fr", {"channel": "mobile", "to": ["X"], "text": "x" * 10_001},
     "text\u00a0: au plus 10000 caractères"),
    ("en", {"channel": "mobile", "to": ["X"], "text": "x" * 10_001},
     "text: at most 10000 characters"),
    ("fr", {"channel": "mobile", "to": ["X"], "text": "x", "from": "COD"},
     "from\u00a0: ce champ n’existe pas dans cette requête"),
    ("en", {"channel": "mobile", "text": 12}, "text: a text is expected"),
    ("fr", {"channel": "mobile"}, "text\u00a0: obligatoire, et absent"),
]


def test_a_malformed_request_is_explained_in_the_callers_language(
        client: Any, game: dict[str, Any]) -> None:
    ex = game["ex"]
    before = _last_seq(client, ex)
    for lang, body, words in _EXPLAINED:
        r = client.post(f"/api/exercises/{ex}/messages", json=body,
                        headers={**bearer(game["ta"]), "accept-language": lang})
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"
        msgs = [d["msg"] for d in r.json()["detail"]]
        assert any(m.startswith(words) for m in msgs), msgs
        assert all(d["loc"] and d["type"] for d in r.json()["detail"])
    assert _last_seq(client, ex) == before
