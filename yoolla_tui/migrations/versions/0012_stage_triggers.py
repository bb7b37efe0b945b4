"""Stage triggers an admin switches on and off (start a process, plan a checkpoint, create a
task, make a document, notify), and the processes started on deals (approval, complaint
review, assignment) with their gate and outcome (issue 27).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from yoolla_tui.core.kernel.types import UTCDateTime

revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('stage_trigger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stage_trigger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_trigger_stage_id'), ['stage_id'], unique=False)

    op.create_table('deal_process',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('trigger_id', sa.Integer(), nullable=True),
    sa.Column('gate', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.Boolean(), nullable=False),
    sa.Column('decision_task_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('estimate_minutes', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.ForeignKeyConstraint(['trigger_id'], ['stage_trigger.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['decision_task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deal_process', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_process_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_process_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_process_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('deal_process')
    op.drop_table('stage_trigger')
