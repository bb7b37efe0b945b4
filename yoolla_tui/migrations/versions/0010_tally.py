"""Kept aggregates for the reports (issue 26): `tally` (per UTC hour, person, campaign and metric:
calls by outcome, won, lost, invoices, payments) and `reach` (deals reached per hour, caller and
campaign), counted here from the existing calls, deals and payments; from now on every write keeps
them (core/kernel/tally.py). Also the shared pool's index for `yoolla next`.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02 04:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from yoolla_tui.core.kernel.types import UTCDateTime

revision: str = '0010'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'tally',
        sa.Column('hour', UTCDateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('metric', sa.String(length=24), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('cents', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('hour', 'user_id', 'campaign_id', 'metric'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'reach',
        sa.Column('hour', UTCDateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('deal_id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('hour', 'user_id', 'campaign_id', 'deal_id'),
        sqlite_with_rowid=False,
    )
    pool = "manager_id IS NULL AND callback_user_id IS NULL AND closed_at IS NULL"
    for name, columns, where in (
            ("ix_deal_pool", ["next_call_at", "id"], pool),
            ("ix_deal_reserved_by", ["reserved_by_id"], "reserved_by_id IS NOT NULL"),
            ("ix_deal_callback_user", ["callback_user_id"], "callback_user_id IS NOT NULL")):
        op.create_index(name, 'deal', columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    op.create_index("ix_deal_status_queue", 'deal', ["status", "manager_id", "closed_at", "next_call_at"])
    from yoolla_tui.core.kernel import tally

    tally.rebuild(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":  # planner statistics for the new tables now, not at autovacuum's leisure
        op.execute("ANALYZE tally")
        op.execute("ANALYZE reach")


def downgrade() -> None:
    for name in ("ix_deal_status_queue", "ix_deal_callback_user", "ix_deal_reserved_by", "ix_deal_pool"):
        op.drop_index(name, table_name='deal')
    op.drop_table('reach')
    op.drop_table('tally')
