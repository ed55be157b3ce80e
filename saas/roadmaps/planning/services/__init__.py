"""Planning rules: roadmaps, area selection, phases, service lines, the members who own them."""
