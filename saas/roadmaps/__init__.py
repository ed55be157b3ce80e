"""Roadmaps: plans, selected areas, phases, action items, assessments, ratings, reminders."""

from flask import Flask

from saas.tenants.context import tenant_blueprint

bp = tenant_blueprint("roadmaps", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.roadmaps import adoption, items, models, notifications, planning  # noqa: F401
    from saas.roadmaps.views.portfolio import portfolio_bp

    planning.init_app(app)
    adoption.init_app(app)
    items.init_app(app)
    notifications.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(portfolio_bp)
