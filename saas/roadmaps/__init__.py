"""Roadmaps: plans, selected areas, phases, action items, assessments, ratings, reminders."""

from flask import Flask

from saas.tenants.context import tenant_blueprint

bp = tenant_blueprint("roadmaps", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.jobs.schedule import register_periodic
    from saas.roadmaps import adoption, items, jobs, models, planning, views  # noqa: F401  (the tables and the routes)
    from saas.roadmaps.views.portfolio import portfolio_bp

    planning.init_app(app)
    adoption.init_app(app)
    items.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(portfolio_bp)
    # Hourly: each tenant's reminders and digests at its own send hour (its time zone).
    register_periodic("notifications", jobs.dispatch_notifications, "5 * * * *")
    register_periodic("portfolio-digests", jobs.send_portfolio_digests, "0 7 * * 1")
    # By hand: what the hourly dispatch sends, now, for every tenant (dedupe keys still hold).
    register_periodic("reminders", jobs.dispatch_reminders_now)
    register_periodic("digests", jobs.dispatch_digests_now)
