"""Citizen relays in the RETEX, on the Rouen storm: the COD of Bois-Guillaume sends its reserve
door to door in the zones cell broadcast reaches least, and the préfecture's COD sends FR-Alert
so that it arrives when cell broadcast is at its worst; then the reach by any channel is
higher with the volunteers than without them, and the RETEX says so in both languages, with
the figures of the model (``relay_shares``) and the people informed by the end."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from tousrisques.exercise import Exercise, MemoryStore, Session, relay_shares, review
from tousrisques.report._retex import render_retex
from tousrisques.scenario import load_scenario

pytestmark = pytest.mark.slow


def test_the_retex_says_what_the_volunteers_added() -> None:
    ex = Exercise.for_run(load_scenario("examples/rouen/scenarios/tempete.yaml"), 2)
    assert ex.main_channel == "fr-alert"
    reach = [ex.reach("fr-alert", t)[0] for t in ex.av.times_s]
    worst = float(ex.av.times_s[int(np.argmin(reach))])  # the first hour of the worst stretch
    pop = np.asarray(ex.compiled.population, float)
    main = ex.zone_shares(worst, "fr-alert")
    zones = [ex.zone_ids[i] for i in np.argsort(-(1 - main) * pop)[:10] if main[i] < 1]
    assert zones, "cell broadcast misses some zones on run 2"
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    store = MemoryStore()
    session = Session.create(store, "r1", ex, now=t0, speed=3600)
    session.start(t0)
    session.jump(t0, 1800.0)
    order = session.dispatch(t0, "CCC-76108", "RESERVE-76108", zones)
    assert order.payload["status"] != "blocked"
    session.jump(t0, worst)  # FR-Alert sent at the worst, arrives 10 min later
    alert = session.send(t0, "COD", "fr-alert", [], "Restez chez vous.")
    assert alert.payload["status"] != "blocked"
    session.jump(t0, worst + 3600)  # the stretch lasts: the review compares an hour later
    later = worst + 3600
    assert ex.reach("fr-alert", later)[0] == ex.reach("fr-alert", worst)[0]
    session.end(t0)
    whole = review(ex, store.read("r1"))
    # the satellite phones are a mitigation's, absent in this run: not a failure, not "lost"
    for actor in ("COD", "CCC-76231"):
        assert "satellite" in ex.held(actor) and "satellite" not in whole.down[actor]
        assert not any(c.actor == actor and c.stretch.start_s == whole.start_s
                       and c.stretch.end_s == whole.end_s for c in whole.cut_off)
    assert not {"SAT-PREF", "SAT-76231"} & {a.asset for a in whole.assets}
    r = whole.relays
    assert r is not None and r.worst_s == later  # the last moment of the worst stretch
    vol = relay_shares(ex, [order.payload], later)
    assert r.main == pytest.approx(float(main @ pop / pop.sum()))
    assert r.main_with == pytest.approx(float((main + vol - main * vol) @ pop / pop.sum()))
    assert r.main_with > r.main  # the volunteers reached people cell broadcast did not
    sent = ex.zone_shares(worst, "fr-alert")
    assert r.broadcasts == pytest.approx(float(sent @ pop / pop.sum()))
    assert r.any == pytest.approx(float((sent + vol - sent * vol) @ pop / pop.sum()))
    assert r.any > r.broadcasts  # reach by any channel: higher with the volunteers
    assert r.people == pytest.approx(float(relay_shares(ex, [order.payload], later) @ pop))
    for lang, words in (("fr", "les bénévoles ont ajouté"), ("en", "the volunteers added")):
        html = render_retex(review(ex, store.read("r1")), ex, lang)
        assert words in html.lower()
        assert f'data-figure="relay-added-main" data-value="{r.main_with - r.main}"' in html
        assert f'data-figure="relay-added" data-value="{r.any - r.broadcasts}"' in html
        assert 'data-figure="relay-people"' in html and "RESERVE-76108" in html
