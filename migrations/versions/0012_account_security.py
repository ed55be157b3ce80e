"""account security: revocable email links, an append-only audit trail for the app's role

Revision ID: account_security
Revises: outbox_message_ids
Create Date: 2026-11-26 15:00:00

"""
import rls
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'account_security'
down_revision = 'outbox_message_ids'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_links_version', sa.Integer(), server_default='0', nullable=False))
    rls.append_only('audit_events')


def downgrade():
    rls.undo_append_only('audit_events')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_links_version')
