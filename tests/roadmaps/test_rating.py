"""The rating engine: a table of cases per rule, and properties that improvement never lowers a rating."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saas.roadmaps.rating import (
    FI,
    IMPROVEMENT_ORDER,
    LI,
    NI,
    NY,
    PI,
    AreaInput,
    AreaLevel,
    GoalInput,
    PracticeInput,
    aggregate,
    can_raise,
    capability_level,
    capability_profile,
    describe_blockers,
    equivalent_staging,
    goal_satisfied,
    maturity_gap,
    maturity_level,
    profile_gap,
)


@pytest.fixture(autouse=True, scope="module")
def db_session() -> None:
    """The engine is pure: no app and no database (overrides the suite's per-test transaction)."""


# The catalog's maturity levels (reference: the 24 process areas).
CATALOG = {
    **dict.fromkeys(["CM", "MA", "PPQA", "REQM", "SAM", "SD", "WMC", "WP"], 2),
    **dict.fromkeys(
        ["CAM", "DAR", "IRP", "IWM", "OPD", "OPF", "OT", "RSKM", "SCON", "SSD", "SST", "STSM"], 3
    ),
    **dict.fromkeys(["OPP", "QWM"], 4),
    **dict.fromkeys(["CAR", "OPM"], 5),
}
RANK = {value: rank for rank, value in enumerate(IMPROVEMENT_ORDER)}


def goal(code: str, *values, judgement: bool | None = None) -> GoalInput:
    """A goal whose practices are numbered from 1 ("SP 1.1", "GP 2.1"...) after the goal's number."""
    prefix = "GP" if code.startswith("GG") else "SP"
    number = code.split()[1]
    practices = tuple(PracticeInput(f"{prefix} {number}.{i}", value) for i, value in enumerate(values, 1))
    return GoalInput(code, practices, judgement)


def area_at(code: str, capability: int, *, applicable: bool = True) -> AreaInput:
    """An area of the catalog whose goals are satisfied exactly up to `capability`."""
    return AreaInput(
        code,
        CATALOG[code],
        (goal("SG 1", FI, LI if capability >= 1 else PI),),
        goal("GG 2", *[FI if capability >= 2 else NI] * 3),
        goal("GG 3", *[FI if capability >= 3 else NI] * 2),
        applicable,
    )


def organisation(default: int = 0, **levels: int) -> list[AreaInput]:
    """All 24 areas at `default`, except those named (e.g. CAM=3)."""
    return [area_at(code, levels.get(code, default)) for code in CATALOG]


def at_level(level: int, capability: int) -> dict[str, int]:
    """Every area of maturity level `level` or below at `capability`."""
    return {code: capability for code, ml in CATALOG.items() if ml <= level}


# --- aggregation across service lines ---------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([FI, FI, FI], FI, id="all FI"),
        pytest.param([FI], FI, id="one line FI"),
        pytest.param([LI, FI, FI], LI, id="mixed LI/FI"),
        pytest.param([LI, LI], LI, id="all LI"),
        pytest.param([FI, PI, FI], PI, id="one PI"),
        pytest.param([FI, NI], PI, id="FI and NI"),
        pytest.param([PI, NI, NI], PI, id="PI and NI"),
        pytest.param([PI, PI], PI, id="all PI"),
        pytest.param([NI, NI, NI], NI, id="all NI"),
        pytest.param([NY, NY], NY, id="all NY"),
        pytest.param([NY, FI, FI], FI, id="NY with FI ignored"),
        pytest.param([NY, LI, FI], LI, id="NY with LI/FI ignored"),
        pytest.param([NY, NI], NI, id="NY with NI ignored"),
        pytest.param([NY, PI, FI], PI, id="NY with PI ignored"),
        pytest.param([None, None], None, id="nothing assessed"),
        pytest.param([], None, id="no lines"),
        pytest.param([None, FI, FI], FI, id="unassessed line ignored"),
        pytest.param([None, NY], NY, id="unassessed and NY"),
        pytest.param([None, NI, NY], NI, id="unassessed, NI and NY"),
    ],
)
def test_aggregate(values, expected):
    assert aggregate(values) == expected


