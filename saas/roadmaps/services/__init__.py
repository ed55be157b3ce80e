"""Roadmap rules, one module per topic (roadmaps, items, assessments)."""
