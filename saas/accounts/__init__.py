"""Users, login sessions, passwords and API tokens. Knows nothing of tenants."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.accounts import token_views, views  # noqa: F401  (registers the routes and the user loader)

    app.register_blueprint(bp)
