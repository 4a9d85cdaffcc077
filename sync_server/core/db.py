"""Database engines and transactions for SQLite (embedded default) and PostgreSQL.

Writes run in `write_session`: on SQLite a `BEGIN IMMEDIATE` transaction, so writers queue
up front instead of failing half-way, and within one process they first queue on a lock per
database file (see `_sqlite_writer`); on PostgreSQL an ordinary transaction whose row locks
(device, the rows a push changes) serialize what must be serialized. Reads that must see
one consistent snapshot (a pull page) run in `read_session` (REPEATABLE READ on PostgreSQL).

PostgreSQL connections are pooled per worker (MINGCHA_DB_POOL_SIZE, _MAX_OVERFLOW). One the
server has closed (a restart, `pg_terminate_backend`, an idle timeout) is noticed when it
is checked out without a round trip (`_drop_closed_on_checkout`) instead of SQLAlchemy's
pre-ping, which cost one per checkout (two per push); `run_write` runs a transaction whose
connection is lost before its COMMIT again, and answers server.unavailable when the loss
hits the COMMIT itself (whether it landed is unknown; a push resent is answered from its
stored results).
"""

from __future__ import annotations

import random
import select
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core import jsontext
from sync_server.core.config import Settings

T = TypeVar("T")
# PostgreSQL deadlock / serialization failure, SQLite busy beyond its timeout: the
# transaction did nothing and may simply run again.
TRANSIENT_PGCODES = {"40P01", "40001"}
_WRITER_LOCKS: dict[str, threading.RLock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def make_engine(settings: Settings) -> sa.Engine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=jsontext.dumps,
        )
        _sqlite_pragmas(engine)
        return engine
    engine = sa.create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        json_serializer=jsontext.dumps,
    )
    _drop_closed_on_checkout(engine)
    _unprepared_when_asked(engine)
    return engine


# A statement's execution options that make psycopg send it unprepared: planned anew each
# time with its parameters' values and the tables' current size.
UNPREPARED = {"mingcha_unprepared": True}


def _unprepared_when_asked(engine: sa.Engine) -> None:
    """psycopg prepares a statement run 5 times, and PostgreSQL may then keep one generic
    plan for it for the life of the connection — chosen for the tables as they were then.
    A statement whose best plan changes as its table grows asks to be planned each time."""

    @event.listens_for(engine, "do_execute")
    def on_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        if not context.execution_options.get("mingcha_unprepared"):
            return False
        cursor.execute(statement, parameters, prepare=False)
        return True


def _drop_closed_on_checkout(engine: sa.Engine) -> None:
    """Replace a pooled connection the server has closed before it is handed out.

    A connection resting in the pool has nothing to read: when its socket is readable, the
    server has sent something unasked — in practice its last words (`FATAL: terminating
    connection`) and the end of the stream. SQLAlchemy then discards it and checks out
    another (the pool retries a checkout that raises DisconnectionError). A poll with no
    timeout, no round trip. A server that vanished without closing the stream is not seen
    here: the first statement fails, and `run_write` starts over on a new connection."""

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_conn.closed:  # known closed already: it has no socket to poll
            raise sa.exc.DisconnectionError("this pooled connection is closed")
        poller = select.poll()
        poller.register(dbapi_conn.fileno(), select.POLLIN)
        if poller.poll(0):
            raise sa.exc.DisconnectionError("the server closed this pooled connection")