@pytest.mark.parametrize(
    "values",
    [[FI, PI], [PI, NI], [LI, NI], [PI], [PI, PI, NY], [FI, NI, None]],
    ids=["FI+PI", "PI+NI", "LI+NI", "PI", "PI+NY", "FI+NI+unassessed"],
)
def test_judgement_raises_a_pi_ni_mix_to_li(values):
    assert can_raise(values)
    assert aggregate(values) == PI
    assert aggregate(values, raised_to=LI) == LI


@pytest.mark.parametrize(
    "values",
    [[FI, FI], [LI, FI], [NI, NI], [NY], [NY, NI], [None], []],
    ids=["all FI", "LI/FI", "all NI", "all NY", "NY+NI", "unassessed", "no lines"],
)
def test_judgement_refused_outside_the_pi_ni_mix(values):
    assert not can_raise(values)
    with pytest.raises(ValueError, match="raised"):
        aggregate(values, raised_to=LI)


@pytest.mark.parametrize("raised_to", [FI, PI, NI, NY])
def test_judgement_raises_only_to_li(raised_to):
    with pytest.raises(ValueError, match="only to LI"):
        aggregate([FI, PI], raised_to=raised_to)


def test_recorded_raise_lapses_once_the_lines_leave_the_judgement_case():
    raised = PracticeInput.from_lines("SP 1.1", {"A": FI, "B": PI}, recorded_raise=LI)
    lapsed = PracticeInput.from_lines("SP 1.1", {"A": FI, "B": FI}, recorded_raise=LI)
    assert (raised.value, lapsed.value) == (LI, FI)


# --- goal satisfaction ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "judgement", "expected"),
    [
        pytest.param([FI, LI, FI], None, True, id="all LI or FI"),
        pytest.param([FI, PI], None, False, id="one PI"),
        pytest.param([FI, NI], None, False, id="one NI"),
        pytest.param([FI, NY], None, False, id="NY is not yet satisfied"),
        pytest.param([FI, None], None, False, id="unassessed practice"),
        pytest.param([], None, False, id="no practices"),
        pytest.param([FI, PI], True, True, id="judged satisfied despite PI"),
        pytest.param([NY], True, True, id="judged satisfied despite NY"),
        pytest.param([FI, FI], False, False, id="judged unsatisfied despite FI"),
        pytest.param([], False, False, id="judged unsatisfied, no practices"),
    ],
)
def test_goal_satisfied(values, judgement, expected):
    assert goal_satisfied(values, judgement) is expected


# --- capability level -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sgs", "gg2", "gg3", "expected"),
    [
        pytest.param([(NI, NI)], (NI,), (NI,), 0, id="nothing implemented: CL0"),
        pytest.param([(FI, FI), (FI, PI)], (FI,), (FI,), 0, id="one SG unsatisfied: CL0"),
        pytest.param([(FI, LI), (LI,)], (PI,), (NI,), 1, id="SGs only: CL1"),
        pytest.param([(FI,)], (FI, PI), (FI,), 1, id="GG3 without GG2: CL1"),
        pytest.param([(FI,)], (), (FI,), 1, id="GG2 not assessed: CL1"),
        pytest.param([(FI,)], (FI, LI), (NY,), 2, id="CL2 needs GG2"),
        pytest.param([(FI,)], (FI, LI), (), 2, id="GG3 not assessed: CL2"),
        pytest.param([(FI,), (LI,)], (FI,), (LI, FI), 3, id="CL3 needs GG3"),
    ],
)
def test_capability_level(sgs, gg2, gg3, expected):
    specific = tuple(goal(f"SG {i}", *values) for i, values in enumerate(sgs, 1))
    area = AreaInput("CAM", 3, specific, goal("GG 2", *gg2), goal("GG 3", *gg3))
    assert capability_level(area).level == expected


def test_capability_names_the_goals_blocking_the_next_level():
    area = AreaInput("CAM", 3, (goal("SG 1", FI), goal("SG 2", FI, PI)), goal("GG 2", PI), goal("GG 3", FI))
    rating = capability_level(area)
    assert rating.level == 0
    assert [(gap.goal, [p.code for p in gap.practices]) for gap in rating.blocking] == [("SG 2", ["SP 2.2"])]


