"""Failed sign-ins slow the guesser down, per address and IP together, and never lock the owner out
(ASVS 2.2.1): the delays double, expire by themselves, and a browser or IP that signed in before
still gets in with the right password while someone else attacks the address."""

from __future__ import annotations

import re
import time

import pytest

from saas.accounts import throttling
from tests.accounts.helpers import sign_in
from tests.support import PASSWORD, make_user

ACCOUNT_WAIT = "Too many failed sign-ins for this account"
IP_LOCK = "Too many sign-in attempts from here"
OWNER_IP = "198.51.100.7"


@pytest.fixture
def user():
    return make_user("target@example.com", "Tara Target")


def attempt(client, password: str, *, ip: str = "127.0.0.1", email: str = "target@example.com"):
    return client.submit(
        "/login",
        {"email": email, "password": password},
        token_page="/login",
        environ_base={"REMOTE_ADDR": ip},
    )


def fail(client, *, ip: str = "127.0.0.1", email: str = "target@example.com"):
    return attempt(client, "a-wrong-password-guess", ip=ip, email=email)


def seconds_asked(response) -> int:
    match = re.search(r"Try again in (\d+) seconds", response.get_data(as_text=True))
    assert match, "no wait in the answer"
    return int(match.group(1))


def test_the_guessing_browser_waits_after_five_failures_even_with_the_right_password(client, user):
    for _ in range(throttling.PAIR_FREE):
        assert fail(client).status_code == 422

    response = fail(client)

    assert response.status_code == 429
    assert ACCOUNT_WAIT in response.get_data(as_text=True)
    assert seconds_asked(response) == 1
    assert int(response.headers["Retry-After"]) >= 1
    assert attempt(client, PASSWORD).status_code == 429  # the guesser learns nothing by guessing right


def test_the_delays_double(client, user, redis):
    for _ in range(throttling.PAIR_FREE + 3):
        fail(client)
        redis.hset("signin:pair:target@example.com:127.0.0.1", "last", 0)  # let each one through

    redis.hset("signin:pair:target@example.com:127.0.0.1", "last", time.time())
    response = fail(client)

    assert response.status_code == 429
    assert 2**3 - 1 <= seconds_asked(response) <= 2**3


def test_the_owner_gets_in_from_a_known_browser_while_the_address_is_attacked(app, user):
    owner = app.test_client()
    assert attempt(owner, PASSWORD, ip=OWNER_IP).status_code == 302  # the owner's usual browser
    owner.submit("/logout", token_page="/account")
    for number in range(throttling.ADDRESS_FREE + 5):  # a botnet: each guess from another IP
        fail(app.test_client(), ip=f"203.0.113.{number}")

    stranger = attempt(app.test_client(), PASSWORD, ip="192.0.2.50")
    same_browser_new_network = attempt(owner, PASSWORD, ip="192.0.2.77")

    assert stranger.status_code == 429  # an unknown device waits, even with the password
    assert same_browser_new_network.status_code == 302  # the owner's browser is known: no wait


def test_the_owner_gets_in_from_a_known_ip_with_a_new_browser(app, user):
    assert attempt(app.test_client(), PASSWORD, ip=OWNER_IP).status_code == 302
    for number in range(throttling.ADDRESS_FREE + 5):
        fail(app.test_client(), ip=f"203.0.113.{number}")

    assert attempt(app.test_client(), PASSWORD, ip=OWNER_IP).status_code == 302


def test_nothing_is_counted_before_a_password_is_checked(client, user, redis):
    for _ in range(10):
        response = client.submit(
            "/login", {"email": "target@example.com", "password": ""}, token_page="/login"
        )
        assert response.status_code == 422

    assert not list(redis.scan_iter("signin:*target@example.com*"))
    assert sign_in(client, "target@example.com").status_code == 302


def test_successful_logins_do_not_count_against_the_account(client, user):
    for _ in range(6):
        assert sign_in(client, "target@example.com").status_code == 302


def test_one_ip_trying_many_accounts_is_throttled(client, user):
    for number in range(20):
        assert fail(client, email=f"guess{number}@example.com").status_code == 422

    response = fail(client, email="guess-more@example.com")

    assert response.status_code == 429
    assert IP_LOCK in response.get_data(as_text=True)


def test_the_wait_expires_by_itself(client, user, redis):
    """Redis keeps the clock: every counter carries a TTL, and once it lapses the right password works."""
    for _ in range(throttling.PAIR_FREE + 1):
        fail(client)
    counters = {key: redis.ttl(key) for key in redis.scan_iter("signin:*target@example.com*")}
    assert len(counters) == 2, counters  # per address and IP, and per address
    assert all(0 < ttl <= throttling.WINDOW for ttl in counters.values()), counters

    for key in counters:
        redis.pexpire(key, 1)
    time.sleep(0.01)

    assert sign_in(client, "target@example.com").status_code == 302
