"""The store: migrations, and numbers without gap or duplicate under concurrent writers, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from tousrisques.exercise import Event
from tousrisques.web import SqlStore, migrate, schema_version
from tousrisques.web._db import MIGRATIONS, connect


def _event(i: int) -> Event:
    return Event("log.entry", datetime.now(UTC), float(i), "COD", {"text": f"e{i}"})


def test_migrations_are_numbered_and_applied_once(db_url: str) -> None:
    engine = connect(db_url)
    steps: list[int] = []
    assert schema_version(engine) == 0
    assert migrate(engine, on_step=steps.append) == len(MIGRATIONS)
    assert steps == list(range(1, len(MIGRATIONS) + 1))
    # a second start changes nothing
    assert migrate(engine, on_step=steps.append) == len(MIGRATIONS)
    assert steps == list(range(1, len(MIGRATIONS) + 1))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_version")).scalar() == 1
    engine.dispose()


def test_a_newer_schema_is_refused(tmp_path: object) -> None:
    engine = connect("sqlite://")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE schema_version SET version = 999"))
    with pytest.raises(RuntimeError, match="newer"):
        migrate(engine)


def test_sqlite_is_durable_by_settings(tmp_path: object) -> None:
    engine = connect(f"sqlite:///{tmp_path}/x.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_concurrent_appends_number_without_gap(db_url: str) -> None:
    store = SqlStore(db_url)
    store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
    store.create_exercise("ex2", "t/s", {}, {}, now=datetime.now(UTC))
    got: list[tuple[str, int]] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        for i in range(25):
            ex = "ex1" if (w + i) % 3 else "ex2"
            batch = [_event(i)] * (1 + i % 3)
            stored = store.append(ex, batch)
            with lock:
                got.extend((ex, e.seq) for e in stored)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for ex in ("ex1", "ex2"):
        seqs = sorted(s for e, s in got if e == ex)
        assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate
        assert [e.seq for e in store.read(ex)] == seqs
        assert store.exercise(ex).last_seq == len(seqs)  # type: ignore[union-attr]
    store.close()


def test_a_failed_transaction_takes_its_numbers_back(db_url: str) -> None:
    store = SqlStore(db_url)
    store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
    store.append("ex1", [_event(1)])
    with pytest.raises(ZeroDivisionError), store.locked("ex1") as appended:
        store.append("ex1", [_event(2), _event(3)])
        assert [e.seq for e in appended] == [2, 3]
        1 / 0  # noqa: B018
    assert [e.seq for e in store.read("ex1")] == [1]
    assert store.append("ex1", [_event(4)])[0].seq == 2
    store.close()


def test_events_round_trip(db_url: str) -> None:
    store = SqlStore(db_url)
    store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
    e = Event("message.sent", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 12.5, "COD",
              {"text": "« crue » =1+1", "to": ["SDIS"]}, audience=("COD", "SDIS"))
    (stored,) = store.append("ex1", [e])
    assert store.read("ex1") == [stored]
    assert stored.payload == e.payload and stored.audience == e.audience
    store.close()


def test_every_server_setting_is_documented() -> None:
    import dataclasses

    from tests.web.conftest import ROOT
    from tousrisques.web import ServerSettings

    doc = (ROOT / "docs" / "exercise.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(ServerSettings):
        assert f"`{f.name}`" in doc, f.name
