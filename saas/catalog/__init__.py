"""The improvement models (CMMI-SVC v1.3 and others) as global, read-only data. Knows no other wing."""

from flask import Blueprint, Flask

bp = Blueprint("catalog", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.catalog import views  # noqa: F401  (registers the routes)
    from saas.catalog.cli import catalog_cli
    from saas.catalog.loader import load_packs

    app.register_blueprint(bp)
    app.cli.add_command(catalog_cli)
    app.extensions["catalog_loader"] = load_packs
