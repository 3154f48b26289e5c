"""Archiving: the reason, who archived, and open archive requests (approval categories).

Revision ID: 7d3a9c5e1b20
Revises: 3b7e2c9d41a5
"""
import sqlalchemy as sa
from alembic import op

revision = '7d3a9c5e1b20'
down_revision = '3b7e2c9d41a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_reason', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('archived_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('archive_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('archive_requested_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_article_archived_by_id_user'), 'user',
                                    ['archived_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_article_archive_requested_by_id_user'),
                                    'user', ['archive_requested_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_article_archive_requested_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_article_archived_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('archive_requested_by_id')
        batch_op.drop_column('archive_requested_at')
        batch_op.drop_column('archived_by_id')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('archive_reason')
