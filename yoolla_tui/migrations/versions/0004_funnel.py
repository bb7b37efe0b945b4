"""The funnel (issue 13): checkpoint types and the checkpoints planned on deals (seed 000), a
deal's planned close date (Health), and the stage a lost deal had reached before it was lost
(`report lost`; filled for existing lost deals from their calls).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from yoolla_tui.core.kernel.types import UTCDateTime

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('checkpoint_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('user_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('checkpoint_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_type_stage_id'), ['stage_id'], unique=False)

    op.create_table('checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('done_at', UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['type_id'], ['checkpoint_type.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deal_id', 'type_id', name='uq_checkpoint_deal_type')
    )
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkpoint_type_id'), ['type_id'], unique=False)

    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('close_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lost_at_stage_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_deal_lost_at_stage_id_stage', 'stage', ['lost_at_stage_id'], ['id'])
    _backfill_lost_at_stage()


def _backfill_lost_at_stage() -> None:
    """A lost deal reached the stage its last call into the lost stage started from."""
    deal = sa.table('deal', sa.column('id', sa.Integer), sa.column('stage_id', sa.Integer),
                    sa.column('lost_at_stage_id', sa.Integer), sa.column('lost_reason_id', sa.Integer))
    call = sa.table('call', sa.column('id', sa.Integer), sa.column('deal_id', sa.Integer), sa.column('at', UTCDateTime()),
                    sa.column('stage_before_id', sa.Integer), sa.column('stage_after_id', sa.Integer))
    before = (sa.select(call.c.stage_before_id)
              .where(call.c.deal_id == deal.c.id, call.c.stage_after_id == deal.c.stage_id,
                     call.c.stage_before_id != deal.c.stage_id)
              .order_by(call.c.at.desc(), call.c.id.desc()).limit(1).scalar_subquery())
    op.get_bind().execute(deal.update().where(deal.c.lost_reason_id.is_not(None)).values(lost_at_stage_id=before))


def downgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_constraint('fk_deal_lost_at_stage_id_stage', type_='foreignkey')
        batch_op.drop_column('lost_at_stage_id')
        batch_op.drop_column('close_by')
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_type_id'))
        batch_op.drop_index(batch_op.f('ix_checkpoint_deal_id'))
    op.drop_table('checkpoint')
    with op.batch_alter_table('checkpoint_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_type_stage_id'))
    op.drop_table('checkpoint_type')
