"""Service lines: the units of a tenant where practices are carried out (SCAMPI's basic units).

A tenant that defines none has one implicit default line ("Whole organisation", made with its
first roadmap), so small organisations never meet the concept. Rules:
- names are unique per tenant, retired lines included; the owner must be a member;
- a line with assessments is retired, never deleted, so no characterisation is lost;
- retiring a line takes it out of the roadmaps that cover it (their ratings stop counting it,
  its rows are kept) and it cannot be chosen again until it is restored;
- every roadmap keeps at least one line, and the tenant at least one active line.
Services flush and audit; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from saas.accounts.models import User
from saas.extensions import db
from saas.roadmaps.errors import NameTaken, NotAMember, RoadmapError, ServiceLineInUse, UnknownServiceLine
from saas.roadmaps.planning.models import Roadmap, RoadmapServiceLine, ServiceLine
from saas.roadmaps.planning.services.members import member_get
from saas.tenants.models import Tenant
from saas.tenants.services import audit

DEFAULT_SERVICE_LINE = "Whole organisation"
# Counters of the records other packages keep per line (adoption: its assessments), line id -> count.
# A line holding any record can be retired but not deleted, so the records stay on file.
LineRecordCounter = Callable[[Tenant], dict[int, int]]
line_record_counters: list[LineRecordCounter] = []


def register_line_record_counter(counter: LineRecordCounter) -> None:
    if counter not in line_record_counters:
        line_record_counters.append(counter)


NAME_LENGTH = 120
DESCRIPTION_LENGTH = 2000


@dataclass(frozen=True)
class ServiceLineRow:
    """A line with the roadmaps that cover it and how many assessment rows it holds."""

    line: ServiceLine
    roadmaps: list[Roadmap]
    assessments: int


def service_line_get(*, tenant: Tenant, service_line_id: int) -> ServiceLine | None:
    """The line with this id in this tenant, active or retired (None: the caller answers 404)."""
    return db.session.scalar(
        select(ServiceLine).where(ServiceLine.tenant_id == tenant.id, ServiceLine.id == service_line_id)
    )


def service_line_overview(*, tenant: Tenant) -> list[ServiceLineRow]:
    """Every line of the tenant, active first then by name, with coverage and assessment counts (three queries)."""
    lines = list(
        db.session.scalars(
            select(ServiceLine)
            .where(ServiceLine.tenant_id == tenant.id)
            .options(joinedload(ServiceLine.owner))
            .order_by(ServiceLine.active.desc(), ServiceLine.name)
        )
    )
    covering: dict[int, list[Roadmap]] = defaultdict(list)
    for line_id, roadmap in db.session.execute(
        select(RoadmapServiceLine.service_line_id, Roadmap)
        .join(Roadmap, Roadmap.id == RoadmapServiceLine.roadmap_id)
        .where(RoadmapServiceLine.tenant_id == tenant.id)
        .order_by(Roadmap.name)
    ):
        covering[line_id].append(roadmap)
    counts = _record_counts(tenant)
    return [ServiceLineRow(line, covering[line.id], counts.get(line.id, 0)) for line in lines]


def service_line_create(
    *, tenant: Tenant, actor: User, name: str, description: str = "", owner_id: int | None = None
) -> ServiceLine:
    """A new active line; names are unique per tenant and the owner must be a member."""
    line = ServiceLine(
        tenant=tenant,
        name=_free_name(tenant, name),
        description=_description(description),
        owner=_owner(tenant, owner_id),
    )
    db.session.add(line)
    db.session.flush()
    audit(
        tenant=tenant, actor=actor, action="service_line.created", subject=line, summary=f"Added {line.name}"
    )
    return line


def service_line_update(
    *,
    tenant: Tenant,
    actor: User,
    service_line: ServiceLine,
    name: str,
    description: str = "",
    owner_id: int | None = None,
) -> ServiceLine:
    """Rename, describe or hand over a line (the default line too: only its name is a suggestion)."""
    before = service_line.name
    service_line.name = _free_name(tenant, name, service_line)
    service_line.description = _description(description)
    service_line.owner = _owner(tenant, owner_id)
    db.session.flush()
    renamed = f" (was {before})" if before != service_line.name else ""
    audit(
        tenant=tenant,
        actor=actor,
        action="service_line.updated",
        subject=service_line,
        summary=f"Edited {service_line.name}{renamed}",
    )
    return service_line


def service_line_retire(*, tenant: Tenant, actor: User, service_line: ServiceLine) -> ServiceLine:
    """Retire a line: it leaves the roadmaps that cover it (rows kept) unless one would be left with none."""
    if not service_line.active:
        return service_line
    _check_can_leave(tenant, service_line, verb="retire")
    left = _uncover(tenant, service_line)
    service_line.active = False
    db.session.flush()
    from_roadmaps = f"; no longer covered by {', '.join(left)}" if left else ""
    audit(
        tenant=tenant,
        actor=actor,
        action="service_line.retired",
        subject=service_line,
        summary=f"Retired {service_line.name}{from_roadmaps}",
        roadmaps=left,
    )
    return service_line


def service_line_restore(*, tenant: Tenant, actor: User, service_line: ServiceLine) -> ServiceLine:
    """Make a retired line available again; roadmaps choose to cover it again one by one."""
    if service_line.active:
        return service_line
    service_line.active = True
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="service_line.restored",
        subject=service_line,
        summary=f"Restored {service_line.name}",
    )
    return service_line


def service_line_delete(*, tenant: Tenant, actor: User, service_line: ServiceLine) -> None:
    """Delete a line that holds no assessment (otherwise retire it), on the same terms as retiring."""
    held = _assessment_count(tenant, service_line)
    if held:
        raise ServiceLineInUse(
            f"{service_line.name} holds {held} assessment{'s' if held != 1 else ''}; retire it instead, "
            "so the characterisations stay on record."
        )
    if service_line.active:
        _check_can_leave(tenant, service_line, verb="delete")
    left = _uncover(tenant, service_line)
    audit(
        tenant=tenant,
        actor=actor,
        action="service_line.deleted",
        subject=service_line,
        summary=f"Deleted {service_line.name}",
        roadmaps=left,
    )
    db.session.delete(service_line)
    db.session.flush()


# --- helpers -------------------------------------------------------------------------------


def _free_name(tenant: Tenant, name: str, line: ServiceLine | None = None) -> str:
    """The cleaned name, refused when empty or when another line of the tenant (even retired) has it."""
    name = " ".join((name or "").split())[:NAME_LENGTH]
    if not name:
        raise NameTaken("Give the service line a name.")
    clash = select(ServiceLine).where(
        ServiceLine.tenant_id == tenant.id, func.lower(ServiceLine.name) == name.lower()
    )
    if line is not None:
        clash = clash.where(ServiceLine.id != line.id)
    other = db.session.scalar(clash)
    if other is not None:
        retired = "" if other.active else " (retired; restore it instead)"
        raise NameTaken(f"There is already a service line called “{other.name}”{retired}.")
    return name


def _description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_LENGTH:
        raise RoadmapError(
            f"Keep the description under {DESCRIPTION_LENGTH} characters.", field="description"
        )
    return description


def _owner(tenant: Tenant, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = member_get(tenant=tenant, user_id=owner_id)
    if owner is None:
        raise NotAMember("The owner must be a member of this organisation.")
    return owner


def _check_can_leave(tenant: Tenant, line: ServiceLine, *, verb: str) -> None:
    """Refuse when the line is the tenant's last active one or the only line of some roadmap."""
    others = db.session.scalar(
        select(func.count(ServiceLine.id)).where(
            ServiceLine.tenant_id == tenant.id, ServiceLine.active, ServiceLine.id != line.id
        )
    )
    if not others:
        raise ServiceLineInUse(
            f"{line.name} is the organisation's only active service line, so it cannot be {verb}d."
        )
    alone = _roadmaps_covering_only(tenant, line)
    if alone:
        raise ServiceLineInUse(
            f"{line.name} is the only service line of {', '.join(alone)}. "
            f"Have {'that roadmap' if len(alone) == 1 else 'those roadmaps'} cover another line first, then {verb} it."
        )


