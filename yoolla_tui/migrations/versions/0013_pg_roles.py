"""PostgreSQL enforces the roles (issue 22): a group role per Yoolla role (`<database>_manager`, …),
grants on tables and sequences, row-level security mirroring the core's permissions, and a
trigger that keeps the audit trail append-only (core/kernel/pg_security.py holds the SQL).
SQLite: nothing (there is no one to grant anything to; see README).

Running it needs a role with CREATEROLE (the group roles are made here).

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-02 07:00:00
"""
from typing import Sequence, Union

from alembic import op

from yoolla_tui.core.kernel import pg_security

revision: str = '0013'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pg_security.apply(op.get_bind())


def downgrade() -> None:
    pg_security.remove(op.get_bind())
