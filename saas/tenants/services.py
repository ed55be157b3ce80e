"""Tenancy rules: organisations, memberships and roles, settings and the audit trail (invitations: invitations.py)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from saas.accounts import services as accounts
from saas.accounts.errors import EmailTaken
from saas.accounts.models import User
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.errors import (
    InvalidTimezone,
    LastOwner,
    NotAllowed,
)
from saas.tenants.models import AuditEvent, Membership, Tenant
from saas.tenants.permissions import CONSULTANT_ROLES, Permission, Role, can, can_assign
from saas.tenants.scoping import scope_session

RESERVED_SLUGS = {"new", "admin", "api", "static", "login", "signup"}
AUDIT_PAGE_SIZE = 50
AUDIT_LAST_PAGE = 100_000  # further pages are empty; a bigger offset would overflow the database
# Zone names that are not places: the server's own zone, and tzdata's placeholder.
_NOT_TIMEZONES = {"localtime", "Factory", "posixrules"}


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "org"


def unique_slug(name: str) -> str:
    base = slugify(name)
    slug = base
    while slug in RESERVED_SLUGS or db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)):
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


@cache
def timezone_names() -> tuple[str, ...]:
    """The IANA zones an organisation may pick (zoneinfo's list), sorted."""
    return tuple(sorted(available_timezones() - _NOT_TIMEZONES))


def tenant_create(*, name: str, owner: User, timezone: str = "UTC") -> Tenant:
    """A new organisation on a trial, with `owner` as its first owner; the session enters its scope."""
    tenant = Tenant(
        name=accounts.one_line(name),
        slug=unique_slug(name),
        timezone=timezone,
        trial_ends_at=utcnow() + timedelta(days=current_app.config["TRIAL_DAYS"]),
    )
    db.session.add(tenant)
    db.session.add(Membership(tenant=tenant, user=owner, role=Role.OWNER))
    db.session.flush()
    scope_session(db.session, [tenant.id])
    audit(
        tenant=tenant,
        actor=owner,
        actor_role=Role.OWNER,
        action="tenant.created",
        summary=f"Created {tenant.name}",
    )
    return tenant


def signup(*, organisation: str, name: str, email: str, password: str) -> Tenant | None:
    """Online signup: organisation, owner account and trial, entered once the emailed link proves
    the address. An address that already has an account is emailed instead and nothing is made
    (None), so the answer never tells a stranger who has an account."""
    try:
        user = accounts.user_create(email=email, name=name, password=password)
    except EmailTaken:
        accounts.signup_attempt_notify(email=email, password=password)
        return None
    return tenant_create(name=organisation, owner=user)


def tenant_update_settings(*, tenant: Tenant, actor: User, name: str, timezone: str) -> Tenant:
    """Rename the organisation (its URL stays) or change its timezone; records what changed."""
    require_permission(tenant=tenant, actor=actor, permission=Permission.EDIT_SETTINGS)
    if timezone not in timezone_names():
        raise InvalidTimezone("Pick a timezone from the list.")
    wanted = {"name": accounts.one_line(name), "timezone": timezone}
    changes = {
        key: [getattr(tenant, key), value] for key, value in wanted.items() if getattr(tenant, key) != value
    }
    if not changes:
        return tenant
    for key, (_old, new) in changes.items():
        setattr(tenant, key, new)
    summary = "; ".join(f"{key}: {old} → {new}" for key, (old, new) in changes.items())
    audit(tenant=tenant, actor=actor, action="settings.changed", subject=tenant, summary=summary, **changes)
    return tenant


# --- Memberships ------------------------------------------------------------------------------


def membership_get(*, tenant: Tenant, user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    )


def membership_by_id(*, tenant: Tenant, membership_id: int) -> Membership | None:
    """The membership if it belongs to this tenant; None for any other id."""
    return db.session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.id == membership_id)
    )


