"""Roadmaps: plans, selected areas, phases, action items, assessments, ratings, reminders."""

from flask import Flask

from saas.tenants.context import tenant_blueprint

bp = tenant_blueprint("roadmaps", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.roadmaps import models, views  # noqa: F401  (the tables and the routes)
    from saas.roadmaps.views.items import my_bp
    from saas.roadmaps.views.portfolio import portfolio_bp

    app.register_blueprint(bp)
    app.register_blueprint(my_bp)
    app.register_blueprint(portfolio_bp)
