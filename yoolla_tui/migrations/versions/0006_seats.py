"""Many operators on one database: a deal in a campaign's shared pool (unassigned) can be
reserved by the operator `yoolla next` handed it to, until a time; the reservation ends with the
logged call or when that time passes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from yoolla_tui.core.kernel.types import UTCDateTime

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reserved_until', UTCDateTime(), nullable=True))
        batch_op.create_foreign_key('fk_deal_reserved_by_id_user', 'user', ['reserved_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_constraint('fk_deal_reserved_by_id_user', type_='foreignkey')
        batch_op.drop_column('reserved_until')
        batch_op.drop_column('reserved_by_id')