def membership_list(*, tenant: Tenant) -> list[Membership]:
    """The tenant's members with their users, by name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .options(joinedload(Membership.user))
            .where(Membership.tenant_id == tenant.id)
            .order_by(User.name, User.id)
        )
    )


def client_memberships(*, user: User) -> list[Membership]:
    """The tenants that let `user` in as a consultant (either variant), with them loaded, by name.

    One query. A client revokes the access by removing the membership, so a revoked client is
    simply absent from the next call.
    """
    return list(
        db.session.scalars(
            select(Membership)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .options(joinedload(Membership.tenant))
            .where(Membership.user_id == user.id, Membership.role.in_(sorted(CONSULTANT_ROLES)))
            .order_by(Tenant.name, Tenant.id)
        )
    )


def membership_change_role(
    *, tenant: Tenant, actor: User, membership: Membership, role: Role | str
) -> Membership:
    """Give a member another role: only between roles the actor may grant, and an owner always remains."""
    role = Role(role)
    actor_role = require_permission(tenant=tenant, actor=actor, permission=Permission.MANAGE_MEMBERS)
    old_role = Role(membership.role)
    if role is old_role:
        return membership
    require_assignable(actor_role, old_role, role)
    if old_role is Role.OWNER:
        _keep_an_owner(tenant=tenant, leaving=membership)
    membership.role = role
    audit(
        tenant=tenant,
        actor=actor,
        actor_role=actor_role,
        action="member.role_changed",
        subject=membership,
        summary=f"Changed {membership.user.name}'s role from {old_role.label} to {role.label}",
        user_id=membership.user_id,
        old_role=old_role.value,
        new_role=role.value,
    )
    return membership


def membership_remove(*, tenant: Tenant, actor: User, membership: Membership) -> None:
    """Take someone out of the organisation; only owners remove owners, and never the last one."""
    actor_role = require_permission(tenant=tenant, actor=actor, permission=Permission.MANAGE_MEMBERS)
    role = Role(membership.role)
    require_assignable(actor_role, role)
    if role is Role.OWNER:
        _keep_an_owner(tenant=tenant, leaving=membership)
    audit(
        tenant=tenant,
        actor=actor,
        actor_role=actor_role,
        action="member.removed",
        subject=membership,
        summary=f"Removed {membership.user.name} ({membership.user.email}), who was {role.label}",
        user_id=membership.user_id,
        role=role.value,
    )
    db.session.delete(membership)
    db.session.flush()


def require_permission(*, tenant: Tenant, actor: User, permission: Permission) -> Role:
    """The actor's role in the tenant; NotAllowed unless it grants `permission`."""
    membership = membership_get(tenant=tenant, user=actor)
    if membership is None or not can(membership.role, permission):
        raise NotAllowed("Your role does not allow this.")
    return Role(membership.role)


def require_assignable(actor_role: Role, *roles: Role) -> None:
    for role in roles:
        if not can_assign(actor_role, role):
            raise NotAllowed(f"Only owners can give or take away the {role.label.lower()} role.")


def _keep_an_owner(*, tenant: Tenant, leaving: Membership) -> None:
    """LastOwner if `leaving` is the tenant's only owner (owner rows locked against a twin request)."""
    owners = db.session.scalars(
        select(Membership.id)
        .where(Membership.tenant_id == tenant.id, Membership.role == Role.OWNER)
        .with_for_update()
    ).all()
    if set(owners) <= {leaving.id}:
        raise LastOwner(
            f"{leaving.user.name} is the last owner of {tenant.name}. Make someone else an owner first."
        )


# --- Audit trail ------------------------------------------------------------------------------


def audit(
    *,
    tenant: Tenant,
    actor: User | None,
    action: str,
    actor_role: str = "",
    subject: Any = None,
    summary: str = "",
    **data: Any,
) -> AuditEvent:
    """Record who did what; the actor's role is looked up when not given."""
    if actor is not None and not actor_role:
        membership = membership_get(tenant=tenant, user=actor)
        actor_role = membership.role if membership else ""
    event = AuditEvent(
        tenant=tenant,
        actor=actor,
        actor_role=actor_role,
        action=action,
        subject_type=type(subject).__name__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        summary=summary[:500],
        data=data,
    )
    db.session.add(event)
    return event


def audit_event_page(*, tenant: Tenant, page: int, role: str = "") -> Pagination:
    """One page of the tenant's audit trail, newest first, 50 a page; pages past the end are empty.

    `role` keeps the events done in that role (as recorded then); an unknown role is ignored.
    """
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.tenant_id == tenant.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if role in set(Role):
        query = query.where(AuditEvent.actor_role == role)
    page = min(max(page, 1), AUDIT_LAST_PAGE)
    return db.paginate(query, page=page, per_page=AUDIT_PAGE_SIZE, error_out=False, count=True)
