from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from saas.accounts import services as accounts
from saas.accounts.errors import AccountError, EmailNotVerified, InvalidToken
from saas.accounts.views import sign_in
from saas.extensions import db, limiter
from saas.forms import form_status, show_error
from saas.tenants import bp, invitations, services, tenant_bp
from saas.tenants.clock import tenant_zone
from saas.tenants.context import current_role, permission_required
from saas.tenants.errors import InvitationForSomeoneElse, TenantError
from saas.tenants.forms import (
    AcceptInvitationForm,
    InviteForm,
    NewOrganisationForm,
    RoleForm,
    SettingsForm,
    SignupForm,
)
from saas.tenants.models import Invitation, Membership
from saas.tenants.nav import user_memberships
from saas.tenants.permissions import (
    CONSULTANT_ROLES,
    Permission,
    Role,
    assignable_roles,
    can,
    can_assign,
)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], error_message="Too many signups from here. Try again later.")
def signup():
    """Organisation + owner account + trial; an already signed-in user just names the organisation.

    A stranger's signup answers the same whether or not the address has an account: a link to
    confirm it is emailed (or, to an existing account, a note that someone tried).
    """
    form = NewOrganisationForm() if current_user.is_authenticated else SignupForm()
    if form.validate_on_submit():
        try:
            if current_user.is_authenticated:
                tenant = services.tenant_create(name=form.organisation.data, owner=current_user)
            else:
                services.signup(
                    organisation=form.organisation.data,
                    name=form.name.data,
                    email=form.email.data,
                    password=form.password.data,
                )
        except AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            if not current_user.is_authenticated:
                return redirect(url_for("tenants.signup_sent"))
            flash(f"Welcome! {tenant.name} is on a free trial; no card needed.", "success")
            return redirect(url_for("tenant.dashboard", tenant_slug=tenant.slug))
    status = form_status(form)
    return render_template("tenants/signup.html", form=form), status


@bp.get("/signup/sent")
def signup_sent():
    return render_template("tenants/signup_sent.html")


