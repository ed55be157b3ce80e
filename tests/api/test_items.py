"""Action items through the API: CRUD, status, assignment, filters and pages, with the pages' role rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.items.models import ActionItem
from saas.roadmaps.items.services import items
from saas.tenants.clock import tenant_today
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Permission, Role, can
from tests.api.conftest import ApiClient, audit_count, token_for
from tests.roadmaps.assessing import enter
from tests.roadmaps.conftest import make_item
from tests.support import run_jobs


@pytest.fixture
def base(tenant):
    return f"/t/{tenant.slug}"


def test_a_manager_creates_reads_updates_assigns_and_deletes_an_item(
    owner_api, base, tenant, roadmap, people
):
    staff = people[Role.STAFF]

    created = owner_api.post(
        f"{base}/items",
        json={
            "roadmap_id": roadmap.id,
            "title": "  Write the   work plan ",
            "area_code": "wp",
            "practice_code": "sp1.1",
            "due_on": "2030-01-31",
            "priority": "high",
        },
    )
    assert created.status_code == 201, created.json
    item = created.json
    assert item["key"].startswith("AI-")
    assert item["title"] == "Write the work plan"
    assert item["area"]["code"] == "WP"
    assert item["practice"]["code"] == "SP 1.1"
    assert (item["status"], item["priority"], item["due_on"], item["assignee"]) == (
        "todo",
        "high",
        "2030-01-31",
        None,
    )

    assert owner_api.get(f"{base}/items/{item['id']}").json == item

    updated = owner_api.patch(f"{base}/items/{item['id']}", json={"title": "Plan the work", "due_on": None})
    assert updated.status_code == 200
    assert updated.json["title"] == "Plan the work"
    assert updated.json["due_on"] is None
    assert updated.json["practice"]["code"] == "SP 1.1"  # fields not sent stay as they were

    assigned = owner_api.put(f"{base}/items/{item['id']}/assignee", json={"assignee_id": staff.id})
    assert assigned.json["assignee"] == {"id": staff.id, "name": staff.name}
    moved = owner_api.put(f"{base}/items/{item['id']}/status", json={"status": "done"})
    assert moved.json["status"] == "done"
    assert moved.json["completed_at"]

    assert owner_api.delete(f"{base}/items/{item['id']}").status_code == 204
    assert owner_api.get(f"{base}/items/{item['id']}").status_code == 404
    enter(tenant)
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.subject_type == "ActionItem", AuditEvent.subject_id == item["id"]
        )
    ).all()
    assert {"item.created", "item.updated", "item.assigned", "item.status_changed", "item.deleted"} <= set(
        actions
    )


# The role rules, read from the one permission table the pages use (tenants.permissions).
ACTIONS = {
    "list": Permission.VIEW,
    "read": Permission.VIEW,
    "create": Permission.MANAGE_ITEMS,
    "update": Permission.MANAGE_ITEMS,
    "assign": Permission.MANAGE_ITEMS,
    "delete": Permission.MANAGE_ITEMS,
    "move own": Permission.WORK_ON_OWN_ITEMS,
    "move other": Permission.MANAGE_ITEMS,  # staff may move only the items assigned to them
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_role_may_do_exactly_what_the_permission_table_says(
    client, base, tenant, roadmap, people, role, action
):
    member = people[role]
    own = make_item(tenant, roadmap, title="Mine", assignee=member)
    other = make_item(tenant, roadmap, title="Theirs")
    db.session.commit()
    api = ApiClient(client, token_for(member))
    before = audit_count(tenant)

    response = {
        "list": lambda: api.get(f"{base}/items"),
        "read": lambda: api.get(f"{base}/items/{other.id}"),
        "create": lambda: api.post(f"{base}/items", json={"roadmap_id": roadmap.id, "title": "New"}),
        "update": lambda: api.patch(f"{base}/items/{other.id}", json={"title": "Renamed"}),
        "assign": lambda: api.put(f"{base}/items/{other.id}/assignee", json={"assignee_id": member.id}),
        "delete": lambda: api.delete(f"{base}/items/{other.id}"),
        "move own": lambda: api.put(f"{base}/items/{own.id}/status", json={"status": "in_progress"}),
        "move other": lambda: api.put(f"{base}/items/{other.id}/status", json={"status": "in_progress"}),
    }[action]()

    allowed = can(role, ACTIONS[action])
    assert (response.status_code < 400) == allowed, (role, action, response.status_code, response.json)
    if not allowed:
        assert response.status_code == 403
        assert response.json["message"]
        assert audit_count(tenant) == before  # a refusal changes nothing


def test_staff_move_their_own_items_only_as_on_the_board(client, base, tenant, roadmap, people):
    staff = people[Role.STAFF]
    own = make_item(tenant, roadmap, title="Mine", assignee=staff)
    other = make_item(tenant, roadmap, title="Theirs", assignee=people[Role.PROGRAM_MANAGER])
    db.session.commit()
    api = ApiClient(client, token_for(staff))

    assert api.put(f"{base}/items/{own.id}/status", json={"status": "blocked"}).json["status"] == "blocked"
    refused = api.put(f"{base}/items/{other.id}/status", json={"status": "done"})
    assert refused.status_code == 403
    assert refused.json["message"] == "You can only work on items assigned to you."
    enter(tenant)
    assert db.session.get(ActionItem, other.id).status == "todo"


def test_the_list_filters_by_status_assignee_area_and_overdue(client, base, tenant, roadmap, people):
    staff = people[Role.STAFF]
    today = tenant_today(tenant)
    late = make_item(
        tenant, roadmap, title="Late", area_code="WP", assignee=staff, due_on=today - timedelta(days=2)
    )
    make_item(tenant, roadmap, title="Later", area_code="SD", due_on=today + timedelta(days=20))
    done = make_item(tenant, roadmap, title="Done late", area_code="WP", due_on=today - timedelta(days=5))
    items.item_set_status(tenant=tenant, actor=None, item=done, status="done")
    db.session.commit()
    api = ApiClient(client, token_for(staff))

    def titles(query: str) -> list[str]:
        response = api.get(f"{base}/items?{query}")
        assert response.status_code == 200, response.json
        return sorted(item["title"] for item in response.json["items"])

    assert titles("") == ["Done late", "Late", "Later"]
    assert titles("status=done") == ["Done late"]
    assert titles("status=open") == ["Late", "Later"]
    assert titles("assignee=me") == ["Late"]
    assert titles(f"assignee={staff.id}") == ["Late"]
    assert titles("assignee=none") == ["Done late", "Later"]
    assert titles("area=wp") == ["Done late", "Late"]
    assert titles("due=overdue") == ["Late"]
    assert titles(f"roadmap_id={roadmap.id}&area=SD") == ["Later"]
    by_due = [item["id"] for item in api.get(f"{base}/items?sort=due").json["items"]]
    assert by_due[:2] == [done.id, late.id]


def test_lists_come_in_pages_with_their_totals(owner_api, base, tenant, roadmap):
    for number in range(5):
        make_item(tenant, roadmap, title=f"Item {number}")
    db.session.commit()

    first = owner_api.get(f"{base}/items?per_page=2").json
    last = owner_api.get(f"{base}/items?per_page=2&page=3").json
    beyond = owner_api.get(f"{base}/items?per_page=2&page=4").json

    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 5, 3)
    assert [item["title"] for item in first["items"]] == ["Item 0", "Item 1"]
    assert [item["title"] for item in last["items"]] == ["Item 4"]
    assert beyond["items"] == []
    assert beyond["total"] == 5
    assert owner_api.get(f"{base}/items?per_page=101").status_code == 422
    assert owner_api.get(f"{base}/items?page=0").status_code == 422


def test_a_refused_rule_names_its_field(owner_api, base, roadmap, tenant):
    stranger_id = 999_999

    responses = {
        "assignee_id": owner_api.post(
            f"{base}/items", json={"roadmap_id": roadmap.id, "title": "X", "assignee_id": stranger_id}
        ),
        "area_code": owner_api.post(
            f"{base}/items", json={"roadmap_id": roadmap.id, "title": "X", "area_code": "CAM"}
        ),
        "practice_code": owner_api.post(
            f"{base}/items",
            json={"roadmap_id": roadmap.id, "title": "X", "area_code": "WP", "practice_code": "SP 9.9"},
        ),
        "title": owner_api.post(f"{base}/items", json={"roadmap_id": roadmap.id, "title": "   "}),
    }

    for field, response in responses.items():
        assert response.status_code == 422, (field, response.json)
        assert list(response.json["errors"]) == [field], response.json
        assert response.json["errors"][field][0] == response.json["message"]
    enter(tenant)
    assert db.session.scalar(select(ActionItem.id).where(ActionItem.tenant_id == tenant.id)) is None


def test_input_outside_the_schema_is_refused_with_field_messages(owner_api, base, roadmap):
    cases = {
        "title": {"roadmap_id": roadmap.id, "title": "x" * 201},
        "tenant_id": {"roadmap_id": roadmap.id, "title": "Mass assignment", "tenant_id": 1},
        "roadmap_id": {"roadmap_id": 2**31, "title": "Too big an id"},
        "due_on": {"roadmap_id": roadmap.id, "title": "Bad date", "due_on": "31/01/2030"},
        "priority": {"roadmap_id": roadmap.id, "title": "Bad priority", "priority": "urgent"},
        "description": {"roadmap_id": roadmap.id, "title": "NUL", "description": "a\u0000b"},
    }

    for field, body in cases.items():
        response = owner_api.post(f"{base}/items", json=body)
        assert response.status_code == 422, (field, response.json)
        assert field in response.json["errors"], response.json
        assert response.json["message"].startswith("Check these fields")


def test_unknown_or_out_of_range_filters_are_refused_not_ignored(owner_api, base):
    misspelt = owner_api.get(f"{base}/items?stauts=done")
    too_big = owner_api.get(f"{base}/items?assignee=99999999999")

    assert misspelt.status_code == 422
    assert misspelt.json["errors"] == {"stauts": ["Unknown field."]}
    assert too_big.status_code == 422
    assert list(too_big.json["errors"]) == ["assignee"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "title=x"),
        ("text/plain", '{"title": "x"}'),
        ("multipart/form-data; boundary=x", "--x--"),
        (None, '{"title": "x"}'),
    ],
)
def test_a_write_that_is_not_json_gets_415(owner_api, base, roadmap, content_type, body):
    headers = {"Content-Type": content_type} if content_type else {}

    response = owner_api.call("POST", f"{base}/items", data=body, headers=headers)

    assert response.status_code == 415
    assert response.json == {
        "status": 415,
        "message": "Send the request body as JSON, with Content-Type: application/json.",
        "errors": {},
    }


@pytest.mark.parametrize(
    "body", ['{"title": ', "[1, 2", '{"roadmap_id": 1' + "0" * 5000 + "}", "[" * 100_000]
)
def test_malformed_json_gets_400_with_a_message(owner_api, base, body):
    response = owner_api.call(
        "POST", f"{base}/items", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json["message"] == "The request body is not valid JSON."
    assert response.json["errors"] == {"json": ["Invalid JSON body."]}


def test_errors_of_unknown_api_urls_and_methods_are_json(owner_api, base):
    missing = owner_api.get("/no-such-thing")
    wrong_method = owner_api.call("PUT", f"{base}/items")

    assert missing.status_code == 404
    assert missing.json["errors"] == {}
    assert wrong_method.status_code == 405
    assert wrong_method.json["status"] == 405
    assert "GET" in wrong_method.headers["Allow"]


def test_a_huge_id_in_the_url_is_not_found(owner_api, base):
    assert owner_api.get(f"{base}/items/{2**31}").status_code == 404
    assert owner_api.get(f"{base}/items/{10**30}").status_code == 404


def test_the_new_assignee_is_emailed_as_from_the_pages(owner_api, base, roadmap, people, mailbox):
    staff = people[Role.STAFF]
    item = owner_api.post(
        f"{base}/items", json={"roadmap_id": roadmap.id, "title": "Mail me", "assignee_id": staff.id}
    )
    assert item.status_code == 201
    run_jobs()

    assert len(mailbox.to(staff.email)) == 1


def test_due_dates_before_today_make_the_item_overdue_in_the_tenants_zone(owner_api, base, roadmap):
    yesterday = (date.today() - timedelta(days=3)).isoformat()
    owner_api.post(f"{base}/items", json={"roadmap_id": roadmap.id, "title": "Old", "due_on": yesterday})

    assert [item["title"] for item in owner_api.get(f"{base}/items?due=overdue").json["items"]] == ["Old"]
