"""Practice assessment rules: characterise practices per service line, judge goals, raise roll-ups.

A roadmap assesses, for each area it selects, the area's specific practices and the generic
practices of the generic goals its target level needs (GG 2 for CL2, GG 2 and GG 3 for CL3),
in each service line it covers. Every change of value is kept (who, when, from, to) and
refreshes today's snapshot of the roadmap's figures. Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from saas.accounts.models import User
from saas.catalog.models import Goal, Practice, ProcessArea
from saas.database import utcnow
from saas.extensions import db
from saas.roadmaps import rating
from saas.roadmaps.adoption.models import (
    CHARACTERISATIONS,
    AssessmentChange,
    GoalJudgement,
    PracticeAssessment,
    PracticeRaise,
)
from saas.roadmaps.adoption.services.ratings import needed_generic_levels, snapshot_refresh
from saas.roadmaps.errors import RoadmapError
from saas.roadmaps.planning.models import Roadmap, RoadmapArea, RoadmapServiceLine, ServiceLine
from saas.tenants.models import Tenant
from saas.tenants.services import audit

NOTES_LENGTH = 4000
Row = TypeVar("Row", PracticeAssessment, GoalJudgement, PracticeRaise)


# --- lookups (None: the caller answers 404) -------------------------------------------------------


def roadmap_area_by_code(*, roadmap: Roadmap, area_code: str) -> RoadmapArea | None:
    """The roadmap's selected area with this catalog code, with the catalog area loaded."""
    return db.session.scalar(
        select(RoadmapArea)
        .join(ProcessArea, ProcessArea.id == RoadmapArea.area_id)
        .where(
            RoadmapArea.roadmap_id == roadmap.id,
            RoadmapArea.tenant_id == roadmap.tenant_id,
            ProcessArea.code == area_code.strip().upper(),
        )
        .options(joinedload(RoadmapArea.area))
    )


def practice_for(*, selected: RoadmapArea, practice_code: str) -> Practice | None:
    """A specific practice of the area, or a generic practice of a generic goal the area's target needs."""
    levels = list(needed_generic_levels(selected.target_capability_level))
    return db.session.scalar(
        select(Practice)
        .join(Goal, Goal.id == Practice.goal_id)
        .where(
            Practice.model_id == selected.area.model_id,
            Practice.code == practice_code.strip().upper(),
            or_(
                Practice.area_id == selected.area_id,
                and_(Goal.area_id.is_(None), Goal.capability_level.in_(levels)),
            ),
        )
    )


def goal_for(*, selected: RoadmapArea, goal_code: str) -> Goal | None:
    """A specific goal of the area, or a generic goal the area's target needs."""
    levels = list(needed_generic_levels(selected.target_capability_level))
    return db.session.scalar(
        select(Goal).where(
            Goal.model_id == selected.area.model_id,
            Goal.code == goal_code.strip().upper(),
            or_(
                Goal.area_id == selected.area_id,
                and_(Goal.area_id.is_(None), Goal.capability_level.in_(levels)),
            ),
        )
    )


def covered_line_get(*, roadmap: Roadmap, service_line_id: int) -> ServiceLine | None:
    """The line with this id if the roadmap covers it (lines of other tenants are never found)."""
    return db.session.scalar(
        select(ServiceLine)
        .join(RoadmapServiceLine, RoadmapServiceLine.service_line_id == ServiceLine.id)
        .where(
            RoadmapServiceLine.roadmap_id == roadmap.id,
            ServiceLine.id == service_line_id,
            ServiceLine.tenant_id == roadmap.tenant_id,
        )
    )


def assessment_get(*, tenant: Tenant, assessment_id: int) -> PracticeAssessment | None:
    """The assessment with this id in this tenant."""
    return db.session.scalar(
        select(PracticeAssessment).where(
            PracticeAssessment.id == assessment_id, PracticeAssessment.tenant_id == tenant.id
        )
    )


def assessment_list(
    *, roadmap: Roadmap, service_line_id: int | None = None, area_id: int | None = None
) -> list[PracticeAssessment]:
    """The roadmap's recorded assessments, of one line or area if given, with their last editor (one query)."""
    query = (
        select(PracticeAssessment)
        .where(PracticeAssessment.roadmap_id == roadmap.id, PracticeAssessment.tenant_id == roadmap.tenant_id)
        .options(joinedload(PracticeAssessment.updated_by))
        .order_by(PracticeAssessment.id)
    )
    if service_line_id is not None:
        query = query.where(PracticeAssessment.service_line_id == service_line_id)
    if area_id is not None:
        query = query.where(PracticeAssessment.area_id == area_id)
    return list(db.session.scalars(query))


