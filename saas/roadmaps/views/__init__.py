"""Roadmap pages, one module per topic; importing them registers their routes on `bp`."""

from saas.roadmaps.views import notifications  # noqa: F401
