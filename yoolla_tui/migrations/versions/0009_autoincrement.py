"""SQLite never reuses an id of a call, payment or audit record: the tables get AUTOINCREMENT.

Without it SQLite hands out max(id) + 1, so after `call undo 329` deletes the newest call the
next call logged is 329 again, and an old note, audit line or script that says "call 329" now
points at another call. PostgreSQL sequences never go back; nothing changes there.
The tables are rebuilt (batch mode copies every row with its id), indexes and keys included.

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-02 04:00:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0009'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("call", "payment", "audit_record")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
