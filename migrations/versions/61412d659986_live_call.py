"""live call: answer cards, re-read banner, agents' gap reports

Revisions get their answer card (front matter) and the answers found in their HTML
(answers_json, NULL = not computed yet: read from the HTML on demand), when they were
published and whether agents must re-read them; a view remembers the revision shown; agents'
"Tell the trainers" reports get their table.

Revision ID: 61412d659986
Revises: 9ec9c2dcd3b0
Create Date: 2026-12-02 16:49:21.202729

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '61412d659986'
down_revision = '9ec9c2dcd3b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gap_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('raw_query', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(), nullable=True),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['user.id'], name=op.f('fk_gap_report_dismissed_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_gap_report_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_report'))
    )
    with op.batch_alter_table('gap_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gap_report_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_report_dismissed_at'), ['dismissed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_report_query'), ['query'], unique=False)

    with op.batch_alter_table('article_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_article_view_revision_id_revision'), 'revision', ['revision_id'], ['id'])

    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('answers_json', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('requires_reread', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Revisions without an answer block need no HTML parsing later: store "no answers".
    op.execute("UPDATE revision SET answers_json = '{}' "
               "WHERE html IS NULL OR html NOT LIKE '%admonition answer%'")



def downgrade():
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_column('requires_reread')
        batch_op.drop_column('published_at')
        batch_op.drop_column('answers_json')
        batch_op.drop_column('answer')

    with op.batch_alter_table('article_view', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_article_view_revision_id_revision'), type_='foreignkey')
        batch_op.drop_column('revision_id')

    with op.batch_alter_table('gap_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gap_report_query'))
        batch_op.drop_index(batch_op.f('ix_gap_report_dismissed_at'))
        batch_op.drop_index(batch_op.f('ix_gap_report_created_at'))

    op.drop_table('gap_report')
