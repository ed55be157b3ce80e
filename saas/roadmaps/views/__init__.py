"""Roadmap pages, one module per topic; importing them registers their routes on `bp`."""

from saas.roadmaps.views import adoption, assessments, notifications  # noqa: F401
