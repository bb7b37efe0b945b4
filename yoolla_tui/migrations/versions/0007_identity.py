"""Who is acting (issue 22): each user's OS login (SQLite) and database role (PostgreSQL), the
real actor of an admin's act-as in the audit trail, and the audit hash chain (seq, hash, and the
one-row `audit_head`). Existing users get os_login = db_role = login; existing records are
chained in id order.

Revision ID: 0007
Revises: 0010
Create Date: 2026-12-02 03:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from yoolla_tui.core.kernel.types import JSONType, UTCDateTime

revision: str = '0007'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from yoolla_tui.core.kernel.audit import link_hash

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('os_login', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('db_role', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_user_os_login', ['os_login'])
        batch_op.create_unique_constraint('uq_user_db_role', ['db_role'])
    op.execute(sa.text('UPDATE "user" SET os_login = login, db_role = login'))
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('real_actor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key('fk_audit_record_real_actor_id_user', 'user', ['real_actor_id'], ['id'])
        batch_op.create_unique_constraint('uq_audit_record_seq', ['seq'])
    head = op.create_table('audit_head',
                           sa.Column('id', sa.Integer(), nullable=False),
                           sa.Column('seq', sa.Integer(), nullable=False),
                           sa.Column('hash', sa.String(length=64), nullable=False),
                           sa.PrimaryKeyConstraint('id'))
    records = sa.table('audit_record', sa.column('id', sa.Integer()), sa.column('at', UTCDateTime()),
                       sa.column('actor_id', sa.Integer()), sa.column('real_actor_id', sa.Integer()),
                       sa.column('action', sa.String()), sa.column('entity', sa.String()),
                       sa.column('entity_id', sa.Integer()), sa.column('data', JSONType),
                       sa.column('seq', sa.Integer()), sa.column('hash', sa.String()))
    conn = op.get_bind()
    prev, seq, links = "", 0, []
    for row in conn.execute(sa.select(records).order_by(records.c.id)).mappings():
        seq += 1
        prev = link_hash(seq=seq, record_id=row["id"], at=row["at"], actor_id=row["actor_id"], real_actor_id=None,
                         action=row["action"], entity=row["entity"], entity_id=row["entity_id"], data=row["data"], prev=prev)
        links.append({"rid": row["id"], "s": seq, "h": prev})
    if links:
        conn.execute(records.update().where(records.c.id == sa.bindparam("rid"))
                     .values(seq=sa.bindparam("s"), hash=sa.bindparam("h")), links)
    op.bulk_insert(head, [{"id": 1, "seq": seq, "hash": prev}])


def downgrade() -> None:
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_record_seq', type_='unique')
        batch_op.drop_constraint('fk_audit_record_real_actor_id_user', type_='foreignkey')
        batch_op.drop_column('hash')
        batch_op.drop_column('seq')
        batch_op.drop_column('real_actor_id')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('uq_user_db_role', type_='unique')
        batch_op.drop_constraint('uq_user_os_login', type_='unique')
        batch_op.drop_column('db_role')
        batch_op.drop_column('os_login')
