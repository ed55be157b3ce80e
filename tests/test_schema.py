"""The schema the migrations build is the one the models describe, locked by RLS on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from saas import create_app
from saas.database import privileged_role_problem
from saas.extensions import db
from saas.tenants.scoping import TenantScoped


def tenant_tables() -> set[str]:
    return {
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, TenantScoped)
    }


def test_migrations_match_models(db_session):
    context = MigrationContext.configure(db_session.connection(), opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []


def test_every_tenant_owned_table_has_an_indexed_tenant_id():
    for mapper in db.Model.registry.mappers:
        if issubclass(mapper.class_, TenantScoped):
            column = mapper.local_table.c.tenant_id
            assert not column.nullable
            assert column.index, mapper.local_table.name


@pytest.mark.postgres
def test_every_tenant_owned_table_forces_row_level_security(db_session):
    rows = db_session.execute(
        text("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(:names)"),
        {"names": sorted(tenant_tables())},
    ).all()
    assert {name for name, *_ in rows} == tenant_tables()
    assert all(enabled and forced for _, enabled, forced in rows)


@pytest.mark.postgres
def test_the_app_role_neither_owns_tables_nor_bypasses_rls(db_session):
    role = db_session.execute(
        text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert role == ("saas_app_login", False, False)
    owners = db_session.scalars(
        text(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(:names)"
        ),
        {"names": sorted(tenant_tables())},
    ).all()
    assert {"saas_app", "saas_app_login"}.isdisjoint(owners)


@pytest.mark.postgres
def test_reset_role_on_the_apps_connection_changes_nothing(db_session):
    """The app connects as its login role instead of SET ROLE: RESET ROLE gains nothing, and RLS still holds."""
    tenant_id = db_session.scalar(text("SELECT id FROM tenants LIMIT 1"))
    with db_session.begin_nested():
        db_session.execute(text("RESET ROLE"))
        assert db_session.scalar(text("SELECT current_user")) == "saas_app_login"
        assert db_session.scalar(text("SELECT count(*) FROM audit_events")) == 0  # no tenant set: no rows
    assert tenant_id is None or tenant_id > 0
    with pytest.raises(ProgrammingError, match="permission denied"), db_session.begin_nested():
        db_session.execute(text("SET ROLE postgres"))


@pytest.mark.postgres
def test_the_audit_trail_is_append_only_for_the_app(db_session):
    for statement in ("UPDATE audit_events SET summary = 'rewritten'", "DELETE FROM audit_events"):
        with pytest.raises(ProgrammingError, match="permission denied"), db_session.begin_nested():
            db_session.execute(text(statement))


@pytest.mark.postgres
def test_a_privileged_database_role_is_refused_in_production(app):
    """Pointing DATABASE_URL at the owner (a superuser here) stops a production app at its first connection."""
    production = create_app({**_config_of(app), "APP_ENV": "production", "SECRET_KEY": "x" * 40})
    with production.app_context(), pytest.raises(RuntimeError, match="must name the app's own login role"):
        db.engine.connect()
    with production.app_context():
        db.engine.dispose()
    raw = db.engine.raw_connection()  # the test app's own login role passes the same check
    try:
        assert privileged_role_problem(raw.driver_connection) == ""
    finally:
        raw.close()


def _config_of(app) -> dict:
    owner = app.config["MIGRATION_DATABASE_URI"]
    keys = ("REDIS_URL", "RATELIMIT_STORAGE_URI", "MAIL_URL", "MAIL_DIR", "UPLOAD_DIR")
    return {key: app.config[key] for key in keys} | {"SQLALCHEMY_DATABASE_URI": owner}