def _roadmaps_covering_only(tenant: Tenant, line: ServiceLine) -> list[str]:
    """Names of the roadmaps for which this line is the only one covered (one query)."""
    single = (
        select(RoadmapServiceLine.roadmap_id)
        .where(RoadmapServiceLine.tenant_id == tenant.id)
        .group_by(RoadmapServiceLine.roadmap_id)
        .having(func.count(RoadmapServiceLine.id) == 1)
    )
    return list(
        db.session.scalars(
            select(Roadmap.name)
            .join(RoadmapServiceLine, RoadmapServiceLine.roadmap_id == Roadmap.id)
            .where(
                RoadmapServiceLine.service_line_id == line.id,
                RoadmapServiceLine.roadmap_id.in_(single),
                Roadmap.tenant_id == tenant.id,
            )
            .order_by(Roadmap.name)
        )
    )


def _uncover(tenant: Tenant, line: ServiceLine) -> list[str]:
    """Take the line out of every roadmap covering it; the names of those roadmaps."""
    links = db.session.scalars(
        select(RoadmapServiceLine)
        .where(RoadmapServiceLine.tenant_id == tenant.id, RoadmapServiceLine.service_line_id == line.id)
        .options(joinedload(RoadmapServiceLine.roadmap))
    ).all()
    names = sorted(link.roadmap.name for link in links)
    for link in links:
        link.roadmap.service_line_links.remove(link)
    db.session.flush()
    return names


