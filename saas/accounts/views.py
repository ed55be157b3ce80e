from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from saas.accounts import bp, credentials, services, throttling
from saas.accounts.errors import AccountError, InvalidToken
from saas.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RequestResetForm,
    ResetPasswordForm,
)
from saas.accounts.models import User
from saas.extensions import db, limiter, login_manager
from saas.forms import form_status, show_error

login_manager.login_view = "accounts.login"
login_manager.login_message = "Please sign in to continue."
login_manager.session_protection = "basic"
DEVICE = throttling.DEVICE_COOKIE


@login_manager.user_loader
def load_user(token: str):
    return services.login_session_user(token)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login (ASVS 5.1.5).

    Browsers read a backslash as a slash and drop tabs and newlines, so a path holding any of
    them, or any other whitespace or control character, could leave the site: it is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(char.isspace() or not char.isprintable() for char in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _client() -> throttling.Client:
    return throttling.Client(
        ip=request.remote_addr or "", device_user_ids=throttling.device_user_ids(request.cookies.get(DEVICE))
    )


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a fresh login session for this browser (ASVS 3.2.1); commits the request's work.

    The browser is remembered as one this account uses, so throttling aimed at the address
    does not stop its owner here.
    """
    session.clear()
    services.login_session_start(user, remember=remember, user_agent=request.user_agent.string)
    db.session.commit()
    login_user(user, remember=remember)
    value = throttling.device_cookie(_client().device_user_ids, user)

    @after_this_request
    def _remember_device(response: Response) -> Response:
        response.set_cookie(
            DEVICE,
            value,
            max_age=365 * 86400,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "20 per minute", methods=["POST"], error_message="Too many sign-in attempts from here. Wait a minute."
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email, client = services.normalise_email(form.email.data), _client()
        known = services.user_get_by_email(email)
        wait = throttling.seconds_to_wait(email=email, user=known, client=client)
        if wait:
            form.password.errors.append(
                f"Too many failed sign-ins for this account. Try again in {wait} seconds, "
                "or reset your password."
            )
            return render_template("accounts/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = services.user_authenticate(email=email, password=form.password.data)
        if user is not None:
            throttling.record_success(email=email, user=user, client=client)
            sign_in(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("tenants.home"))
        throttling.record_failure(email=email, client=client)
        form.password.errors.append("The email or password is not right.")
    status = form_status(form)
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    services.login_session_end(current_user.current_session_token)
    db.session.commit()
    session.clear()
    logout_user()  # after clear: it leaves the note that deletes the remember-me cookie
    flash("You are signed out.", "info")
    return redirect(url_for("site.landing"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(
    "5 per minute", methods=["POST"], error_message="Too many reset requests from here. Wait a minute."
)
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        credentials.password_reset_send(form.email.data)
        db.session.commit()
        flash("If an account uses that address, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/request_reset.html", form=form), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], error_message="Too many attempts from here. Wait a minute.")
def reset(token: str):
    try:
        credentials.password_reset_user(token)
    except InvalidToken as error:
        form = RequestResetForm(formdata=None)
        return render_template("accounts/request_reset.html", form=form, error=str(error)), error.status
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            credentials.password_reset(token, new_password=form.password.data)
        except AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                "Your password is changed: every session and API token of the account has ended. "
                "Sign in with the new password.",
                "success",
            )
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), form_status(form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    """The emailed confirmation link: marks the address proved, then on to where the link leads."""
    try:
        _user, next_path = services.email_verify(token)
    except InvalidToken as error:
        abort(error.status, description=str(error))
    db.session.commit()
    flash("Thank you, your email address is confirmed.", "success")
    return redirect(safe_next(next_path) or url_for("tenants.home"))


@bp.post("/verify/resend")
@login_required
@limiter.limit("5 per hour", error_message="Too many confirmation emails. Try again later.")
def resend_verification():
    if current_user.email_verified_at is None:
        services.email_verification_send(current_user, next_path=safe_next(request.form.get("next")) or "")
        db.session.commit()
    flash(f"A confirmation link is on its way to {current_user.email}.", "info")
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.settings"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    profile = ProfileForm(prefix="profile", obj=current_user)
    password = ChangePasswordForm(prefix="password")
    if profile.submit_if("profile") and profile.validate():
        services.user_rename(current_user, name=profile.name.data)
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("accounts.settings"))
    if password.submit_if("password") and password.validate():
        if not services.user_authenticate(email=current_user.email, password=password.current_password.data):
            password.current_password.errors.append("That is not your current password.")
        else:
            try:
                credentials.password_change(current_user, new_password=password.password.data)
            except AccountError as error:
                db.session.rollback()
                show_error(password, error)
            else:
                db.session.commit()
                flash(
                    "Password changed; your other sessions are signed out and your API tokens revoked.",
                    "success",
                )
                return redirect(url_for("accounts.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/settings.html", profile=profile, password=password), status


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    count = services.login_sessions_end_others(current_user)
    db.session.commit()
    flash(f"Signed out {count} other session(s).", "info")
    return redirect(url_for("accounts.settings"))


@bp.post("/account/email-links/revoke")
@login_required
def revoke_email_links():
    services.email_links_revoke(current_user)
    db.session.commit()
    flash("The unsubscribe links in emails already sent to you no longer work.", "info")
    return redirect(url_for("accounts.settings"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def unsubscribe(token: str):
    """The signed link in every reminder and digest: no login; GET asks, POST opts out (or back in).

    A GET changes nothing, so mail scanners that follow links do not unsubscribe anyone.
    """
    try:
        user, kind = services.unsubscribe_target(token)
    except InvalidToken as error:
        abort(error.status, description=str(error))
    done = None
    if request.method == "POST":
        resubscribe = request.form.get("action") == "resubscribe"
        (services.email_opt_in if resubscribe else services.email_opt_out)(user, kind)
        db.session.commit()
        done = "resubscribed" if resubscribe else "unsubscribed"
    return render_template(
        "accounts/unsubscribe.html",
        email=user.email,
        label=services.OPT_OUT_KINDS[kind],
        opted_out=services.is_opted_out(user, kind),
        done=done,
    )
