"""Tenant pages: /t/<tenant_slug>/..., resolved once per request before any view runs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, g, request
from flask_login import current_user
from sqlalchemy import select

from saas.accounts.models import User
from saas.extensions import db, login_manager
from saas.tenants.models import Membership, Tenant
from saas.tenants.permissions import Permission, Role, can
from saas.tenants.scoping import scope_session

TENANT_PREFIX = "/t/<tenant_slug>"

# Checks other wings add (e.g. billing's read-only mode); each may abort. Run after membership.
tenant_request_checks: list[Callable[[Tenant, Membership], None]] = []


def tenant_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A blueprint whose every URL lives under one tenant and needs a member (404 otherwise)."""
    bp = Blueprint(name, import_name, url_prefix=TENANT_PREFIX, **options)
    bp.url_value_preprocessor(_pop_slug)
    bp.url_defaults(_add_slug)
    bp.before_request(enter_tenant)
    return bp


def _pop_slug(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.tenant_slug = (values or {}).pop("tenant_slug", None)


def _add_slug(_endpoint: str, values: dict[str, Any]) -> None:
    if "tenant_slug" not in values and "tenant" in g:
        values["tenant_slug"] = g.tenant.slug


def enter_tenant() -> Any:
    """Load the tenant of the URL and the member's role; strangers get 404, never a hint."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    enter_tenant_as(current_user, g.tenant_slug)
    return None


def enter_tenant_as(user: User, slug: str | None) -> None:
    """The one tenant entry, for pages and the API alike: 404 unless `user` is a member of the
    tenant with this slug; then g.tenant, g.membership, the session's scope, and the checks other
    wings add (tenant_request_checks, e.g. billing's read-only mode), which may abort."""
    found = db.session.execute(
        select(Tenant, Membership)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Tenant.slug == slug, Membership.user_id == user.id)
    ).first()
    if found is None:
        abort(404)
    g.tenant, g.membership = found
    scope_session(db.session, [g.tenant.id])
    for check in tenant_request_checks:
        check(g.tenant, g.membership)


def current_role() -> Role:
    return Role(g.membership.role)


def has_permission(permission: Permission) -> bool:
    return "membership" in g and can(g.membership.role, permission)


def permission_required(permission: Permission) -> Callable:
    """403 unless the member's role grants `permission` (see permissions.ROLE_PERMISSIONS)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_permission(permission):
                abort(
                    403, description=f"Your role does not allow this ({permission.value.replace('_', ' ')})."
                )
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # read by the role x action table test
        return wrapped

    return decorator


def export_view(permission: Permission = Permission.EXPORT_DATA) -> Callable:
    """The one gate of every export, report file and download: 403 unless the role grants
    `permission`. Marked `is_export` so the isolation walker and the role table test find every
    such route. (Like every signed-in answer, a file is sent with `Cache-Control: no-store`.)"""

    def decorator(view: Callable) -> Callable:
        wrapped = permission_required(permission)(view)
        wrapped.is_export = True
        return wrapped

    return decorator


def is_write_request() -> bool:
    return request.method not in {"GET", "HEAD", "OPTIONS"}
