"""The improvement models (CMMI-SVC v1.3 and others) as global, read-only data. Knows no other wing."""

from flask import Blueprint, Flask

bp = Blueprint("catalog", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.catalog import models  # noqa: F401  (the tables)

    app.register_blueprint(bp)
