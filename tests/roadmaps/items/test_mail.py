"""Assignment emails: one to the new assignee, through the outbox and a real SMTP server, never to oneself."""

from __future__ import annotations

from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.items.models import ActionItem
from saas.tenants.permissions import Role
from tests.mailbox import body_text
from tests.roadmaps.conftest import make_item
from tests.support import run_jobs

TOKEN_PAGE = "/my/items"


def item_url(tenant, item_id: int) -> str:
    return f"http://localhost/t/{tenant.slug}/items/{item_id}"


def test_assignment_emails_the_assignee_once_with_a_link_to_the_item(
    client, tenant, members, items_roadmap, mailbox
):
    staff = members[Role.STAFF]
    client.login(members[Role.PROGRAM_MANAGER])
    form = {
        "roadmap_id": items_roadmap.id,
        "title": "Write the policy",
        "priority": "high",
        "assignee": staff.id,
    }
    assert client.submit(f"/t/{tenant.slug}/items/new", form, token_page=TOKEN_PAGE).status_code == 302
    item = db.session.scalar(select(ActionItem).where(ActionItem.tenant_id == tenant.id))
    assert mailbox.messages == []  # delivery is a job, run after the commit
    run_jobs()
    run_jobs()
    (message,) = mailbox.to(staff.email)
    assert len(mailbox.messages) == 1
    assert message["Subject"] == "AI-1 assigned to you: Write the policy"
    assert item_url(tenant, item.id) in body_text(message)
    assert f'href="{item_url(tenant, item.id)}"' in message.get_body(preferencelist=("html",)).get_content()


def test_reassignment_emails_the_new_assignee_and_back_again(client, tenant, members, items_roadmap, mailbox):
    staff, consultant = members[Role.STAFF], members[Role.CONSULTANT]
    item = make_item(tenant, items_roadmap)
    client.login(members[Role.OWNER])
    for person in (staff, consultant, staff):
        path = f"/t/{tenant.slug}/items/{item.id}/assign"
        assert client.submit(path, {"assignee": person.id}, token_page=TOKEN_PAGE).status_code == 302
    run_jobs()
    assert len(mailbox.to(staff.email)) == 2
    assert len(mailbox.to(consultant.email)) == 1
    assert all(item_url(tenant, item.id) in body_text(m) for m in mailbox.messages)


def test_no_email_when_assigning_to_yourself(client, tenant, members, items_roadmap, mailbox):
    manager = members[Role.PROGRAM_MANAGER]
    item = make_item(tenant, items_roadmap)
    client.login(manager)
    path = f"/t/{tenant.slug}/items/{item.id}/assign"
    assert client.submit(path, {"assignee": manager.id}, token_page=TOKEN_PAGE).status_code == 302
    form = {"roadmap_id": items_roadmap.id, "title": "Mine", "priority": "low", "assignee": manager.id}
    assert client.submit(f"/t/{tenant.slug}/items/new", form, token_page=TOKEN_PAGE).status_code == 302
    run_jobs()
    assert mailbox.messages == []


def test_a_refused_assignment_sends_nothing(client, tenant, members, items_roadmap, mailbox):
    client.login(members[Role.OWNER])
    form = {
        "roadmap_id": items_roadmap.id,
        "title": "Bad date",
        "priority": "low",
        "assignee": members[Role.STAFF].id,
    }
    response = client.submit(
        f"/t/{tenant.slug}/items/new", {**form, "due_on": "next friday"}, token_page=TOKEN_PAGE
    )
    assert response.status_code == 422
    run_jobs()
    assert mailbox.messages == []
