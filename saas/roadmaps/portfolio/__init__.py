"""Portfolio: the figures read across a roadmap (its dashboard) and across a consultant's clients."""

from flask import Blueprint, Flask

# Templates only: the dashboard is a route of the wing's blueprint (saas.roadmaps.bp).
templates = Blueprint("roadmaps_portfolio", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.roadmaps.portfolio.views import portfolio_bp

    app.register_blueprint(templates)
    app.register_blueprint(portfolio_bp)
