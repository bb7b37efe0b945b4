"""The traffic light: each deal keeps when its stage's time budget runs out (`stage_due_at`),
so red/yellow/green is a comparison of stored columns that filters in SQL (issue: the funnel).
Existing open deals get it from their stage's budget, counted from when they entered it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from yoolla_tui.core.kernel.types import UTCDateTime

revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_due_at', UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_deal_stage_due_at'), ['stage_due_at'], unique=False)
    _backfill()


def _backfill() -> None:
    """Open deals in a stage with a time budget: the deadline from their stage entry."""
    from sqlmodel import Session

    from yoolla_tui.core.people.calendar import WorkCalendar

    bind = op.get_bind()
    session = Session(bind=bind)
    calendar = WorkCalendar(session)
    deal = sa.table('deal', sa.column('id', sa.Integer), sa.column('stage_id', sa.Integer),
                    sa.column('stage_entered_at', UTCDateTime()), sa.column('closed_at', UTCDateTime()),
                    sa.column('stage_due_at', UTCDateTime()))
    stage = sa.table('stage', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                     sa.column('time_budget_days', sa.Integer))
    rows = bind.execute(sa.select(deal.c.id, deal.c.stage_entered_at, stage.c.time_budget_days)
                        .join(stage, stage.c.id == deal.c.stage_id)
                        .where(deal.c.closed_at.is_(None), stage.c.kind == 'open',
                               stage.c.time_budget_days.is_not(None))).all()
    for deal_id, entered, budget in rows:
        bind.execute(deal.update().where(deal.c.id == deal_id)
                     .values(stage_due_at=calendar.stage_deadline(entered, budget)))


def downgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_stage_due_at'))
        batch_op.drop_column('stage_due_at')
