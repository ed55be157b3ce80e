"""Who is calling: personal API tokens in `Authorization: Bearer <token>`, and nothing else.

Every API blueprint (made by `api_blueprint`) runs, before any view:
1. `authenticate`: the bearer token must be live (401 with WWW-Authenticate otherwise). The
   token's user becomes the request's user; the session cookie is never read, so a browser
   signed in to the pages cannot drive the API, and CSRF does not apply (no ambient credential).
2. `require_json_body`: a write that declares or carries a body must send JSON (415).
3. For tenant blueprints (/api/v1/t/<slug>/...), the same tenant entry as the pages
   (`tenants.context.enter_tenant_as`): 404 unless the user is a member, then the member's
   role in g.membership, the session's tenant scope, and billing's read-only check.

Rate limits are counted per token (its digest), or per address for calls without one.
The token is never logged, echoed or put in a URL; only its SHA-256 digest is looked up.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized, UnsupportedMediaType

from saas.accounts.api_tokens import InvalidApiToken, api_token_authenticate, api_token_touch
from saas.accounts.models import ApiToken, User
from saas.accounts.services import token_digest
from saas.api.errors import register_error_handlers
from saas.api.parser import SafeFlaskParser
from saas.extensions import csrf, db, limiter
from saas.tenants.context import enter_tenant_as

API_PREFIX = "/api/v1"
TENANT_PREFIX = API_PREFIX + "/t/<slug:tenant_slug>"
REALM = "CMMI Programme API"
DEFAULT_RATE_LIMIT = "600 per minute"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose operations carry its `tag` and whose parser refuses bad JSON with 400."""

    ARGUMENTS_PARSER = SafeFlaskParser()

    def __init__(self, *args: Any, tag: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tag = tag

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any):
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)


def api_blueprint(name: str, import_name: str, *, tag: str, description: str, tenant: bool) -> ApiBlueprint:
    """A blueprint of the API: token auth, JSON bodies, per-token rate limit, no CSRF (see module doc).

    `tenant=True` mounts it under /api/v1/t/<slug> and enters that tenant before every view.
    """
    bp = ApiBlueprint(
        name,
        import_name,
        url_prefix=TENANT_PREFIX if tenant else API_PREFIX,
        tag=tag,
        description=description,
    )
    register_error_handlers(bp)
    bp.before_request(authenticate)
    bp.before_request(require_json_body)
    if tenant:
        bp.url_value_preprocessor(_pop_slug)
        bp.url_defaults(_add_slug)
        bp.before_request(_enter_tenant)
    csrf.exempt(bp)
    limiter.shared_limit(_rate_limit, scope="api", key_func=rate_limit_key)(bp)
    return bp


# --- the token ---------------------------------------------------------------------------------


def bearer_secret() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None (query strings are never read)."""
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret:
        return None
    return secret


def authenticate() -> None:
    """401 unless a live token is presented; then g.api_token and the request's user (see module doc)."""
    secret = bearer_secret()
    if secret is None:
        raise _unauthorized("Send a personal API token: Authorization: Bearer <token>.", error=None)
    try:
        token = api_token_authenticate(secret)
    except InvalidApiToken as refusal:
        db.session.rollback()
        raise _unauthorized(str(refusal), error="invalid_token") from None
    if api_token_touch(token):  # committed now, so it is kept whatever the request does next
        db.session.commit()
    _act_as(token)


def _act_as(token: ApiToken) -> None:
    user: User = token.user
    g.api_token = token
    g.api_user = user
    # Flask-Login's cache of the request's user: set, so the session cookie is never consulted.
    g._login_user = user


def api_user() -> User:
    """The user whose token authenticated this request."""
    return g.api_user


def _unauthorized(message: str, *, error: str | None) -> Unauthorized:
    parameters = {"realm": REALM}
    if error:
        parameters |= {"error": error, "error_description": message}
    return Unauthorized(description=message, www_authenticate=WWWAuthenticate("bearer", parameters))


# --- bodies, tenants, rate limits --------------------------------------------------------------


def require_json_body() -> None:
    """415 for a write whose body (or declared Content-Type) is not JSON; bodyless writes pass."""
    if request.method not in WRITE_METHODS:
        return
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    has_body = bool(request.content_length) or chunked
    if (request.content_type or has_body) and not request.is_json:
        raise UnsupportedMediaType("Send the request body as JSON, with Content-Type: application/json.")


def _pop_slug(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.api_tenant_slug = (values or {}).pop("tenant_slug", None)


def _add_slug(_endpoint: str, values: dict[str, Any]) -> None:
    if "tenant_slug" not in values and "tenant" in g:
        values["tenant_slug"] = g.tenant.slug


def _enter_tenant() -> None:
    enter_tenant_as(api_user(), g.api_tenant_slug)


def rate_limit_key() -> str:
    """The token's digest (never the token), or the caller's address when there is no token."""
    secret = bearer_secret()
    if secret is None:
        return "api-address:" + (get_remote_address() or "unknown")
    return "api-token:" + token_digest(secret)


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