def _sqlite_pragmas(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # an acknowledged push survives power loss
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: sa.Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_session(engine: sa.Engine) -> Iterator[Session]:
    """One write transaction: committed on success, rolled back on any exception."""
    if not is_sqlite(engine):
        with _session(engine) as session:
            yield session
        return
    with _sqlite_writer(engine), _session(engine.execution_options(write=True)) as session:
        yield session


@contextmanager
def _session(bind: sa.Engine) -> Iterator[Session]:
    # autoflush: queries inside a push (effects, completeness checks) must see its new rows
    with Session(bind, expire_on_commit=False, autoflush=True) as session, session.begin():
        yield session


@contextmanager
def _sqlite_writer(engine: sa.Engine) -> Iterator[None]:
    """Hold this process's turn to write to the engine's SQLite file.

    SQLite admits one writer at a time. Without this, every waiting request thread holds a
    pooled connection and polls the file lock with SQLite's growing sleeps (up to 100 ms),
    so the file can sit unlocked between writers while the waiters sleep, and a burst
    (B3: 200 phones at once) ties up the pool. Threads now wait here, connection-less, and
    the next one starts as soon as the last commits; `BEGIN IMMEDIATE` still orders
    writers of other processes.
    Re-entrant, so a nested write in one thread behaves as before (it waits on the file).
    """
    with writer_lock(engine):
        yield


def writer_key(engine: sa.Engine) -> str:
    """What names the SQLite database an engine writes: a file is shared by every engine
    on it; an in-memory database is its engine's own."""
    path = engine.url.database
    return path if path and path != ":memory:" else f"pool-{id(engine.pool)}"


def writer_lock(engine: sa.Engine) -> threading.RLock:
    """This process's turn to write to the engine's SQLite file (`_sqlite_writer`)."""
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(writer_key(engine), threading.RLock())


@contextmanager
def read_session(engine: sa.Engine) -> Iterator[Session]:
    """A read transaction over one consistent snapshot."""
    bind = (
        engine if is_sqlite(engine) else engine.execution_options(isolation_level="REPEATABLE READ")
    )
    with Session(bind, expire_on_commit=False, autoflush=False) as session, session.begin():
        yield session


@contextmanager
def lookup_session(engine: sa.Engine) -> Iterator[Session]:
    """Reads that need no snapshot of their own, each seeing what is committed when it
    runs (who a token belongs to, and their scope: org/scope.ScopeCache says why that is
    safe). On PostgreSQL no transaction: two round trips fewer than BEGIN … COMMIT, paid
    by every request. On SQLite, a `read_session` (the same process: no round trips)."""
    if is_sqlite(engine):
        with read_session(engine) as session:
            yield session
        return
    bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    with Session(bind, expire_on_commit=False, autoflush=False) as session:
        yield session


@contextmanager
def pipeline(session: Session) -> Iterator[None]:
    """On PostgreSQL, send the statements run inside as one batch (psycopg 3's pipeline
    mode): one round trip instead of one per statement. They must not need each other's
    results (an INSERT whose result is not read). Elsewhere (SQLite, another PostgreSQL
    driver) nothing changes.

    A statement the database refuses raises when the batch ends, wrapped as SQLAlchemy
    wraps an error it raises itself (DataError, IntegrityError …), so callers that sort
    failures (poison values, transient deadlocks) see the same exceptions either way."""
    conn = session.connection()
    if conn.dialect.driver != "psycopg":
        yield
        return
    import psycopg

    raw = conn.connection.driver_connection
    assert raw is not None  # a checked-out connection
    try:
        with raw.pipeline():
            yield
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(
            "(pipelined statements)", None, exc, psycopg.Error, dialect=conn.dialect
        ) from exc


def is_transient(exc: sa.exc.DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in TRANSIENT_PGCODES or "database is locked" in str(exc.orig)


def run_write(engine: sa.Engine, work: Callable[[Session], T], attempts: int = 3) -> T:
    """Run `work` in a write transaction, again after a deadlock or lock timeout, or when
    the connection was lost before the COMMIT was sent (the server then rolled it back).

    Raises:
        DomainError(server.unavailable): still failing after `attempts`, or the connection
            was lost during the COMMIT (clients retry; a push resent is idempotent).
    """
    for attempt in range(attempts):
        committing = False
        try:
            with write_session(engine) as session:
                result = work(session)
                session.flush()  # every statement but the COMMIT, while a retry is safe
                committing = True
            return result
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated and committing:
                raise DomainError(
                    ProblemCode.SERVER_UNAVAILABLE,
                    "database connection lost while committing",
                    retry_after=1,
                ) from exc
            if not (is_transient(exc) or exc.connection_invalidated):
                raise
            if not exc.connection_invalidated:  # a fresh connection needs no wait
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise DomainError(ProblemCode.SERVER_UNAVAILABLE, "database busy", retry_after=1)
