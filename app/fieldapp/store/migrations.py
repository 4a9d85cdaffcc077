"""Ordered, named schema migrations for the phone's database (sqlite-utils' design).

Each migration runs once, in its own transaction, and is recorded in `_migrations`. Never
edit or delete a released migration: phones upgrade with live, unsynced data; add a new
one instead (a test builds every earlier schema and checks data survives).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from fieldapp.store.schema_0001 import SCHEMA_0001

Migration = tuple[str, Callable[[sa.Connection], None]]


def run_script(sql: str) -> Callable[[sa.Connection], None]:
    """A migration step from frozen SQL (statements split on `;` at line ends)."""

    def step(conn: sa.Connection) -> None:
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.exec_driver_sql(statement)

    return step


# Marked-up evidence (issue 16): a photo row may be a derived copy naming its original.
# Every photo already on a phone is an original, which the default says.
PHOTO_ANNOTATIONS_0003 = """
ALTER TABLE photo ADD COLUMN kind VARCHAR DEFAULT 'evidence' NOT NULL;
ALTER TABLE photo ADD COLUMN annotates_id CHAR(32);
ALTER TABLE photo ADD COLUMN annotates_sha256 VARCHAR;
ALTER TABLE photo ADD COLUMN marks VARCHAR;
CREATE INDEX ix_photo_annotates_id ON photo (annotates_id);
"""

MIGRATIONS: list[Migration] = [
    ("0001_initial", run_script(SCHEMA_0001)),
    (  # where a photo came from and when it was really taken (issue 16 §4)
        "0002_photo_source",
        run_script(
            "ALTER TABLE photo ADD COLUMN source VARCHAR;\n"
            "ALTER TABLE photo ADD COLUMN exif_taken_at DATETIME"
        ),
    ),
    ("0003_photo_annotations", run_script(PHOTO_ANNOTATIONS_0003)),
]


def migrate(engine: sa.Engine, migrations: list[Migration] | None = None) -> list[str]:
    """Apply the migrations not yet applied; returns their names."""
    applied: list[str] = []
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT "
            "NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        done = {row[0] for row in conn.exec_driver_sql("SELECT name FROM _migrations")}
    for name, step in migrations if migrations is not None else MIGRATIONS:
        if name in done:
            continue
        with engine.begin() as conn:
            step(conn)
            conn.exec_driver_sql("INSERT INTO _migrations (name) VALUES (?)", (name,))
        applied.append(name)
    return applied
