from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from saas.accounts import services as accounts
from saas.accounts.errors import AccountError
from saas.extensions import db, limiter
from saas.tenants import bp, services, tenant_bp
from saas.tenants.forms import NewOrganisationForm, SignupForm
from saas.tenants.nav import user_memberships


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], error_message="Too many signups from here. Try again later.")
def signup():
    """Organisation + owner account + trial; an already signed-in user just names the organisation."""
    form = NewOrganisationForm() if current_user.is_authenticated else SignupForm()
    if form.validate_on_submit():
        try:
            if current_user.is_authenticated:
                tenant = services.tenant_create(name=form.organisation.data, owner=current_user)
                db.session.commit()
            else:
                tenant, user = services.signup(
                    organisation=form.organisation.data,
                    name=form.name.data,
                    email=form.email.data,
                    password=form.password.data,
                )
                session.clear()
                accounts.login_session_start(user, remember=False, user_agent=request.user_agent.string)
                db.session.commit()
                login_user(user)
        except AccountError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            flash(f"Welcome! {tenant.name} is on a free trial; no card needed.", "success")
            return redirect(url_for("tenant.dashboard", tenant_slug=tenant.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("tenants/signup.html", form=form), status


@bp.get("/home")
@login_required
def home():
    """Where a signed-in user lands: their only organisation, or the list to pick from."""
    memberships = user_memberships()
    if len(memberships) == 1:
        return redirect(url_for("tenant.dashboard", tenant_slug=memberships[0].tenant.slug))
    return render_template("tenants/home.html", memberships=memberships)


@tenant_bp.get("/")
def dashboard():
    return render_template("tenants/dashboard.html", tenant=g.tenant)
