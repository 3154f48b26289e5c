"""search: lexicon overrides and decisions on mined synonym suggestions

Revision ID: c4d81e6f2a90
Revises: 61412d659986
Create Date: 2026-12-02 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d81e6f2a90'
down_revision = '61412d659986'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lexicon_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('extra_text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_lexicon_override_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lexicon_override')),
    sa.UniqueConstraint('key', name=op.f('uq_lexicon_override_key'))
    )
    op.create_table('suggestion_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_suggestion_decision_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_decision')),
    sa.UniqueConstraint('source', 'target', name=op.f('uq_suggestion_decision_source'))
    )


def downgrade():
    op.drop_table('suggestion_decision')
    op.drop_table('lexicon_override')
