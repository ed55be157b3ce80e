"""The development outbox: without SMTP, read what the product would have sent."""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import login_required
from sqlalchemy import select

from saas.extensions import db
from saas.mail import bp
from saas.mail.models import OutboxMessage


def _dev_outbox_enabled() -> bool:
    return current_app.config["APP_ENV"] != "production" and not current_app.config["MAIL_URL"]


@bp.get("/dev/outbox")
@login_required
def outbox():
    if not _dev_outbox_enabled():
        abort(404)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100))
    return render_template("mail/outbox.html", messages=list(messages))
