"""The improvement-programme SaaS: `create_app` builds the Flask application."""

from __future__ import annotations

from typing import Any

from flask import Flask

from saas.config import config_from_env


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding (tests pass theirs)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config_from_env())
    app.config.update(config or {})
    if config and "SQLALCHEMY_DATABASE_URI" in config and "MIGRATION_DATABASE_URI" not in config:
        app.config["MIGRATION_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"]

    from saas import assets, cli, errors, extensions, proxies, request_guard, routing, security
    from saas.database import install_engine_hooks

    routing.init_app(app)
    proxies.init_app(app)
    request_guard.init_app(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=_migrations_dir())
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    extensions.login_manager.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    with app.app_context():
        install_engine_hooks(extensions.db.engine, production=app.config["APP_ENV"] == "production")

    _register_wings(app)
    return app


def _register_wings(app: Flask) -> None:
    from saas import accounts, api, billing, catalog, jobs, mail, roadmaps, site, tenants

    for wing in (site, mail, jobs, accounts, catalog, tenants, roadmaps, billing, api):
        wing.init_app(app)


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
