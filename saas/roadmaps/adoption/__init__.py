"""Adoption: practice assessments per service line, evidence and its storage, the ratings built on
the rating engine (saas/roadmaps/rating.py), the matrix, blockers, forecast, reports and the pack."""

from flask import Blueprint, Flask

# Templates only: the pages are routes of the wing's blueprint (saas.roadmaps.bp).
templates = Blueprint("roadmaps_adoption", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.jobs.schedule import register_periodic
    from saas.roadmaps.adoption import jobs, models, views  # noqa: F401  (the tables and the routes)
    from saas.roadmaps.adoption.services.pages import assessment_counts_by_line
    from saas.roadmaps.planning.services.service_lines import register_line_record_counter

    app.register_blueprint(templates)
    register_line_record_counter(assessment_counts_by_line)
    register_periodic("roadmap-snapshots", jobs.snapshot_sweep, "15 2 * * *")
