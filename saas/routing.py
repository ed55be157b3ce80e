"""URL converters: ids in URLs are bounded like the database columns they address."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from saas.database import MAX_ROW_ID


class RowIdConverter(IntegerConverter):
    """`<int:...>` that does not match numbers a 32-bit id column cannot hold (404, not a 500)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Must run before any blueprint registers its rules."""
    app.url_map.converters["int"] = RowIdConverter
