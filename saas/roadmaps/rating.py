"""The rating engine: the CMMI-SVC v1.3 rating rules as pure functions (no database, no Flask).

Rules from shared/reference/cmmi-svc-v1.3.md. Services build the inputs (frozen dataclasses)
from assessments, judgements and the catalog; everything here is deterministic.

Where the reference is silent:
- Not assessed (None): ignored when lines are rolled up; nothing assessed -> None. A practice
  that is not assessed is not LI/FI, so its goal is not satisfied.
- NY (not yet): ignored when other lines have a value, as the reference says; every line NY
  -> NY. NY is not LI/FI either, so a goal with an NY practice is not yet satisfied.
- A goal with no practices given is unsatisfied unless judged satisfied; an area must have
  at least one specific goal.
- A maturity level counts as reached only if at least one in-scope area of that level is
  given, so a partial list of areas never claims a level whose areas were left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Characterisation(StrEnum):
    """A practice characterisation (SCAMPI A v1.3); `None` stands for "not yet assessed"."""

    FI = "FI"
    LI = "LI"
    PI = "PI"
    NI = "NI"
    NY = "NY"

    @property
    def implemented(self) -> bool:
        """LI and FI count towards a goal; PI, NI and NY do not."""
        return self in (Characterisation.FI, Characterisation.LI)


FI, LI, PI, NI, NY = Characterisation

# Worst to best; NY is not on this scale (the work has not reached the practice yet).
IMPROVEMENT_ORDER: tuple[Characterisation, ...] = (NI, PI, LI, FI)

Value = Characterisation | None


def _graded(values: Iterable[Value]) -> tuple[set[Characterisation], set[Characterisation]]:
    """The assessed values, and those of them that are not NY."""
    assessed = {value for value in values if value is not None}
    return assessed, assessed - {NY}


def _judgement_case(graded: set[Characterisation]) -> bool:
    """Some PI or NI, but not all NI: the case the reference leaves to judgement (PI or LI)."""
    return bool(graded & {PI, NI}) and graded != {NI}


def can_raise(values: Iterable[Value]) -> bool:
    """True when the roll-up is PI by default and a recorded judgement may raise it to LI."""
    return _judgement_case(_graded(values)[1])


def aggregate(values: Iterable[Value], raised_to: Value = None) -> Value:
    """All FI -> FI; LI/FI with an LI -> LI; all NI -> NI; else PI (LI if raised); NY and None ignored."""
    assessed, graded = _graded(values)
    if raised_to is not None:
        if raised_to != LI or not _judgement_case(graded):
            raise ValueError("only a PI/NI mix that is not all NI may be raised, and only to LI")
        return LI
    if not graded:
        return NY if assessed else None
    if graded == {FI}:
        return FI
    if graded <= {FI, LI}:
        return LI
    return NI if graded == {NI} else PI


def goal_satisfied(characterisations: Iterable[Value], judgement: bool | None = None) -> bool:
    """A recorded judgement wins; otherwise every practice is LI or FI (none given -> unsatisfied)."""
    if judgement is not None:
        return judgement
    values = list(characterisations)
    return bool(values) and all(value is not None and value.implemented for value in values)


@dataclass(frozen=True)
class PracticeInput:
    """A practice's organisation-level value; `lines` (line name -> value) only details blockers."""

    code: str
    value: Value
    lines: Mapping[str, Value] = field(default_factory=dict)

    @classmethod
    def from_lines(
        cls, code: str, lines: Mapping[str, Value], *, recorded_raise: Value = None
    ) -> PracticeInput:
        """Roll the lines up; a recorded raise applies while the lines are in the judgement case, else lapses."""
        raised_to = recorded_raise if can_raise(lines.values()) else None
        return cls(code, aggregate(lines.values(), raised_to), dict(lines))


@dataclass(frozen=True)
class GoalInput:
    """A specific or generic goal with its practices and an optional recorded judgement."""

    code: str
    practices: tuple[PracticeInput, ...] = ()
    judgement: bool | None = None

    @property
    def satisfied(self) -> bool:
        """See goal_satisfied."""
        return goal_satisfied((practice.value for practice in self.practices), self.judgement)


@dataclass(frozen=True)
class AreaInput:
    """A process area: its maturity level (from the catalog), goals, and whether it is in scope."""

    code: str
    maturity_level: int
    specific_goals: tuple[GoalInput, ...]
    gg2: GoalInput = GoalInput("GG 2")
    gg3: GoalInput = GoalInput("GG 3")
    applicable: bool = True

    def __post_init__(self) -> None:
        if not self.specific_goals:
            raise ValueError(f"{self.code}: an area has at least one specific goal")
        if self.maturity_level not in range(2, 6):
            raise ValueError(f"{self.code}: maturity level must be 2 to 5")


@dataclass(frozen=True)
class GoalGap:
    """An unsatisfied goal: its practices below LI, and whether a recorded judgement said so."""

    goal: str
    practices: tuple[PracticeInput, ...]
    judged_unsatisfied: bool


@dataclass(frozen=True)
class AreaGap:
    """The goals of one area that stop it reaching the capability level `required`."""

    area: str
    level: int
    required: int
    goals: tuple[GoalGap, ...]


@dataclass(frozen=True)
class Capability:
    """A capability level and the goals blocking the next one (none at CL3)."""

    level: int
    blocking: tuple[GoalGap, ...]


@dataclass(frozen=True)
class AreaLevel:
    """One entry of a capability profile."""

    code: str
    maturity_level: int
    capability_level: int
    applicable: bool = True


