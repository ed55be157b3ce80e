"""A pre-registered address cannot be turned into access: verification first, and a new password
ends every session and token of whoever held the old one (ASVS 2.5.5, 3.3.3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.accounts import api_tokens
from saas.accounts.errors import EmailNotVerified
from saas.accounts.models import ApiToken
from saas.extensions import db
from saas.tenants import services as tenants
from tests.accounts.helpers import link_path, mail_to, sign_in, strong_password
from tests.mailbox import body_text
from tests.support import PASSWORD, make_tenant, make_user, owner_of, run_jobs
from tests.tenants.test_invitations import fresh_request_scope, invitation_link

NEW_PASSWORD = strong_password(24)


def token_works(client, secret: str) -> bool:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def make_api_token(user) -> str:
    secret = api_tokens.api_token_create(user=user, name="Sync script", expires_in_days=None).secret
    db.session.commit()
    return secret


def test_an_unconfirmed_address_cannot_make_api_tokens(app):
    squatter = make_user("victim@example.com", "Not The Victim", verified=False)
    client = app.test_client().login(squatter)

    page = client.submit(
        "/account/api-tokens", {"name": "backdoor", "expires": "never"}, token_page="/account"
    )

    assert page.status_code == 422
    assert "Confirm your email address first" in page.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken)).all() == []
    with pytest.raises(EmailNotVerified):
        api_tokens.api_token_create(user=squatter, name="backdoor", expires_in_days=None)


def test_an_unconfirmed_account_goes_through_verification_before_joining(app, mailbox):
    acme = make_tenant("Acme")
    invitee = make_user("ivy@example.com", "Ivy Invited", verified=False)
    inviter = app.test_client().login(owner_of(acme))
    path = invitation_link(inviter, acme, mailbox, "ivy@example.com")
    browser = app.test_client().login(invitee)
    fresh_request_scope()

    refused = browser.submit(path, token_page=path)

    assert refused.status_code == 403
    assert "Confirm your email address first" in refused.get_data(as_text=True)
    assert tenants.membership_get(tenant=acme, user=invitee) is None
    confirm = link_path(mail_to(mailbox, "ivy@example.com"))
    assert browser.get(confirm).location == path  # the confirmation leads back to the invitation
    fresh_request_scope()
    joined = browser.submit(path, token_page=path)
    assert joined.status_code == 302
    assert tenants.membership_get(tenant=acme, user=invitee) is not None


def test_password_change_revokes_api_tokens_and_the_notice_lists_them(app, client, mailbox):
    user = make_user("pat@example.com", "Pat Change")
    secret = make_api_token(user)
    assert token_works(app.test_client(), secret)
    sign_in(client, "pat@example.com")

    client.post(
        "/account",
        data={
            "form": "password",
            "password-csrf_token": client.csrf_token("/account"),
            "password-current_password": PASSWORD,
            "password-password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
        },
    )

    assert not token_works(app.test_client(), secret)
    notice = body_text(mail_to(mailbox, "pat@example.com"))
    assert "Sync script (cmmi_" in notice
    assert "other sessions were signed out" in notice


def test_the_pre_registered_takeover_is_closed(app, mailbox):
    """The attacker registers the victim's address and keeps a session; the victim resets the
    password (the emailed link proves the address), is invited and joins: the attacker has nothing."""
    squatter = make_user("victim@example.com", "Attacker", verified=False)
    attacker = app.test_client().login(squatter)
    assert attacker.get("/account").status_code == 200

    victim = app.test_client()
    victim.submit("/password/forgot", {"email": "victim@example.com"}, token_page="/password/forgot")
    reset = link_path(mail_to(mailbox, "victim@example.com"))
    mailbox.clear()
    victim.submit(reset, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_page="/")
    run_jobs()
    [notice] = mailbox.to("victim@example.com")
    assert notice["Subject"] == "Your password was reset"
    mailbox.clear()

    assert attacker.get("/account").status_code == 302  # the attacker's session ended
    db.session.refresh(squatter)
    assert squatter.email_verified_at is not None  # the reset link proved the address
    acme = make_tenant("Acme")
    path = invitation_link(app.test_client().login(owner_of(acme)), acme, mailbox, "victim@example.com")
    sign_in(victim, "victim@example.com", NEW_PASSWORD)
    fresh_request_scope()
    assert victim.submit(path, token_page=path).status_code == 302
    assert attacker.get("/t/acme/").status_code == 302  # still signed out
