from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from saas.accounts.forms import new_password_field


class SignupForm(FlaskForm):
    organisation = StringField("Organisation name", validators=[DataRequired(), Length(max=120)])
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    password = new_password_field()


class NewOrganisationForm(FlaskForm):
    organisation = StringField("Organisation name", validators=[DataRequired(), Length(max=120)])
