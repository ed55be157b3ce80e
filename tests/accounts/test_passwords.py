"""Password rules (ASVS 2.1), hashing (2.4) and changing the password (2.5.5, 3.3.3)."""

from __future__ import annotations

import pytest

from saas.accounts import services as accounts
from saas.accounts.errors import WeakPassword
from saas.accounts.passwords import check_password_rules, verify_password
from saas.extensions import db
from tests.accounts.helpers import COMMON, mail_to, sign_in, strong_password
from tests.support import PASSWORD, make_user


@pytest.mark.parametrize(("length", "status"), [(11, 422), (12, 302), (64, 302), (128, 302), (129, 422)])
def test_signup_password_length_rules(client, length, status):
    response = client.submit(
        "/signup",
        {
            "organisation": "Len Org",
            "name": "Len",
            "email": "len@example.com",
            "password": strong_password(length),
        },
        token_page="/signup",
    )

    assert response.status_code == status
    if status == 422:
        assert "between 12 and 128 characters" in response.get_data(as_text=True)


@pytest.mark.parametrize("password", [COMMON, "Password1234!", "qwertyuiop12"])
def test_common_passwords_are_refused_by_the_rules(password):
    with pytest.raises(WeakPassword, match="too common"):
        check_password_rules(password)


def test_a_password_made_of_the_users_own_name_and_email_is_refused():
    with pytest.raises(WeakPassword):
        check_password_rules(
            "casey.jones@example.com", user_inputs=["casey.jones@example.com", "Casey Jones"]
        )


def test_common_password_refused_at_signup(client):
    response = client.submit(
        "/signup",
        {"organisation": "Org", "name": "Nat", "email": "nat@example.com", "password": COMMON},
        token_page="/signup",
    )

    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)


def test_same_password_gives_two_different_argon2_hashes():
    first = accounts.user_create(email="one@example.com", name="One", password=PASSWORD)
    second = accounts.user_create(email="two@example.com", name="Two", password=PASSWORD)

    assert first.password_hash.startswith("$argon2id$")
    assert first.password_hash != second.password_hash
    assert verify_password(first.password_hash, PASSWORD)
    assert verify_password(second.password_hash, PASSWORD)


def change_password(client, current: str, new: str, confirm: str | None = None):
    token = client.csrf_token("/account")
    return client.post(
        "/account",
        data={
            "form": "password",
            "password-csrf_token": token,
            "password-current_password": current,
            "password-password": new,
            "password-confirm": new if confirm is None else confirm,
        },
    )


def test_password_change_sends_a_notice_and_ends_the_other_sessions(app, client, mailbox):
    user = make_user("pat@example.com", "Pat Change")
    sign_in(client, "pat@example.com")
    other_browser = app.test_client().login(user)
    assert other_browser.get("/account").status_code == 200

    response = change_password(client, PASSWORD, strong_password(20))

    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_browser.get("/account").status_code == 302
    notice = mail_to(mailbox, "pat@example.com")
    assert notice["Subject"] == "Your password was changed"
    client.submit("/logout", token_page="/account")
    assert sign_in(client, "pat@example.com", strong_password(20)).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (PASSWORD, COMMON, None, "too common"),
        (PASSWORD, strong_password(11), None, "between 12 and 128 characters"),
        (PASSWORD, strong_password(129), None, "between 12 and 128 characters"),
        (PASSWORD, strong_password(20), strong_password(21), "The passwords differ."),
        ("not-my-password", strong_password(20), None, "That is not your current password."),
        ("", "", "", "This field is required."),
    ],
)
def test_bad_password_change_gets_a_form_error_and_keeps_the_password(client, current, new, confirm, message):
    user = make_user("pat@example.com", "Pat Change")
    client.login(user)
    old_hash = user.password_hash

    response = change_password(client, current, new, confirm)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_profile_name_is_saved_on_one_line(client):
    user = make_user("pat@example.com", "Pat Change")
    client.login(user)

    response = client.post(
        "/account",
        data={
            "form": "profile",
            "profile-csrf_token": client.csrf_token("/account"),
            "profile-name": "Pat\r\nBcc: x",
        },
    )

    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Pat Bcc: x"
