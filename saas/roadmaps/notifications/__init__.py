"""Notifications: each tenant's reminder and digest settings, reminders of action items, progress
digests, the consultants' weekly portfolio digest, and the hourly dispatch that sends them."""

from flask import Blueprint, Flask

# Templates only: the settings page is a route of the wing's blueprint (saas.roadmaps.bp).
templates = Blueprint("roadmaps_notifications", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.jobs.schedule import register_periodic
    from saas.roadmaps.notifications import jobs, models, views  # noqa: F401  (the tables and the routes)

    app.register_blueprint(templates)
    # Hourly: each tenant's reminders and digests at its own send hour (its time zone).
    register_periodic("notifications", jobs.dispatch_notifications, "5 * * * *")
    register_periodic("portfolio-digests", jobs.send_portfolio_digests, "0 7 * * 1")
    # By hand: what the hourly dispatch sends, now, for every tenant (dedupe keys still hold).
    register_periodic("reminders", jobs.dispatch_reminders_now)
    register_periodic("digests", jobs.dispatch_digests_now)
