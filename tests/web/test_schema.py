"""The API against its own OpenAPI schema (schemathesis): whatever a client sends, no 5xx, and
every answer as documented (status, content type, body). Examples are bounded so that the
whole stays within seconds; the event stream (which never ends) is left out."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from tests.web.conftest import ADMIN, LIBRARY, SCENARIO  # noqa: E402
from tousrisques.web import ServerSettings, create_app, hash_secret  # noqa: E402

_DB = Path(tempfile.mkdtemp(prefix="tousrisques-schema-")) / "schema.db"
APP = create_app(ServerSettings(f"sqlite:///{_DB}", LIBRARY, hash_secret(ADMIN), tick_s=0))
# a request the schema allows may still be refused for what it means (a run the scenario does
# not have, a channel the actor does not hold, a clock already running): 400 or 409, said in
# the API's documentation; everything else is as schemathesis expects
CONFIG = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2XX", "400", "401", "403", "404", "409", "429"]}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG).exclude(
    path_regex=r".*/stream$")


@pytest.fixture(scope="module")
def known() -> str:
    """An exercise that exists, so that some cases reach past the 404."""
    from starlette.testclient import TestClient

    client = TestClient(APP)
    r = client.post("/api/exercises", json={"scenario": SCENARIO, "run": 0},
                    headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 201, r.text
    exercise_id: str = r.json()["id"]
    return exercise_id


@schema.auth()
class AdminToken:
    """The facilitator's token on every case (schemathesis takes it off to test refusals)."""

    def get(self, case: Any, context: Any) -> str:
        return ADMIN

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case: Any, known: str) -> None:
    if case.path_parameters and "exercise_id" in case.path_parameters and \
            hash(str(case.path_parameters)) % 2:
        case.path_parameters["exercise_id"] = known
    case.call_and_validate()
