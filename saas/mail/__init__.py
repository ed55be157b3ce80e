"""Outgoing mail through an outbox table: recorded once under a dedupe key, delivered by a job."""

from flask import Blueprint, Flask

bp = Blueprint("mail", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from saas.jobs.schedule import register_periodic
    from saas.mail import jobs, secret_links, views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
    app.jinja_env.filters["secret"] = secret_links.mark
    app.jinja_env.filters["unmark"] = secret_links.unmark
    register_periodic("outbox-sweep", jobs.sweep_outbox, "* * * * *")
