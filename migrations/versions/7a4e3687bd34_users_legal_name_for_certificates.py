"""users.legal_name for certificates

The name certificates print: fixed at the first enrolment, then changed by admins only.
Left empty for existing users: it is filled at their next enrolment or certificate.

Revision ID: 7a4e3687bd34
Revises: 124ca6508c97
Create Date: 2026-12-07 16:26:05.874614

"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types used below)


# revision identifiers, used by Alembic.
revision = '7a4e3687bd34'
down_revision = '124ca6508c97'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('legal_name')
