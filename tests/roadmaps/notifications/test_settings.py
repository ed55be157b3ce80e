"""The reminder and digest settings page: members see it, settings editors change it, within the rules."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.notifications.models import NotificationSettings
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role

TOKEN_PAGE = "/account"
VALID = {
    "days_before": "5",
    "on_due_date": "y",
    "overdue_every_days": "7",
    "quiet_weekdays": ["4", "5", "6"],
    "send_hour": "9",
    "digest_frequency": "weekly",
    "digest_weekday": "1",
}


def path(tenant) -> str:
    return f"/t/{tenant.slug}/notifications"


def saved(tenant) -> NotificationSettings | None:
    db.session.expire_all()
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER, Role.CONSULTANT])
def test_members_without_settings_rights_see_the_settings_but_cannot_change_them(
    client, tenant, members, role
):
    client.login(members[role])
    page = client.get(path(tenant))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<fieldset disabled>" in html
    assert "Owners and program managers can change these settings." in html
    assert client.submit(path(tenant), VALID, token_page=TOKEN_PAGE).status_code == 403
    assert saved(tenant) is None


def test_the_defaults_are_shown_before_anything_is_saved(client, tenant, members):
    client.login(members[Role.OWNER])
    html = client.get(path(tenant)).get_data(as_text=True)
    assert 'name="days_before" required type="number" value="3"' in html
    assert '<option selected value="8">08:00</option>' in html
    assert re.search(r'id="quiet_weekdays-5" value="5"\s+checked', html)
    assert not re.search(r'id="quiet_weekdays-0" value="0"\s+checked', html)


@pytest.mark.parametrize("role", [Role.OWNER, Role.PROGRAM_MANAGER])
def test_settings_editors_save_the_settings_and_it_is_audited(client, tenant, members, role):
    client.login(members[role])
    response = client.submit(path(tenant), VALID, token_page=TOKEN_PAGE)
    assert response.status_code == 302
    settings = saved(tenant)
    assert (settings.days_before, settings.on_due_date, settings.overdue_every_days) == (5, True, 7)
    assert (settings.quiet_weekdays, settings.send_hour, settings.digest_weekday) == ([4, 5, 6], 9, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notifications.updated"))
    assert event.actor_id == members[role].id
    assert event.data["changes"]["days_before"] == [3, 5]

    unticked = {**VALID, "on_due_date": ""}
    unticked.pop("on_due_date")
    assert client.submit(path(tenant), unticked, token_page=TOKEN_PAGE).status_code == 302
    assert saved(tenant).on_due_date is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"days_before": "31"}, "Number must be between 0 and 30."),
        ({"overdue_every_days": "-1"}, "Number must be between 0 and 30."),
        ({"days_before": "soon"}, "Not a valid integer value."),
        ({"send_hour": "24"}, "Not a valid choice."),
        ({"digest_frequency": "hourly"}, "Not a valid choice."),
        ({"quiet_weekdays": [str(day) for day in range(7)]}, "Leave at least one day for sending."),
        ({"digest_weekday": "5"}, "The weekly digest cannot go out on a quiet day (Saturday)."),
    ],
)
def test_out_of_range_or_contradictory_settings_are_refused(client, tenant, members, change, message):
    client.login(members[Role.OWNER])
    response = client.submit(path(tenant), {**VALID, **change}, token_page=TOKEN_PAGE)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert saved(tenant) is None


def test_a_daily_digest_may_keep_a_quiet_weekday_as_its_weekday(client, tenant, members):
    client.login(members[Role.OWNER])
    daily = {**VALID, "digest_frequency": "daily", "digest_weekday": "5"}
    assert client.submit(path(tenant), daily, token_page=TOKEN_PAGE).status_code == 302
    assert saved(tenant).digest_frequency == "daily"


def test_the_organisation_settings_page_links_to_the_reminder_settings(client, tenant, members):
    client.login(members[Role.OWNER])
    html = client.get(f"/t/{tenant.slug}/settings").get_data(as_text=True)
    assert f'href="/t/{tenant.slug}/notifications"' in html
