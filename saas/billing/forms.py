"""Billing forms. Each carries an operation id made when the page is shown, so sending the
same form twice reuses Stripe's answer (the idempotency key is derived from it)."""

from __future__ import annotations

import secrets
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Regexp

from saas.billing.plans import PAID_PLANS


def new_operation_id() -> str:
    return secrets.token_urlsafe(18)


class OperationForm(FlaskForm):
    """A fresh operation id when shown; the one sent back when submitted."""

    operation_id = HiddenField(validators=[Regexp(r"^[A-Za-z0-9_-]{16,64}$")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.operation_id.data:
            self.operation_id.data = new_operation_id()


class CheckoutForm(OperationForm):
    plan = RadioField(
        "Plan",
        choices=[SelectChoice(plan.key, plan.name) for plan in PAID_PLANS],
        validators=[InputRequired(message="Pick a plan.")],
    )
    seats = IntegerField(
        "Seats",
        validators=[InputRequired(message="How many seats?"), NumberRange(min=1, max=10_000)],
        description="Everyone who is a member or has a pending invitation takes a seat. "
        "Later the seat count follows your members automatically.",
    )


class PortalForm(OperationForm):
    pass
