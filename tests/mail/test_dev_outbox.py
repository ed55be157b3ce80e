"""The development outbox (no SMTP): each account reads only the mail sent to its own address."""

from __future__ import annotations

import pytest

from saas.accounts import credentials
from saas.extensions import db
from tests.support import make_user


@pytest.fixture
def dev_mail(app, monkeypatch):
    """Development mode as `./dev start` runs it: no MAIL_URL, so the outbox page is on."""
    monkeypatch.setitem(app.config, "MAIL_URL", "")
    monkeypatch.setitem(app.config, "APP_ENV", "development")


def test_an_account_does_not_see_another_accounts_reset_link(app, dev_mail):
    victim = make_user("victim@example.com", "Victor Victim")
    attacker = make_user("attacker@example.com", "Mallory")
    credentials.password_reset_send(victim.email)
    credentials.password_reset_send(attacker.email)
    db.session.commit()

    page = app.test_client().login(attacker).get("/dev/outbox").get_data(as_text=True)

    assert "attacker@example.com" in page
    assert "victim@example.com" not in page
    assert page.count("/password/reset/") == 1  # the attacker's own link only


def test_the_recipient_reads_their_own_link_in_the_dev_outbox(app, dev_mail):
    victim = make_user("victim@example.com", "Victor Victim")
    credentials.password_reset_send(victim.email)
    db.session.commit()

    page = app.test_client().login(victim).get("/dev/outbox").get_data(as_text=True)

    assert "/password/reset/" in page


def test_the_dev_outbox_is_off_with_smtp_configured(app):
    user = make_user()
    assert app.test_client().login(user).get("/dev/outbox").status_code == 404
