"""Billing: plans, the Stripe gateway, webhooks, entitlements and the read-only mode."""

from flask import Blueprint, Flask

from saas.tenants.context import tenant_blueprint

bp = tenant_blueprint("billing", __name__, template_folder="templates")  # /t/<slug>/billing...
public_bp = Blueprint("billing_public", __name__, template_folder="templates")  # /pricing, the webhook


def init_app(app: Flask) -> None:
    from saas.billing import hooks, jobs, models, views, webhooks  # noqa: F401  (tables, routes, hooks)
    from saas.jobs.schedule import register_periodic

    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    hooks.init_app(app)
    register_periodic("trial-reminders", jobs.send_trial_reminders, "0 7 * * *")
