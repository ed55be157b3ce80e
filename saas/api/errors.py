"""The API's one error body, for every refusal: {"status", "message", "errors": {field: [messages]}}.

Registered on each API blueprint (see auth.api_blueprint), so the pages keep their HTML errors.
Whatever fails, the request's unfinished work is rolled back first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, json
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from saas.billing.errors import PlanLimitReached
from saas.extensions import db
from saas.roadmaps.errors import NotAllowed, RoadmapError

Body = dict[str, Any]
# webargs nests field errors under the request part they came from; the API names fields only.
_LOCATIONS = frozenset({"json", "query", "querystring", "view_args", "path", "headers", "form"})
# Service rules name the fields of the page forms; the API's fields are called like this.
_FIELD_NAMES = {
    "assignee": "assignee_id",
    "area": "area_code",
    "practice": "practice_code",
    "line": "service_line_id",
    "areas": "area_codes",
}


def register_error_handlers(bp: Blueprint) -> None:
    bp.after_request(complete_error_body)
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(RoadmapError, rule_refused)
    bp.register_error_handler(PlanLimitReached, plan_limit_reached)
    bp.register_error_handler(IntegrityError, conflict)
    bp.register_error_handler(DataError, out_of_range)


def error_body(
    status: int, message: str, errors: Mapping[str, list[str]] | None = None, **extra: Any
) -> Body:
    return {"status": status, "message": message, "errors": dict(errors or {}), **extra}


def http_error(error: HTTPException) -> tuple[Body, int, list[tuple[str, str]]]:
    """Any HTTP error: aborts, webargs' 400/422 with field messages, 401, 405, 415, 429..."""
    db.session.rollback()
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = flat_errors(data.get("messages") or {})
    message = data.get("message") or _message(status, errors) or error.description or error.name
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return error_body(status, message, errors), status, headers


def rule_refused(error: RoadmapError) -> tuple[Body, int]:
    """A service rule said no: 422 with the message on its field (403 for a role the rule refuses)."""
    db.session.rollback()
    status = 403 if isinstance(error, NotAllowed) else 422
    field = _FIELD_NAMES.get(error.field or "", error.field)
    return error_body(status, str(error), {field: [str(error)]} if field else None), status


def plan_limit_reached(error: PlanLimitReached) -> tuple[Body, int]:
    db.session.rollback()
    return error_body(403, str(error), upgrade_url=error.upgrade_url), 403


def conflict(_error: IntegrityError) -> tuple[Body, int]:
    """Two changes raced for the same unique row; the loser may simply try again."""
    db.session.rollback()
    return error_body(409, "This conflicts with a change made at the same time. Try again."), 409


def out_of_range(error: DataError) -> tuple[Body, int]:
    """A value the schemas let through but the database refused (kept to 4xx; logged to fix the schema)."""
    db.session.rollback()
    current_app.logger.warning("API input refused by the database: %s", type(error.orig).__name__)
    return error_body(422, "A value is out of range."), 422


def flat_errors(messages: Mapping[Any, Any], prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages as {"field": [...], "list.0": [...], "dict.key.value": [...]}."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            nested_prefix = "" if not prefix and key in _LOCATIONS else f"{name}."
            flat.update(flat_errors(value, nested_prefix))
        elif isinstance(value, list | tuple):
            flat.setdefault(name, []).extend(str(item) for item in value)
        else:
            flat.setdefault(name, []).append(str(value))
    return flat


def _message(status: int, errors: Mapping[str, list[str]]) -> str:
    if not errors:
        return ""
    if status == 400:
        return "The request body is not valid JSON."
    return "Check these fields: " + ", ".join(sorted(errors)) + "."


def complete_error_body(response: Response) -> Response:
    """After every API request: a JSON error made elsewhere (billing's read-only refusal, which
    aborts with a ready response that no handler sees) gets the "errors" member too."""
    if response.status_code < 400 or not response.is_json:
        return response
    body = response.get_json(silent=True)
    if isinstance(body, dict) and "errors" not in body:
        response.set_data(json.dumps({**body, "errors": {}}))
    return response
