"""Password reset by emailed link: works once, expires, never tells who has an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.accounts.helpers import COMMON, link_path, mail_to, sign_in, strong_password
from tests.support import make_user

NEW_PASSWORD = strong_password(24)


@pytest.fixture
def user():
    return make_user("rita@example.com", "Rita Reset")


def ask_for_reset(client, email: str = "rita@example.com"):
    return client.submit("/password/forgot", {"email": email}, token_page="/password/forgot")


def reset_link(client, mailbox) -> str:
    ask_for_reset(client)
    return link_path(mail_to(mailbox, "rita@example.com"))


def choose_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.submit(
        path, {"password": password, "confirm": password if confirm is None else confirm}, token_page="/"
    )


def test_reset_link_is_emailed_and_sets_a_new_password(client, user, mailbox):
    response = ask_for_reset(client)
    assert response.status_code == 302
    message = mail_to(mailbox, "rita@example.com")
    assert message["Subject"] == "Reset your password"
    path = link_path(message)

    assert client.get(path).status_code == 200
    response = choose_password(client, path)

    assert response.status_code == 302
    assert sign_in(client, "rita@example.com", NEW_PASSWORD).status_code == 302


def test_reset_link_works_once(client, user, mailbox):
    path = reset_link(client, mailbox)
    choose_password(client, path)

    second_visit = client.get(path)
    second_use = choose_password(client, path, strong_password(30))

    assert second_visit.status_code == 410
    assert "already been used" in second_visit.get_data(as_text=True)
    assert second_use.status_code == 410
    assert sign_in(client, "rita@example.com", NEW_PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(client, user, mailbox):
    path = reset_link(client, mailbox)

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2, minutes=1)):
        response = client.get(path)
        attempt = choose_password(client, path)

    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert attempt.status_code == 410
    assert sign_in(client, "rita@example.com", NEW_PASSWORD).status_code == 422


def test_reset_link_still_works_just_before_it_expires(client, user, mailbox):
    path = reset_link(client, mailbox)

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1, minutes=59)):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "x" * 10_000, "eyJ1aWQiOjF9.tampered.signature"])
def test_bad_reset_token_gets_404_with_a_message(client, user, token):
    response = client.get(f"/password/reset/{token}")

    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, mailbox):
    response = ask_for_reset(client, "nobody@example.com")

    assert response.status_code == 302
    assert "If an account uses that address" in client.get(response.location).get_data(as_text=True)
    mail_to_nobody = mailbox.to("nobody@example.com")
    assert mail_to_nobody == []


def test_reset_signs_out_every_session(app, client, user, mailbox):
    signed_in = app.test_client().login(user)
    path = reset_link(client, mailbox)

    choose_password(client, path)

    assert signed_in.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        (COMMON, None, "too common"),
        (strong_password(11), None, "between 12 and 128 characters"),
        (strong_password(129), None, "between 12 and 128 characters"),
        ("p" * 10_000, None, "between 12 and 128 characters"),
        (NEW_PASSWORD, "something-else-entirely", "The passwords differ."),
        ("", "", "This field is required."),
    ],
)
def test_bad_new_password_gets_a_form_error_and_the_link_stays_usable(
    client, user, mailbox, password, confirm, message
):
    path = reset_link(client, mailbox)

    response = choose_password(client, path, password, confirm)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("email", ["", "not-an-email", "a" * 10_000 + "@example.com"])
def test_bad_reset_request_gets_a_form_error(client, email):
    response = ask_for_reset(client, email)

    assert response.status_code == 422
    assert "invalid-feedback" in response.get_data(as_text=True)
