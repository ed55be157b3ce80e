"""Public pages: the landing page and the health check."""

from flask import Blueprint, Flask

bp = Blueprint("site", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.site import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
