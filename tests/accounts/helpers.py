"""Going through the accounts pages as a person would (the tenants tests use these too)."""

from __future__ import annotations

import re
from email.message import EmailMessage

from tests.mailbox import Mailbox, body_text
from tests.support import PASSWORD, TestClient, run_jobs

STRONG = "Vq8#tLm2!xRz9@pW" * 9  # 144 characters; strong enough at every length from 12 up
COMMON = "password1234"  # 12 characters, but on every list of common passwords


def strong_password(length: int) -> str:
    return STRONG[:length]


def sign_in(client: TestClient, email: str, password: str = PASSWORD, *, path: str = "/login", **extra: str):
    """Submit the login form (`path` may carry ?next=...)."""
    return client.submit(path, {"email": email, "password": password, **extra}, token_page="/login")


def session_token(client: TestClient) -> str | None:
    """The login-session token the browser's session cookie carries."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def mail_to(mailbox: Mailbox, address: str) -> EmailMessage:
    """Deliver the outbox, then the one message `address` received."""
    run_jobs()
    [message] = mailbox.to(address)
    return message


def link_path(message: EmailMessage) -> str:
    """The path of the product link in an email."""
    match = re.search(r"http://localhost(/\S+)", body_text(message))
    assert match, f"no link in {message['Subject']!r}"
    return match.group(1)
