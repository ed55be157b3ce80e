"""Two tenants: tenant B's ids are 404 inside tenant A, and A's scope cannot read or touch B's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update

from saas.extensions import db
from saas.roadmaps.planning.models import ServiceLine
from saas.tenants import invitations
from saas.tenants import services as tenants
from saas.tenants.models import AuditEvent, Invitation, Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import TenantScopeViolation, clear_scope, scope_session
from tests.support import add_member, make_tenant, owner_of


@pytest.fixture
def alpha() -> Tenant:
    return make_tenant("Alpha")


@pytest.fixture
def beta() -> Tenant:
    tenant = make_tenant("Beta")
    tenants.audit(tenant=tenant, actor=None, action="beta.secret", summary="Beta's own business")
    db.session.flush()
    return tenant


def events_of(tenant: Tenant) -> list[AuditEvent]:
    """Read as the tenant itself would."""
    scope_session(db.session, [tenant.id])
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant.id)))


# --- Through HTTP: B's ids in A's URLs --------------------------------------------------------


def test_b_ids_in_a_urls_give_404_and_change_nothing(client, alpha, beta):
    beta_member = add_member(beta, Role.STAFF, "bob@beta.example")
    beta_membership = tenants.membership_get(tenant=beta, user=beta_member)
    scope_session(db.session, [beta.id])
    beta_invitation = invitations.invitation_send(
        tenant=beta, actor=owner_of(beta), email="ivy@example.com", role=Role.VIEWER
    )
    beta_token_hash = beta_invitation.token_hash
    before = len(events_of(beta))
    client.login(owner_of(alpha))

    attempts = [
        (f"/t/alpha/members/{beta_membership.id}/role", {"role": "viewer"}),
        (f"/t/alpha/members/{beta_membership.id}/remove", {}),
        (f"/t/alpha/members/invitations/{beta_invitation.id}/resend", {}),
        (f"/t/alpha/members/invitations/{beta_invitation.id}/revoke", {}),
        (f"/t/beta/members/{beta_membership.id}/role", {"role": "viewer"}),
        ("/t/beta/members/invitations", {"email": "x@example.com", "role": "owner"}),
        ("/t/beta/settings", {"name": "Taken over", "timezone": "UTC"}),
    ]
    for path, data in attempts:
        assert client.submit(path, data, token_page="/account").status_code == 404, path

    assert tenants.membership_get(tenant=beta, user=beta_member).role == Role.STAFF
    invitation = db.session.get(Invitation, beta_invitation.id)
    assert (invitation.role, invitation.token_hash) == (Role.VIEWER, beta_token_hash)
    assert db.session.get(Tenant, beta.id).name == "Beta"
    assert len(events_of(beta)) == before


def test_b_pages_are_404_for_a_member_of_a(client, alpha, beta):
    client.login(owner_of(alpha))

    for path in ("/t/beta/", "/t/beta/members", "/t/beta/settings", "/t/beta/audit"):
        assert client.get(path).status_code == 404, path


def test_a_audit_log_never_shows_b_events(client, alpha, beta):
    page = client.login(owner_of(alpha)).get("/t/alpha/audit").get_data(as_text=True)

    assert "Created Alpha" in page
    assert "Beta" not in page


# --- The ORM lock: scoped sessions without an explicit filter ---------------------------------


def test_a_query_in_a_scope_cannot_return_b_rows_without_a_filter(alpha, beta):
    scope_session(db.session, [alpha.id])

    rows = db.session.scalars(select(AuditEvent)).all()
    count = db.session.scalar(select(func.count(AuditEvent.id)))

    assert rows
    assert {row.tenant_id for row in rows} == {alpha.id}
    assert count == len(rows)


def test_even_asking_for_b_by_tenant_id_inside_a_returns_nothing(alpha, beta):
    scope_session(db.session, [alpha.id])

    assert db.session.scalars(select(AuditEvent).where(AuditEvent.tenant_id == beta.id)).all() == []


def test_session_get_of_a_b_id_is_none_inside_a(alpha, beta):
    beta_event_id = events_of(beta)[0].id  # loaded, so it sits in the identity map

    scope_session(db.session, [alpha.id])

    assert db.session.get(AuditEvent, beta_event_id) is None


def test_bulk_update_and_delete_in_a_scope_leave_b_rows_alone(alpha, beta):
    """On service lines: the audit trail itself is append-only for the app's role."""
    for tenant in (alpha, beta):
        scope_session(db.session, [tenant.id])
        db.session.add_all(ServiceLine(tenant=tenant, name=f"{tenant.name} {n}") for n in range(2))
        db.session.flush()
    scope_session(db.session, [alpha.id])

    updated = db.session.execute(update(ServiceLine).values(description="overwritten")).rowcount
    db.session.execute(delete(ServiceLine).where(ServiceLine.name == "Beta 0"))

    assert updated == 2
    scope_session(db.session, [beta.id])
    lines = db.session.scalars(select(ServiceLine).where(ServiceLine.tenant_id == beta.id)).all()
    assert sorted((line.name, line.description) for line in lines) == [("Beta 0", ""), ("Beta 1", "")]


def test_no_scope_means_no_rows(alpha, beta):
    clear_scope(db.session)

    assert db.session.scalars(select(AuditEvent)).all() == []


def test_writing_a_b_row_inside_a_scope_is_refused(alpha, beta):
    scope_session(db.session, [alpha.id])
    db.session.add(AuditEvent(tenant=beta, action="forged", summary="written from Alpha"))

    with pytest.raises(TenantScopeViolation):
        db.session.flush()
    db.session.rollback()


# --- The database lock: PostgreSQL row-level security, ORM filter out of the way ---------------


def raw_count() -> int:
    """Plain SQL: the ORM's tenant filter does not apply to text()."""
    return db.session.execute(text("SELECT count(*) FROM audit_events")).scalar_one()


@pytest.mark.postgres
def test_raw_sql_inside_a_sees_only_a_rows(alpha, beta):
    alpha_count = len(events_of(alpha))
    beta_count = len(events_of(beta))

    scope_session(db.session, [alpha.id])
    assert raw_count() == alpha_count
    scope_session(db.session, [beta.id])
    assert raw_count() == beta_count
    scope_session(db.session, [alpha.id, beta.id])
    assert raw_count() == alpha_count + beta_count


@pytest.mark.postgres
def test_raw_sql_without_a_scope_sees_nothing(alpha, beta):
    clear_scope(db.session)

    assert raw_count() == 0


@pytest.mark.postgres
def test_raw_sql_cannot_write_a_b_row_inside_a(alpha, beta):
    from sqlalchemy.exc import ProgrammingError

    scope_session(db.session, [alpha.id])
    statement = text(
        "INSERT INTO audit_events (tenant_id, actor_role, action, subject_type, summary, data, created_at) "
        "VALUES (:tenant, '', 'forged', '', '', '{}', now())"
    )

    with pytest.raises(ProgrammingError, match="row-level security"), db.session.begin_nested():
        db.session.execute(statement, {"tenant": beta.id})


@pytest.mark.postgres
def test_the_app_runs_as_its_login_role_a_member_of_the_rls_bound_role():
    assert db.session.execute(text("SELECT current_user")).scalar_one() == "saas_app_login"
    assert db.session.execute(text("SELECT pg_has_role(current_user, 'saas_app', 'member')")).scalar_one()
