"""Planning pages; importing them registers their routes on the wing's blueprint."""

from saas.roadmaps.planning.views import roadmaps, service_lines  # noqa: F401
