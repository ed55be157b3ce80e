"""Roadmap tables, split by topic; import models from here."""

from saas.roadmaps.models.assessments import (
    AssessmentChange,
    Evidence,
    GoalJudgement,
    PracticeAssessment,
    PracticeRaise,
    RoadmapSnapshot,
)
from saas.roadmaps.models.items import ActionItem, ItemComment, ItemPriority, ItemStatus, TenantCounter
from saas.roadmaps.models.roadmaps import (
    Phase,
    Roadmap,
    RoadmapArea,
    RoadmapServiceLine,
    RoadmapStatus,
    ServiceLine,
    TargetKind,
)

__all__ = [
    "ActionItem",
    "AssessmentChange",
    "Evidence",
    "GoalJudgement",
    "ItemComment",
    "ItemPriority",
    "ItemStatus",
    "Phase",
    "PracticeAssessment",
    "PracticeRaise",
    "Roadmap",
    "RoadmapArea",
    "RoadmapServiceLine",
    "RoadmapSnapshot",
    "RoadmapStatus",
    "ServiceLine",
    "TargetKind",
    "TenantCounter",
]
