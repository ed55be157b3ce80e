"""Failed sign-ins are throttled per account and per IP in Redis (ASVS 2.2.1); the lock expires by itself."""

from __future__ import annotations

import time

import pytest

from tests.accounts.helpers import sign_in
from tests.support import make_user

ACCOUNT_LOCK = "Too many failed sign-ins for this account"
IP_LOCK = "Too many sign-in attempts from here"


@pytest.fixture
def user():
    return make_user("target@example.com", "Tara Target")


def fail_to_sign_in(client, email: str = "target@example.com"):
    return sign_in(client, email, "a-wrong-password-guess")


def test_sixth_failed_login_within_a_minute_gets_429_with_a_message(client, user):
    for _ in range(5):
        assert fail_to_sign_in(client).status_code == 422

    response = fail_to_sign_in(client)

    assert response.status_code == 429
    assert ACCOUNT_LOCK in response.get_data(as_text=True)
    assert sign_in(client, "target@example.com").status_code == 429  # even the right password waits


def test_the_account_lock_holds_from_another_ip(app, client, user):
    for _ in range(5):
        fail_to_sign_in(client)

    elsewhere = app.test_client()
    response = elsewhere.submit(
        "/login",
        {"email": "target@example.com", "password": "x" * 12},
        token_page="/login",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )

    assert response.status_code == 429
    assert ACCOUNT_LOCK in response.get_data(as_text=True)


def test_successful_logins_do_not_count_against_the_account(client, user):
    for _ in range(6):
        assert sign_in(client, "target@example.com").status_code == 302


def test_one_ip_trying_many_accounts_is_throttled(client, user):
    for number in range(20):
        assert fail_to_sign_in(client, f"guess{number}@example.com").status_code == 422

    response = fail_to_sign_in(client, "guess-more@example.com")

    assert response.status_code == 429
    assert IP_LOCK in response.get_data(as_text=True)


def test_the_account_lock_expires_by_itself(client, user, redis):
    """The counters live in Redis with a time to live, and Redis (not Python) keeps that clock.

    So time is moved on where the clock is: every counter of the account must carry a TTL no
    longer than its window, and once the minute's counter lapses the right password works.
    """
    for _ in range(6):
        fail_to_sign_in(client)
    counters = {key: redis.ttl(key) for key in redis.scan_iter("*login:target@example.com*")}
    assert counters, "no rate-limit counter in Redis for the account"
    assert all(0 < ttl <= 3600 for ttl in counters.values()), counters
    per_minute = [key for key, ttl in counters.items() if ttl <= 60]
    assert per_minute, counters

    for key in per_minute:
        redis.pexpire(key, 1)
    time.sleep(0.01)

    assert sign_in(client, "target@example.com").status_code == 302
