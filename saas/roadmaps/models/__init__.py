"""Roadmap tables, split by topic; import models from here."""

from saas.roadmaps.adoption.models import (
    AssessmentChange,
    Evidence,
    GoalJudgement,
    PracticeAssessment,
    PracticeRaise,
    RoadmapSnapshot,
)
from saas.roadmaps.items.models import (
    ActionItem,
    CalendarFeed,
    ItemComment,
    ItemPriority,
    ItemStatus,
    TenantCounter,
)
from saas.roadmaps.notifications.models import DigestFrequency, NotificationSettings
from saas.roadmaps.planning.models import (
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
    "CalendarFeed",
    "DigestFrequency",
    "Evidence",
    "GoalJudgement",
    "ItemComment",
    "ItemPriority",
    "ItemStatus",
    "NotificationSettings",
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
