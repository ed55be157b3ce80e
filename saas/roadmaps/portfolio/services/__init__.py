"""Figures read from the other packages: a roadmap's dashboard, a consultant's portfolio."""
