"""Invitations: an emailed link that lets one address join a tenant with a role.

Only the token's digest is stored; re-inviting an address renews its one row (new token, new
expiry) instead of adding another; accepting or revoking deletes the row, so a link works once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from saas.accounts import services as accounts
from saas.accounts.errors import ExpiredToken, InvalidToken
from saas.accounts.models import User
from saas.database import utcnow
from saas.extensions import db
from saas.mail.services import mail_queue
from saas.tenants.errors import AlreadyMember, InvitationForSomeoneElse
from saas.tenants.models import Invitation, Membership, Tenant
from saas.tenants.permissions import Permission, Role
from saas.tenants.scoping import scope_session
from saas.tenants.services import audit, membership_get, require_assignable, require_permission


def invitation_list(*, tenant: Tenant) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .options(joinedload(Invitation.invited_by))
            .where(Invitation.tenant_id == tenant.id)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invitation_by_id(*, tenant: Tenant, invitation_id: int) -> Invitation | None:
    """The invitation if it belongs to this tenant; None for any other id."""
    return db.session.scalar(
        select(Invitation).where(Invitation.tenant_id == tenant.id, Invitation.id == invitation_id)
    )


def invitation_send(*, tenant: Tenant, actor: User, email: str, role: Role | str) -> Invitation:
    """Email `email` a link to join as `role`. Sending again renews the one invitation per address.

    Each sending makes a new token (the old link dies) and a new expiry; only the token's
    digest is stored. Members cannot be invited, and only roles the actor may grant.
    """
    role = Role(role)
    actor_role = require_permission(tenant=tenant, actor=actor, permission=Permission.MANAGE_MEMBERS)
    require_assignable(actor_role, role)
    email = accounts.normalise_email(email)
    if _member_email_exists(tenant=tenant, email=email):
        raise AlreadyMember(f"{email} is already a member of {tenant.name}.")
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.tenant_id == tenant.id, Invitation.email == email)
    )
    action = "invitation.resent" if invitation else "invitation.sent"
    if invitation is None:
        invitation = Invitation(tenant=tenant, email=email)
        db.session.add(invitation)
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_DAYS"]
    invitation.role = role
    invitation.token_hash = accounts.token_digest(token)
    invitation.invited_by = actor
    invitation.expires_at = utcnow() + timedelta(days=days)
    db.session.flush()
    mail_queue(
        to=email,
        template="tenants/email/invitation",
        dedupe_key=f"invitation:{invitation.id}:{invitation.token_hash}",
        tenant=tenant,
        inviter=actor,
        role=role,
        token=token,
        days=days,
    )
    audit(
        tenant=tenant,
        actor=actor,
        actor_role=actor_role,
        action=action,
        subject=invitation,
        summary=f"Invited {email} as {role.label}",
        email=email,
        role=role.value,
    )
    return invitation


def _member_email_exists(*, tenant: Tenant, email: str) -> bool:
    return (
        db.session.scalar(
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant.id, User.email == email)
        )
        is not None
    )


def invitation_revoke(*, tenant: Tenant, actor: User, invitation: Invitation) -> None:
    """Delete the invitation; its link stops working at once. Only owners revoke owner invitations."""
    actor_role = require_permission(tenant=tenant, actor=actor, permission=Permission.MANAGE_MEMBERS)
    require_assignable(actor_role, Role(invitation.role))
    audit(
        tenant=tenant,
        actor=actor,
        actor_role=actor_role,
        action="invitation.revoked",
        subject=invitation,
        summary=f"Revoked the invitation of {invitation.email}",
        email=invitation.email,
    )
    db.session.delete(invitation)
    db.session.flush()


def invitation_for_token(token: str) -> Invitation:
    """The invitation of an emailed link; InvalidToken if unknown (revoked, used), ExpiredToken if late."""
    invitation = db.session.scalar(
        select(Invitation)
        .options(joinedload(Invitation.tenant))
        .where(Invitation.token_hash == accounts.token_digest(token))
    )
    if invitation is None:
        raise InvalidToken(
            "This invitation link does not work: it was revoked, already used or replaced by a newer one."
        )
    if invitation.is_expired():
        raise ExpiredToken("This invitation has expired. Ask the person who invited you to send it again.")
    return invitation


def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's tenant with its role; a member already keeps their membership as it is.

    The link is bound to the invited address: another signed-in account cannot use it.
    The invitation is used up, and the session enters the tenant's scope.
    """
    return _join(invitation_for_token(token), user)


def invitation_accept_new_user(*, token: str, name: str, password: str) -> Membership:
    """Create the invited person's account (the link proves the address) and join the tenant."""
    invitation = invitation_for_token(token)
    user = accounts.user_create(email=invitation.email, name=name, password=password, email_verified=True)
    return _join(invitation, user)


def _join(invitation: Invitation, user: User) -> Membership:
    """EmailNotVerified for an account that never proved its address: someone else may have
    registered it before its owner, so it joins only once the owner confirms it."""
    if user.email != invitation.email:
        raise InvitationForSomeoneElse(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign out, then open the link again."
        )
    accounts.require_verified_email(user)
    tenant = invitation.tenant
    scope_session(db.session, [tenant.id])
    membership = membership_get(tenant=tenant, user=user)
    if membership is None:
        membership = Membership(tenant=tenant, user=user, role=invitation.role)
        db.session.add(membership)
        db.session.flush()
        role = Role(invitation.role)
        audit(
            tenant=tenant,
            actor=user,
            actor_role=role,
            action="invitation.accepted",
            subject=membership,
            summary=f"{user.name} ({user.email}) joined as {role.label}",
            email=user.email,
            role=role.value,
        )
    db.session.delete(invitation)
    db.session.flush()
    return membership
