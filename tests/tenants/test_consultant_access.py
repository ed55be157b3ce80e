"""Consultants in a client: invited with a consultant role, their work named in the client's audit log."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.tenants import services as tenants
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from saas.tenants.scoping import clear_scope
from tests.accounts.helpers import link_path, mail_to
from tests.mailbox import body_text
from tests.support import add_member, make_user

NEW_ROADMAP = {
    "name": "Plan drafted by our consultant",
    "target_kind": "maturity_level",
    "target_maturity_level": "2",
    "starts_on": "2027-01-01",
    "ends_on": "2027-12-31",
}


def audit_table_rows(html: str) -> list[str]:
    """Each row of the audit table as plain text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def chris(acme):
    return add_member(acme, Role.CONSULTANT, "chris@consulting.example")


def test_a_consultants_change_shows_in_the_clients_audit_log_with_their_name_and_role(
    client, acme, owner, chris
):
    client.login(chris)
    response = client.submit("/t/acme/roadmaps", NEW_ROADMAP, token_page="/t/acme/roadmaps")
    assert response.status_code == 302

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == acme.id, AuditEvent.action == "roadmap.created")
    ).one()
    assert (event.actor_id, event.actor_role) == (chris.id, Role.CONSULTANT)

    page = client.login(owner).get("/t/acme/audit").get_data(as_text=True)
    [row] = [row for row in audit_table_rows(page) if "roadmap.created" in row]
    assert "Consultant (consultant) Consultant roadmap.created" in row  # name, mark, role, action
    assert "Plan drafted by our consultant" in row


def test_the_audit_log_can_show_only_what_consultants_did(client, acme, owner, chris):
    tenants.audit(tenant=acme, actor=chris, action="test.consultant", summary="Reviewed the plan")
    tenants.audit(tenant=acme, actor=owner, action="test.owner", summary="Approved the plan")
    db.session.commit()
    client.login(owner)

    only_consultants = audit_table_rows(client.get("/t/acme/audit?role=consultant").get_data(as_text=True))
    everyone = audit_table_rows(client.get("/t/acme/audit?role=nonsense").get_data(as_text=True))

    assert len(only_consultants) == 1
    assert "Reviewed the plan" in only_consultants[0]
    assert len(everyone) == 3  # with "tenant.created"
    page = client.get("/t/acme/audit?role=consultant").get_data(as_text=True)
    assert '<option value="consultant" selected>Consultant</option>' in page
    assert '<option value="consultant_viewer">Consultant (read-only)</option>' in page


def test_a_client_grants_read_only_access_by_invitation_and_the_consultant_joins(
    app, client, acme, owner, mailbox
):
    reader = make_user("reader@consulting.example", "Rita Reader")
    client.login(owner)
    invite = {"email": reader.email, "role": "consultant_viewer"}

    assert client.submit("/t/acme/members/invitations", invite, token_page="/account").status_code == 302
    assert "Consultant (read-only)</span>" in client.get("/t/acme/members").get_data(as_text=True)  # pending
    message = mail_to(mailbox, reader.email)
    assert "as consultant (read-only)" in body_text(message)

    invited = app.test_client().login(reader)
    path = link_path(message)
    assert "as Consultant (read-only)." in invited.get(path).get_data(as_text=True)
    clear_scope(db.session)  # the accept page is not a tenant page
    assert invited.submit(path, token_page=path).status_code == 302

    assert tenants.membership_get(tenant=acme, user=reader).role == Role.CONSULTANT_VIEWER
    assert [m.tenant_id for m in tenants.client_memberships(user=reader)] == [acme.id]
    assert 'href="/portfolio">Portfolio</a>' in invited.get("/t/acme/").get_data(as_text=True)