def _record_counts(tenant: Tenant) -> dict[int, int]:
    """Line id -> records held in it, summed over the registered counters (one query each)."""
    totals: dict[int, int] = defaultdict(int)
    for counter in line_record_counters:
        for line_id, count in counter(tenant).items():
            totals[line_id] += count
    return totals


def _assessment_count(tenant: Tenant, line: ServiceLine) -> int:
    return _record_counts(tenant).get(line.id, 0)


def service_line_list(*, tenant: Tenant) -> list[ServiceLine]:
    """The tenant's active service lines, default first."""
    return list(
        db.session.scalars(
            select(ServiceLine)
            .where(ServiceLine.tenant_id == tenant.id, ServiceLine.active)
            .order_by(ServiceLine.is_default.desc(), ServiceLine.name)
        )
    )


def roadmap_service_lines(*, roadmap: Roadmap) -> list[ServiceLine]:
    """The service lines the roadmap covers, by name."""
    return list(
        db.session.scalars(
            select(ServiceLine)
            .join(RoadmapServiceLine, RoadmapServiceLine.service_line_id == ServiceLine.id)
            .where(RoadmapServiceLine.roadmap_id == roadmap.id, ServiceLine.tenant_id == roadmap.tenant_id)
            .order_by(ServiceLine.name)
        )
    )


def service_lines_resolve(
    *, tenant: Tenant, actor: User, ids: Iterable[int] | None, required: bool = False
) -> list[ServiceLine]:
    """The tenant's lines with these ids (all must resolve); none given: the default line."""
    wanted = set(ids or ())
    if not wanted:
        if required:
            raise UnknownServiceLine("Choose at least one service line.")
        return [default_service_line(tenant=tenant, actor=actor)]
    lines = list(
        db.session.scalars(
            select(ServiceLine).where(
                ServiceLine.tenant_id == tenant.id, ServiceLine.id.in_(wanted), ServiceLine.active
            )
        )
    )
    if len(lines) != len(wanted):
        raise UnknownServiceLine("Choose service lines of this organisation.")
    return lines


def default_service_line(*, tenant: Tenant, actor: User) -> ServiceLine:
    """The tenant's default line; a tenant without any line gets “Whole organisation”."""
    lines = service_line_list(tenant=tenant)
    default = next((line for line in lines if line.is_default), None)
    if default is not None:
        return default
    if lines:
        raise UnknownServiceLine("Choose the service lines this roadmap covers.")
    line = ServiceLine(tenant=tenant, name=DEFAULT_SERVICE_LINE, is_default=True)
    db.session.add(line)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="service_line.created",
        subject=line,
        summary=f"Created {line.name}",
    )
    return line


def roadmap_link_lines(roadmap: Roadmap, lines: list[ServiceLine]) -> str:
    """Cover exactly these lines; says which were added and removed ("" when none)."""
    wanted = {line.id for line in lines}
    kept = [link for link in roadmap.service_line_links if link.service_line_id in wanted]
    removed = sorted(link.service_line.name for link in roadmap.service_line_links if link not in kept)
    have = {link.service_line_id for link in kept}
    added = sorted(line.name for line in lines if line.id not in have)
    roadmap.service_line_links = kept + [
        RoadmapServiceLine(tenant_id=roadmap.tenant_id, service_line=line)
        for line in lines
        if line.id not in have
    ]
    changes = [
        f"{verb} {', '.join(names)}" for verb, names in (("covers", added), ("drops", removed)) if names
    ]
    return f": now {'; '.join(changes)}" if changes else ""
