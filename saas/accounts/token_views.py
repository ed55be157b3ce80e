"""The personal API tokens page: create (the secret is shown once), list and revoke.

Thin: parse the form, call accounts.api_tokens, commit, render or redirect. The new secret is
rendered straight into the answer to the POST (never flashed: the session cookie is signed,
not encrypted) and the page is marked no-store so no cache keeps it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from saas.accounts import api_tokens, bp
from saas.accounts.errors import AccountError
from saas.extensions import db, limiter
from saas.forms import show_error

NEVER = "never"


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=api_tokens.NAME_LENGTH)],
        description="What will use it, e.g. “Jira sync” or “reporting script”.",
    )
    expires = SelectField(
        "Expires",
        choices=[
            *(SelectChoice(str(days), f"In {days} days") for days in api_tokens.EXPIRY_DAYS),
            SelectChoice(NEVER, "Never"),
        ],
        default="90",
    )

    def expires_in_days(self) -> int | None:
        return None if self.expires.data == NEVER else int(self.expires.data)


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"], error_message="Too many new tokens at once. Wait a minute.")
def api_tokens_page():
    """The user's tokens; a valid POST makes one and shows its secret on this answer only."""
    form = ApiTokenForm()
    created = None
    if form.validate_on_submit():
        try:
            created = api_tokens.api_token_create(
                user=current_user, name=form.name.data, expires_in_days=form.expires_in_days()
            )
        except AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            form = ApiTokenForm(formdata=None)
    status = 422 if form.is_submitted() and created is None else 200
    return _render(form, created, status)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def api_token_revoke(token_id: int):
    """Revoke one of the user's tokens; the next request with it gets 401. Others' tokens: 404."""
    token = api_tokens.api_token_get(user=current_user, token_id=token_id)
    if token is None:
        abort(404)
    api_tokens.api_token_revoke(user=current_user, token=token)
    db.session.commit()
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("accounts.api_tokens_page"))


def _render(form: ApiTokenForm, created: api_tokens.NewApiToken | None, status: int) -> Response:
    page = render_template(
        "accounts/api_tokens.html",
        form=form,
        created=created,
        tokens=api_tokens.api_token_list(user=current_user),
        state=api_tokens.api_token_state,
        api_base=request.host_url.rstrip("/") + "/api/v1",
    )
    response = Response(page, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
