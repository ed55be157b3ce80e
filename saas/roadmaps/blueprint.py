"""The wing's one tenant blueprint: every tenant page of every package is a route of it, so
endpoints stay "roadmaps.<name>" wherever the page lives."""

from saas.tenants.context import tenant_blueprint

bp = tenant_blueprint("roadmaps", __name__, template_folder="templates")
