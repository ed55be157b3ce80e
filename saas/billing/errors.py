"""Billing refusals; every message is safe to show to the user."""

from __future__ import annotations

from flask import url_for


class BillingError(ValueError):
    """A billing rule refused the request."""

    field: str | None = None  # the form field the message belongs to, if any


class BillingNotConfigured(BillingError):
    """No Stripe keys: the quick start runs without billing."""


class BillingUnavailable(BillingError):
    """Stripe could not be reached or refused the call; nothing was changed here."""


class InvalidWebhook(BillingError):
    """A webhook whose signature, secret or timestamp does not check out."""


class InvalidCheckout(BillingError):
    """The plan or the number of seats picked cannot be bought."""


class PlanLimitReached(BillingError):
    """The tenant's plan (or its billing standing) does not allow this; the owner can upgrade."""

    def __init__(self, message: str, *, tenant_slug: str) -> None:
        super().__init__(message)
        self.tenant_slug = tenant_slug

    @property
    def upgrade_url(self) -> str:
        return url_for("billing.show", tenant_slug=self.tenant_slug)
