"""PostgreSQL: seqs from a sequence, with the seqs still in flight announced, instead of
the one `sync_counter` row whose lock every writer held until its commit (issue 15 §3)

Revision ID: 0011_pg_change_seq
Revises: 0010_cold_change_log_device

PostgreSQL only (SQLite keeps the counter: it has one writer anyway). Adds
- `change_seq`, starting after the counter's value, owned by `change_log.seq`;
- `take_change_seqs(n)`: n numbers from it, and the lowest announced as in flight (an
  advisory lock held by the transaction until it ends) in the same step;
- `change_seq_bound()`: the highest seq a pull may read up to — below the lowest seq still
  in flight, so a pull cursor never passes a change that is yet to commit.
Why the two steps cannot be told apart by a reader: sync_server/core/seqs.py.
"""

from __future__ import annotations

from alembic import op

revision = "0011_pg_change_seq"
down_revision = "0010_cold_change_log_device"
branch_labels = None
depends_on = None

# Advisory lock keys (per database; the sequence's oid tells one schema's from another's):
# - (oid)        as one bigint, objsubid 1: the allocation step. Writers take it shared
#   while they draw numbers and announce them; a reader takes it alone to see no step
#   half done. Held for microseconds, at session level, released by the function itself.
# - (oid, low 32 bits of a writer's lowest seq), objsubid 2: that seq is in flight.
#   Transaction-level and shared: released at commit or rollback (also of a savepoint).
TAKE = """
CREATE FUNCTION take_change_seqs(n integer) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
  tag oid := 'change_seq'::regclass;
  seqs bigint[];
  lo bigint;
BEGIN
  PERFORM pg_advisory_lock_shared(tag::bigint);
  BEGIN
    SELECT array_agg(nextval('change_seq')) INTO seqs FROM generate_series(1, n);
    lo := (SELECT min(s) FROM unnest(seqs) s) & 4294967295;
    PERFORM pg_advisory_xact_lock_shared(
      tag::integer, (lo - CASE WHEN lo >= 2147483648 THEN 4294967296 ELSE 0 END)::integer);
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM pg_advisory_unlock_shared(tag::bigint);
    RAISE;
  END;
  PERFORM pg_advisory_unlock_shared(tag::bigint);
  RETURN seqs;
END $$
"""

BOUND = """
CREATE FUNCTION change_seq_bound() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  tag oid := 'change_seq'::regclass;
  hi bigint;
  low bigint;
BEGIN
  PERFORM pg_advisory_lock(tag::bigint);
  BEGIN
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO hi
      FROM change_seq;
    SELECT min(hi - mod(mod(hi - l.objid::bigint, 4294967296) + 4294967296, 4294967296))
      INTO low
      FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid = tag
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM pg_advisory_unlock(tag::bigint);
    RAISE;
  END;
  PERFORM pg_advisory_unlock(tag::bigint);
  RETURN least(hi, low - 1);
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    start = (
        op.get_bind()
        .exec_driver_sql("SELECT coalesce(max(value), 0) + 1 FROM sync_counter")
        .scalar_one()
    )
    op.execute(f"CREATE SEQUENCE change_seq START WITH {int(start)} OWNED BY change_log.seq")
    op.execute(TAKE)
    op.execute(BOUND)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION change_seq_bound()")
    op.execute("DROP FUNCTION take_change_seqs(integer)")
    op.execute(
        "UPDATE sync_counter SET value = greatest(value, (SELECT last_value FROM change_seq))"
    )
    op.execute("DROP SEQUENCE change_seq")
