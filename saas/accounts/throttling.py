"""Sign-in throttling that slows guessing without locking the real person out (ASVS 2.2.1).

Failed passwords are counted in Redis twice: per address *and* client IP (the guesser's own
counter: after PAIR_FREE failures each further try waits twice as long as the last) and per
address alone (many IPs at once: after ADDRESS_FREE failures the same doubling delay). The
address-wide delay does not apply to a browser or IP that has signed in to that account before,
so the owner's correct password still works while someone else hammers the address. Nothing
is counted before a password is actually checked; every counter expires by itself (WINDOW), and
a successful sign-in clears the pair's. If Redis is unreachable nobody is throttled or locked.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from redis import Redis
from redis.exceptions import RedisError

from saas.accounts.models import User

PAIR_FREE = 5  # failures from one IP on one address before delays start
ADDRESS_FREE = 20  # failures on one address from anywhere before unknown devices wait
MAX_DELAY = 15 * 60  # seconds: the doubling stops here
WINDOW = 60 * 60  # seconds a counter lives after its last failure
KNOWN_IP_DAYS = 90
DEVICE_COOKIE = "known_device"
DEVICE_USERS = 5  # accounts remembered per browser


@dataclass(frozen=True)
class Client:
    """Who is signing in: the client's IP and the signed list of accounts this browser used before."""

    ip: str
    device_user_ids: tuple[int, ...] = ()


def _redis() -> Redis:
    return current_app.extensions["redis"]


def _delay(failures: int, free: int) -> int:
    return 0 if failures < free else min(2 ** (failures - free), MAX_DELAY)


def _keys(email: str, ip: str) -> tuple[str, str]:
    return f"signin:pair:{email}:{ip}", f"signin:address:{email}"


def _wait_for(key: str, free: int, now: float) -> int:
    failures, last = _redis().hmget(key, "failures", "last")
    if failures is None:
        return 0
    return max(0, math.ceil(float(last) + _delay(int(failures), free) - now))


def is_known(user: User | None, client: Client) -> bool:
    """Whether this browser or IP signed in to `user` before."""
    if user is None:
        return False
    if user.id in client.device_user_ids:
        return True
    try:
        return bool(_redis().sismember(f"signin:ips:{user.id}", client.ip))
    except RedisError:
        return False


def seconds_to_wait(*, email: str, user: User | None, client: Client) -> int:
    """How long this client must wait before its next password for `email` is checked; 0: go ahead."""
    pair, address = _keys(email, client.ip)
    now = time.time()
    try:
        wait = _wait_for(pair, PAIR_FREE, now)
        if not is_known(user, client):
            wait = max(wait, _wait_for(address, ADDRESS_FREE, now))
    except RedisError:
        current_app.logger.warning("sign-in throttle unavailable (Redis)")
        return 0
    return wait


def record_failure(*, email: str, client: Client) -> None:
    """A wrong password was checked for `email` from this client."""
    now = time.time()
    try:
        with _redis().pipeline() as pipe:
            for key in _keys(email, client.ip):
                pipe.hincrby(key, "failures", 1).hset(key, "last", now).expire(key, WINDOW)
            pipe.execute()
    except RedisError:
        current_app.logger.warning("sign-in throttle unavailable (Redis)")


def record_success(*, email: str, user: User, client: Client) -> None:
    """The right password: this IP becomes known to the account, and its own failures are forgotten."""
    known = f"signin:ips:{user.id}"
    try:
        with _redis().pipeline() as pipe:
            pipe.delete(_keys(email, client.ip)[0])
            pipe.sadd(known, client.ip).expire(known, KNOWN_IP_DAYS * 86400)
            pipe.execute()
    except RedisError:
        current_app.logger.warning("sign-in throttle unavailable (Redis)")


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="accounts.known-device")


def device_user_ids(cookie: str | None) -> tuple[int, ...]:
    """The accounts a browser's signed cookie says it signed in to; () if absent or tampered with."""
    if not cookie:
        return ()
    try:
        ids = _device_serializer().loads(cookie)
    except BadSignature:
        return ()
    return tuple(value for value in ids if isinstance(value, int)) if isinstance(ids, list) else ()


def device_cookie(previous: tuple[int, ...], user: User) -> str:
    """The cookie value that remembers `user` on this browser, besides the last few others."""
    ids = [user.id, *(value for value in previous if value != user.id)][:DEVICE_USERS]
    return _device_serializer().dumps(ids)
