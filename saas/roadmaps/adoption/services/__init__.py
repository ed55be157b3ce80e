"""Adoption rules and reads: assessments, judgements, evidence, ratings and what is built on them."""
