"""Documents (issue 27): the proposals, invoices, contracts and specifications made for deals
(`document`: kind, number in its year, the kept file, who made it, to whom and when it was
mailed), the per-year counters that number them without gaps (`document_counter`), and a stage's
document gate (`stage.requires_document`, `stage.requires_sent`).

An existing database keeps its stages as they were: no stage requires a document until an admin
says so (`yoolla stage set proposal_sent --requires-document proposal`); a new database gets the
shipped default (proposal_sent requires a proposal).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from yoolla_tui.core.kernel.types import UTCDateTime

revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('made_by_id', sa.Integer(), nullable=False),
    sa.Column('made_at', UTCDateTime(), nullable=False),
    sa.Column('sent_to', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['made_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'year', 'number', name='uq_document_kind_year_number')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_deal_id'), ['deal_id'], unique=False)

    op.create_table('document_counter',
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year')
    )

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_document', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('requires_sent', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('requires_sent')
        batch_op.drop_column('requires_document')
    op.drop_table('document_counter')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_deal_id'))
    op.drop_table('document')
