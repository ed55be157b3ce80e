"""One guard in front of every view: input the database cannot take is refused with a message.

- NUL characters (PostgreSQL text cannot hold them) anywhere in the path, the query string, a
  form or a JSON body: 400 (JSON under /api/ gets the API schemas' 422 with field messages).
- Integers that no 32-bit column holds, in query and form fields that carry ids, pages, lines or
  other numbers (names below): 422. Ids in paths are bounded by the routing converter already.
So no such input reaches a query and turns into a 500.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request

from saas.database import MAX_ROW_ID

NUMERIC_FIELD = re.compile(
    r"(^|_)(ids?|page|per_page|line|phase|priority|level|hour|seats|weekdays?|weekday|days|before)$"
)
INTEGER = re.compile(r"[+-]?\d+")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _fields() -> list[tuple[str, str]]:
    fields = list(request.args.items(multi=True))
    if request.method not in {"GET", "HEAD", "OPTIONS"} and not request.is_json:
        fields += list(request.form.items(multi=True))
        fields += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    return fields


def guard_request() -> None:
    fields = _fields()
    # The API's allow-list schemas refuse NUL in JSON themselves, with a message per field (422).
    api = request.path.startswith("/api/")
    body = request.get_json(silent=True) if request.is_json and not api else None
    if (
        "\x00" in request.path
        or any(_has_nul(name) or _has_nul(value) for name, value in fields)
        or _has_nul(body)
    ):
        abort(400, description="The request holds a NUL character, which no text here may contain.")
    for name, value in fields:
        if NUMERIC_FIELD.search(name.removesuffix("[]")) and _too_large(value.strip()):
            abort(422, description=f"The number in “{name[:40]}” is too large (at most {MAX_ROW_ID}).")


def _too_large(text: str) -> bool:
    """An integer beyond a 32-bit column (digits are counted first: Python refuses to parse huge ones)."""
    if not INTEGER.fullmatch(text):
        return False
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) > len(str(MAX_ROW_ID)) or int(digits or "0") > MAX_ROW_ID


def init_app(app: Flask) -> None:
    app.before_request(guard_request)
