"""Tenancy rules: creating organisations, memberships and roles, and the audit trail."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.models import AuditEvent, Membership, Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session

RESERVED_SLUGS = {"new", "admin", "api", "static", "login", "signup"}


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


def tenant_create(*, name: str, owner: User, timezone: str = "UTC") -> Tenant:
    """A new organisation on a trial, with `owner` as its first owner."""
    tenant = Tenant(
        name=name.strip(),
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


def signup(*, organisation: str, name: str, email: str, password: str) -> tuple[Tenant, User]:
    """Online signup: organisation, owner account and trial in one step."""
    user = accounts.user_create(email=email, name=name, password=password)
    tenant = tenant_create(name=organisation, owner=user)
    return tenant, user


def membership_get(*, tenant: Tenant, user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    )


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
