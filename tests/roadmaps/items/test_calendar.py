"""The personal iCalendar feed: exactly the user's open items with due dates; secret, rotatable, revocable."""

from __future__ import annotations

import re
from datetime import date

from icalendar import Calendar
from sqlalchemy import select

from saas.accounts.services import token_digest
from saas.extensions import db
from saas.roadmaps.items.models import CalendarFeed, ItemStatus
from saas.roadmaps.items.services import items
from saas.tenants.models import Membership
from saas.tenants.permissions import Role
from tests.roadmaps.conftest import build_roadmap, make_item
from tests.support import make_tenant

TOKEN_PAGE = "/my/calendar"


def create_feed(client) -> str:
    """Ask for a feed address on the page; return the path of the .ics URL shown once."""
    page = client.submit("/my/calendar", {}, token_page=TOKEN_PAGE).get_data(as_text=True)
    match = re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', page)
    assert match, "the feed URL is shown after creating it"
    return match.group(1)


def events(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.data)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_feed_holds_exactly_the_users_open_items_with_due_dates(client, app, tenant, members, catalog_model):
    staff = members[Role.STAFF]
    roadmap = build_roadmap(tenant, catalog_model, ["WP"])
    open_item = make_item(tenant, roadmap, title="Draft policy", assignee=staff, due_on=date(2026, 12, 1))
    blocked = make_item(tenant, roadmap, title="Blocked one", assignee=staff, due_on=date(2026, 12, 2))
    items.item_set_status(tenant=tenant, actor=staff, item=blocked, status=ItemStatus.BLOCKED)
    done = make_item(tenant, roadmap, title="Finished", assignee=staff, due_on=date(2026, 12, 3))
    items.item_set_status(tenant=tenant, actor=staff, item=done, status=ItemStatus.DONE)
    make_item(tenant, roadmap, title="No date", assignee=staff)
    make_item(
        tenant, roadmap, title="Someone else's", assignee=members[Role.VIEWER], due_on=date(2026, 12, 4)
    )
    open_id, slug = open_item.id, tenant.slug
    db.session.commit()

    second = make_tenant("Second Org")
    db.session.add(Membership(tenant=second, user=staff, role=Role.STAFF))
    make_item(
        second,
        build_roadmap(second, catalog_model, ["SD"]),
        title="Other org",
        assignee=staff,
        due_on=date(2027, 1, 5),
    )

    path = create_feed(client.login(staff))
    response = app.test_client().get(path)  # a fresh client, signed out: the token is the only key
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    found = events(response)
    assert set(found) == {"AI-1 Draft policy", "AI-2 Blocked one", "AI-1 Other org"}
    event = found["AI-1 Draft policy"]
    assert event.decoded("dtstart") == date(2026, 12, 1)
    assert event.decoded("dtend") == date(2026, 12, 2)
    assert str(event["url"]) == f"http://localhost/t/{slug}/items/{open_id}"


def test_items_of_an_organisation_the_user_left_are_not_in_the_feed(
    client, app, tenant, members, catalog_model
):
    staff = members[Role.STAFF]
    make_item(
        tenant,
        build_roadmap(tenant, catalog_model, ["WP"]),
        title="Old job",
        assignee=staff,
        due_on=date(2026, 12, 1),
    )
    path = create_feed(client.login(staff))
    assert "AI-1 Old job" in events(app.test_client().get(path))
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == staff.id)))
    db.session.commit()
    assert events(app.test_client().get(path)) == {}


def test_only_the_digest_of_the_token_is_stored(client, members):
    staff = members[Role.STAFF]
    path = create_feed(client.login(staff))
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == staff.id))
    assert feed.token_hash == token_digest(token)
    assert token not in feed.token_hash


def test_revoked_feed_gives_404(client, app, members):
    path = create_feed(client.login(members[Role.STAFF]))
    assert app.test_client().get(path).status_code == 200
    assert client.submit("/my/calendar/revoke", {}, token_page=TOKEN_PAGE).status_code == 302
    assert app.test_client().get(path).status_code == 404
    assert "You have no calendar feed" in client.get("/my/calendar").get_data(as_text=True)


def test_a_new_address_retires_the_old_one(client, app, members):
    client.login(members[Role.STAFF])
    old, new = create_feed(client), create_feed(client)
    assert old != new
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200


def test_unknown_token_gives_404(app, members):
    assert app.test_client().get("/calendar/not-a-real-token.ics").status_code == 404


def test_feed_page_needs_a_signed_in_user(app):
    response = app.test_client().get("/my/calendar")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
