"""Declarative base, column types and engine hooks shared by every wing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, create_engine, event, pool, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic can drop and alter them on PostgreSQL and SQLite alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime},
    )


MAX_ROW_ID = 2**31 - 1  # ids are 32-bit integers; PostgreSQL refuses to compare with larger numbers


def is_row_id(value: int) -> bool:
    """Whether `value` can be a row id at all (ids from forms are checked before queries)."""
    return 0 < value <= MAX_ROW_ID


def utcnow() -> datetime:
    """The default of every timestamp column (a callable, so it runs per row)."""
    return datetime.now(UTC)


def install_engine_hooks(engine: Engine, *, production: bool) -> None:
    """SQLite: foreign keys, lock waits, SAVEPOINTs that work. PostgreSQL: check that the login role
    is bound by row-level security (refused in production, a warning elsewhere)."""
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINTs; SQLAlchemy emits BEGIN instead.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # The quick start runs web, worker and scheduler on one file: wait for locks, read during writes.
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            connection.exec_driver_sql("BEGIN")

    elif engine.dialect.name == "postgresql":

        @event.listens_for(engine, "first_connect")
        def _check_login_role(dbapi_connection, _record) -> None:
            problem = privileged_role_problem(dbapi_connection)
            if problem and production:
                raise RuntimeError(f"DATABASE_URL must name the app's own login role: {problem}")
            if problem:
                logging.getLogger(__name__).warning("row-level security is not binding: %s", problem)


# Why a role would escape row-level security: it is a superuser, may bypass RLS, or owns tables.
_PRIVILEGED_ROLE_SQL = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = r.rolname)
FROM pg_roles r WHERE r.rolname = current_user
"""


def privileged_role_problem(dbapi_connection) -> str:
    """What lets the connection's role escape row-level security, or "" when it is bound by it.

    The app connects as its login role (no SET ROLE), so there is nothing for SQL on the
    connection to RESET: the role it has is the only one it can have.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute(_PRIVILEGED_ROLE_SQL)
    name, superuser, bypass, owner = cursor.fetchone()
    cursor.close()
    dbapi_connection.rollback()
    reasons = [
        text
        for flag, text in ((superuser, "a superuser"), (bypass, "BYPASSRLS"), (owner, "owns tables"))
        if flag
    ]
    return f"role {name} is {', '.join(reasons)}" if reasons else ""


def ensure_login_role(owner_url: str, *, login_role: str, group_role: str) -> None:
    """Make sure a login role exists that is a member of the app's group role, and nothing more.

    For tests, the benchmark and local PostgreSQL with trust authentication; a production login
    role has a password and is made by its administrator (see the README's Deployment).
    """
    engine = create_engine(owner_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    f"""DO $$ BEGIN
                        CREATE ROLE "{login_role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END $$"""
                )
            )
            connection.execute(text(f'GRANT "{group_role}" TO "{login_role}"'))
    finally:
        engine.dispose()


def url_as(url: str, role: str) -> str:
    """The same database URL, connecting as `role` without a password."""
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)
