"""roadmaps, service lines, action items, assessments

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 16:50:31.288575

"""
import rls
import sqlalchemy as sa
from alembic import op

TENANT_TABLES = (
    "service_lines",
    "roadmaps",
    "tenant_counters",
    "phases",
    "roadmap_service_lines",
    "roadmap_snapshots",
    "goal_judgements",
    "roadmap_areas",
    "action_items",
    "practice_assessments",
    "practice_raises",
    "assessment_changes",
    "evidence",
    "item_comments",
)


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roadmaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_kind', sa.String(length=32), nullable=False),
    sa.Column('target_maturity_level', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_roadmaps_dates_in_order')),
    sa.CheckConstraint('target_maturity_level IS NULL OR target_maturity_level BETWEEN 2 AND 5', name=op.f('ck_roadmaps_target_ml')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_roadmaps_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['model_id'], ['catalog_models.id'], name=op.f('fk_roadmaps_model_id_catalog_models')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_roadmaps_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmaps')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_roadmaps_tenant_id_name'))
    )
    with op.batch_alter_table('roadmaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmaps_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmaps_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmaps_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('service_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_service_lines_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_service_lines_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_lines')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_service_lines_tenant_id_name'))
    )
    with op.batch_alter_table('service_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_lines_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('tenant_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_counters_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_counters')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_tenant_counters_tenant_id_name'))
    )
    with op.batch_alter_table('tenant_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenant_counters_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_phases_dates_in_order')),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_phases_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_phases_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phases'))
    )
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phases_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phases_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('roadmap_service_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('service_line_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_roadmap_service_lines_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_line_id'], ['service_lines.id'], name=op.f('fk_roadmap_service_lines_service_line_id_service_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_roadmap_service_lines_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmap_service_lines')),
    sa.UniqueConstraint('roadmap_id', 'service_line_id', name=op.f('uq_roadmap_service_lines_roadmap_id_service_line_id'))
    )
    with op.batch_alter_table('roadmap_service_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_service_lines_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_service_lines_service_line_id'), ['service_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_service_lines_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('roadmap_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_roadmap_snapshots_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_roadmap_snapshots_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmap_snapshots')),
    sa.UniqueConstraint('roadmap_id', 'taken_on', name=op.f('uq_roadmap_snapshots_roadmap_id_taken_on'))
    )
    with op.batch_alter_table('roadmap_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_snapshots_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_snapshots_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('goal_judgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_goal_judgements_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['area_id'], ['process_areas.id'], name=op.f('fk_goal_judgements_area_id_process_areas')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_judgements_goal_id_goals')),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_goal_judgements_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_goal_judgements_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_judgements')),
    sa.UniqueConstraint('roadmap_id', 'area_id', 'goal_id', name=op.f('uq_goal_judgements_roadmap_id_area_id_goal_id'))
    )
    with op.batch_alter_table('goal_judgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_judgements_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_judgements_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('roadmap_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('target_capability_level', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('priority BETWEEN 1 AND 3', name=op.f('ck_roadmap_areas_priority_range')),
    sa.CheckConstraint('target_capability_level BETWEEN 1 AND 3', name=op.f('ck_roadmap_areas_target_cl')),
    sa.ForeignKeyConstraint(['area_id'], ['process_areas.id'], name=op.f('fk_roadmap_areas_area_id_process_areas')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_roadmap_areas_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['phase_id'], ['phases.id'], name=op.f('fk_roadmap_areas_phase_id_phases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_roadmap_areas_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_roadmap_areas_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadmap_areas')),
    sa.UniqueConstraint('roadmap_id', 'area_id', name=op.f('uq_roadmap_areas_roadmap_id_area_id'))
    )
    with op.batch_alter_table('roadmap_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_areas_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_areas_phase_id'), ['phase_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_areas_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roadmap_areas_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('roadmap_area_id', sa.Integer(), nullable=True),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_action_items_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_action_items_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_action_items_practice_id_practices')),
    sa.ForeignKeyConstraint(['roadmap_area_id'], ['roadmap_areas.id'], name=op.f('fk_action_items_roadmap_area_id_roadmap_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_action_items_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_action_items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items')),
    sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_action_items_tenant_id_number'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_items_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_roadmap_area_id'), ['roadmap_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('practice_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('service_line_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('characterisation', sa.String(length=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("characterisation IS NULL OR characterisation IN ('FI', 'LI', 'PI', 'NI', 'NY')", name=op.f('ck_practice_assessments_characterisation_valid')),
    sa.ForeignKeyConstraint(['area_id'], ['process_areas.id'], name=op.f('fk_practice_assessments_area_id_process_areas')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_assessments_practice_id_practices')),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_practice_assessments_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_line_id'], ['service_lines.id'], name=op.f('fk_practice_assessments_service_line_id_service_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_practice_assessments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_practice_assessments_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_assessments')),
    sa.UniqueConstraint('roadmap_id', 'service_line_id', 'area_id', 'practice_id', name=op.f('uq_practice_assessments_roadmap_id_service_line_id_area_id_practice_id'))
    )
    with op.batch_alter_table('practice_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_assessments_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_assessments_service_line_id'), ['service_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_assessments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('practice_raises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('raised_to', sa.String(length=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_practice_raises_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['area_id'], ['process_areas.id'], name=op.f('fk_practice_raises_area_id_process_areas')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_raises_practice_id_practices')),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_practice_raises_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_practice_raises_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_raises')),
    sa.UniqueConstraint('roadmap_id', 'area_id', 'practice_id', name=op.f('uq_practice_raises_roadmap_id_area_id_practice_id'))
    )
    with op.batch_alter_table('practice_raises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_raises_roadmap_id'), ['roadmap_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_raises_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('assessment_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('from_value', sa.String(length=2), nullable=True),
    sa.Column('to_value', sa.String(length=2), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_assessment_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assessment_id'], ['practice_assessments.id'], name=op.f('fk_assessment_changes_assessment_id_practice_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmaps.id'], name=op.f('fk_assessment_changes_roadmap_id_roadmaps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assessment_changes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_changes'))
    )
    with op.batch_alter_table('assessment_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_changes_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index('ix_assessment_changes_roadmap_created', ['roadmap_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_changes_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('link', 'file')", name=op.f('ck_evidence_kind_valid')),
    sa.CheckConstraint('assessment_id IS NOT NULL OR item_id IS NOT NULL', name=op.f('ck_evidence_has_subject')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_evidence_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assessment_id'], ['practice_assessments.id'], name=op.f('fk_evidence_assessment_id_practice_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_evidence_item_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_evidence_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('item_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_item_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_item_comments_item_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_item_comments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_comments'))
    )
    with op.batch_alter_table('item_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_comments_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_comments_tenant_id'), ['tenant_id'], unique=False)
    for table in TENANT_TABLES:
        rls.enable_tenant_rls(table)


