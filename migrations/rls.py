"""Row-level security helpers for migrations (PostgreSQL only; no-ops elsewhere).

The app connects with its own login role, a member of the group role DATABASE_APP_ROLE that
owns no table and cannot bypass RLS (no SET ROLE, so nothing to RESET); migrations run as the
owner (MIGRATION_DATABASE_URL). Every tenant-owned table gets a policy comparing tenant_id
with the transaction-local setting `app.tenant_ids` (see saas/tenants/scoping.py).
"""

from alembic import op
from flask import current_app

POLICY = "tenant_isolation"
SCOPE = "tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')::int[])"


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def app_role() -> str:
    return current_app.config["DATABASE_APP_ROLE"]


def create_app_role() -> None:
    """The app's role, granted DML on every table the owner creates from now on."""
    role = app_role()
    if not _is_postgres() or not role:
        return
    op.execute(
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        END $$"""
    )
    op.execute(f'GRANT "{role}" TO CURRENT_USER')
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    op.execute(
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"'
    )
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"')


def drop_app_role_grants() -> None:
    """Undo the default privileges; the role itself is cluster-wide and may serve other databases."""
    role = app_role()
    if not _is_postgres() or not role:
        return
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM "{role}"')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM "{role}"')
    op.execute(f'REVOKE USAGE ON SCHEMA public FROM "{role}"')


def append_only(table: str) -> None:
    """The app may add rows and read them, never change or remove them (an audit trail)."""
    role = app_role()
    if _is_postgres() and role:
        op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM "{role}"')


def undo_append_only(table: str) -> None:
    role = app_role()
    if _is_postgres() and role:
        op.execute(f'GRANT UPDATE, DELETE ON {table} TO "{role}"')


def enable_tenant_rls(table: str) -> None:
    if not _is_postgres():
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({SCOPE}) WITH CHECK ({SCOPE})")


def disable_tenant_rls(table: str) -> None:
    if not _is_postgres():
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
