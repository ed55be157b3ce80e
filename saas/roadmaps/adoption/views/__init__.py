"""Adoption pages; importing them registers their routes on the wing's blueprint."""

from saas.roadmaps.adoption.views import assessments, reports  # noqa: F401