@bp.get("/home")
@login_required
def home():
    """Where a signed-in user lands: their only organisation, or the list to pick from."""
    memberships = user_memberships()
    if len(memberships) == 1:
        return redirect(url_for("tenant.dashboard", tenant_slug=memberships[0].tenant.slug))
    return render_template("tenants/home.html", memberships=memberships)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The emailed link: the invited person joins, signed in or with a new account; 404/410 if dead."""
    try:
        found = invitations.invitation_for_token(token)
    except InvalidToken as error:
        abort(error.status, description=str(error))
    if current_user.is_authenticated:
        return _accept_signed_in(token, found)
    return _accept_new_account(token, found)


def _accept_signed_in(token: str, invitation: Invitation) -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("tenants/invitation.html", invitation=invitation)
    try:
        membership = invitations.invitation_accept(token=token, user=current_user)
    except InvitationForSomeoneElse as error:
        abort(403, description=str(error))
    except EmailNotVerified as error:
        db.session.rollback()
        accounts.email_verification_send(current_user, next_path=request.path)
        db.session.commit()
        return render_template(
            "tenants/invitation.html", invitation=invitation, error=str(error)
        ), error.status
    db.session.commit()
    return _welcome(membership)


def _accept_new_account(token: str, invitation: Invitation) -> ResponseReturnValue:
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            membership = invitations.invitation_accept_new_user(
                token=token, name=form.name.data, password=form.password.data
            )
        except AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            sign_in(membership.user)
            return _welcome(membership)
    has_account = accounts.user_get_by_email(invitation.email) is not None
    page = render_template(
        "tenants/invitation.html", invitation=invitation, form=form, has_account=has_account
    )
    return page, form_status(form)


def _welcome(membership: Membership) -> ResponseReturnValue:
    flash(f"Welcome to {membership.tenant.name}!", "success")
    return redirect(url_for("tenant.dashboard", tenant_slug=membership.tenant.slug))


@tenant_bp.get("/")
@permission_required(Permission.VIEW)
def dashboard():
    return render_template("tenants/dashboard.html", tenant=g.tenant)


# --- Members and invitations ------------------------------------------------------------------


@tenant_bp.get("/members")
@permission_required(Permission.VIEW)
def members():
    return _members_page()


def _members_page(
    *, invite_form: InviteForm | None = None, error: str = "", status: int = 200
) -> ResponseReturnValue:
    """The members page; after a refused change, with its message and a 4xx status."""
    role = current_role()
    manager = can(role, Permission.MANAGE_MEMBERS)
    roles = assignable_roles(role)
    memberships = services.membership_list(tenant=g.tenant)
    page = render_template(
        "tenants/members.html",
        memberships=memberships,
        manageable={m.id for m in memberships if manager and can_assign(role, m.role)},
        invitations=invitations.invitation_list(tenant=g.tenant) if manager else [],
        invite_form=invite_form or InviteForm(roles=roles, formdata=None),
        roles=roles,
        manager=manager,
        error=error,
    )
    return page, status


def _refused(error: TenantError) -> ResponseReturnValue:
    db.session.rollback()
    return _members_page(error=str(error), status=422)


def _membership_or_404(membership_id: int) -> Membership:
    return services.membership_by_id(tenant=g.tenant, membership_id=membership_id) or abort(404)


def _invitation_or_404(invitation_id: int) -> Invitation:
    return invitations.invitation_by_id(tenant=g.tenant, invitation_id=invitation_id) or abort(404)


def _back_to_members(message: str) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("tenant.members"))


@tenant_bp.post("/members/invitations")
@permission_required(Permission.MANAGE_MEMBERS)
def members_invite():
    form = InviteForm(roles=assignable_roles(current_role()))
    if form.validate_on_submit():
        try:
            invitation = invitations.invitation_send(
                tenant=g.tenant, actor=current_user, email=form.email.data, role=form.role.data
            )
        except TenantError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return _back_to_members(f"Invitation sent to {invitation.email}.")
    return _members_page(invite_form=form, status=422)


@tenant_bp.post("/members/invitations/<int:invitation_id>/resend")
@permission_required(Permission.MANAGE_MEMBERS)
def members_resend_invitation(invitation_id: int):
    invitation = _invitation_or_404(invitation_id)
    try:
        invitations.invitation_send(
            tenant=g.tenant, actor=current_user, email=invitation.email, role=invitation.role
        )
    except TenantError as error:
        return _refused(error)
    db.session.commit()
    return _back_to_members(f"Invitation sent again to {invitation.email}; the earlier link no longer works.")


@tenant_bp.post("/members/invitations/<int:invitation_id>/revoke")
@permission_required(Permission.MANAGE_MEMBERS)
def members_revoke_invitation(invitation_id: int):
    invitation = _invitation_or_404(invitation_id)
    email = invitation.email
    try:
        invitations.invitation_revoke(tenant=g.tenant, actor=current_user, invitation=invitation)
    except TenantError as error:
        return _refused(error)
    db.session.commit()
    return _back_to_members(f"The invitation of {email} is revoked.")


@tenant_bp.post("/members/<int:membership_id>/role")
@permission_required(Permission.MANAGE_MEMBERS)
def members_change_role(membership_id: int):
    membership = _membership_or_404(membership_id)
    form = RoleForm(roles=assignable_roles(current_role()))
    if not form.validate_on_submit():
        return _members_page(error="Pick one of the roles offered.", status=422)
    try:
        services.membership_change_role(
            tenant=g.tenant, actor=current_user, membership=membership, role=form.role.data
        )
    except TenantError as error:
        return _refused(error)
    db.session.commit()
    return _back_to_members(f"{membership.user.name} is now {Role(form.role.data).label.lower()}.")


@tenant_bp.post("/members/<int:membership_id>/remove")
@permission_required(Permission.MANAGE_MEMBERS)
def members_remove(membership_id: int):
    membership = _membership_or_404(membership_id)
    name, leaving = membership.user.name, membership.user_id == current_user.id
    try:
        services.membership_remove(tenant=g.tenant, actor=current_user, membership=membership)
    except TenantError as error:
        return _refused(error)
    db.session.commit()
    if leaving:
        flash(f"You left {g.tenant.name}.", "success")
        return redirect(url_for("tenants.home"))
    return _back_to_members(f"{name} was removed from {g.tenant.name}.")


# --- Settings and audit log -------------------------------------------------------------------


@tenant_bp.route("/settings", methods=["GET", "POST"])
@permission_required(Permission.EDIT_SETTINGS)
def settings():
    form = SettingsForm(obj=g.tenant)
    if form.validate_on_submit():
        try:
            services.tenant_update_settings(
                tenant=g.tenant, actor=current_user, name=form.name.data, timezone=form.timezone.data
            )
        except TenantError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Settings saved.", "success")
            return redirect(url_for("tenant.settings"))
    return render_template("tenants/settings.html", form=form), form_status(form)


@tenant_bp.get("/audit")
@permission_required(Permission.VIEW_AUDIT)
def audit_log():
    """The audit trail, optionally only what was done in one role (?role=consultant)."""
    role = request.args.get("role", "")
    role = role if role in set(Role) else ""
    events = services.audit_event_page(tenant=g.tenant, page=request.args.get("page", 1, type=int), role=role)
    return render_template(
        "tenants/audit.html",
        events=events,
        zone=tenant_zone(g.tenant),
        role=role,
        roles=list(Role),
        consultant_roles=CONSULTANT_ROLES,
    )
