"""What blocks a roadmap's target, in plain language and by service line (pure functions over the rating).

One blocker per unsatisfied goal the target needs, naming the lines where it falls short:
"ML3 blocked: CAM SG 2 in Field Support (SP 2.2 PI)"; "ML3 blocked: OT GG 2 in all lines (...)".
A practice falls short in the lines where it is PI or NI; when no line is (nothing assessed, or
every line NY) it falls short in all of them. Lines are only named when the roadmap covers more
than one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from saas.roadmaps import rating
from saas.roadmaps.adoption.services.ratings import RoadmapRating

SUMMARY_SHOWN = 3


@dataclass(frozen=True)
class BlockingPractice:
    """A practice below LI at organisation level and the lines pulling it down."""

    code: str
    value: rating.Value
    lines: tuple[str, ...]

    def describe(self, goal_lines: tuple[str, ...]) -> str:
        """ "SP 2.2 PI", plus " in <lines>" when they differ from the goal's."""
        text = f"{self.code} {self.value or 'not assessed'}"
        return text if self.lines in (goal_lines, ()) else f"{text} in {', '.join(self.lines)}"


@dataclass(frozen=True)
class Blocker:
    """An unsatisfied goal the target needs, or an area the target needs that the roadmap lacks."""

    target: str  # "ML3", or "CL2" for an area's own target in a capability profile
    area: str
    goal: str | None = None  # None: the roadmap does not select the area
    lines: tuple[str, ...] = ()  # where the goal falls short; empty when the roadmap covers one line
    all_lines: bool = False
    practices: tuple[BlockingPractice, ...] = ()
    judged_unsatisfied: bool = False

    @property
    def where(self) -> str:
        """ " in all lines", " in Field Support" or ""."""
        if not self.lines:
            return ""
        return " in all lines" if self.all_lines else f" in {', '.join(self.lines)}"

    @property
    def reasons(self) -> str:
        reasons = ["judged unsatisfied"] if self.judged_unsatisfied else []
        reasons += [practice.describe(self.lines) for practice in self.practices]
        return "; ".join(reasons) or "not assessed"

    @property
    def short(self) -> str:
        """The blocker without its target: "CAM SG 2 in Field Support (SP 2.2 PI)"."""
        if self.goal is None:
            return f"{self.area} is not in this roadmap"
        return f"{self.area} {self.goal}{self.where} ({self.reasons})"

    @property
    def text(self) -> str:
        return f"{self.target} blocked: {self.short}"


def target_blockers(result: RoadmapRating) -> list[Blocker]:
    """Every goal stopping the roadmap's target, in plan order, then the needed areas it lacks."""
    return blockers_for(result.target, result.gaps, result.missing_areas)


def blockers_for(
    target: str, gaps: Iterable[rating.AreaGap], missing_areas: Iterable[str] = ()
) -> list[Blocker]:
    """The blockers of `target` ("ML3", or "profile": each gap's own "CLn") from the engine's gaps."""
    blockers = [
        _goal_blocker(target if target != "profile" else f"CL{gap.required}", gap.area, goal)
        for gap in gaps
        for goal in gap.goals
    ]
    return blockers + [Blocker(target, code) for code in missing_areas]


def blocker_summary(blockers: Iterable[Blocker], *, shown: int = SUMMARY_SHOWN) -> str:
    """One sentence for the dashboard: "ML3 blocked: CAM SG 2 in Field Support (SP 2.2 PI); ... and 4 more"."""
    blockers = list(blockers)
    if not blockers:
        return ""
    by_target: dict[str, list[str]] = {}
    for blocker in blockers[:shown]:
        by_target.setdefault(blocker.target, []).append(blocker.short)
    text = "; ".join(f"{target} blocked: {'; '.join(parts)}" for target, parts in by_target.items())
    more = len(blockers) - shown
    return f"{text}; and {more} more" if more > 0 else text


def _goal_blocker(target: str, area: str, goal: rating.GoalGap) -> Blocker:
    practices = tuple(_blocking_practice(practice) for practice in goal.practices)
    covered = _covered_lines(goal)
    named = covered if len(covered) > 1 else ()
    lines = tuple(name for name in named if any(name in practice.lines for practice in practices))
    return Blocker(
        target=target,
        area=area,
        goal=goal.goal,
        lines=lines,
        all_lines=bool(lines) and lines == named,
        practices=tuple(
            BlockingPractice(practice.code, practice.value, practice.lines if named else ())
            for practice in practices
        ),
        judged_unsatisfied=goal.judged_unsatisfied,
    )


def _blocking_practice(practice: rating.PracticeInput) -> BlockingPractice:
    weak = tuple(name for name, value in practice.lines.items() if value in (rating.PI, rating.NI))
    return BlockingPractice(practice.code, practice.value, weak or tuple(practice.lines))


def _covered_lines(goal: rating.GoalGap) -> tuple[str, ...]:
    """The lines the roadmap covers, as the goal's practices name them (in the rating's order)."""
    return tuple(goal.practices[0].lines) if goal.practices else ()
