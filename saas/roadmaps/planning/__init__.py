"""Planning: roadmaps, the process areas they select, phases, service lines and the timeline."""

from flask import Blueprint, Flask

# Templates only: the pages are routes of the wing's blueprint (saas.roadmaps.bp).
templates = Blueprint("roadmaps_planning", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.roadmaps.planning import models, views  # noqa: F401  (the tables and the routes)

    app.register_blueprint(templates)
