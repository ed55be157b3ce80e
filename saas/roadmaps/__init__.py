"""Roadmaps: the improvement programme itself, in capability packages.

Lower packages never import higher ones (import-linter keeps the order):
notifications > portfolio > items > adoption > planning; all may use errors.py (the wing's errors),
rating.py (the model's rating rules as pure functions) and saving.py (the views' save helper).
"""

from flask import Flask

from saas.tenants.context import tenant_blueprint

# Every tenant page of the wing is a route of this one blueprint (endpoints "roadmaps.<name>").
bp = tenant_blueprint("roadmaps", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.roadmaps import adoption, items, notifications, planning, portfolio

    for package in (planning, adoption, items, portfolio, notifications):
        package.init_app(app)
    app.register_blueprint(bp)
