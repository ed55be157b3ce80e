from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from saas.accounts.passwords import MAX_LENGTH, MIN_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


class PrefixedForm(FlaskForm):
    """One of several forms on a page, told apart by the name of the submit button."""

    def submit_if(self, name: str) -> bool:
        return request.method == "POST" and request.form.get("form") == name


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"At least {MIN_LENGTH} characters; a short phrase is easier to remember.",
    )


class RequestResetForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = new_password_field("New password")
    confirm = PasswordField(
        "Repeat the new password", validators=[EqualTo("password", "The passwords differ.")]
    )


class ChangePasswordForm(PrefixedForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    password = new_password_field("New password")
    confirm = PasswordField(
        "Repeat the new password", validators=[EqualTo("password", "The passwords differ.")]
    )


class ProfileForm(PrefixedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