def assessment_codes(assessment: PracticeAssessment) -> tuple[str, str]:
    """The catalog codes of the assessment's area and practice ("WP", "SP 1.1")."""
    return db.session.execute(
        select(ProcessArea.code, Practice.code)
        .select_from(PracticeAssessment)
        .join(ProcessArea, ProcessArea.id == PracticeAssessment.area_id)
        .join(Practice, Practice.id == PracticeAssessment.practice_id)
        .where(PracticeAssessment.id == assessment.id, PracticeAssessment.tenant_id == assessment.tenant_id)
    ).one()


# --- changes -----------------------------------------------------------------------------------


def assessment_set(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    service_line: ServiceLine,
    area_code: str,
    practice_code: str,
    characterisation: str | None,
    notes: str | None = None,
) -> PracticeAssessment:
    """Characterise a practice in a covered line (None: not assessed); notes None keeps them.

    Only a change of value writes history (from, to, who, when) and refreshes today's snapshot.
    """
    value = _checked_value(characterisation)
    notes = _checked_notes(notes)
    assessment = assessment_ensure(
        tenant=tenant,
        roadmap=roadmap,
        service_line=service_line,
        area_code=area_code,
        practice_code=practice_code,
    )
    before = assessment.characterisation
    if before == value and notes in (None, assessment.notes):
        return assessment
    assessment.characterisation = value
    assessment.notes = assessment.notes if notes is None else notes
    assessment.updated_by = actor
    if before != value:
        db.session.add(
            AssessmentChange(
                tenant=tenant,
                assessment_id=assessment.id,
                roadmap_id=roadmap.id,
                from_value=before,
                to_value=value,
                actor=actor,
            )
        )
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="assessment.updated",
        subject=assessment,
        summary=f"{area_code} {practice_code} in {service_line.name}: {_label(before)} → {_label(value)}"
        if before != value
        else f"Edited the notes on {area_code} {practice_code} in {service_line.name}",
        roadmap_id=roadmap.id,
        from_value=before,
        to_value=value,
    )
    if before != value:
        snapshot_refresh(roadmap=roadmap)
    return assessment


def assessment_ensure(
    *, tenant: Tenant, roadmap: Roadmap, service_line: ServiceLine, area_code: str, practice_code: str
) -> PracticeAssessment:
    """The (locked) assessment of a practice the area's target needs, in a line the roadmap covers; created unassessed."""
    selected = roadmap_area_by_code(roadmap=roadmap, area_code=area_code)
    if selected is None:
        raise RoadmapError(f"{area_code} is not in this roadmap.", field="area")
    practice = practice_for(selected=selected, practice_code=practice_code)
    if practice is None:
        raise RoadmapError(
            f"{practice_code} is not assessed in {selected.area.code} at its target.", field="practice"
        )
    if covered_line_get(roadmap=roadmap, service_line_id=service_line.id) is None:
        raise RoadmapError("Choose a service line this roadmap covers.", field="line")
    key = {
        "tenant_id": tenant.id,
        "roadmap_id": roadmap.id,
        "service_line_id": service_line.id,
        "area_id": selected.area_id,
        "practice_id": practice.id,
    }
    return _locked_or_added(PracticeAssessment, key, characterisation=None, notes="")


def goal_judgement_set(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    area_code: str,
    goal_code: str,
    satisfied: bool | None,
    note: str = "",
) -> GoalJudgement | None:
    """Record that a goal is satisfied or not, whatever its practices say (a note is required); None clears it."""
    selected = roadmap_area_by_code(roadmap=roadmap, area_code=area_code)
    goal = goal_for(selected=selected, goal_code=goal_code) if selected else None
    if selected is None or goal is None:
        raise RoadmapError(f"{goal_code} is not a goal {area_code} is rated on here.", field="goal")
    key = {"tenant_id": tenant.id, "roadmap_id": roadmap.id, "area_id": selected.area_id, "goal_id": goal.id}
    subject = f"{selected.area.code} {goal.code}"
    if satisfied is None:
        return _clear(
            tenant,
            actor,
            roadmap,
            GoalJudgement,
            key,
            "goal.judgement_cleared",
            f"Cleared the judgement on {subject}",
        )
    note = (note or "").strip()
    if not note:
        raise RoadmapError("Say why the goal is judged this way.", field="note")
    judgement = _locked_or_added(GoalJudgement, key, satisfied=satisfied, note=note)
    judgement.satisfied, judgement.note, judgement.actor = satisfied, note[:NOTES_LENGTH], actor
    judgement.created_at = utcnow()
    db.session.flush()
    verdict = "satisfied" if satisfied else "unsatisfied"
    audit(
        tenant=tenant,
        actor=actor,
        action="goal.judged",
        subject=judgement,
        summary=f"Judged {subject} {verdict}: {note}",
    )
    snapshot_refresh(roadmap=roadmap)
    return judgement