def _required_goals(area: AreaInput, level: int) -> tuple[GoalInput, ...]:
    """CL1 needs the specific goals (GG 1); CL2 adds GG 2; CL3 adds GG 3."""
    goals = area.specific_goals if level >= 1 else ()
    if level >= 2:
        goals += (area.gg2,)
    if level >= 3:
        goals += (area.gg3,)
    return goals


def _unsatisfied(area: AreaInput, level: int) -> tuple[GoalGap, ...]:
    """The goals needed for `level` that are not satisfied, with their practices below LI."""
    return tuple(
        GoalGap(
            goal.code,
            tuple(p for p in goal.practices if p.value is None or not p.value.implemented),
            goal.judgement is False,
        )
        for goal in _required_goals(area, level)
        if not goal.satisfied
    )


def capability_level(area: AreaInput) -> Capability:
    """CL1 = all specific goals satisfied; CL2 = CL1 + GG 2; CL3 = CL2 + GG 3 (levels are cumulative)."""
    level = 0
    while level < 3 and not _unsatisfied(area, level + 1):
        level += 1
    return Capability(level, _unsatisfied(area, level + 1) if level < 3 else ())


def capability_profile(areas: Iterable[AreaInput]) -> tuple[AreaLevel, ...]:
    """Each area's capability level, keeping its maturity level and scope."""
    return tuple(
        AreaLevel(area.code, area.maturity_level, capability_level(area).level, area.applicable)
        for area in areas
    )


def _required_capability(maturity_level: int) -> int:
    """ML2 asks its areas for CL2 (SGs + GG 2); ML3 to ML5 ask every area up to them for CL3."""
    return 2 if maturity_level == 2 else 3


def equivalent_staging(profile: Iterable[AreaLevel]) -> int:
    """ML2 = all ML2 areas at CL2; ML3/4/5 = all areas of that level or below at CL3; N/A areas skipped."""
    in_scope = [entry for entry in profile if entry.applicable]
    reached = 1
    for level in range(2, 6):
        due = [entry for entry in in_scope if entry.maturity_level <= level]
        if not any(entry.maturity_level == level for entry in due):
            break
        if any(entry.capability_level < _required_capability(level) for entry in due):
            break
        reached = level
    return reached


def maturity_level(areas: Iterable[AreaInput]) -> int:
    """Staged: ML2 = ML2 areas satisfy SGs + GG 2; ML3-5 = areas up to that level satisfy SGs, GG 2, GG 3."""
    # SGs + GG 2 is exactly CL2 and SGs + GG 2 + GG 3 exactly CL3, so staging and profile agree.
    return equivalent_staging(capability_profile(areas))


def _area_gap(area: AreaInput, required: int) -> AreaGap | None:
    """What stops one area reaching `required`, or None if nothing does."""
    goals = _unsatisfied(area, required)
    return AreaGap(area.code, capability_level(area).level, required, goals) if goals else None


def maturity_gap(areas: Iterable[AreaInput], target: int) -> tuple[AreaGap, ...]:
    """What stops maturity level `target` (2-5); every level up to it needs an in-scope area given."""
    in_scope = [area for area in areas if area.applicable]
    if target not in range(2, 6):
        raise ValueError("a target maturity level is 2 to 5")
    for level in range(2, target + 1):
        if not any(area.maturity_level == level for area in in_scope):
            raise ValueError(f"no ML{level} area given: pass every area of the model")
    required = _required_capability(target)
    gaps = (_area_gap(area, required) for area in in_scope if area.maturity_level <= target)
    return tuple(gap for gap in gaps if gap)


def profile_gap(areas: Iterable[AreaInput], targets: Mapping[str, int]) -> tuple[AreaGap, ...]:
    """What stops a target profile (area code -> CL 0-3); N/A areas are skipped, in the areas' order."""
    areas = list(areas)
    unknown = set(targets) - {area.code for area in areas}
    if unknown:
        raise ValueError(f"targets name unknown areas: {', '.join(sorted(unknown))}")
    if any(level not in range(4) for level in targets.values()):
        raise ValueError("a target capability level is 0 to 3")
    gaps = (_area_gap(area, targets[area.code]) for area in areas if area.applicable and area.code in targets)
    return tuple(gap for gap in gaps if gap)


def _describe_practice(practice: PracticeInput) -> str:
    """The practice and its value ("SP 2.2 PI"), plus the lines pulling it down if there are several."""
    text = f"{practice.code} {practice.value or 'not assessed'}"
    weak = [name for name, value in practice.lines.items() if value in (PI, NI)]
    if len(practice.lines) < 2 or not weak:
        return text
    return f"{text} in {'all lines' if len(weak) == len(practice.lines) else ', '.join(weak)}"


def _describe_goal(goal: GoalGap) -> str:
    """The reasons a goal is unsatisfied, in plain words."""
    reasons = ["judged unsatisfied"] if goal.judged_unsatisfied else []
    reasons += [_describe_practice(practice) for practice in goal.practices]
    return "; ".join(reasons) or "not assessed"


def describe_blockers(gaps: Iterable[AreaGap], *, target: str | None = None) -> list[str]:
    """One line per blocking goal: "ML3 blocked: CAM SG 2 (SP 2.2 PI in Field Support)"; default "CLn"."""
    return [
        f"{target or f'CL{gap.required}'} blocked: {gap.area} {goal.goal} ({_describe_goal(goal)})"
        for gap in gaps
        for goal in gap.goals
    ]
