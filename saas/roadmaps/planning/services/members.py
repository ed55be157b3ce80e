"""The tenant's members as roadmap work sees them: area owners, assignees, line owners."""

from __future__ import annotations

from sqlalchemy import select

from saas.accounts.models import User
from saas.extensions import db
from saas.tenants.models import Membership, Tenant


def member_get(*, tenant: Tenant, user_id: int) -> User | None:
    """The user with this id if they belong to the tenant, else None."""
    return db.session.scalar(
        select(User).join(Membership).where(Membership.tenant_id == tenant.id, User.id == user_id)
    )


def member_list(*, tenant: Tenant) -> list[User]:
    """Everyone in the tenant, by name (candidates to own an area)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(Membership.tenant_id == tenant.id)
            .order_by(User.name, User.id)
        )
    )
