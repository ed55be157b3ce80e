"""Roadmaps: the improvement programme itself, in capability packages.

Lower packages never import higher ones (import-linter keeps the order):
notifications > portfolio > items > adoption > planning. All of them may use the wing's shared
modules: blueprint.py (the one blueprint their pages are routes of), errors.py, rating.py (the
model's rating rules as pure functions) and saving.py (the views' save helper).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from saas.roadmaps import adoption, items, notifications, planning, portfolio
    from saas.roadmaps.blueprint import bp

    for package in (planning, adoption, items, portfolio, notifications):
        package.init_app(app)
    app.register_blueprint(bp)
