"""The development outbox: without SMTP, read what the product would have sent you.

Each signed-in account sees only the mail addressed to its own address: the outbox holds
password-reset and invitation links, and a development instance may have strangers' accounts.
"""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from saas.extensions import db
from saas.mail import bp
from saas.mail.models import OutboxMessage


def _dev_outbox_enabled() -> bool:
    return current_app.config["APP_ENV"] != "production" and not current_app.config["MAIL_URL"]


@bp.get("/dev/outbox")
@login_required
def outbox():
    """The latest 100 messages to the signed-in user's address (404 when SMTP is configured)."""
    if not _dev_outbox_enabled():
        abort(404)
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_email == current_user.email)
        .order_by(OutboxMessage.id.desc())
        .limit(100)
    )
    return render_template("mail/outbox.html", messages=list(messages))
