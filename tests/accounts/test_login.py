"""Signing in and out: session rotation, dead cookies after logout, remember me, safe redirects."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.accounts.helpers import session_token, sign_in
from tests.support import make_user


@pytest.fixture
def user():
    return make_user("lee@example.com", "Lee Login")


def test_login_with_the_right_password_signs_in(client, user):
    response = sign_in(client, "Lee@Example.com")

    assert response.status_code == 302
    assert response.location == "/home"
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("lee@example.com", "not-the-right-password"),
        ("nobody@example.com", "a-long-and-unusual-test-passphrase"),
    ],
)
def test_wrong_password_or_unknown_email_get_the_same_form_error(client, user, email, password):
    response = sign_in(client, email, password)

    assert response.status_code == 422
    assert "The email or password is not right." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "", "password": ""},
        {"email": "lee@example.com", "password": ""},
        {"email": "x" * 10_000, "password": "whatever-password"},
        {"email": "lee@example.com", "password": "p" * 10_000},
    ],
)
def test_bad_login_input_gets_a_form_error(client, user, fields):
    response = client.submit("/login", fields, token_page="/login")

    assert response.status_code == 422
    assert "invalid-feedback" in response.get_data(as_text=True)


def test_session_token_changes_at_every_login(client, user):
    """ASVS 3.2.1: the session cookie carries a new login-session token each time."""
    sign_in(client, "lee@example.com")
    first = session_token(client)
    sign_in(client, "lee@example.com")
    second = session_token(client)

    assert first
    assert second
    assert first != second


def test_login_starts_a_fresh_session(client, user):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before login"

    sign_in(client, "lee@example.com")

    with client.session_transaction() as session:
        assert "planted" not in session


def test_cookie_copied_before_logout_no_longer_works(app, client, user):
    """ASVS 3.3.1: logging out ends the session on the server, not just in this browser."""
    sign_in(client, "lee@example.com")
    copied = client.get_cookie("session").value

    response = client.submit("/logout", token_page="/account")

    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_remember_me_keeps_the_user_signed_in_without_the_session_cookie(app, client, user):
    sign_in(client, "lee@example.com", remember="y")
    remembered = client.get_cookie("remember_token")
    assert remembered is not None

    later = app.test_client()  # the browser was closed: only the lasting cookie is left
    later.set_cookie("remember_token", remembered.value)

    assert later.get("/account").status_code == 200


def test_without_remember_me_no_lasting_cookie_is_set(client, user):
    sign_in(client, "lee@example.com")

    assert client.get_cookie("remember_token") is None


def test_logout_deletes_and_kills_the_remember_me_cookie(app, client, user):
    sign_in(client, "lee@example.com", remember="y")
    remembered = client.get_cookie("remember_token").value

    client.submit("/logout", token_page="/account")

    assert client.get_cookie("remember_token") is None
    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert later.get("/account").status_code == 302


def test_logout_needs_a_post(client, user):
    client.login(user)

    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
    ],
)
def test_login_next_never_leaves_the_product(client, user, target):
    """ASVS 5.1.5."""
    response = sign_in(client, "lee@example.com", path="/login?" + urlencode({"next": target}))

    assert response.status_code == 302
    assert response.location == "/home"


def test_login_next_inside_the_product_is_followed(client, user):
    response = sign_in(client, "lee@example.com", path="/login?next=/account")

    assert response.location == "/account"