def test_capability_blockers_of_gg2_when_gg3_is_satisfied():
    rating = capability_level(
        AreaInput("CAM", 3, (goal("SG 1", FI),), goal("GG 2", FI, NI), goal("GG 3", FI))
    )
    assert (rating.level, [gap.goal for gap in rating.blocking]) == (1, ["GG 2"])


def test_capability_three_has_no_blockers():
    assert capability_level(area_at("CAM", 3)).blocking == ()


@pytest.mark.parametrize(
    ("values", "judgement", "expected"),
    [
        pytest.param((FI, PI), True, 1, id="judged satisfied"),
        pytest.param((FI, FI), False, 0, id="judged not"),
    ],
)
def test_goal_judgement_decides_the_capability_level(values, judgement, expected):
    sg = goal("SG 1", *values, judgement=judgement)
    assert capability_level(AreaInput("CAM", 3, (sg,))).level == expected


def test_area_needs_a_specific_goal_and_a_maturity_level():
    with pytest.raises(ValueError, match="specific goal"):
        AreaInput("CAM", 3, ())
    with pytest.raises(ValueError, match="maturity level"):
        AreaInput("CAM", 1, (goal("SG 1", FI),))


# --- maturity level (staged) and equivalent staging -------------------------------------------


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        pytest.param({}, 1, id="nothing: ML1"),
        pytest.param(at_level(2, 2), 2, id="eight ML2 areas at CL2: ML2"),
        pytest.param({**at_level(2, 2), "WP": 1}, 1, id="seven ML2 areas at CL2: ML1"),
        pytest.param({**at_level(2, 2), "CM": 0}, 1, id="one ML2 area at CL0: ML1"),
        pytest.param({**at_level(3, 3), **at_level(2, 2)}, 2, id="ML3 needs ML2 areas at CL3"),
        pytest.param(at_level(3, 3), 3, id="ML2 and ML3 areas at CL3: ML3"),
        pytest.param({**at_level(3, 3), "STSM": 2}, 2, id="one ML3 area at CL2: ML2"),
        pytest.param({**at_level(3, 3), "SSD": 0}, 2, id="SSD in scope and short: ML2"),
        pytest.param(at_level(4, 3), 4, id="ML3 plus OPP and QWM at CL3: ML4"),
        pytest.param({**at_level(4, 3), "QWM": 2}, 3, id="QWM at CL2: ML3"),
        pytest.param(at_level(5, 3), 5, id="all 24 at CL3: ML5"),
        pytest.param({**at_level(5, 3), "CAR": 2}, 4, id="CAR at CL2: ML4"),
        pytest.param({**at_level(5, 3), "DAR": 2}, 2, id="higher areas do not make up for an ML3 area"),
    ],
)
def test_maturity_level_and_equivalent_staging(levels, expected):
    areas = organisation(**levels)
    assert maturity_level(areas) == expected
    assert equivalent_staging(capability_profile(areas)) == expected


def test_not_applicable_ssd_is_excluded():
    areas = [
        area_at("SSD", 0, applicable=False) if a.code == "SSD" else a for a in organisation(**at_level(3, 3))
    ]
    assert maturity_level(areas) == 3
    assert equivalent_staging(capability_profile(areas)) == 3


def test_partial_list_never_claims_a_level_whose_areas_are_missing():
    only_ml2 = [area_at(code, 3) for code, ml in CATALOG.items() if ml == 2]
    assert maturity_level(only_ml2) == 2


