"""Record messages once; lease pending ones to delivery jobs and record how each attempt went."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from functools import lru_cache
from typing import Any

from flask import current_app, has_request_context, render_template
from jinja2 import TemplateNotFound
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from saas.database import utcnow
from saas.extensions import db
from saas.jobs import MAIL_QUEUE, enqueue_batch_after_commit
from saas.mail.models import (
    ALERT_AFTER,
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    RETRY_FIRST,
    MessageStatus,
    OutboxMessage,
    retry_delay,
)
from saas.mail.secret_links import redact, unmark

BATCH_SIZE = 100  # rows per delivery job, sent over one SMTP connection
ALERT_PREFIX = "mail-alert:"


def mail_queue(*, to: str, template: str, dedupe_key: str, **context: Any) -> OutboxMessage | None:
    """Render `template` (.txt, optional .html; first line of .txt is 'Subject: ...') and record it.

    Returns None when a message with this dedupe key already exists: recording happens once.
    Delivery is enqueued after the surrounding transaction commits, one job for up to BATCH_SIZE
    of the messages it recorded.
    """
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    with _url_context():
        subject, text_body = _render_text(template, context)
        html_body = _render_html(template, context)
    now = utcnow()
    message = _record(
        dedupe_key=dedupe_key,
        message_id=make_msgid(domain=_sender_domain()),
        to_email=to,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        status=MessageStatus.PENDING,
        attempts=0,
        last_error="",
        created_at=now,
        next_attempt_at=now + RETRY_FIRST,
    )
    if message is None:
        return None
    from saas.mail.jobs import deliver

    enqueue_batch_after_commit(deliver, message.id, queue_name=MAIL_QUEUE, size=BATCH_SIZE)
    return message


def _record(**values: Any) -> OutboxMessage | None:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING: one statement and no savepoint per message;
    None when another transaction recorded the key first. The row joins the session as loaded."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](OutboxMessage)
    statement = insert.values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    message_id = db.session.scalar(statement.returning(OutboxMessage.id))
    if message_id is None:
        return None
    message = OutboxMessage(id=message_id, **values)
    make_transient_to_detached(message)
    db.session.add(message)
    return message


def _sender_domain() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"


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
    try:
        html = current_app.jinja_env.get_template(f"{template}.html")  # compiled once, then cached
    except TemplateNotFound:  # no HTML variant: plain text only
        return ""
    return render_template(html, base_url=current_app.config["BASE_URL"], **context)


def messages_claim(message_ids: Sequence[int]) -> list[OutboxMessage]:
    """Lease up to BATCH_SIZE pending rows for one delivery job: those of `message_ids` that are due,
    and any never tried (its own job may still wait in the queue), so that messages recorded by
    many small transactions still share a connection.

    Rows another job holds are skipped (SKIP LOCKED) and the lease keeps them from every other job
    until it ends, when the sweep finds the rows of a job that died. Counts the attempt.
    """
    _commit_asynchronously()
    now = utcnow()
    due = OutboxMessage.id.in_(message_ids) & (OutboxMessage.next_attempt_at <= now)
    messages = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.PENDING, or_(OutboxMessage.attempts == 0, due))
            .order_by(OutboxMessage.id)
            .limit(BATCH_SIZE)
            .with_for_update(skip_locked=True)
        )
    )
    for message in messages:
        message.attempts += 1
        message.next_attempt_at = now + CLAIM_LEASE
    db.session.flush()
    return messages


def message_sent(message: OutboxMessage) -> None:
    """Mark it sent, in a transaction that commits asynchronously. Sent over SMTP, the stored bodies
    lose their secret links (see secret_links); the development folder keeps them for the dev outbox."""
    _commit_asynchronously()
    table = OutboxMessage.__table__  # Core, not an ORM bulk update: this runs once per message
    values: dict[str, Any] = {"status": MessageStatus.SENT, "sent_at": utcnow(), "last_error": ""}
    if current_app.config["MAIL_URL"]:
        values |= {"text_body": redact(message.text_body), "html_body": redact(message.html_body)}
    db.session.connection().execute(update(table).where(table.c.id == message.id).values(**values))


def _commit_asynchronously() -> None:
    """PostgreSQL: this transaction's COMMIT returns before its WAL reaches the disk (6 ms a commit
    here). A killed worker loses nothing; only a crash of the database server itself can lose the
    last fraction of a second of leases and "sent" marks, and those messages go out again under
    the same Message-ID."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL synchronous_commit TO OFF"))


