"""Where delivery jobs send: one SMTP session per batch (MAIL_URL), or a folder in development."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import current_app

SEND_ERRORS = (OSError, smtplib.SMTPException)  # smtplib's errors are OSErrors too; named for the reader


class MailConnection(Protocol):
    def send(self, email: EmailMessage) -> None: ...

    @property
    def broken(self) -> bool:
        """After a failed send: whether the connection is gone (so the rest of a batch would fail too)."""
        ...


@contextmanager
def mail_connection() -> Iterator[MailConnection]:
    """One SMTP session for a batch (MAIL_URL), or the development folder; raises if it cannot open.

    Every socket operation gives up after MAIL_TIMEOUT seconds, so a hung server holds a worker
    for that long, not for ever.
    """
    url = current_app.config["MAIL_URL"]
    if not url:
        yield _Folder(Path(current_app.config["MAIL_DIR"]))
        return
    parts = urlsplit(url)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    smtp = smtp_class(
        parts.hostname or "127.0.0.1", parts.port or 25, timeout=current_app.config["MAIL_TIMEOUT"]
    )
    session = _Smtp(smtp)
    try:
        if "starttls" in parts.query:
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        yield session
    except BaseException:
        smtp.close()  # no QUIT: the server may be what hangs
        raise
    session.quit()


class _Smtp:
    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp
        self._broken = False

    def send(self, email: EmailMessage) -> None:
        try:
            self.smtp.send_message(email)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server answered: the session goes on (smtplib closes it on a 421)
        except SEND_ERRORS:  # timeout, reset, disconnection: the session is gone
            self._broken = True
            raise

    @property
    def broken(self) -> bool:
        return self._broken or self.smtp.sock is None  # smtplib closes it on a 421

    def quit(self) -> None:
        if self.broken:
            self.smtp.close()
            return
        try:
            self.smtp.quit()
        except SEND_ERRORS:
            self.smtp.close()


class _Folder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, email: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = email["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(email.as_bytes())

    @property
    def broken(self) -> bool:
        return True  # a folder that refused one file refuses the next