def test_staged_ml2_is_specific_goals_and_gg2_of_every_ml2_area():
    areas = [
        AreaInput(code, 2, (goal("SG 1", FI, LI), goal("SG 2", LI)), goal("GG 2", *[LI] * 10))
        for code, ml in CATALOG.items()
        if ml == 2
    ]
    assert maturity_level(areas) == 2
    areas[3] = AreaInput(areas[3].code, 2, areas[3].specific_goals, goal("GG 2", *[LI] * 9, PI))
    assert maturity_level(areas) == 1


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        pytest.param({"CM": 2, "WP": 2}, 2, id="ML2 areas at CL2"),
        pytest.param({"CM": 2, "WP": 1}, 1, id="one ML2 area at CL1"),
        pytest.param({"CM": 3, "WP": 3, "CAM": 3}, 3, id="ML2 and ML3 at CL3"),
        pytest.param({"CM": 2, "WP": 2, "CAM": 3}, 2, id="ML2 at CL2, ML3 at CL3"),
        pytest.param({"CM": 3, "CAM": 3, "OPP": 3, "QWM": 3}, 4, id="plus OPP and QWM: ML4"),
        pytest.param({"CM": 3, "CAM": 3, "OPP": 3, "QWM": 1}, 3, id="QWM short: ML3"),
        pytest.param({"CM": 3, "CAM": 3, "OPP": 3, "QWM": 3, "CAR": 3, "OPM": 3}, 5, id="all at CL3: ML5"),
        pytest.param({"CM": 3, "CAM": 2, "OPP": 3, "QWM": 3, "CAR": 3, "OPM": 3}, 2, id="cumulative"),
    ],
)
def test_equivalent_staging_of_a_profile(profile, expected):
    assert equivalent_staging(AreaLevel(code, CATALOG[code], cl) for code, cl in profile.items()) == expected


def test_equivalent_staging_skips_not_applicable_areas():
    profile = [AreaLevel("CM", 2, 3), AreaLevel("CAM", 3, 3), AreaLevel("SSD", 3, 0, applicable=False)]
    assert equivalent_staging(profile) == 3
    assert equivalent_staging([*profile[:2], AreaLevel("SSD", 3, 0)]) == 2


# --- gap to a target and plain-language blockers ----------------------------------------------


def cam(sg2: PracticeInput, gg2: GoalInput | None = None) -> AreaInput:
    sg2_goal = GoalInput("SG 2", (PracticeInput("SP 2.1", FI), sg2, PracticeInput("SP 2.3", LI)))
    return AreaInput(
        "CAM", 3, (goal("SG 1", FI, FI, FI), sg2_goal), gg2 or goal("GG 2", FI), goal("GG 3", FI)
    )


def test_gap_names_goal_and_practice_below_li():
    areas = [
        cam(PracticeInput("SP 2.2", PI)) if a.code == "CAM" else a for a in organisation(**at_level(3, 3))
    ]
    assert describe_blockers(maturity_gap(areas, 3), target="ML3") == ["ML3 blocked: CAM SG 2 (SP 2.2 PI)"]


def test_gap_names_the_lines_that_block():
    lines = {"Field Support": PI, "Help Desk": FI, "Networks": NY}
    gp28 = PracticeInput.from_lines("GP 2.8", {"Field Support": PI, "Help Desk": NI, "Networks": PI})
    gg2 = GoalInput("GG 2", (PracticeInput("GP 2.1", FI), gp28))
    area = cam(PracticeInput.from_lines("SP 2.2", lines), gg2)
    assert describe_blockers(maturity_gap([area_at("CM", 3), area], 3), target="ML3") == [
        "ML3 blocked: CAM SG 2 (SP 2.2 PI in Field Support)",
        "ML3 blocked: CAM GG 2 (GP 2.8 PI in all lines)",
    ]


def test_raised_practice_no_longer_blocks():
    practice = PracticeInput.from_lines("SP 2.2", {"Field Support": PI, "Help Desk": FI}, recorded_raise=LI)
    assert maturity_gap([area_at("CM", 3), cam(practice)], 3) == ()


def test_gap_says_judged_and_not_assessed():
    area = AreaInput("CAM", 3, (goal("SG 1", FI, judgement=False), goal("SG 2", FI, None)), goal("GG 2", FI))
    assert describe_blockers(maturity_gap([area_at("CM", 3), area], 3), target="ML3") == [
        "ML3 blocked: CAM SG 1 (judged unsatisfied)",
        "ML3 blocked: CAM SG 2 (SP 2.2 not assessed)",
        "ML3 blocked: CAM GG 3 (not assessed)",
    ]


def test_gap_of_one_implicit_line_does_not_name_it():
    practice = PracticeInput.from_lines("SP 2.2", {"Organisation": NI})
    assert describe_blockers(maturity_gap([area_at("CM", 3), cam(practice)], 3), target="ML3") == [
        "ML3 blocked: CAM SG 2 (SP 2.2 NI)"
    ]


