"""The item lists: filters, sorting, pages, CSV export, bulk edit, and "my items" across tenants."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from saas.catalog.models import Practice, ProcessArea
from saas.extensions import db
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.items.services import items
from saas.roadmaps.items.services.lists import week_bounds
from saas.tenants.models import Membership
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.roadmaps.conftest import build_roadmap, make_item
from tests.support import make_tenant, owner_of

TOKEN_PAGE = "/my/items"


def keys(html: str) -> list[str]:
    """The item keys of a list page, in order."""
    return re.findall(r'<td class="text-nowrap">(AI-\d+)</td>', html)


@pytest.fixture
def spread(tenant, members, items_roadmap) -> dict[str, ActionItem]:
    """Items across areas, people, statuses and due dates (today is UTC today)."""
    today = date.today()
    staff, viewer = members[Role.STAFF], members[Role.VIEWER]
    made = {
        "overdue": make_item(tenant, items_roadmap, title="Overdue plan", area_code="WP", practice_code="SP 1.1",
                             assignee=staff, due_on=today - timedelta(days=10), priority="high"),
        "week": make_item(tenant, items_roadmap, title="Agree scope", area_code="WP", practice_code="SP 2.1",
                          assignee=viewer, due_on=week_bounds(today)[1], priority="low"),
        "later": make_item(tenant, items_roadmap, title="Catalogue services", area_code="SD",
                           due_on=today + timedelta(days=30)),
        "done": make_item(tenant, items_roadmap, title="Done long ago", area_code="SD", assignee=staff,
                          due_on=today - timedelta(days=20)),
    }  # fmt: skip
    items.item_set_status(tenant=tenant, actor=staff, item=made["done"], status=ItemStatus.DONE)
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["AI-1", "AI-2", "AI-3", "AI-4"]),
        ("?area=WP", ["AI-1", "AI-2"]),
        ("?area=WP&practice=SP+2.1", ["AI-2"]),
        ("?status=done", ["AI-4"]),
        ("?status=open", ["AI-1", "AI-2", "AI-3"]),
        ("?assignee=none", ["AI-3"]),
        ("?due=overdue", ["AI-1"]),
        ("?due=this_week", ["AI-2"]),
        ("?sort=-due", ["AI-3", "AI-2", "AI-1", "AI-4"]),
        ("?sort=title", ["AI-2", "AI-3", "AI-4", "AI-1"]),
        ("?sort=priority", ["AI-1", "AI-3", "AI-4", "AI-2"]),
        ("?status=bogus&sort=bogus&due=bogus&roadmap=x", ["AI-1", "AI-2", "AI-3", "AI-4"]),
    ],
)
def test_list_filters_and_sorts(client, tenant, members, spread, query, expected):
    response = client.login(members[Role.VIEWER]).get(f"/t/{tenant.slug}/items{query}")
    assert response.status_code == 200
    assert keys(response.get_data(as_text=True)) == expected


def test_assignee_filter_and_me(client, tenant, members, spread):
    client.login(members[Role.STAFF])
    assert keys(client.get(f"/t/{tenant.slug}/items?assignee=me").get_data(as_text=True)) == ["AI-1", "AI-4"]
    viewer = members[Role.VIEWER].id
    assert keys(client.get(f"/t/{tenant.slug}/items?assignee={viewer}").get_data(as_text=True)) == ["AI-2"]


def test_list_is_paginated_by_fifty(client, tenant, members, items_roadmap):
    for n in range(51):
        make_item(tenant, items_roadmap, title=f"Item {n}")
    client.login(members[Role.OWNER])
    first = client.get(f"/t/{tenant.slug}/items?sort=key").get_data(as_text=True)
    second = client.get(f"/t/{tenant.slug}/items?sort=key&page=2").get_data(as_text=True)
    assert len(keys(first)) == 50
    assert keys(second) == ["AI-51"]
    assert f"/t/{tenant.slug}/items?page=2&amp;sort=key" in first


def test_filter_links_keep_only_filters(client, tenant, members, spread):
    page = (
        client.login(members[Role.OWNER])
        .get(f"/t/{tenant.slug}/items?area=WP&_external=1&_scheme=javascript")
        .get_data(as_text=True)
    )
    assert "javascript:" not in page
    assert f'href="/t/{tenant.slug}/items/export.csv?area=WP"' in page


def test_csv_export_of_the_filtered_list_neutralises_formulas(client, tenant, members, items_roadmap):
    staff = members[Role.STAFF]
    make_item(tenant, items_roadmap, title="=HYPERLINK(\"http://evil\")", area_code="WP", practice_code="SP 1.1",
              assignee=staff, due_on=date(2027, 1, 31))  # fmt: skip
    make_item(tenant, items_roadmap, title="@SUM(A1)", area_code="SD")
    make_item(tenant, items_roadmap, title="-2+3", area_code="WP")
    response = client.login(members[Role.PROGRAM_MANAGER]).get(f"/t/{tenant.slug}/items/export.csv?area=WP")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Key", "Title", "Roadmap", "Area"]
    assert rows[1:] == [
        ["AI-1", "'=HYPERLINK(\"http://evil\")", "Items programme", "WP", "SP 1.1", "Todo", "medium", staff.name,
         staff.email, "2027-01-31", date.today().isoformat(), ""],
        ["AI-3", "'-2+3", "Items programme", "WP", "", "Todo", "medium", "", "", "", date.today().isoformat(), ""],
    ]  # fmt: skip


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_csv_export_needs_the_export_permission(client, tenant, members, role):
    assert client.login(members[role]).get(f"/t/{tenant.slug}/items/export.csv").status_code == 403


def test_bulk_edit_through_the_list(client, other_tenant, foreign_item_id, tenant, members, items_roadmap):
    staff = members[Role.STAFF]
    mine = [make_item(tenant, items_roadmap, title=f"Item {n}").id for n in range(3)]
    client.login(members[Role.PROGRAM_MANAGER])
    form = {"item_ids": [mine[0], mine[1], foreign_item_id], "assignee": staff.id, "due_on": "2027-04-30",
            "status": "blocked"}  # fmt: skip
    response = client.submit(f"/t/{tenant.slug}/items/bulk?status=open", form, token_page=TOKEN_PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{tenant.slug}/items?status=open")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Updated 2 item(s). Ignored 1 that are not items of this organisation." in page
    found = {i.id: i for i in db.session.scalars(select(ActionItem).where(ActionItem.id.in_(mine)))}
    assert [(found[i].assignee_id, found[i].due_on, found[i].status) for i in mine] == [
        (staff.id, date(2027, 4, 30), "blocked"),
        (staff.id, date(2027, 4, 30), "blocked"),
        (None, None, "todo"),
    ]
    db.session.commit()
    scope_session(db.session, [other_tenant.id])
    foreign = db.session.get(ActionItem, foreign_item_id)
    assert (foreign.assignee_id, foreign.status) == (None, "todo")


def test_bulk_edit_refusals_save_nothing(client, other_tenant, tenant, members, items_roadmap):
    item_id = make_item(tenant, items_roadmap).id
    client.login(members[Role.OWNER])
    path = f"/t/{tenant.slug}/items/bulk"
    refusals = [
        ({"due_on": "30.04.2027"}, "Not a valid date value."),
        ({"status": "gone"}, "Not a valid choice."),
        (
            {"assignee": owner_of(other_tenant).id},
            "Items can only be assigned to members of this organisation.",
        ),
    ]
    for change, message in refusals:
        response = client.submit(path, {"item_ids": [item_id], **change}, token_page=TOKEN_PAGE)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    client.login(members[Role.STAFF])
    assert (
        client.submit(path, {"item_ids": [item_id], "status": "done"}, token_page=TOKEN_PAGE).status_code
        == 403
    )
    scope_session(db.session, [tenant.id])
    item = db.session.get(ActionItem, item_id)
    assert (item.status, item.due_on, item.assignee_id) == ("todo", None, None)


def test_bulk_creation_page_creates_items_for_an_area(client, tenant, members, items_roadmap):
    client.login(members[Role.CONSULTANT])
    path = f"/t/{tenant.slug}/items/new-for-area"
    assert client.get(f"{path}?area=SD").status_code == 200
    form = {"roadmap_id": items_roadmap.id, "area": "SD", "priority": "high", "due_on": "2027-06-30"}
    response = client.submit(path, form, token_page=TOKEN_PAGE)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    specific = db.session.scalar(
        select(func.count(Practice.id))
        .join(ProcessArea, Practice.area_id == ProcessArea.id)
        .where(ProcessArea.code == "SD")
    )
    assert f"Created {specific + 10} item(s) for SD." in page  # its specific practices, and GP 2.1 to 2.10
    assert client.submit(path, {**form, "area": "CAR"}, token_page=TOKEN_PAGE).status_code == 422
    client.login(members[Role.STAFF])
    assert client.submit(path, form, token_page=TOKEN_PAGE).status_code == 403


def test_my_items_show_two_tenants_of_mine_and_none_of_a_third(
    client, tenant, members, items_roadmap, catalog_model
):
    staff = members[Role.STAFF]
    make_item(tenant, items_roadmap, title="Acme job", assignee=staff)
    make_item(tenant, items_roadmap, title="Acme job for someone else", assignee=members[Role.VIEWER])
    db.session.commit()

    second = make_tenant("Second Org")
    db.session.add(Membership(tenant=second, user=staff, role=Role.VIEWER))
    make_item(second, build_roadmap(second, catalog_model, ["SD"]), title="Second org job", assignee=staff)
    db.session.commit()

    third = make_tenant("Third Org")
    left = Membership(tenant=third, user=staff, role=Role.STAFF)
    db.session.add(left)
    make_item(third, build_roadmap(third, catalog_model, ["WP"]), title="Third org job", assignee=staff)
    db.session.delete(left)  # staff left the third organisation; its item still names them
    db.session.commit()

    page = client.login(staff).get("/my/items").get_data(as_text=True)
    assert "Acme job</a>" in page
    assert "Second org job" in page
    assert "Second Org" in page
    assert "Third org job" not in page
    assert "for someone else" not in page
    assert "2 items" in page


def test_my_items_default_to_open_items(client, tenant, members, spread):
    client.login(members[Role.STAFF])
    assert keys(client.get("/my/items").get_data(as_text=True)) == ["AI-1"]
    assert keys(client.get("/my/items?status=").get_data(as_text=True)) == ["AI-1", "AI-4"]


def test_my_items_need_a_signed_in_user(app):
    assert app.test_client().get("/my/items").status_code == 302


def test_navigation_links_to_the_lists(client, tenant, members):
    page = client.login(members[Role.VIEWER]).get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert f'href="/t/{tenant.slug}/items"' in page
    assert 'href="/my/items"' in page
