"""Personal API tokens: created, named, listed and revoked by their user (ASVS 3.5.2).

A token is `cmmi_` followed by 43 URL-safe characters (256 random bits). Only its SHA-256
digest is stored, with the first characters (`prefix`) so people can tell tokens apart; the
whole token is shown once, when it is made. Tokens may expire and can be revoked; either
way the next request with it is refused. Accounts know nothing of tenants: what a token may
reach is decided by the API from the user's memberships, on every request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from saas.accounts.errors import AccountError
from saas.accounts.models import ApiToken, User
from saas.accounts.services import one_line, require_verified_email, token_digest
from saas.database import is_row_id, utcnow
from saas.extensions import db

TOKEN_PREFIX = "cmmi_"  # noqa: S105 (a public marker that makes leaked tokens easy to spot)
PREFIX_SHOWN = 12  # "cmmi_" and seven random characters: enough to recognise, useless to guess
NAME_LENGTH = 80
EXPIRY_DAYS = (30, 90, 365)  # or None: until revoked
TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often
MAX_TOKEN_LENGTH = 200  # anything longer is not one of ours, and is not hashed


class InvalidApiToken(AccountError):
    """The presented token is unknown, revoked or expired; the message says which, for its holder."""


_REFUSALS = {"revoked": "The token has been revoked.", "expired": "The token has expired."}


@dataclass(frozen=True)
class NewApiToken:
    """A token just made: the row, and the secret that is shown once and never stored."""

    token: ApiToken
    secret: str


def api_token_create(*, user: User, name: str, expires_in_days: int | None) -> NewApiToken:
    """A new token for `user`, who must have confirmed their address (EmailNotVerified otherwise);
    `expires_in_days` is one of EXPIRY_DAYS or None (until revoked)."""
    require_verified_email(user)
    name = one_line(name)[:NAME_LENGTH]
    if not name:
        raise AccountError("Give the token a name, e.g. the tool that will use it.")
    if expires_in_days is not None and expires_in_days not in EXPIRY_DAYS:
        raise AccountError("Choose an expiry from the list.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=token_digest(secret),
        prefix=secret[:PREFIX_SHOWN],
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return NewApiToken(token, secret)


def api_token_list(*, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def api_token_get(*, user: User, token_id: int) -> ApiToken | None:
    """One of the user's tokens, or None (another user's token is not found)."""
    if not is_row_id(token_id):
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id == token_id))


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke the token from now on; revoking twice keeps the first time."""
    if token.user_id != user.id:
        raise AccountError("That is not one of your tokens.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def api_token_state(token: ApiToken, *, now: datetime | None = None) -> str:
    """ "active", "expired" or "revoked" (revoked wins)."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def api_token_authenticate(secret: str) -> ApiToken:
    """The live token with this secret, its user loaded; InvalidApiToken otherwise."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        raise InvalidApiToken("The token is not valid.")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    if token is None:
        raise InvalidApiToken("The token is not valid.")
    state = api_token_state(token)
    if state != "active":
        raise InvalidApiToken(_REFUSALS[state])
    return token


def api_token_touch(token: ApiToken) -> bool:
    """Record that the token was used now, at most once per TOUCH_INTERVAL; True if it wrote."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return False
    token.last_used_at = now
    db.session.flush()
    return True
