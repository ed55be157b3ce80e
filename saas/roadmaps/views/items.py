"""Placeholder until the items pages land."""

from saas.roadmaps import bp  # noqa: F401