def practice_raise_set(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    area_code: str,
    practice_code: str,
    raised: bool,
    reason: str = "",
) -> PracticeRaise | None:
    """Raise an organisation-level PI to LI with a reason; only a PI/NI mix that is not all NI may be raised."""
    selected = roadmap_area_by_code(roadmap=roadmap, area_code=area_code)
    practice = practice_for(selected=selected, practice_code=practice_code) if selected else None
    if selected is None or practice is None:
        raise RoadmapError(f"{practice_code} is not assessed in {area_code} here.", field="practice")
    key = {
        "tenant_id": tenant.id,
        "roadmap_id": roadmap.id,
        "area_id": selected.area_id,
        "practice_id": practice.id,
    }
    subject = f"{selected.area.code} {practice.code}"
    if not raised:
        return _clear(
            tenant,
            actor,
            roadmap,
            PracticeRaise,
            key,
            "practice.raise_withdrawn",
            f"Withdrew the raise of {subject}",
        )
    values = _line_values(roadmap, selected.area_id, practice.id)
    if not rating.can_raise(values):
        shown = ", ".join(_label(value) for value in values) or "not assessed"
        raise RoadmapError(
            f"Only a practice that rolls up to PI (some line PI or NI, not all NI) can be raised to LI; "
            f"{subject} is {shown} in its lines.",
            field="reason",
        )
    reason = (reason or "").strip()
    if not reason:
        raise RoadmapError("Give the reason for raising the practice to LI.", field="reason")
    raise_record = _locked_or_added(PracticeRaise, key, reason=reason)
    raise_record.raised_to, raise_record.reason, raise_record.actor = "LI", reason[:NOTES_LENGTH], actor
    raise_record.created_at = utcnow()
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="practice.raised",
        subject=raise_record,
        summary=f"Raised {subject} to LI: {reason}",
    )
    snapshot_refresh(roadmap=roadmap)
    return raise_record


def _checked_value(characterisation: str | None) -> str | None:
    value = (characterisation or "").strip().upper() or None
    if value is not None and value not in CHARACTERISATIONS:
        raise RoadmapError("Choose FI, LI, PI, NI, NY or not assessed.", field="characterisation")
    return value


def _checked_notes(notes: str | None) -> str | None:
    if notes is None:
        return None
    notes = notes.strip()
    if len(notes) > NOTES_LENGTH:
        raise RoadmapError(f"Keep the notes under {NOTES_LENGTH} characters.", field="notes")
    return notes


def _label(value: str | rating.Value) -> str:
    return str(value) if value else "not assessed"


def _line_values(roadmap: Roadmap, area_id: int, practice_id: int) -> list[rating.Value]:
    """The practice's values in the lines the roadmap covers (one query)."""
    rows = db.session.scalars(
        select(PracticeAssessment.characterisation)
        .join(
            RoadmapServiceLine,
            and_(
                RoadmapServiceLine.roadmap_id == PracticeAssessment.roadmap_id,
                RoadmapServiceLine.service_line_id == PracticeAssessment.service_line_id,
            ),
        )
        .where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.tenant_id == roadmap.tenant_id,
            PracticeAssessment.area_id == area_id,
            PracticeAssessment.practice_id == practice_id,
        )
    )
    return [rating.Characterisation(value) if value else None for value in rows]


def _locked(model: type[Row], key: Mapping[str, Any]) -> Row | None:
    return db.session.scalar(select(model).filter_by(**key).with_for_update())


def _locked_or_added(model: type[Row], key: Mapping[str, Any], **values: Any) -> Row:
    """The row with this unique key, locked; added in a savepoint if missing (a concurrent insert is re-read)."""
    row = _locked(model, key)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = model(**key, **values)
            db.session.add(row)
    except IntegrityError:
        row = _locked(model, key)
    assert row is not None  # the concurrent insert that beat ours is committed and visible
    return row


def _clear(
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    model: type[Row],
    key: Mapping[str, Any],
    action: str,
    summary: str,
) -> None:
    """Delete a recorded judgement or raise if there is one."""
    row = _locked(model, key)
    if row is None:
        return
    db.session.delete(row)
    db.session.flush()
    audit(tenant=tenant, actor=actor, action=action, subject=roadmap, summary=summary)
    snapshot_refresh(roadmap=roadmap)
