"""The tenant navigation and switcher; wings add their entries with `add_nav_item`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from saas.extensions import db
from saas.tenants.models import Membership, Tenant
from saas.tenants.permissions import CONSULTANT_ROLES, Permission, can


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: Permission = Permission.VIEW
    order: int = 50
    # Endpoints starting with this mark the item active; by default every endpoint of its blueprint.
    active_prefix: str = ""

    @property
    def prefix(self) -> str:
        return self.active_prefix or self.endpoint.rsplit(".", 1)[0] + "."


_items: list[NavItem] = []


def add_nav_item(item: NavItem) -> None:
    if item not in _items:
        _items.append(item)
        _items.sort(key=lambda i: i.order)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    prefix: str


def tenant_nav_items() -> list[NavLink]:
    if "membership" not in g:
        return []
    return [
        NavLink(item.label, url_for(item.endpoint), item.prefix)
        for item in _items
        if can(g.membership.role, item.permission)
    ]


def user_memberships() -> list[Membership]:
    """The signed-in user's memberships with their tenants, by tenant name (one query)."""
    if not current_user.is_authenticated:
        return []
    if "user_memberships" not in g:
        g.user_memberships = list(
            db.session.scalars(
                select(Membership)
                .join(Tenant)
                .options(joinedload(Membership.tenant))
                .where(Membership.user_id == current_user.id)
                .order_by(Tenant.name)
            )
        )
    return g.user_memberships


def consultant_memberships() -> list[Membership]:
    """The memberships in which the signed-in user is a consultant: their clients (no extra query)."""
    return [membership for membership in user_memberships() if membership.role in CONSULTANT_ROLES]


def template_helpers() -> dict[str, Any]:
    return {
        "tenant_nav_items": tenant_nav_items,
        "user_memberships": user_memberships,
        "consultant_memberships": consultant_memberships,
    }


# The tenants wing's pages share one blueprint, so each item names the endpoints it stands for.
add_nav_item(NavItem("Overview", "tenant.dashboard", order=0, active_prefix="tenant.dashboard"))
add_nav_item(NavItem("Members", "tenant.members", order=80, active_prefix="tenant.members"))
add_nav_item(
    NavItem("Audit log", "tenant.audit_log", Permission.VIEW_AUDIT, order=85, active_prefix="tenant.audit")
)
add_nav_item(
    NavItem(
        "Settings", "tenant.settings", Permission.EDIT_SETTINGS, order=90, active_prefix="tenant.settings"
    )
)
