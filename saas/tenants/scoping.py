"""The one tenant-scoping mechanism.

Every tenant-owned model inherits `TenantScoped`. A session carries a *scope*: the set of
tenant ids it may see (one tenant inside /t/<slug>/, the user's tenants on "my items", a
consultant's clients on the portfolio). Two locks hold the scope:

1. The ORM: every SELECT, UPDATE and DELETE gets `tenant_id IN scope` through
   `with_loader_criteria`, and a flush refuses rows outside the scope. No scope means no
   rows, so a forgotten `scope_session` fails closed.
2. PostgreSQL row-level security: each transaction sets `app.tenant_ids` (transaction-local),
   and the policies created by `migrations/rls.py` compare `tenant_id` with it. Raw SQL and
   any gap in the ORM filter still see only the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, event, text
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    relationship,
    scoped_session,
    with_loader_criteria,
)

if TYPE_CHECKING:
    from saas.tenants.models import Tenant

SCOPE_KEY = "tenant_scope"
RLS_SETTING = "app.tenant_ids"


class TenantScopeViolation(RuntimeError):
    """A flush tried to write a row of a tenant outside the session's scope."""


class TenantScoped:
    """Mixin for tenant-owned rows: a non-null, indexed tenant_id that scoping filters on."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def tenant(cls) -> Mapped[Tenant]:
        return relationship("Tenant")

    def owning_tenant_id(self) -> int | None:
        """The tenant id, also before the flush that copies it from `tenant`."""
        return self.tenant_id if self.tenant_id is not None else getattr(self.tenant, "id", None)


def scope_session(session: Session | scoped_session, tenant_ids: Iterable[int]) -> None:
    """Let `session` see exactly these tenants from now on (also on the open transaction).

    The database setting is written even when the scope is unchanged, so it is right again
    should anything else on the connection have changed it.
    """
    if isinstance(session, scoped_session):
        session = session()
    scope = frozenset(tenant_ids)
    if session.info.get(SCOPE_KEY) != scope:
        session.info[SCOPE_KEY] = scope
        _forget_rows_outside(session, scope)
    if session.in_transaction():
        _set_rls_scope(session.connection(), scope)


def clear_scope(session: Session) -> None:
    """Back to seeing no tenant data at all."""
    scope_session(session, ())


def session_scope(session: Session) -> frozenset[int]:
    return session.info.get(SCOPE_KEY, frozenset())


def _forget_rows_outside(session: Session, scope: frozenset[int]) -> None:
    """Keep Session.get from answering with a row loaded under an earlier, wider scope."""
    for obj in list(session.identity_map.values()):
        # Expunging cascades to related rows, which may already be gone when the loop reaches them.
        if isinstance(obj, TenantScoped) and obj.tenant_id not in scope and obj in session:
            session.expunge(obj)


def _set_rls_scope(connection, scope: frozenset[int]) -> None:
    if connection.dialect.name == "postgresql":
        value = ",".join(str(tenant_id) for tenant_id in sorted(scope))
        connection.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": RLS_SETTING, "value": value}
        )


@event.listens_for(Session, "do_orm_execute")
def _filter_by_scope(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = tuple(sorted(session_scope(state.session)))
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id.in_(scope), include_aliases=True)
    )


@event.listens_for(Session, "after_begin")
def _scope_new_transaction(session: Session, _transaction, connection) -> None:
    _set_rls_scope(connection, session_scope(session))


@event.listens_for(Session, "before_flush")
def _refuse_foreign_writes(session: Session, _context, _instances) -> None:
    scope = session_scope(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TenantScoped) and obj.owning_tenant_id() not in scope:
            raise TenantScopeViolation(
                f"{type(obj).__name__} of tenant {obj.owning_tenant_id()} is outside the scope"
            )
