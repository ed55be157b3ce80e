"""Accounts: creating users, signing in and out, login sessions, email and password changes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from saas.accounts.errors import EmailNotVerified, EmailTaken, InvalidToken
from saas.accounts.models import EmailOptOut, LoginSession, User
from saas.accounts.passwords import check_password_rules, hash_password, needs_rehash, verify_password
from saas.database import is_row_id, utcnow
from saas.extensions import db
from saas.mail.services import mail_queue

SESSION_DAYS = 14
REMEMBER_DAYS = 30
# Compared against when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = hash_password("not-a-real-password-for-timing")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def one_line(text: str) -> str:
    """Names stay on one line: runs of whitespace (CR and LF too) become one space."""
    return " ".join(text.split())


def token_digest(token: str) -> str:
    """Tokens (sessions, invitations, API, feeds) are stored only as SHA-256 digests."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_create(*, email: str, name: str, password: str, email_verified: bool = False) -> User:
    """A new global identity; one account per email address. Unverified addresses get a link."""
    email = normalise_email(email)
    check_password_rules(password, user_inputs=[email, name])  # first: refusals tell nothing of who exists
    taken = EmailTaken("An account with this email already exists. Sign in instead.")
    if user_get_by_email(email):
        raise taken
    user = User(
        email=email,
        name=one_line(name),
        password_hash=hash_password(password),
        email_verified_at=utcnow() if email_verified else None,
    )
    try:
        with db.session.begin_nested():  # the unique index decides between two signups at once
            db.session.add(user)
    except IntegrityError as exc:
        raise taken from exc
    if not email_verified:
        email_verification_send(user)
    return user


def signup_attempt_notify(*, email: str, password: str) -> None:
    """Someone signed up with an address that has an account: tell its owner, by email only.

    The password is hashed anyway, so the answer takes as long as a real signup's.
    """
    hash_password(password)
    user = user_get_by_email(email)
    if user is None:
        return
    mail_queue(
        to=user.email,
        template="accounts/email/signup_attempt",
        dedupe_key=f"signup-attempt:{user.id}:{utcnow():%Y%m%d%H%M}",
        user=user,
    )


def user_rename(user: User, *, name: str) -> None:
    user.name = one_line(name)


def user_authenticate(*, email: str, password: str) -> User | None:
    """The user if the password matches; None otherwise (same work either way)."""
    user = user_get_by_email(email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def login_session_start(user: User, *, remember: bool, user_agent: str = "") -> str:
    """A new session token for this browser (a fresh id at every login, ASVS 3.2.1)."""
    token = secrets.token_urlsafe(32)
    days = REMEMBER_DAYS if remember else SESSION_DAYS
    db.session.add(
        LoginSession(
            user=user,
            token_hash=token_digest(token),
            expires_at=utcnow() + timedelta(days=days),
            user_agent=user_agent[:255],
        )
    )
    user.current_session_token = token
    return token


def login_session_user(token: str) -> User | None:
    """The user of a live session token, or None if it ended or expired."""
    row = db.session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == token_digest(token), LoginSession.expires_at > utcnow())
    ).first()
    if row is None:
        return None
    login_session, user = row
    if utcnow() - login_session.last_seen_at > timedelta(minutes=5):
        login_session.last_seen_at = utcnow()
    user.current_session_token = token
    return user


def login_session_end(token: str | None) -> None:
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))


def login_sessions_end_others(user: User) -> int:
    """End every session of the user but the current one (ASVS 3.3.3)."""
    keep = token_digest(user.current_session_token or "")
    result = db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.token_hash != keep)
    )
    return result.rowcount


