"""Online signup: organisation, owner account and trial in one form, then email verification."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.accounts import services as accounts
from saas.database import utcnow
from saas.extensions import db
from saas.tenants import services as tenants
from saas.tenants.models import Tenant
from saas.tenants.permissions import Role
from tests.accounts.helpers import COMMON, STRONG, link_path, mail_to, sign_in
from tests.mailbox import body_text
from tests.support import make_user

FORM = {"organisation": "Blue Desk", "name": "Bea Blue", "email": "Bea@Example.com", "password": STRONG[:20]}


def sign_up(client, **changes: str):
    return client.submit("/signup", {**FORM, **changes}, token_page="/signup")


def tenant_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Tenant))


def test_signup_creates_organisation_owner_and_trial_entered_once_the_address_is_confirmed(client, mailbox):
    response = sign_up(client)

    assert response.status_code == 302
    assert response.location == "/signup/sent"
    assert "Check your email" in client.get(response.location).get_data(as_text=True)
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "blue-desk"))
    user = accounts.user_get_by_email("bea@example.com")
    assert tenants.membership_get(tenant=tenant, user=user).role == Role.OWNER
    assert abs(tenant.trial_ends_at - (utcnow() + timedelta(days=14))) < timedelta(minutes=1)

    client.get(link_path(mail_to(mailbox, "bea@example.com")))
    assert sign_in(client, "bea@example.com", FORM["password"]).location == "/home"
    assert client.get("/home").location == "/t/blue-desk/"
    dashboard = client.get("/t/blue-desk/")
    assert dashboard.status_code == 200
    assert "Blue Desk" in dashboard.get_data(as_text=True)


def without_csrf(html: str) -> str:
    return re.sub(r'(name="csrf[-_]token"[^>]*value|content)="[^"]*"', "", html)


def test_signup_with_an_existing_address_answers_like_a_new_one_and_emails_the_owner(app, mailbox):
    make_user("taken@example.com", "Tess Taken")
    new, existing = app.test_client(), app.test_client()

    answers = [sign_up(new, email="fresh@example.com"), sign_up(existing, email="TAKEN@Example.com")]

    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].location == answers[1].location
    pages = [
        without_csrf(c.get(a.location).get_data(as_text=True))
        for c, a in zip((new, existing), answers, strict=True)
    ]
    assert pages[0] == pages[1]
    assert tenant_count() == 1  # only the new address got an organisation
    notice = mail_to(mailbox, "taken@example.com")
    assert notice["Subject"] == "Someone tried to sign up with your address"
    assert "/password/forgot" in body_text(notice)


def test_trial_length_comes_from_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRIAL_DAYS", 30)

    sign_up(client)

    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "blue-desk"))
    assert abs(tenant.trial_ends_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)


def test_signup_sends_a_verification_link_that_confirms_the_address(client, mailbox):
    sign_up(client)

    message = mail_to(mailbox, "bea@example.com")
    assert message["Subject"] == "Confirm your email address"
    assert accounts.user_get_by_email("bea@example.com").email_verified_at is None
    response = client.get(link_path(message))
    assert response.status_code == 302
    assert accounts.user_get_by_email("bea@example.com").email_verified_at is not None


def test_a_tampered_verification_link_gets_404_with_a_message(client):
    response = client.get("/verify/not-a-real-token")

    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_same_slug_twice_gets_a_distinct_slug(client, app):
    sign_up(client)
    second = app.test_client()

    response = sign_up(second, email="other@example.com")

    assert response.status_code == 302
    slugs = db.session.scalars(select(Tenant.slug).order_by(Tenant.id)).all()
    assert slugs[0] == "blue-desk"
    assert slugs[1].startswith("blue-desk-")


def test_a_signed_in_user_adds_an_organisation_with_just_its_name(client):
    user = make_user("multi@example.com", "Multi Person")
    client.login(user)

    response = client.submit("/signup", {"organisation": "Second Org"}, token_page="/signup")

    assert response.status_code == 302
    second = db.session.scalar(select(Tenant).where(Tenant.name == "Second Org"))
    assert tenants.membership_get(tenant=second, user=user).role == Role.OWNER


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": COMMON}, "too common"),
        ({"password": STRONG[:11]}, "between 12 and 128 characters"),
        ({"password": STRONG[:128] + "x"}, "between 12 and 128 characters"),
        ({"organisation": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"email": ""}, "This field is required."),
        ({"password": ""}, "This field is required."),
        ({"organisation": "x" * 10_000}, "cannot be longer than 120 characters"),
        ({"name": "x" * 10_000}, "cannot be longer than 120 characters"),
        ({"email": "a" * 10_000 + "@example.com"}, "Invalid email address."),
        ({"email": "bea@example.com\r\nBcc: victim@example.com"}, "Invalid email address."),
    ],
)
def test_bad_signup_input_gets_a_form_error_and_creates_nothing(client, changes, message):
    make_user("taken@example.com")
    before = tenant_count()

    response = sign_up(client, **changes)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert tenant_count() == before
