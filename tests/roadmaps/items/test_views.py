"""Action items through HTTP: who may create, assign, move, complete, reopen and comment, and refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from saas.extensions import db
from saas.roadmaps.adoption.models import Evidence
from saas.roadmaps.items.models import ActionItem, ItemComment, ItemStatus
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.roadmaps.conftest import make_item
from tests.support import make_user, owner_of

MANAGERS = [Role.OWNER, Role.PROGRAM_MANAGER, Role.CONSULTANT]
TOKEN_PAGE = "/my/items"  # any page of a signed-in user carries the CSRF token ("/" redirects them)


def submit(client, path: str, data: dict):
    return client.submit(path, data, token_page=TOKEN_PAGE)


def url(tenant, path: str = "") -> str:
    return f"/t/{tenant.slug}/items{path}"


def item_count(tenant) -> int:
    scope_session(db.session, [tenant.id])
    return db.session.scalar(select(func.count(ActionItem.id)).where(ActionItem.tenant_id == tenant.id))


def reload(tenant, item: ActionItem) -> ActionItem:
    scope_session(db.session, [tenant.id])
    db.session.expire_all()
    return db.session.get(ActionItem, item.id)


def history(tenant, item: ActionItem) -> list[str]:
    scope_session(db.session, [tenant.id])
    return list(
        db.session.scalars(
            select(AuditEvent.summary)
            .where(AuditEvent.subject_type == "ActionItem", AuditEvent.subject_id == item.id)
            .order_by(AuditEvent.id)
        )
    )


def new_item_form(roadmap, **fields) -> dict:
    return {"roadmap_id": roadmap.id, "title": "Agree the work plan", "priority": "medium", **fields}


# --- creating -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_create_items_on_a_practice(client, tenant, members, items_roadmap, role):
    staff = members[Role.STAFF]
    form = new_item_form(
        items_roadmap,
        area="WP",
        practice="SP 2.1",
        assignee=staff.id,
        due_on="2026-12-31",
        description="*Soon*",
    )
    response = submit(client.login(members[role]), url(tenant, "/new"), form)
    assert response.status_code == 302
    item = db.session.scalar(select(ActionItem).where(ActionItem.tenant_id == tenant.id))
    assert response.headers["Location"].endswith(url(tenant, f"/{item.id}"))
    assert (item.key, item.practice.code, item.roadmap_area.area.code) == ("AI-1", "SP 2.1", "WP")
    assert item.assignee_id == staff.id
    assert item.due_on.isoformat() == "2026-12-31"
    assert item.created_by_id == members[role].id
    assert history(tenant, item) == ["Created AI-1", f"Assigned to {staff.name}"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_staff_and_viewers_cannot_create_items(client, tenant, members, items_roadmap, role):
    client.login(members[role])
    assert client.get(url(tenant, "/new")).status_code == 403
    assert submit(client, url(tenant, "/new"), new_item_form(items_roadmap)).status_code == 403
    assert item_count(tenant) == 0


def test_generic_practice_of_the_area_is_accepted(client, tenant, members, items_roadmap):
    form = new_item_form(items_roadmap, area="WMC", practice="gp2.1")
    assert submit(client.login(members[Role.OWNER]), url(tenant, "/new"), form).status_code == 302
    item = db.session.scalar(select(ActionItem).where(ActionItem.tenant_id == tenant.id))
    assert (item.roadmap_area.area.code, item.practice.code, item.practice.kind) == (
        "WMC",
        "GP 2.1",
        "generic",
    )


def test_quick_create_link_from_a_practice_prefills_the_form(client, tenant, members, items_roadmap):
    client.login(members[Role.PROGRAM_MANAGER])
    page = client.get(url(tenant, "/new?area=WP&practice=SP%202.1")).get_data(as_text=True)
    assert '<option selected value="WP">' in page
    assert 'value="SP 2.1"' in page
    assert f'<option selected value="{items_roadmap.id}">' in page


# --- refusals: nothing saved ----------------------------------------------------------------


def test_assigning_to_a_non_member_is_refused_and_nothing_saved(client, tenant, members, items_roadmap):
    outsider = make_user("outsider@example.com", "Olga Outsider")
    item = make_item(tenant, items_roadmap, assignee=members[Role.STAFF])
    client.login(members[Role.OWNER])
    response = submit(client, url(tenant, "/new"), new_item_form(items_roadmap, assignee=outsider.id))
    assert response.status_code == 422
    assert "only be assigned to members of this organisation" in response.get_data(as_text=True)
    assert item_count(tenant) == 1

    response = submit(client, url(tenant, f"/{item.id}/assign"), {"assignee": outsider.id})
    assert response.status_code == 422
    assert reload(tenant, item).assignee_id == members[Role.STAFF].id


def test_member_of_another_tenant_cannot_be_assigned(client, other_tenant, tenant, members, items_roadmap):
    stranger = owner_of(other_tenant)
    client.login(members[Role.OWNER])
    response = submit(client, url(tenant, "/new"), new_item_form(items_roadmap, assignee=stranger.id))
    assert response.status_code == 422
    assert item_count(tenant) == 0


def test_a_due_date_in_a_bad_format_is_refused(client, tenant, members, items_roadmap):
    client.login(members[Role.OWNER])
    response = submit(client, url(tenant, "/new"), new_item_form(items_roadmap, due_on="31/12/2026"))
    assert response.status_code == 422
    assert "Not a valid date value" in response.get_data(as_text=True)
    assert item_count(tenant) == 0


@pytest.mark.parametrize(
    ("area", "practice", "message"),
    [
        ("WP", "SP 9.9", "SP 9.9 is not a practice of WP"),
        ("WP", "SD SP 1.1", "is not a practice of WP"),
        ("", "SP 1.1", "Choose the process area the practice belongs to"),
        ("CAR", "", "CAR is not a process area of the roadmap"),
    ],
)
def test_an_unknown_practice_or_area_is_refused(
    client, tenant, members, items_roadmap, area, practice, message
):
    client.login(members[Role.OWNER])
    response = submit(client, url(tenant, "/new"), new_item_form(items_roadmap, area=area, practice=practice))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert item_count(tenant) == 0


def test_a_status_outside_the_list_is_refused(client, tenant, members, items_roadmap):
    item = make_item(tenant, items_roadmap)
    client.login(members[Role.OWNER])
    assert submit(client, url(tenant, f"/{item.id}/status"), {"status": "finished"}).status_code == 422
    response = client.post(
        url(tenant, f"/{item.id}/move"),
        data={"status": "finished"},
        headers={"X-CSRFToken": client.csrf_token(TOKEN_PAGE), "HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.headers["HX-Refresh"] == "true"
    assert reload(tenant, item).status == ItemStatus.TODO
    assert history(tenant, item) == ["Created AI-1"]


def test_item_of_another_tenant_gets_404(
    client, other_tenant, foreign_item_id, tenant, members, items_roadmap
):
    client.login(members[Role.OWNER])
    assert client.get(url(tenant, f"/{foreign_item_id}")).status_code == 404
    assert submit(client, url(tenant, f"/{foreign_item_id}/status"), {"status": "done"}).status_code == 404
    assert submit(client, url(tenant, f"/{foreign_item_id}/comments"), {"body": "hi"}).status_code == 404
    assert client.get(url(other_tenant, f"/{foreign_item_id}")).status_code == 404  # no member there either
    db.session.commit()
    scope_session(db.session, [other_tenant.id])
    assert db.session.get(ActionItem, foreign_item_id).status == ItemStatus.TODO


# --- assigning ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_assign_and_reassign(client, tenant, members, items_roadmap, role):
    item = make_item(tenant, items_roadmap)
    staff, viewer = members[Role.STAFF], members[Role.VIEWER]
    client.login(members[role])
    assert submit(client, url(tenant, f"/{item.id}/assign"), {"assignee": staff.id}).status_code == 302
    assert reload(tenant, item).assignee_id == staff.id
    assert submit(client, url(tenant, f"/{item.id}/assign"), {"assignee": viewer.id}).status_code == 302
    assert reload(tenant, item).assignee_id == viewer.id
    assert submit(client, url(tenant, f"/{item.id}/assign"), {"assignee": ""}).status_code == 302
    assert reload(tenant, item).assignee_id is None
    assert history(tenant, item)[1:] == [
        f"Assigned to {staff.name}",
        f"Reassigned from {staff.name} to {viewer.name}",
        f"Unassigned {viewer.name}",
    ]


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_staff_and_viewers_cannot_assign(client, tenant, members, items_roadmap, role):
    item = make_item(tenant, items_roadmap, assignee=members[role])
    client.login(members[role])
    assert (
        submit(client, url(tenant, f"/{item.id}/assign"), {"assignee": members[Role.OWNER].id}).status_code
        == 403
    )
    assert client.get(url(tenant, f"/{item.id}/edit")).status_code == 403
    assert reload(tenant, item).assignee_id == members[role].id


def test_manager_edits_the_fields_and_the_change_is_recorded(client, tenant, members, items_roadmap):
    item = make_item(tenant, items_roadmap, area_code="WP", practice_code="SP 1.1")
    form = {
        "title": "Plan the plan",
        "area": "SD",
        "practice": "SP 2.1",
        "due_on": "2027-01-15",
        "priority": "high",
    }
    response = submit(client.login(members[Role.PROGRAM_MANAGER]), url(tenant, f"/{item.id}/edit"), form)
    assert response.status_code == 302
    item = reload(tenant, item)
    assert (item.title, item.roadmap_area.area.code, item.practice.code, item.priority) == (
        "Plan the plan",
        "SD",
        "SP 2.1",
        "high",
    )
    assert history(tenant, item)[-1] == "Changed title, process area, practice, due date, priority"


# --- status, comments, evidence -------------------------------------------------------------


def test_assignee_moves_completes_and_reopens_their_item(client, tenant, members, items_roadmap):
    staff = members[Role.STAFF]
    item = make_item(tenant, items_roadmap, assignee=staff)
    client.login(staff)
    assert submit(client, url(tenant, f"/{item.id}/status"), {"status": "in_progress"}).status_code == 302
    assert reload(tenant, item).status == ItemStatus.IN_PROGRESS
    assert submit(client, url(tenant, f"/{item.id}/status"), {"status": "done"}).status_code == 302
    done = reload(tenant, item)
    assert done.status == ItemStatus.DONE
    assert done.completed_at is not None
    assert submit(client, url(tenant, f"/{item.id}/status"), {"status": "todo"}).status_code == 302
    reopened = reload(tenant, item)
    assert reopened.status == ItemStatus.TODO
    assert reopened.completed_at is None
    assert history(tenant, item)[-3:] == [
        "Moved: Todo → In progress",
        "Completed: In progress → Done",
        "Reopened: Done → Todo",
    ]


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_change_the_status_of_any_item(client, tenant, members, items_roadmap, role):
    item = make_item(tenant, items_roadmap, assignee=members[Role.STAFF])
    client.login(members[role])
    assert submit(client, url(tenant, f"/{item.id}/status"), {"status": "blocked"}).status_code == 302
    assert submit(client, url(tenant, f"/{item.id}/comments"), {"body": "Unblock soon"}).status_code == 302
    assert reload(tenant, item).status == ItemStatus.BLOCKED


def test_staff_cannot_work_on_items_assigned_to_others(client, tenant, members, items_roadmap):
    item = make_item(tenant, items_roadmap, assignee=members[Role.PROGRAM_MANAGER])
    client.login(members[Role.STAFF])
    assert submit(client, url(tenant, f"/{item.id}/status"), {"status": "done"}).status_code == 403
    assert submit(client, url(tenant, f"/{item.id}/comments"), {"body": "Mine now"}).status_code == 403
    assert (
        submit(client, url(tenant, f"/{item.id}/evidence"), {"url": "https://example.com/x"}).status_code
        == 403
    )
    moved = client.post(
        url(tenant, f"/{item.id}/move"),
        data={"status": "done"},
        headers={"X-CSRFToken": client.csrf_token(TOKEN_PAGE)},
    )
    assert moved.status_code == 403
    assert reload(tenant, item).status == ItemStatus.TODO
    assert db.session.scalar(select(func.count(ItemComment.id))) == 0


def test_viewers_read_but_cannot_work_even_on_items_assigned_to_them(client, tenant, members, items_roadmap):
    viewer = members[Role.VIEWER]
    item = make_item(tenant, items_roadmap, assignee=viewer, description="Read **this**")
    client.login(viewer)
    page = client.get(url(tenant, f"/{item.id}"))
    assert page.status_code == 200
    assert "<strong>this</strong>" in page.get_data(as_text=True)
    assert "Change status" not in page.get_data(as_text=True)
    assert submit(client, url(tenant, f"/{item.id}/status"), {"status": "done"}).status_code == 403
    assert submit(client, url(tenant, f"/{item.id}/comments"), {"body": "ok"}).status_code == 403
    assert (
        submit(client, url(tenant, f"/{item.id}/evidence"), {"url": "https://example.com"}).status_code == 403
    )
    assert reload(tenant, item).status == ItemStatus.TODO


def test_assignee_comments_and_the_item_page_shows_comments_and_history(
    client, tenant, members, items_roadmap
):
    staff = members[Role.STAFF]
    item = make_item(tenant, items_roadmap, assignee=staff)
    client.login(staff)
    body = "Drafted **v1** <script>alert(1)</script> [x](javascript:alert(1))"
    assert submit(client, url(tenant, f"/{item.id}/comments"), {"body": body}).status_code == 302
    assert submit(client, url(tenant, f"/{item.id}/comments"), {"body": "  "}).status_code == 422
    page = client.get(url(tenant, f"/{item.id}")).get_data(as_text=True)
    assert "Drafted <strong>v1</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript:' not in page
    assert f"Assigned to {staff.name}" in page
    assert "Created AI-1" in page
    assert db.session.scalar(select(func.count(ItemComment.id))) == 1


def test_assignee_attaches_evidence_links_and_only_web_links(client, tenant, members, items_roadmap):
    staff = members[Role.STAFF]
    item = make_item(tenant, items_roadmap, assignee=staff)
    client.login(staff)
    form = {"title": "Signed plan", "url": "https://wiki.example.com/plan"}
    assert submit(client, url(tenant, f"/{item.id}/evidence"), form).status_code == 302
    refused = submit(client, url(tenant, f"/{item.id}/evidence"), {"url": "javascript:alert(1)"})
    assert refused.status_code == 422
    assert "starting with https://" in refused.get_data(as_text=True)
    links = db.session.scalars(select(Evidence).where(Evidence.item_id == item.id)).all()
    assert [(e.kind, e.title, e.url) for e in links] == [
        ("link", "Signed plan", "https://wiki.example.com/plan")
    ]
    assert "Signed plan" in client.get(url(tenant, f"/{item.id}")).get_data(as_text=True)


# --- board ----------------------------------------------------------------------------------


def test_board_drop_sets_the_status_and_answers_with_the_card(client, tenant, members, items_roadmap):
    staff = members[Role.STAFF]
    item = make_item(tenant, items_roadmap, assignee=staff, title="Draft the plan")
    client.login(staff)
    board = client.get(url(tenant, "/board")).get_data(as_text=True)
    assert 'data-sortable-group="board" data-status="in_progress"' in board
    assert f'data-move-url="{url(tenant, f"/{item.id}/move")}"' in board
    response = client.post(
        url(tenant, f"/{item.id}/move"),
        data={"status": "in_progress"},
        headers={"X-CSRFToken": client.csrf_token(TOKEN_PAGE), "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Draft the plan" in response.get_data(as_text=True)
    assert reload(tenant, item).status == ItemStatus.IN_PROGRESS


def test_board_is_read_only_for_viewers(client, tenant, members, items_roadmap):
    make_item(tenant, items_roadmap, title="Draft the plan")
    board = client.login(members[Role.VIEWER]).get(url(tenant, "/board")).get_data(as_text=True)
    assert "Draft the plan" in board
    assert "data-sortable-group" not in board
    assert "data-move-url" not in board


def test_move_without_csrf_token_is_refused(client, tenant, members, items_roadmap):
    item = make_item(tenant, items_roadmap)
    client.login(members[Role.OWNER])
    assert client.post(url(tenant, f"/{item.id}/move"), data={"status": "done"}).status_code == 400
    assert reload(tenant, item).status == ItemStatus.TODO


def test_every_page_renders_for_a_manager(client, tenant, members, items_roadmap):
    item = make_item(
        tenant, items_roadmap, area_code="WP", practice_code="SP 1.1", assignee=members[Role.STAFF]
    )
    client.login(members[Role.PROGRAM_MANAGER])
    paths = ["", "/board", "/new", "/new-for-area", f"/{item.id}", f"/{item.id}/edit"]
    for path in paths:
        assert client.get(url(tenant, path)).status_code == 200, path
    edit = client.get(url(tenant, f"/{item.id}/edit")).get_data(as_text=True)
    assert 'value="SP 1.1"' in edit
    assert '<option selected value="WP">' in edit


def test_ids_too_large_for_the_database_are_simply_not_found(client, tenant, members, items_roadmap):
    huge = 10**25
    client.login(members[Role.OWNER])
    assert client.get(url(tenant, f"/{huge}")).status_code == 404
    assert client.get(url(tenant, f"?assignee={huge}&roadmap={huge}")).status_code == 200
    assert client.get(url(tenant, f"/new?roadmap_id={huge}")).status_code == 422  # the request guard
    response = submit(client, url(tenant, "/new"), new_item_form(items_roadmap, assignee=huge))
    assert response.status_code == 422
    bulk = submit(client, url(tenant, "/bulk"), {"item_ids": [huge], "status": "done"})
    assert bulk.status_code == 422
    assert item_count(tenant) == 0


def test_bulk_edit_needs_ticked_items(client, tenant, members, items_roadmap):
    make_item(tenant, items_roadmap)
    response = submit(client.login(members[Role.OWNER]), url(tenant, "/bulk"), {"status": "done"})
    assert response.status_code == 422
    assert "Tick the items to change first." in response.get_data(as_text=True)
