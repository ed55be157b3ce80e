"""Helpers for the assessment and rating tests: roadmaps with service lines, rows, query counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from saas.catalog.models import CatalogModel, Goal, Practice, ProcessArea
from saas.extensions import db
from saas.roadmaps.adoption.models import PracticeAssessment
from saas.roadmaps.planning.models import Roadmap, RoadmapServiceLine, ServiceLine
from saas.tenants.models import Tenant
from saas.tenants.scoping import scope_session
from tests.roadmaps.conftest import build_roadmap

GG2_PRACTICES = [f"GP 2.{n}" for n in range(1, 11)]
GG3_PRACTICES = ["GP 3.1", "GP 3.2"]
ML2_AREAS = ["CM", "MA", "PPQA", "REQM", "SAM", "SD", "WMC", "WP"]


def enter(tenant: Tenant) -> None:
    """Scope the test's session to `tenant`, also after a request left the connection in another scope.

    Passing through a wider scope first makes `scope_session` set the database's scope again
    without forgetting the rows of `tenant` the session holds.
    """
    scope_session(db.session, [tenant.id, -1])
    scope_session(db.session, [tenant.id])


def roadmap_with_lines(
    tenant: Tenant,
    model: CatalogModel,
    codes: list[str],
    *,
    lines: tuple[str, ...] = ("Whole organisation",),
    name: str = "ML2 programme",
) -> Roadmap:
    """A roadmap (areas at CL2 in the given order, target ML2) covering service lines; the first is the default."""
    enter(tenant)
    roadmap = build_roadmap(tenant, model, codes, name=name)
    for selected in roadmap.areas:
        selected.position = codes.index(selected.area.code)
    for position, line_name in enumerate(lines):
        line = db.session.scalar(
            select(ServiceLine).where(ServiceLine.tenant_id == tenant.id, ServiceLine.name == line_name)
        ) or ServiceLine(tenant=tenant, name=line_name, is_default=position == 0)
        roadmap.service_line_links.append(RoadmapServiceLine(tenant=tenant, service_line=line))
    db.session.flush()
    return roadmap


def line_named(roadmap: Roadmap, name: str) -> ServiceLine:
    return next(link.service_line for link in roadmap.service_line_links if link.service_line.name == name)


def specific_codes(model: CatalogModel, area_code: str) -> list[str]:
    """The area's specific practice codes in catalog order."""
    return list(
        db.session.scalars(
            select(Practice.code)
            .join(ProcessArea, ProcessArea.id == Practice.area_id)
            .join(Goal, Goal.id == Practice.goal_id)
            .where(ProcessArea.model_id == model.id, ProcessArea.code == area_code)
            .order_by(Goal.position, Practice.position)
        )
    )


def put(roadmap: Roadmap, line: ServiceLine, area_code: str, practice_code: str, value: str | None) -> None:
    """A raw assessment row, bypassing the services (the bridge must read whatever the table holds)."""
    area = db.session.scalar(
        select(ProcessArea).where(ProcessArea.model_id == roadmap.model_id, ProcessArea.code == area_code)
    )
    practice = db.session.scalar(
        select(Practice).where(
            Practice.model_id == roadmap.model_id,
            Practice.code == practice_code,
            (Practice.area_id == area.id) | Practice.area_id.is_(None),
        )
    )
    db.session.add(
        PracticeAssessment(
            tenant_id=roadmap.tenant_id,
            roadmap_id=roadmap.id,
            service_line_id=line.id,
            area_id=area.id,
            practice_id=practice.id,
            characterisation=value,
        )
    )
    db.session.flush()


def put_area(
    roadmap: Roadmap, line: ServiceLine, area_code: str, value: str, *, generic: list[str] = GG2_PRACTICES
) -> None:
    """Every specific practice of the area, and the given generic practices, at `value`."""
    for code in [*specific_codes(roadmap.model, area_code), *generic]:
        put(roadmap, line, area_code, code, value)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
