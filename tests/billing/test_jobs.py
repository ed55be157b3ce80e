"""Trial-ending reminders: owners hear once, a few days before the trial ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.billing.jobs import send_trial_reminders
from saas.database import utcnow
from saas.extensions import db
from saas.mail.models import OutboxMessage
from saas.tenants.permissions import Role
from tests.billing.conftest import subscribe
from tests.support import add_member, owner_of


def reminders() -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("trial-ending:%")))
    )


@pytest.fixture
def ending(tenant):
    tenant.trial_ends_at = utcnow() + timedelta(days=2, hours=1)
    db.session.commit()
    return tenant


def test_owners_are_told_once_that_the_trial_ends_soon(stripe, ending):
    add_member(ending, Role.STAFF)

    first = send_trial_reminders()
    again = send_trial_reminders()

    [message] = reminders()
    assert (first, again) == (1, 0)
    assert message.to_email == owner_of(ending).email
    assert message.subject == "Your Acme Services trial ends in 3 days"
    assert f"http://localhost/t/{ending.slug}/billing" in message.text_body


def test_no_reminder_for_subscribers(stripe, ending):
    subscribe(ending)

    assert send_trial_reminders() == 0


def test_no_reminder_while_the_trial_is_far_from_its_end(stripe, tenant):
    assert send_trial_reminders() == 0


def test_no_reminder_without_billing(ending):
    assert send_trial_reminders() == 0
    assert reminders() == []
