"""Action items: the work on practices — items, comments, bulk changes, lists, the board, my items
and the personal calendar feed."""

from flask import Blueprint, Flask

# Templates only: tenant pages are routes of the wing's blueprint (saas.roadmaps.bp).
templates = Blueprint("roadmaps_items", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.roadmaps.items import models, views  # noqa: F401  (the tables and the routes)
    from saas.roadmaps.items.views.items import my_bp

    app.register_blueprint(templates)
    app.register_blueprint(my_bp)
