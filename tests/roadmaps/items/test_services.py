"""Action item rules, called directly: numbering, practices, statuses, audit, bulk creation and editing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from saas.extensions import db
from saas.roadmaps.adoption.models import PracticeAssessment
from saas.roadmaps.items.models import ActionItem, ItemStatus, TenantCounter
from saas.roadmaps.items.services import bulk, items, lists
from saas.roadmaps.planning.models import ServiceLine
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.roadmaps.conftest import make_item
from tests.support import owner_of

GG2 = [f"GP 2.{n}" for n in range(1, 11)]


def actions(item: ActionItem) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "ActionItem", AuditEvent.subject_id == item.id)
            .order_by(AuditEvent.id)
        )
    )


def test_keys_count_up_per_tenant(other_tenant, foreign_item_id, tenant, items_roadmap):
    first, second = make_item(tenant, items_roadmap), make_item(tenant, items_roadmap)
    assert (first.key, second.key) == ("AI-1", "AI-2")
    numbers = select(ActionItem.tenant_id, ActionItem.number).order_by(ActionItem.id)
    scope_session(db.session, [tenant.id, other_tenant.id])
    assert db.session.execute(numbers).all() == [(other_tenant.id, 1), (tenant.id, 1), (tenant.id, 2)]


@pytest.mark.postgres
def test_the_counter_is_taken_under_a_row_lock(tenant, items_roadmap):
    make_item(tenant, items_roadmap)  # the counter row exists from now on
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert items.next_number(tenant=tenant) == 2
    finally:
        event.remove(engine, "before_cursor_execute", record)
    locking = [s for s in statements if "tenant_counters" in s and "FOR UPDATE" in s]
    assert locking, statements
    assert db.session.scalar(select(TenantCounter.value).where(TenantCounter.tenant_id == tenant.id)) == 2


def test_practice_codes_are_read_leniently_and_resolved_within_the_area(tenant, items_roadmap):
    item = make_item(tenant, items_roadmap, area_code="wp", practice_code=" sp2.1 ")
    assert (item.roadmap_area.area.code, item.practice.code, item.practice.area.code) == (
        "WP",
        "SP 2.1",
        "WP",
    )
    generic = make_item(tenant, items_roadmap, area_code="SD", practice_code="GP 2.8")
    assert (generic.practice.code, generic.practice.area_id) == ("GP 2.8", None)


def test_refusals_name_the_field(tenant, members, items_roadmap):
    with pytest.raises(items.UnknownPractice):
        make_item(tenant, items_roadmap, area_code="WP", practice_code="SP 7.1")
    with pytest.raises(items.UnknownArea):
        make_item(tenant, items_roadmap, area_code="OT")
    with pytest.raises(items.InvalidPriority):
        make_item(tenant, items_roadmap, priority="urgent")
    with pytest.raises(items.InvalidTitle):
        make_item(tenant, items_roadmap, title="   ")
    item = make_item(tenant, items_roadmap)
    with pytest.raises(items.InvalidStatus) as refused:
        items.item_set_status(tenant=tenant, actor=None, item=item, status="closed")
    assert refused.value.field == "status"
    with pytest.raises(TypeError):
        items.item_update(tenant=tenant, actor=None, item=item, status="done")
    assert db.session.scalar(select(TenantCounter.value).where(TenantCounter.tenant_id == tenant.id)) == 1


def test_done_stamps_completed_at_and_reopening_clears_it(tenant, members, items_roadmap):
    item = make_item(tenant, items_roadmap)
    items.item_set_status(tenant=tenant, actor=members[Role.OWNER], item=item, status="done")
    assert item.completed_at is not None
    items.item_set_status(tenant=tenant, actor=members[Role.OWNER], item=item, status="blocked")
    assert item.completed_at is None


def test_every_change_is_audited_with_the_item_as_subject(tenant, members, items_roadmap):
    owner, staff = members[Role.OWNER], members[Role.STAFF]
    item = make_item(tenant, items_roadmap, assignee=staff)
    items.item_update(tenant=tenant, actor=owner, item=item, title="New title", due_on=date(2027, 2, 1))
    items.item_update(tenant=tenant, actor=owner, item=item, title="New title")  # no change, no event
    items.item_set_status(tenant=tenant, actor=staff, item=item, status="in_progress")
    items.comment_add(tenant=tenant, actor=staff, item=item, body="On it")
    items.evidence_link_add(tenant=tenant, actor=staff, item=item, title="Draft", url="https://example.com/d")
    items.item_assign(tenant=tenant, actor=owner, item=item, assignee=None)
    assert actions(item) == [
        "item.created",
        "item.assigned",
        "item.updated",
        "item.status_changed",
        "item.commented",
        "item.evidence_added",
        "item.assigned",
    ]
    updated = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "item.updated"))
    assert updated.data["changes"] == {
        "title": ["Write the work plan", "New title"],
        "due_on": [None, "2027-02-01"],
    }
    assert updated.actor_role == Role.OWNER


def test_history_merges_events_and_comments_in_order(tenant, members, items_roadmap):
    staff = members[Role.STAFF]
    item = make_item(tenant, items_roadmap, assignee=staff)
    items.comment_add(tenant=tenant, actor=staff, item=item, body="First *thoughts*")
    items.item_set_status(tenant=tenant, actor=staff, item=item, status="done")
    entries = lists.item_history(tenant=tenant, item=item)
    assert [entry.comment.body if entry.comment else entry.summary for entry in entries] == [
        "Created AI-1",
        f"Assigned to {staff.name}",
        "First *thoughts*",
        "Completed: Todo → Done",
    ]


def test_staff_work_only_on_their_own_items(tenant, members, items_roadmap):
    item = make_item(tenant, items_roadmap, assignee=members[Role.STAFF])
    assert items.may_work_on(role=Role.STAFF, actor=members[Role.STAFF], item=item)
    assert not items.may_work_on(role=Role.STAFF, actor=members[Role.PROGRAM_MANAGER], item=item)
    assert items.may_work_on(role=Role.CONSULTANT, actor=members[Role.CONSULTANT], item=item)
    assert not items.may_work_on(role=Role.VIEWER, actor=members[Role.STAFF], item=item)


def test_bulk_creation_covers_the_area_practices_below_target(tenant, members, items_roadmap):
    owner = members[Role.OWNER]
    wp = next(ra for ra in items_roadmap.areas if ra.area.code == "WP")
    sp11 = items.practice_resolve(items_roadmap, wp, "SP 1.1")
    sp12 = items.practice_resolve(items_roadmap, wp, "SP 1.2")
    lines = [ServiceLine(tenant=tenant, name=name) for name in ("Desk", "Field")]
    db.session.add_all(lines)
    db.session.flush()
    rated = [(sp11, lines[0], "LI"), (sp12, lines[0], "PI"), (sp12, lines[1], "NY")]
    db.session.add_all(
        PracticeAssessment(
            tenant=tenant,
            roadmap_id=items_roadmap.id,
            service_line_id=line.id,
            area_id=wp.area_id,
            practice_id=practice.id,
            characterisation=value,
        )
        for practice, line, value in rated
    )
    make_item(tenant, items_roadmap, area_code="WP", practice_code="SP 1.3")  # already has an open item

    created = bulk.items_create_for_area(
        tenant=tenant, actor=owner, roadmap=items_roadmap, area_code="WP", assignee=members[Role.STAFF]
    )
    codes = [item.practice.code for item in created]
    specific = [p.code for g in wp.area.goals for p in g.practices]
    assert codes == [code for code in specific if code not in ("SP 1.1", "SP 1.3")] + GG2
    assert created[0].title == f"WP SP 1.2: {sp12.title}"
    assert {item.assignee_id for item in created} == {members[Role.STAFF].id}
    assert bulk.items_create_for_area(tenant=tenant, actor=owner, roadmap=items_roadmap, area_code="WP") == []
    with pytest.raises(items.UnknownArea):
        bulk.items_create_for_area(tenant=tenant, actor=owner, roadmap=items_roadmap, area_code="")


def test_bulk_edit_changes_only_this_tenants_items(
    other_tenant, foreign_item_id, tenant, members, items_roadmap
):
    owner, staff = members[Role.OWNER], members[Role.STAFF]
    mine = [make_item(tenant, items_roadmap, title=f"Item {n}") for n in range(3)]
    ids = [mine[0].id, mine[1].id, foreign_item_id, 999999]
    result = bulk.items_bulk_edit(
        tenant=tenant,
        actor=owner,
        item_ids=ids,
        assignee=staff,
        due_on=date(2027, 3, 1),
        status="in_progress",
    )
    assert (result.updated, result.ignored) == (2, 2)
    assert [(i.assignee_id, i.due_on, i.status) for i in mine[:2]] == [
        (staff.id, date(2027, 3, 1), "in_progress")
    ] * 2
    assert (mine[2].assignee_id, mine[2].status) == (None, ItemStatus.TODO)
    bulk.items_bulk_edit(tenant=tenant, actor=owner, item_ids=[mine[0].id], assignee=None, due_on=None)
    assert (mine[0].assignee_id, mine[0].due_on, mine[0].status) == (None, None, "in_progress")


def test_bulk_edit_refuses_outsiders_and_bad_statuses(other_tenant, tenant, members, items_roadmap):
    item = make_item(tenant, items_roadmap)
    with pytest.raises(items.AssigneeNotMember):
        bulk.items_bulk_edit(tenant=tenant, actor=None, item_ids=[item.id], assignee=owner_of(other_tenant))
    with pytest.raises(items.InvalidStatus):
        bulk.items_bulk_edit(tenant=tenant, actor=None, item_ids=[item.id], status="archived")
    assert (item.assignee_id, item.status) == (None, ItemStatus.TODO)
