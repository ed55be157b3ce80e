"""Small helpers every wing's views share for Flask-WTF forms."""

from __future__ import annotations

from flask_wtf import FlaskForm


def form_status(form: FlaskForm) -> int:
    """422 for a submitted form shown again with its errors, 200 for a fresh one."""
    return 422 if form.is_submitted() else 200


def show_error(form: FlaskForm, error: Exception) -> None:
    """Put a service's refusal on the field it names (`error.field`), else on the whole form."""
    name = getattr(error, "field", None)
    if name and name in form:
        form[name].errors = [*form[name].errors, str(error)]  # a tuple until the form is validated
    else:
        form.form_errors.append(str(error))