def downgrade():
    for table in TENANT_TABLES:
        rls.disable_tenant_rls(table)
    with op.batch_alter_table('item_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_comments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_item_comments_item_id'))

    op.drop_table('item_comments')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_item_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_assessment_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('assessment_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_changes_tenant_id'))
        batch_op.drop_index('ix_assessment_changes_roadmap_created')
        batch_op.drop_index(batch_op.f('ix_assessment_changes_assessment_id'))

    op.drop_table('assessment_changes')
    with op.batch_alter_table('practice_raises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_raises_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_practice_raises_roadmap_id'))

    op.drop_table('practice_raises')
    with op.batch_alter_table('practice_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_assessments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_practice_assessments_service_line_id'))
        batch_op.drop_index(batch_op.f('ix_practice_assessments_roadmap_id'))

    op.drop_table('practice_assessments')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_status'))
        batch_op.drop_index(batch_op.f('ix_action_items_roadmap_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_roadmap_area_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_practice_id'))
        batch_op.drop_index(batch_op.f('ix_action_items_due_on'))
        batch_op.drop_index(batch_op.f('ix_action_items_assignee_id'))

    op.drop_table('action_items')
    with op.batch_alter_table('roadmap_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_areas_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_areas_roadmap_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_areas_phase_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_areas_area_id'))

    op.drop_table('roadmap_areas')
    with op.batch_alter_table('goal_judgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_judgements_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_goal_judgements_roadmap_id'))

    op.drop_table('goal_judgements')
    with op.batch_alter_table('roadmap_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_snapshots_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_snapshots_roadmap_id'))

    op.drop_table('roadmap_snapshots')
    with op.batch_alter_table('roadmap_service_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_service_lines_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_service_lines_service_line_id'))
        batch_op.drop_index(batch_op.f('ix_roadmap_service_lines_roadmap_id'))

    op.drop_table('roadmap_service_lines')
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phases_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_phases_roadmap_id'))

    op.drop_table('phases')
    with op.batch_alter_table('tenant_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenant_counters_tenant_id'))

    op.drop_table('tenant_counters')
    with op.batch_alter_table('service_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_lines_tenant_id'))

    op.drop_table('service_lines')
    with op.batch_alter_table('roadmaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmaps_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_roadmaps_status'))
        batch_op.drop_index(batch_op.f('ix_roadmaps_model_id'))

    op.drop_table('roadmaps')
