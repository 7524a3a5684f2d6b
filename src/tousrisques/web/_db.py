"""The database: an SQLAlchemy engine on SQLite or PostgreSQL, and the schema's migrations.

SQLite (the default: one file, nothing to start) runs in WAL mode with ``synchronous=FULL``,
so that a transaction the server has acknowledged survives the process being killed, and the
machine losing power; every write transaction starts with ``BEGIN IMMEDIATE`` so that two
writers (threads or processes) queue for the lock instead of failing halfway. PostgreSQL is
chosen by a ``postgresql://`` URL (psycopg 3).

The schema is created and changed by numbered migrations (:data:`MIGRATIONS`); the table
``schema_version`` holds the number of the last one applied. :func:`migrate` applies those
not yet applied, each in its own transaction, under a lock, so that several server processes
starting at once migrate once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

__all__ = ["MIGRATIONS", "connect", "is_postgres", "migrate", "schema_version"]

# each migration: statements run in one transaction; the schema is written for both databases
# (TEXT for ids and JSON, DOUBLE PRECISION for seconds, BIGINT for counters)
MIGRATIONS: Sequence[Sequence[str]] = (
    (
        """CREATE TABLE exercises (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            scenario TEXT NOT NULL,
            settings TEXT NOT NULL,
            state TEXT NOT NULL,
            last_seq BIGINT NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE join_codes (
            exercise_id TEXT NOT NULL REFERENCES exercises(id),
            code TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            PRIMARY KEY (exercise_id, code)
        )""",
        """CREATE TABLE participants (
            token_hash TEXT PRIMARY KEY,
            exercise_id TEXT NOT NULL REFERENCES exercises(id),
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            name TEXT NOT NULL,
            joined_at TEXT NOT NULL,
            revoked_at TEXT
        )""",
        "CREATE INDEX participants_exercise ON participants (exercise_id)",
        """CREATE TABLE stream_keys (
            key_hash TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL,
            exercise_id TEXT NOT NULL REFERENCES exercises(id),
            expires_at TEXT NOT NULL
        )""",
        """CREATE TABLE events (
            exercise_id TEXT NOT NULL REFERENCES exercises(id),
            seq BIGINT NOT NULL,
            kind TEXT NOT NULL,
            real_time TEXT NOT NULL,
            scenario_time DOUBLE PRECISION NOT NULL,
            author TEXT NOT NULL,
            audience TEXT,
            payload TEXT NOT NULL,
            PRIMARY KEY (exercise_id, seq)
        )""",
    ),
)

_PG_MIGRATION_LOCK = 7_311_203  # pg_advisory_xact_lock key of tousrisques' migrations


def is_postgres(engine: Engine) -> bool:
    """Whether ``engine`` talks to PostgreSQL (else SQLite).

    Parameters
    ----------
    engine : sqlalchemy.Engine

    Returns
    -------
    bool

    Examples
    --------
    >>> is_postgres(connect("sqlite://"))
    False
    """
    return engine.dialect.name == "postgresql"


def connect(url: str) -> Engine:
    """An engine on ``url``: ``sqlite:///path`` (or a plain file path) or ``postgresql://…``.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL; ``postgresql://`` is read with psycopg 3, a path without a scheme
        is a SQLite file.

    Returns
    -------
    sqlalchemy.Engine
        With SQLite: WAL, ``synchronous=FULL``, foreign keys on, a 30 s busy timeout, and
        ``BEGIN IMMEDIATE`` for connections opened with the execution option
        ``write=True``.

    Examples
    --------
    >>> engine = connect("sqlite://")
    >>> with engine.connect() as conn:
    ...     conn.exec_driver_sql("PRAGMA synchronous").scalar()
    2
    """
    if "://" not in url:
        url = f"sqlite:///{url}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True)
    if parsed.get_backend_name() != "sqlite":
        raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: "
                         "sqlite:///FILE or postgresql://…")
    memory = parsed.database in (None, "", ":memory:")
    connect_args = {"check_same_thread": False, "timeout": 30}
    if memory:  # one database, shared by every thread
        engine = create_engine(parsed, poolclass=StaticPool, connect_args=connect_args)
    else:
        engine = create_engine(parsed, pool_size=8, max_overflow=16, connect_args=connect_args)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # the driver's own transaction handling is off: SQLAlchemy's "begin" event emits BEGIN
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def schema_version(engine: Engine) -> int:
    """The number of the last migration applied to the database (0 for an empty one).

    Parameters
    ----------
    engine : sqlalchemy.Engine

    Returns
    -------
    int

    Examples
    --------
    >>> engine = connect("sqlite://")
    >>> schema_version(engine), migrate(engine), schema_version(engine)
    (0, 1, 1)
    """
    with engine.connect() as conn:
        return _version(conn)


def _version(conn: Connection) -> int:
    if is_postgres(conn.engine):
        present = conn.execute(text("SELECT to_regclass('schema_version')")).scalar()
    else:
        present = conn.execute(text("SELECT name FROM sqlite_master "
                                    "WHERE type='table' AND name='schema_version'")).scalar()
    if not present:
        return 0
    return int(conn.execute(text("SELECT version FROM schema_version")).scalar() or 0)


def migrate(engine: Engine, *, upto: int | None = None,
            on_step: Callable[[int], None] | None = None) -> int:
    """Apply the migrations the database lacks, in order; each in one transaction.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    upto : int, optional
        Stop after this migration (tests of a migration); default: all.
    on_step : callable, optional
        Called with each migration's number once it is committed.

    Returns
    -------
    int
        The schema's version afterwards.

    Raises
    ------
    RuntimeError
        When the database's schema is newer than this version of tousrisques knows.

    Examples
    --------
    >>> engine = connect("sqlite://")
    >>> migrate(engine), migrate(engine)
    (1, 1)
    """
    target = len(MIGRATIONS) if upto is None else upto
    while True:
        with engine.connect().execution_options(write=True) as conn, conn.begin():
            if is_postgres(engine):
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            current = _version(conn)
            if current > len(MIGRATIONS):
                raise RuntimeError(f"the database's schema is version {current}, newer than "
                                   f"this tousrisques knows ({len(MIGRATIONS)}): upgrade it")
            if current >= target:
                return current
            if current == 0:
                conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
                conn.execute(text("INSERT INTO schema_version VALUES (0)"))
            for statement in MIGRATIONS[current]:
                conn.execute(text(statement))
            conn.execute(text("UPDATE schema_version SET version = :v"), {"v": current + 1})
        if on_step is not None:
            on_step(current + 1)
