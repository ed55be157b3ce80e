"""Helpers for the reminder and digest tests: a fixed calendar, running the dispatcher at a moment, reading mail."""

from __future__ import annotations

from datetime import date, datetime, time
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import time_machine

from saas.extensions import db
from saas.roadmaps.notifications import jobs
from tests.mailbox import Mailbox, body_text
from tests.support import run_jobs

MONDAY = date(2026, 11, 16)  # default settings: send at 08:00, weekly digest on Mondays, quiet weekends
PARIS = "Europe/Paris"


def local(day: date, hour: int = 8, minute: int = 5, zone: str = PARIS) -> datetime:
    """A moment on a tenant's clock (the hourly dispatch runs at five past)."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone))


def dispatch_at(moment: datetime) -> None:
    """What the scheduler does at `moment`: the hourly dispatch, then a worker running every job."""
    db.session.commit()
    with time_machine.travel(moment):
        jobs.dispatch_notifications()
        run_jobs()


def settle(mailbox: Mailbox) -> None:
    """Deliver what setting up sent (assignment emails) and forget it."""
    db.session.commit()
    run_jobs()
    mailbox.clear()


def subjects(mailbox: Mailbox, to: str | None = None) -> list[str]:
    messages = mailbox.to(to) if to else mailbox.messages
    return sorted(message["Subject"] for message in messages)


def reminder_subjects(mailbox: Mailbox, to: str | None = None) -> list[str]:
    """The subjects of the reminders received (digests left out)."""
    return [subject for subject in subjects(mailbox, to) if subject.startswith(("Due ", "Overdue "))]


def link_in(message: EmailMessage, path_part: str) -> str:
    """The first URL in the plain-text body that contains `path_part`."""
    for word in body_text(message).split():
        if path_part in word:
            return word
    raise AssertionError(f"no link with {path_part!r} in the message")
