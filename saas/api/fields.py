"""Field helpers for the API's allow-list schemas: bounded text, ids and codes.

Every input is bounded like the column it ends up in, so over-long or malformed input is a
422 with a message rather than a database error: text refuses control characters and lone
surrogates (PostgreSQL refuses NUL; a surrogate cannot be encoded), ids fit a 32-bit column.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from marshmallow import ValidationError, fields, validate

from saas.database import MAX_ROW_ID

AREA_CODE_PATTERN = r"^[A-Za-z0-9]{1,16}$"
PRACTICE_CODE_PATTERN = r"^[A-Za-z]{2} ?[0-9]{1,2}\.[0-9]{1,2}$"
_LINE_BREAKS = frozenset("\t\n\r")


def _printable(*, multiline: bool) -> validate.Validator:
    """Refuse control characters (but tabs and line breaks in multi-line text) and lone surrogates."""

    class Printable(validate.Validator):
        def __call__(self, value: str) -> str:
            for char in value:
                if multiline and char in _LINE_BREAKS:
                    continue
                if unicodedata.category(char) in {"Cc", "Cs"}:
                    raise ValidationError("Remove control characters from the text.")
            return value

    return Printable()


def text(max_length: int, *, multiline: bool = False, **kwargs: Any) -> fields.String:
    """A string of at most `max_length` characters without control characters."""
    return fields.String(
        validate=[validate.Length(max=max_length), _printable(multiline=multiline)], **kwargs
    )


def row_id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An id of a row: a whole number that a 32-bit id column can hold (strict: a JSON number, not a
    string; query strings pass strict=False)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ROW_ID), **kwargs)


def level(low: int, high: int, **kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=low, max=high), **kwargs)


def area_code(**kwargs: Any) -> fields.String:
    """A process area code ("WP", "SSAD"); matched case-insensitively."""
    return fields.String(
        validate=validate.Regexp(AREA_CODE_PATTERN, error="Not a process area code."), **kwargs
    )


def practice_code(**kwargs: Any) -> fields.String:
    """A practice code ("SP 1.1", "GP 2.2"; "sp1.1" is read the same)."""
    return fields.String(
        validate=validate.Regexp(PRACTICE_CODE_PATTERN, error="Not a practice code, e.g. SP 1.1."), **kwargs
    )


def one_of(choices: list[str], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def ref_list(*, min_items: int = 0, max_items: int = 100, **kwargs: Any) -> fields.List:
    """A list of row ids."""
    return fields.List(row_id(), validate=validate.Length(min=min_items, max=max_items), **kwargs)
