"""Record messages once; deliver pending ones over SMTP, or into a folder in development."""

from __future__ import annotations

import smtplib
from contextlib import AbstractContextManager, nullcontext
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.database import utcnow
from saas.extensions import db
from saas.jobs import enqueue_after_commit
from saas.mail.models import MAX_ATTEMPTS, MessageStatus, OutboxMessage, retry_delay
from saas.mail.secret_links import redact, unmark


def mail_queue(*, to: str, template: str, dedupe_key: str, **context: Any) -> OutboxMessage | None:
    """Render `template` (.txt, optional .html; first line of .txt is 'Subject: ...') and record it.

    Returns None when a message with this dedupe key already exists: recording happens once.
    Delivery is enqueued after the surrounding transaction commits.
    """
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    with _url_context():
        subject, text_body = _render_text(template, context)
        html_body = _render_html(template, context)
    message = OutboxMessage(
        dedupe_key=dedupe_key, to_email=to, subject=subject, text_body=text_body, html_body=html_body
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # recorded concurrently by another worker
        return None
    from saas.mail.jobs import deliver

    enqueue_after_commit(deliver, message.id, retry=None)
    return message


def _url_context() -> AbstractContextManager:
    """Jobs and CLI commands render mail too: give url_for a request based on BASE_URL."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


def _render_text(template: str, context: dict[str, Any]) -> tuple[str, str]:
    rendered = render_template(f"{template}.txt", base_url=current_app.config["BASE_URL"], **context)
    first, _, body = rendered.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"{template}.txt must start with 'Subject: ...'")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def _render_html(template: str, context: dict[str, Any]) -> str:
    loader = current_app.jinja_env.loader
    try:
        loader.get_source(current_app.jinja_env, f"{template}.html")
    except Exception:  # no HTML variant: plain text only
        return ""
    return render_template(f"{template}.html", base_url=current_app.config["BASE_URL"], **context)


def message_deliver(message_id: int) -> bool:
    """Send one pending message; True when it is sent (now or before). Row-locked against twins.

    A failed attempt is recorded with the time of the next one, which the outbox sweep honours.
    """
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update(skip_locked=True)
    )
    if message is None or message.status != MessageStatus.PENDING:
        return message is not None and message.status == MessageStatus.SENT
    message.attempts += 1
    try:
        _transport(build_email(message))
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = str(exc)[:500]
        message.next_attempt_at = utcnow() + retry_delay(message.attempts)
        if message.attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
        current_app.logger.warning(
            "mail %s not delivered (attempt %s): %s", message.id, message.attempts, exc
        )
        return False
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()
    message.last_error = ""
    if current_app.config["MAIL_URL"]:
        message.text_body, message.html_body = redact(message.text_body), redact(message.html_body)
    return True


def due_message_ids(*, limit: int = 1000) -> list[int]:
    """Pending rows whose next attempt is due: lost jobs and earlier failures."""
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def build_email(message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message; the email package refuses CR/LF in headers (no header injection)."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = Address(addr_spec=message.to_email)
    email["Subject"] = " ".join(message.subject.split())
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email.set_content(unmark(message.text_body))
    if message.html_body:
        email.add_alternative(unmark(message.html_body), subtype="html")
    return email


def _transport(email: EmailMessage) -> None:
    url = current_app.config["MAIL_URL"]
    if not url:
        _write_to_folder(email)
        return
    parts = urlsplit(url)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "127.0.0.1", parts.port or 25, timeout=15) as smtp:
        if "starttls" in parts.query:
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(email)


def _write_to_folder(email: EmailMessage) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = email["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
    (folder / f"{name}.eml").write_bytes(email.as_bytes())