def messages_failed(messages: Sequence[OutboxMessage], error: Exception) -> None:
    """Record a failed attempt of each: try again after the backoff, give up after MAX_ATTEMPTS, and
    tell the operator when a message has failed ALERT_AFTER times."""
    last_error = f"{type(error).__name__}: {error}"[:500]
    for message in messages:
        message.last_error = last_error
        message.next_attempt_at = utcnow() + retry_delay(message.attempts)
        if message.attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
    if messages:
        current_app.logger.warning(
            "mail %s not delivered (attempt %s; %s message(s) in all): %s",
            *(messages[0].id, messages[0].attempts, len(messages), error),
        )
    alarming = [
        m for m in messages if m.attempts == ALERT_AFTER and not m.dedupe_key.startswith(ALERT_PREFIX)
    ]
    if alarming:
        _alert_operator(alarming[0])
    db.session.flush()


def message_undeliverable(message: OutboxMessage, error: Exception) -> None:
    """A message no attempt can send (its headers are refused): failed for good."""
    message.status = MessageStatus.FAILED
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    current_app.logger.error("mail %s cannot be sent: %s", message.id, error)
    db.session.flush()


def messages_release(messages: Sequence[OutboxMessage]) -> None:
    """Give back claimed rows that were not attempted: due again now, the attempt uncounted."""
    for message in messages:
        message.attempts -= 1
        message.next_attempt_at = utcnow()
    db.session.flush()


def _alert_operator(message: OutboxMessage) -> None:
    """Log an error and, when MAIL_ALERT_TO is set, mail the operator (at most once an hour)."""
    failing = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(_failing()))
    current_app.logger.error(
        "mail %s failed %s times (%s messages failing): %s",
        message.id,
        ALERT_AFTER,
        failing,
        message.last_error,
    )
    operator = current_app.config["MAIL_ALERT_TO"]
    if operator:
        now = utcnow()
        mail_queue(
            to=operator,
            template="mail/alert",
            dedupe_key=f"{ALERT_PREFIX}{now:%Y-%m-%dT%H}",
            failing=failing,
            attempts=ALERT_AFTER,
            error=message.last_error,
        )


def _failing():
    return (OutboxMessage.status == MessageStatus.PENDING) & (OutboxMessage.attempts >= ALERT_AFTER)


def due_message_ids(*, limit: int = 10 * BATCH_SIZE) -> list[int]:
    """Pending rows whose next attempt is due: lost jobs, earlier failures, leases of dead jobs."""
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def delivery_health() -> tuple[int, datetime | None]:
    """How many pending messages have failed ALERT_AFTER times or more, and the oldest of them."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(_failing())
    ).one()
    return count, oldest


class _HeaderClasses(HeaderRegistry):
    """The email package's registry, making each header's class once: CPython's makes a new class
    (`type(...)`) for every header it parses, about half the cost of building a message."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]


MAIL_POLICY = email_policy.default.clone(header_factory=_HeaderClasses())


@lru_cache(maxsize=4)
def _from_header(sender: str) -> BaseHeader:
    """The parsed From header, shared by every message (headers are immutable; parsing is not cheap)."""
    return MAIL_POLICY.header_factory("From", sender)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message; the email package refuses CR/LF in headers (no header injection)."""
    email = EmailMessage(policy=MAIL_POLICY)
    email["From"] = _from_header(current_app.config["MAIL_FROM"])
    email["To"] = Address(addr_spec=message.to_email)
    email["Subject"] = " ".join(message.subject.split())
    email["Message-ID"] = message.message_id
    email.set_content(unmark(message.text_body))
    if message.html_body:
        email.add_alternative(unmark(message.html_body), subtype="html")
    return email
