"""What blocks the target, worded by goal and service line (pure functions over the engine's gaps)."""

from __future__ import annotations

from saas.roadmaps import rating
from saas.roadmaps.adoption.services.blockers import blocker_summary, blockers_for
from saas.roadmaps.rating import FI, LI, NI, NY, PI

LINES = ("Field Support", "Service Desk")


def practice(code: str, **values: rating.Value) -> rating.PracticeInput:
    """A practice rolled up from lines given as keyword arguments (field=..., desk=...)."""
    names = {"field": "Field Support", "desk": "Service Desk", "only": "Whole organisation"}
    return rating.PracticeInput.from_lines(code, {names[key]: value for key, value in values.items()})


def gap(area: str, *goals: tuple[str, list[rating.PracticeInput]], judged: bool = False) -> rating.AreaGap:
    return rating.AreaGap(
        area,
        0,
        3,
        tuple(
            rating.GoalGap(code, tuple(p for p in practices if not (p.value and p.value.implemented)), judged)
            for code, practices in goals
        ),
    )


def test_a_goal_names_the_line_where_its_practice_falls_short():
    gaps = [
        gap("CAM", ("SG 2", [practice("SP 2.1", field=FI, desk=FI), practice("SP 2.2", field=PI, desk=LI)]))
    ]

    (blocker,) = blockers_for("ML3", gaps)

    assert blocker.text == "ML3 blocked: CAM SG 2 in Field Support (SP 2.2 PI)"
    assert (blocker.lines, blocker.all_lines) == (("Field Support",), False)


def test_a_goal_short_everywhere_is_in_all_lines():
    gaps = [
        gap(
            "OT", ("GG 2", [practice("GP 2.8", field=NI, desk=NI), practice("GP 2.9", field=None, desk=None)])
        )
    ]

    (blocker,) = blockers_for("ML3", gaps)

    assert blocker.text == "ML3 blocked: OT GG 2 in all lines (GP 2.8 NI; GP 2.9 not assessed)"
    assert blocker.all_lines


def test_practices_falling_short_in_different_lines_say_where():
    gaps = [
        gap(
            "IRP",
            ("SG 2", [practice("SP 2.1", field=PI, desk=FI), practice("SP 2.3", field=FI, desk=NI)]),
        )
    ]

    assert blockers_for("ML3", gaps)[0].text == (
        "ML3 blocked: IRP SG 2 in all lines (SP 2.1 PI in Field Support; SP 2.3 PI in Service Desk)"
    )


def test_lines_not_yet_reached_count_as_falling_short_only_when_nothing_is_graded():
    gaps = [
        gap("SCON", ("SG 1", [practice("SP 1.1", field=NY, desk=NY), practice("SP 1.2", field=NY, desk=PI)]))
    ]

    assert blockers_for("ML3", gaps)[0].text == (
        "ML3 blocked: SCON SG 1 in all lines (SP 1.1 NY; SP 1.2 PI in Service Desk)"
    )


def test_one_line_is_never_named():
    gaps = [gap("REQM", ("SG 1", [practice("SP 1.3", only=PI)]))]

    assert blockers_for("ML2", gaps)[0].text == "ML2 blocked: REQM SG 1 (SP 1.3 PI)"


def test_judgements_missing_areas_and_profiles():
    judged = gap("WP", ("SG 1", [practice("SP 1.1", field=FI, desk=FI)]), judged=True)

    blockers = blockers_for("ML2", [judged], ["SAM"])
    assert [blocker.text for blocker in blockers] == [
        "ML2 blocked: WP SG 1 (judged unsatisfied)",
        "ML2 blocked: SAM is not in this roadmap",
    ]
    assert blockers_for("profile", [judged])[0].text.startswith("CL3 blocked: WP SG 1")


def test_the_dashboard_summary_shows_the_first_few():
    gaps = [
        gap("CAM", ("SG 2", [practice("SP 2.2", field=PI, desk=FI)])),
        gap("OT", ("GG 2", [practice("GP 2.8", field=NI, desk=NI)])),
    ]
    blockers = blockers_for("ML3", gaps, ["SCON", "SST"])

    assert blocker_summary(blockers) == (
        "ML3 blocked: CAM SG 2 in Field Support (SP 2.2 PI); OT GG 2 in all lines (GP 2.8 NI); "
        "SCON is not in this roadmap; and 1 more"
    )
    assert blocker_summary([]) == ""
