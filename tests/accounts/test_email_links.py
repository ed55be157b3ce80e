"""Unsubscribe links: signed with the instance's own key, expiring, and revocable by their user."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from itsdangerous import URLSafeTimedSerializer

from saas.accounts import services as accounts
from saas.database import utcnow
from saas.extensions import db
from tests.support import make_user

OLD_DEVELOPMENT_KEY = "development-only-secret-key-change-me"  # what every checkout used to share


def test_a_link_signed_with_the_old_development_key_is_refused(app):
    user = make_user()
    forged = URLSafeTimedSerializer(OLD_DEVELOPMENT_KEY, salt="accounts.unsubscribe").dumps(
        {"uid": user.id, "kind": "digest", "v": 0}
    )

    assert app.test_client().get(f"/unsubscribe/{forged}").status_code == 404


def test_an_unsubscribe_link_expires(app):
    user = make_user()
    token = accounts.unsubscribe_token(user, "digest")
    client = app.test_client()
    assert client.get(f"/unsubscribe/{token}").status_code == 200

    with time_machine.travel(utcnow() + timedelta(days=app.config["UNSUBSCRIBE_DAYS"] + 1)):
        response = client.get(f"/unsubscribe/{token}")

    assert response.status_code == 404
    assert "not valid any more" in response.get_data(as_text=True)


def test_the_user_can_revoke_every_unsubscribe_link_already_sent(app):
    user = make_user()
    token = accounts.unsubscribe_token(user, "reminders")
    db.session.commit()
    client = app.test_client().login(user)

    response = client.submit("/account/email-links/revoke", token_page="/account")

    assert response.status_code == 302
    assert app.test_client().get(f"/unsubscribe/{token}").status_code == 404
    fresh = accounts.unsubscribe_token(user, "reminders")
    assert app.test_client().get(f"/unsubscribe/{fresh}").status_code == 200
