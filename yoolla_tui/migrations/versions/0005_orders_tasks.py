"""Orders and tasks (seed 001): orders on deals, tasks for executors with dependencies and
watchers, comments, timer entries, the inbox, and each user's work schedule and leaves
(issue: orders and tasks, executors' queues, ready dates that explain themselves).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:15:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from yoolla_tui.core.kernel.types import UTCDateTime

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_deal_id'), ['deal_id'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('subtype', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('estimate_minutes', sa.Integer(), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('done_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_type'), ['type'], unique=False)

    op.create_table('task_dependency',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['blocker_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('task_id', 'blocker_id')
    )
    with op.batch_alter_table('task_dependency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_dependency_blocker_id'), ['blocker_id'], unique=False)

    op.create_table('task_watcher',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('task_id', 'user_id')
    )
    with op.batch_alter_table('task_watcher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_watcher_user_id'), ['user_id'], unique=False)

    op.create_table('task_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_comment_task_id'), ['task_id'], unique=False)

    op.create_table('time_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('stopped_at', UTCDateTime(), nullable=True),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.create_index('ix_time_entry_user_stopped', ['user_id', 'stopped_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_entry_task_id'), ['task_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('read_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('work_day',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
    sa.Column('end', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'weekday')
    )

    op.create_table('leave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('leave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leave_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('leave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leave_user_id'))
    op.drop_table('leave')
    op.drop_table('work_day')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')
    op.drop_table('notification')
    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_entry_task_id'))
        batch_op.drop_index('ix_time_entry_user_stopped')
    op.drop_table('time_entry')
    with op.batch_alter_table('task_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_comment_task_id'))
    op.drop_table('task_comment')
    with op.batch_alter_table('task_watcher', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_watcher_user_id'))
    op.drop_table('task_watcher')
    with op.batch_alter_table('task_dependency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_dependency_blocker_id'))
    op.drop_table('task_dependency')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_type'))
        batch_op.drop_index(batch_op.f('ix_task_order_id'))
        batch_op.drop_index('ix_task_assignee_status')
    op.drop_table('task')
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_deal_id'))
    op.drop_table('order')
