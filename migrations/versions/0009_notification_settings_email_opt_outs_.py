"""notification settings, email opt-outs, API tokens

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 17:28:18.553094

"""
import rls
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('email_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_opt_outs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_opt_outs')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_email_opt_outs_user_id_kind'))
    )
    with op.batch_alter_table('email_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_opt_outs_user_id'), ['user_id'], unique=False)

    op.create_table('notification_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('on_due_date', sa.Boolean(), nullable=False),
    sa.Column('overdue_every_days', sa.Integer(), nullable=False),
    sa.Column('quiet_weekdays', sa.JSON(), nullable=False),
    sa.Column('digest_frequency', sa.String(length=16), nullable=False),
    sa.Column('digest_weekday', sa.Integer(), nullable=False),
    sa.Column('send_hour', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('days_before BETWEEN 0 AND 30', name=op.f('ck_notification_settings_days_before_range')),
    sa.CheckConstraint('digest_weekday BETWEEN 0 AND 6', name=op.f('ck_notification_settings_digest_weekday_range')),
    sa.CheckConstraint('overdue_every_days BETWEEN 0 AND 30', name=op.f('ck_notification_settings_overdue_every_range')),
    sa.CheckConstraint('send_hour BETWEEN 0 AND 23', name=op.f('ck_notification_settings_send_hour_range')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_notification_settings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_settings')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_notification_settings_tenant_id'))
    )
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_settings_tenant_id'), ['tenant_id'], unique=False)
    rls.enable_tenant_rls('notification_settings')


def downgrade():
    rls.disable_tenant_rls('notification_settings')
    with op.batch_alter_table('notification_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_settings_tenant_id'))

    op.drop_table('notification_settings')
    with op.batch_alter_table('email_opt_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_opt_outs_user_id'))

    op.drop_table('email_opt_outs')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