def link_serializer(purpose: str) -> URLSafeTimedSerializer:
    """Signs the tokens of emailed links (reset, verification); `purpose` keeps them apart."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"accounts.{purpose}")


VERIFY_DAYS = 7


def email_verification_token(user: User, *, next_path: str = "") -> str:
    """A signed link token proving `user.email`; `next_path` is where the link leads once confirmed."""
    return link_serializer("verify").dumps({"uid": user.id, "email": user.email, "next": next_path})


def email_verification_send(user: User, *, next_path: str = "") -> None:
    """Email a confirmation link (at most one a minute per address and destination)."""
    mail_queue(
        to=user.email,
        template="accounts/email/verify_email",
        dedupe_key=f"verify-email:{user.id}:{user.email}:{next_path}:{utcnow():%Y%m%d%H%M}",
        user=user,
        token=email_verification_token(user, next_path=next_path),
    )


def email_verify(token: str) -> tuple[User, str]:
    """Mark the address confirmed; the user and the path the link leads to. InvalidToken if bad or late."""
    try:
        data = link_serializer("verify").loads(token, max_age=VERIFY_DAYS * 24 * 3600)
    except BadSignature as exc:
        raise InvalidToken("This verification link is not valid or has expired.") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise InvalidToken("This verification link is not valid or has expired.")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user, str(data.get("next") or "")


def require_verified_email(user: User) -> None:
    """EmailNotVerified unless the user proved their address (before joining tenants or making tokens)."""
    if user.email_verified_at is None:
        raise EmailNotVerified(
            f"Confirm your email address first: open the link we sent to {user.email}, "
            "or ask for a new one on your account page."
        )


# --- email opt-outs -------------------------------------------------------------------------

# The kinds of email a user may stop, with what the unsubscribe page calls them.
OPT_OUT_KINDS = {
    "reminders": "reminders of your action items",
    "digest": "progress digests",
    "portfolio_digest": "weekly portfolio digests",
}


def is_opted_out(user: User, kind: str) -> bool:
    return (
        db.session.scalar(
            select(EmailOptOut.id).where(EmailOptOut.user_id == user.id, EmailOptOut.kind == kind)
        )
        is not None
    )


def opted_out_user_ids(user_ids: list[int], kind: str) -> set[int]:
    """Which of these users asked not to receive `kind` (one query for a whole recipient list)."""
    rows = db.session.scalars(
        select(EmailOptOut.user_id).where(EmailOptOut.user_id.in_(user_ids), EmailOptOut.kind == kind)
    )
    return set(rows)


def email_opt_out(user: User, kind: str) -> None:
    """Stop emails of `kind` to the user; doing it twice (two clicks, two tabs) is harmless."""
    if kind not in OPT_OUT_KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    if is_opted_out(user, kind):
        return
    try:
        with db.session.begin_nested():
            db.session.add(EmailOptOut(user_id=user.id, kind=kind))
    except IntegrityError:  # recorded concurrently
        pass


def email_opt_in(user: User, kind: str) -> None:
    """Receive emails of `kind` again."""
    db.session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == user.id, EmailOptOut.kind == kind))


def _unsubscribe_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="accounts.unsubscribe")


def unsubscribe_token(user: User, kind: str) -> str:
    """A signed token for the unsubscribe link of one kind of email (no login needed).

    It expires after UNSUBSCRIBE_DAYS and dies when the user revokes their email links.
    """
    return _unsubscribe_serializer().dumps({"uid": user.id, "kind": kind, "v": user.email_links_version})


def unsubscribe_target(token: str) -> tuple[User, str]:
    """The user and kind an unsubscribe token names; InvalidToken if tampered, expired or revoked."""
    refused = InvalidToken("This unsubscribe link is not valid any more. Use the link in a newer email.")
    try:
        data = _unsubscribe_serializer().loads(token, max_age=current_app.config["UNSUBSCRIBE_DAYS"] * 86400)
    except BadSignature as exc:
        raise refused from exc
    if not isinstance(data, dict) or not (isinstance(data.get("uid"), int) and is_row_id(data["uid"])):
        raise refused
    user = db.session.get(User, data["uid"])
    kind = data.get("kind")
    if user is None or kind not in OPT_OUT_KINDS or data.get("v") != user.email_links_version:
        raise refused
    return user, kind


def email_links_revoke(user: User) -> None:
    """Every unsubscribe link already emailed to the user stops working."""
    user.email_links_version += 1