def test_ml2_gap_asks_ml2_areas_for_gg2_only():
    areas = organisation(**{**at_level(2, 1), "CM": 2})
    gaps = maturity_gap(areas, 2)
    assert [gap.area for gap in gaps] == [code for code, ml in CATALOG.items() if ml == 2 and code != "CM"]
    assert {goal.goal for gap in gaps for goal in gap.goals} == {"GG 2"}
    assert all((gap.level, gap.required) == (1, 2) for gap in gaps)


def test_gap_is_empty_once_the_target_is_reached():
    assert maturity_gap(organisation(**at_level(3, 3)), 3) == ()


def test_gap_skips_not_applicable_areas():
    areas = [area_at(code, 0, applicable=False) if code == "SSD" else area_at(code, 3) for code in CATALOG]
    assert maturity_gap(areas, 5) == ()


@pytest.mark.parametrize("target", [0, 1, 6])
def test_gap_refuses_targets_outside_two_to_five(target):
    with pytest.raises(ValueError, match="2 to 5"):
        maturity_gap(organisation(), target)


def test_gap_refuses_when_a_level_has_no_area():
    with pytest.raises(ValueError, match="no ML3 area"):
        maturity_gap([area_at("CM", 3), area_at("OPP", 3)], 4)


def test_profile_gap_lists_each_area_short_of_its_target():
    areas = [area_at("CM", 1), area_at("CAM", 0), area_at("SSD", 0, applicable=False), area_at("WP", 3)]
    gaps = profile_gap(areas, {"CAM": 3, "CM": 2, "SSD": 3, "WP": 3})
    assert describe_blockers(gaps) == [
        "CL2 blocked: CM GG 2 (GP 2.1 NI; GP 2.2 NI; GP 2.3 NI)",
        "CL3 blocked: CAM SG 1 (SP 1.2 PI)",
        "CL3 blocked: CAM GG 2 (GP 2.1 NI; GP 2.2 NI; GP 2.3 NI)",
        "CL3 blocked: CAM GG 3 (GP 3.1 NI; GP 3.2 NI)",
    ]


def test_profile_gap_refuses_unknown_areas_and_levels():
    with pytest.raises(ValueError, match="unknown areas: XYZ"):
        profile_gap([area_at("CM", 1)], {"XYZ": 2})
    with pytest.raises(ValueError, match="0 to 3"):
        profile_gap([area_at("CM", 1)], {"CM": 4})


# --- properties: improving a characterisation never lowers a rating ---------------------------

LINES = ("Field Support", "Help Desk", "Networks")
values = st.sampled_from([FI, LI, PI, NI, NY, None])
improvable = st.sampled_from(IMPROVEMENT_ORDER[:-1])


def better(value):
    return IMPROVEMENT_ORDER[IMPROVEMENT_ORDER.index(value) + 1]


@given(others=st.lists(values, max_size=5), line=improvable, position=st.integers(0, 5))
def test_improving_one_line_never_lowers_the_aggregate(others, line, position):
    before = [*others[:position], line, *others[position:]]
    after = [*others[:position], better(line), *others[position:]]
    assert RANK[aggregate(after)] >= RANK[aggregate(before)]
    raised_before = aggregate(before, LI if can_raise(before) else None)
    raised_after = aggregate(after, LI if can_raise(after) else None)
    assert RANK[raised_after] >= RANK[raised_before]


class Lines(list):
    """One practice's values per service line (a type of its own, so a walk can find them)."""


# `noise` (0-3) sets how often PI, NI, NY, not assessed, judgements and unassessed generic goals
# appear; noise 0 is all LI/FI, so that the higher levels are reached often enough to be tested.
def raw_goal(noise: int, *, generic: bool = False):
    """A goal as plain data: (judgement, [(line values, raise recorded), ...])."""
    line_values = st.sampled_from([FI] * 6 + [LI] * 2 + [PI, NI, NY, None] * noise)
    practice = st.tuples(st.lists(line_values, min_size=3, max_size=3).map(Lines), st.booleans())
    judgement = st.sampled_from([None] * 8 + [True, False] * noise)
    return st.tuples(judgement, st.lists(practice, min_size=0 if generic and noise >= 2 else 1, max_size=3))


