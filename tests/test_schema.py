"""The schema the migrations build is the one the models describe, locked by RLS on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

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
    assert role == ("saas_app", False, False)
    owners = db_session.scalars(
        text(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(:names)"
        ),
        {"names": sorted(tenant_tables())},
    ).all()
    assert "saas_app" not in owners
