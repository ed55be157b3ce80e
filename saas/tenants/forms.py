from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from saas.accounts.forms import new_password_field
from saas.tenants.permissions import Role
from saas.tenants.services import timezone_names


class SignupForm(FlaskForm):
    organisation = StringField("Organisation name", validators=[DataRequired(), Length(max=120)])
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    password = new_password_field()


class NewOrganisationForm(FlaskForm):
    organisation = StringField("Organisation name", validators=[DataRequired(), Length(max=120)])


class RoleForm(FlaskForm):
    """A role to give; the choices are the roles the signed-in member may grant."""

    role = SelectField("Role", default=Role.STAFF.value)

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(role.value, role.label) for role in roles]


class InviteForm(RoleForm):
    email = EmailField("Email address", validators=[DataRequired(), Email(), Length(max=254)])


class AcceptInvitationForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    password = new_password_field()


class SettingsForm(FlaskForm):
    name = StringField("Organisation name", validators=[DataRequired(), Length(max=120)])
    timezone = SelectField(
        "Timezone",
        choices=timezone_names,
        description="Dates and times in this organisation are shown in this timezone.",
    )
