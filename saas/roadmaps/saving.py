"""Saving a form through a roadmaps service: one commit, or the refusal shown on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm

from saas.extensions import db
from saas.forms import show_error
from saas.roadmaps.errors import RoadmapError


def saved(form: FlaskForm, change: Callable[[], Any]) -> Any:
    """Run the service and commit; on a refusal roll back, show it on its field and return None."""
    try:
        result = change()
    except RoadmapError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    return result