def raw_area(noise: int):
    """An area as plain data: (maturity level, applicable, SGs, GG 2, GG 3)."""
    return st.tuples(
        st.integers(2, 5),
        st.sampled_from([True] * 5 + [False]),
        st.lists(raw_goal(noise), min_size=1, max_size=2),
        raw_goal(noise, generic=True),
        raw_goal(noise, generic=True),
    )


noise = st.integers(0, 3)
raw_goals = noise.flatmap(raw_goal)
raw_areas = noise.flatmap(raw_area)


def raw_organisations(min_size: int, max_size: int):
    return noise.flatmap(lambda n: st.lists(raw_area(n), min_size=min_size, max_size=max_size))


def build_goal(code: str, raw, n_lines: int) -> GoalInput:
    judgement, practices = raw
    return GoalInput(
        code,
        tuple(
            PracticeInput.from_lines(
                f"P {i}",
                dict(zip(LINES[:n_lines], lines, strict=False)),
                recorded_raise=LI if raise_ else None,
            )
            for i, (lines, raise_) in enumerate(practices)
        ),
        judgement,
    )


def build_area(code: str, raw, n_lines: int) -> AreaInput:
    ml, applicable, sgs, gg2, gg3 = raw
    return AreaInput(
        code,
        ml,
        tuple(build_goal(f"SG {i}", sg, n_lines) for i, sg in enumerate(sgs, 1)),
        build_goal("GG 2", gg2, n_lines),
        build_goal("GG 3", gg3, n_lines),
        applicable,
    )


def line_slots(structure, n_lines: int) -> list[tuple[Lines, int]]:
    """Every (line values, index) in the structure whose value can still improve, in a fixed order."""
    if isinstance(structure, Lines):
        return [(structure, i) for i in range(n_lines) if structure[i] in IMPROVEMENT_ORDER[:-1]]
    if isinstance(structure, list | tuple):
        return [slot for item in structure for slot in line_slots(item, n_lines)]
    return []


def improved(structure, n_lines: int, data):
    """A copy of the structure with one line of one practice improved one step."""
    slots = line_slots(structure, n_lines)
    if not slots:
        return structure
    pick = data.draw(st.integers(0, len(slots) - 1))
    after = copy.deepcopy(structure)
    lines, i = line_slots(after, n_lines)[pick]
    lines[i] = better(lines[i])
    return after


@settings(max_examples=100)
@given(raw=raw_goals, n_lines=st.integers(1, 3), data=st.data())
def test_improving_a_practice_never_unsatisfies_a_goal(raw, n_lines, data):
    after = improved(raw, n_lines, data)
    assert build_goal("SG 1", after, n_lines).satisfied >= build_goal("SG 1", raw, n_lines).satisfied


@settings(max_examples=100)
@given(raw=raw_areas, n_lines=st.integers(1, 3), data=st.data())
def test_improving_a_practice_never_lowers_the_capability_level(raw, n_lines, data):
    after = improved([raw], n_lines, data)[0]
    before_level = capability_level(build_area("CAM", raw, n_lines)).level
    assert capability_level(build_area("CAM", after, n_lines)).level >= before_level


@settings(max_examples=100)
@given(raw=raw_organisations(1, 5), n_lines=st.integers(1, 3), data=st.data())
def test_improving_a_practice_never_lowers_maturity_or_staging(raw, n_lines, data):
    after = improved(raw, n_lines, data)
    before_areas = [build_area(f"A{i}", r, n_lines) for i, r in enumerate(raw)]
    after_areas = [build_area(f"A{i}", r, n_lines) for i, r in enumerate(after)]
    assert maturity_level(after_areas) >= maturity_level(before_areas)
    before_staging = equivalent_staging(capability_profile(before_areas))
    assert equivalent_staging(capability_profile(after_areas)) >= before_staging


@settings(max_examples=60)
@given(raw=raw_organisations(4, 6), n_lines=st.integers(1, 3), target=st.integers(2, 5))
def test_gap_is_empty_exactly_when_the_target_is_reached(raw, n_lines, target):
    # Make sure every level has an area in scope, as a full catalog would.
    raw = [(level, True, *r[2:]) for level, r in zip((2, 3, 4, 5), raw, strict=False)] + raw[4:]
    areas = [build_area(f"A{i}", r, n_lines) for i, r in enumerate(raw)]
    assert (maturity_gap(areas, target) == ()) == (maturity_level(areas) >= target)
