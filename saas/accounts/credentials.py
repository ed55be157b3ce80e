"""Password change and reset: what a new password ends, and the notice that tells the address.

A change ends every other login session; a reset (from an emailed link) ends all of them. Both
revoke every API token and every unsubscribe link, and email a notice to the account's address
listing what was revoked (ASVS 2.5.5, 3.3.3): whoever held the old password holds nothing now.
A reset link proves the address, so it also confirms an address not yet verified.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import delete, select

from saas.accounts import services
from saas.accounts.errors import ExpiredToken, InvalidToken
from saas.accounts.models import ApiToken, LoginSession, User
from saas.accounts.passwords import check_password_rules, hash_password
from saas.database import utcnow
from saas.extensions import db
from saas.mail.services import mail_queue


def password_change(user: User, *, new_password: str) -> None:
    """Set a new password for a signed-in user: the other sessions end, tokens are revoked, a notice goes out."""
    _set_password(user, new_password)
    ended = services.login_sessions_end_others(user)
    _revoke_and_notify(user, how="changed", sessions_ended=ended)


def password_reset_token(user: User) -> str:
    """The token of a reset link; bound to the current password, so it works once."""
    return services.link_serializer("reset").dumps({"uid": user.id, "h": _password_fingerprint(user)})


def password_reset_send(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account probing)."""
    user = services.user_get_by_email(email)
    if user is None:
        return
    token = password_reset_token(user)
    mail_queue(
        to=user.email,
        template="accounts/email/password_reset",
        dedupe_key=f"password-reset:{services.token_digest(token)}",
        user=user,
        token=token,
        hours=current_app.config["PASSWORD_RESET_HOURS"],
    )


def _password_fingerprint(user: User) -> str:
    """A digest of the password hash: the readable token payload reveals nothing of the hash."""
    return services.token_digest(user.password_hash)[:16]


def password_reset_user(token: str) -> User:
    """The user a reset token was made for; ExpiredToken if expired or used, InvalidToken if tampered."""
    max_age = current_app.config["PASSWORD_RESET_HOURS"] * 3600
    try:
        data = services.link_serializer("reset").loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ExpiredToken("This reset link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise InvalidToken("This reset link is not valid. Ask for a new one.") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or _password_fingerprint(user) != data.get("h"):
        raise ExpiredToken("This reset link has already been used. Ask for a new one.")
    return user


def password_reset(token: str, *, new_password: str) -> User:
    """Set the password from an emailed link: every session ends, the address counts as confirmed."""
    user = password_reset_user(token)
    _set_password(user, new_password)
    ended = db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    _revoke_and_notify(user, how="reset", sessions_ended=ended)
    return user


def _set_password(user: User, new_password: str) -> None:
    check_password_rules(new_password, user_inputs=[user.email, user.name])
    user.password_hash = hash_password(new_password)


def _revoke_and_notify(user: User, *, how: str, sessions_ended: int) -> None:
    revoked = _revoke_api_tokens(user)
    services.email_links_revoke(user)
    mail_queue(
        to=user.email,
        template="accounts/email/password_changed",
        dedupe_key=f"password-{how}:{user.id}:{utcnow().isoformat()}",
        user=user,
        how=how,
        sessions_ended=sessions_ended,
        revoked_tokens=revoked,
    )


def _revoke_api_tokens(user: User) -> list[str]:
    """Revoke the user's live API tokens; their names and prefixes, for the notice."""
    now = utcnow()
    tokens = db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
        )
    ).all()
    for token in tokens:
        token.revoked_at = now
    return [f"{token.name} ({token.prefix}…)" for token in tokens]
