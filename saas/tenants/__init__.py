"""Tenants (organisations), memberships and roles, invitations, tenant scoping, the audit trail."""

from flask import Blueprint, Flask

from saas.tenants.context import tenant_blueprint

bp = Blueprint("tenants", __name__, template_folder="templates")
tenant_bp = tenant_blueprint("tenant", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.tenants import nav, views  # noqa: F401  (registers the routes)
    from saas.tenants.permissions import role_label

    app.register_blueprint(bp)
    app.register_blueprint(tenant_bp)
    app.context_processor(nav.template_helpers)
    app.add_template_filter(role_label)
