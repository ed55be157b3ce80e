"""outbox message ids: one stable Message-ID per outbox row, so a retried send is the same message

Revision ID: outbox_message_ids
Revises: process_heartbeats
Create Date: 2026-11-26 11:00:00.000000

"""

from email.utils import parseaddr

import sqlalchemy as sa
from alembic import op
from flask import current_app


# revision identifiers, used by Alembic.
revision = "outbox_message_ids"
down_revision = "process_heartbeats"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    op.get_bind().execute(
        sa.text("UPDATE outbox_messages SET message_id = '<outbox.' || id || '@' || :domain || '>'"),
        {"domain": domain},
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("message_id", existing_type=sa.String(length=255), nullable=False)


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("message_id")
