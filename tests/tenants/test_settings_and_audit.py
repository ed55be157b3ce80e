"""Organisation settings and the audit log page."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from saas.database import utcnow
from saas.extensions import db
from saas.tenants import services as tenants
from saas.tenants.models import AuditEvent, Invitation, Tenant
from saas.tenants.permissions import Role
from tests.support import add_member


def save_settings(client, tenant, **fields: str):
    data = {"name": tenant.name, "timezone": tenant.timezone, **fields}
    return client.submit(f"/t/{tenant.slug}/settings", data, token_page="/account")


def audit_rows(page_html: str) -> int:
    return page_html.count("<tr>") - 1  # minus the header row


def test_settings_page_offers_zoneinfo_timezones_and_links_to_reminder_settings(client, acme, owner):
    page = client.login(owner).get("/t/acme/settings").get_data(as_text=True)

    assert re.search(r'<select[^>]*class="form-select[^>]*name="timezone"', page)
    assert '<option value="Europe/Paris">' in page
    assert "localtime" not in page
    assert 'href="/t/acme/notifications"' in page


def test_owner_renames_and_changes_timezone_and_it_is_audited(client, acme, owner):
    client.login(owner)

    response = save_settings(client, acme, name="Acme Services", timezone="Europe/Paris")

    assert response.status_code == 302
    tenant = db.session.get(Tenant, acme.id)
    assert (tenant.name, tenant.timezone, tenant.slug) == ("Acme Services", "Europe/Paris", "acme")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == acme.id).order_by(AuditEvent.id.desc())
    ).first()
    assert event.action == "settings.changed"
    assert event.data == {"name": ["Acme", "Acme Services"], "timezone": ["UTC", "Europe/Paris"]}


def test_saving_unchanged_settings_records_nothing(client, acme, owner):
    client.login(owner)
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))

    assert save_settings(client, acme).status_code == 302
    assert db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Not a valid choice."),
        ({"timezone": "localtime"}, "Not a valid choice."),
        ({"timezone": ""}, "Not a valid choice."),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 10_000}, "cannot be longer than 120 characters"),
    ],
)
def test_bad_settings_get_a_form_error_and_change_nothing(client, acme, owner, fields, message):
    client.login(owner)

    response = save_settings(client, acme, **fields)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    tenant = db.session.get(Tenant, acme.id)
    assert (tenant.name, tenant.timezone) == ("Acme", "UTC")


def test_the_service_refuses_a_timezone_outside_zoneinfo(acme, owner):
    from saas.tenants.errors import InvalidTimezone

    with pytest.raises(InvalidTimezone):
        tenants.tenant_update_settings(tenant=acme, actor=owner, name="Acme", timezone="Not/AZone")


def test_audit_log_pages_50_events_newest_first_with_actor_role_action_summary_time(client, acme, owner):
    start = utcnow() + timedelta(hours=1)  # after "tenant.created", which comes last
    for number in range(1, 120):  # with "tenant.created", 120 events
        db.session.add(
            AuditEvent(
                tenant=acme,
                actor=owner,
                actor_role=Role.PROGRAM_MANAGER,
                action="test.event",
                summary=f"Event number {number:03d}",
                created_at=start + timedelta(minutes=number),
            )
        )
    tenant = db.session.get(Tenant, acme.id)
    tenant.timezone = "Europe/Paris"
    client.login(owner)

    first = client.get("/t/acme/audit").get_data(as_text=True)
    third = client.get("/t/acme/audit?page=3").get_data(as_text=True)

    assert audit_rows(first) == 50
    assert audit_rows(third) == 20
    assert first.index("Event number 119") < first.index("Event number 118")
    assert "Event number 069" not in first
    assert "Event number 070" in first
    assert "Page 1 of 3" in first
    assert "Acme Owner" in first
    assert "Program manager" in first
    assert "<code>test.event</code>" in first
    newest = start + timedelta(minutes=119)
    assert newest.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d %H:%M") in first
    assert "Created Acme" in third


@pytest.mark.parametrize(
    ("page", "status"),
    [("abc", 200), ("-3", 200), ("0", 200), ("1e9", 200), ("99999999999999999999999999", 422)],
)
def test_odd_audit_page_numbers_never_fail(client, acme, owner, page, status):
    """Odd pages show the first one; a number no column holds is refused with a message (request guard)."""
    response = client.login(owner).get(f"/t/acme/audit?page={page}")

    assert response.status_code == status


def test_every_membership_and_settings_change_is_audited(app, client, acme, owner, mailbox):
    """One walk through every audited action, read back from the audit log page."""
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    client.login(owner)
    invite = {"email": "ivy@example.com", "role": "viewer"}
    client.submit("/t/acme/members/invitations", invite, token_page="/account")
    [invitation_id] = db.session.scalars(select(Invitation.id).where(Invitation.tenant_id == acme.id))
    client.submit(f"/t/acme/members/invitations/{invitation_id}/resend", token_page="/account")
    client.submit(f"/t/acme/members/invitations/{invitation_id}/revoke", token_page="/account")
    membership = tenants.membership_get(tenant=acme, user=sam)
    client.submit(f"/t/acme/members/{membership.id}/role", {"role": "viewer"}, token_page="/account")
    client.submit(f"/t/acme/members/{membership.id}/remove", token_page="/account")
    client.submit("/t/acme/settings", {"name": "Acme Two", "timezone": "UTC"}, token_page="/account")

    page = client.get("/t/acme/audit").get_data(as_text=True)

    actions = [
        "settings.changed",
        "member.removed",
        "member.role_changed",
        "invitation.revoked",
        "invitation.resent",
        "invitation.sent",
        "tenant.created",
    ]
    positions = [page.index(f"<code>{action}</code>") for action in actions]
    assert positions == sorted(positions)  # all there, newest first
