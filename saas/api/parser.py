"""Reading request bodies: any JSON the standard library refuses is a 400, never a 500."""

from __future__ import annotations

import json
from typing import Any

import flask
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request


class SafeFlaskParser(FlaskParser):
    """webargs' Flask parser, but stricter: an unknown query parameter is refused (422) like an
    unknown body field, so a misspelt filter is reported rather than silently ignored; and
    numbers too long to read or nesting too deep are invalid JSON (400), not server errors
    (`json.loads` raises a plain ValueError past 4,300 digits and RecursionError on deep nesting).
    """

    # None: the schema decides, and every API schema refuses unknown fields.
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        try:
            return core.parse_json(req.get_data(cache=True))
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as exc:
            # A non-empty `doc`: webargs reads an empty one as "no body at all".
            raise json.JSONDecodeError("Unreadable JSON", type(exc).__name__, 0) from None
