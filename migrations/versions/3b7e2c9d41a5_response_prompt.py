"""response prompt snapshot

Revision ID: 3b7e2c9d41a5
Revises: 1850475f6789
Create Date: 2026-11-25 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e2c9d41a5'
down_revision = '1850475f6789'
branch_labels = None
depends_on = None


def upgrade():
    # Rows from before stay NULL: they show the question's current prompt, as they did.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prompt', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('prompt')
