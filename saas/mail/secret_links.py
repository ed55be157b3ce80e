"""Links that hand over an account (password reset, verification, invitation) are kept in the
outbox only until the message is sent over SMTP.

Templates mark such a link with the `secret` filter: `{{ link|secret }}`. The marks are taken
out of the email itself; once it is sent, the stored bodies keep a placeholder instead. Without
SMTP (development) the outbox is the recipients' mailbox, so the links stay readable there, by
their recipient only (see mail/views.py).
"""

from __future__ import annotations

import re

START, END = "\ue000", "\ue001"  # private-use characters: never in real text
REMOVED = "[link removed from our records once sent]"
_MARKED = re.compile(f"{START}[^{END}]*{END}")


def mark(value: object) -> str:
    """The template filter: `value` is a secret link."""
    return f"{START}{value}{END}"


def unmark(body: str) -> str:
    """The body as it is sent: the links themselves, without their marks."""
    return body.replace(START, "").replace(END, "")


def redact(body: str) -> str:
    """The body as it is kept once sent: each marked link replaced by a placeholder."""
    return _MARKED.sub(REMOVED, body)
