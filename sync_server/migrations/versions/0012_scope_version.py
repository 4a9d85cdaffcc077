"""server_meta.scope_version: a number the database itself bumps whenever a site, a region
or an assignment changes, so a worker may keep each user's computed scope between requests
(issue 15 §2, org/scope.py ScopeCache) and still see every change on the very next request

Revision ID: 0012_scope_version
Revises: 0011_pg_change_seq

Triggers, not application code, bump it: every writer (console, CLI, imports, a hand-run
UPDATE) is covered. What a scope is made of, and so what bumps the number:
- `user_scope`: any insert, update or delete (a user's assigned regions and sites);
- `region`: insert, delete, a new `parent_id` (departments nest under regions);
- `site`: insert, delete, a new `region_id`.
The user's own row (role, scope_version) is read fresh by every request anyway.
SQLite drops a table's triggers when a later migration rebuilds it (batch_alter_table):
such a migration must create them again (tests/server/test_scope_cache.py would fail).
"""

from __future__ import annotations

from alembic import op

revision = "0012_scope_version"
down_revision = "0011_pg_change_seq"
branch_labels = None
depends_on = None

KEY = "scope_version"
# (table, the events that change a scope)
WATCHED = [
    ("user_scope", ["INSERT", "DELETE", "UPDATE"]),
    ("region", ["INSERT", "DELETE", "UPDATE OF parent_id"]),
    ("site", ["INSERT", "DELETE", "UPDATE OF region_id"]),
]
BUMP = (
    f"UPDATE server_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = '{KEY}'"
)


def _name(table: str, event: str) -> str:
    return f"scope_bump_{table}_{event.split()[0].lower()}"


def upgrade() -> None:
    # dbinit.upgrade seeds the row after any upgrade, also one that stopped short of this
    # revision: a later upgrade finds it there
    op.execute(
        f"INSERT INTO server_meta (key, value) SELECT '{KEY}', '1'"
        f" WHERE NOT EXISTS (SELECT 1 FROM server_meta WHERE key = '{KEY}')"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_scope_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table, events in WATCHED:
            op.execute(
                f"CREATE TRIGGER scope_bump_{table} AFTER {' OR '.join(events)} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_scope_version()"
            )
        return
    for table, events in WATCHED:  # SQLite: one trigger per event, row by row
        for event in events:
            op.execute(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _ in WATCHED:
            op.execute(f"DROP TRIGGER scope_bump_{table} ON {table}")
        op.execute("DROP FUNCTION bump_scope_version()")
    else:
        for table, events in WATCHED:
            for event in events:
                op.execute(f"DROP TRIGGER {_name(table, event)}")
    op.execute(f"DELETE FROM server_meta WHERE key = '{KEY}'")
