"""The appraisal readiness pack: one row per practice per service line, as CSV or XLSX.

The layout an appraisal team works from: where the practice sits (area, goal), what it is,
the line, its characterisation there and for the organisation, the notes, the evidence (links
and files with their download addresses) and who changed it last. Reads `roadmap_rating` plus
two queries. Text that a spreadsheet would run as a formula is defused: CSV cells get a leading
apostrophe; XLSX cells are stored as text with Excel's quote prefix, so the value stays exact.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from saas.extensions import db
from saas.roadmaps.adoption.models import Evidence, PracticeAssessment
from saas.roadmaps.adoption.services.ratings import (
    AreaRating,
    GoalRating,
    PracticeRating,
    RoadmapRating,
    roadmap_rating,
)
from saas.roadmaps.adoption.services.reports import FORMULA_PREFIXES, safe_cell
from saas.roadmaps.planning.models import Roadmap, ServiceLine

HEADER = (
    "Area",
    "Area name",
    "Goal",
    "Goal title",
    "Practice",
    "Practice title",
    "Kind",
    "Service line",
    "Characterisation",
    "Organisation",
    "Raised to LI because",
    "Notes",
    "Evidence",
    "Last changed by",
    "Last changed at (UTC)",
)
WIDTHS = (8, 28, 7, 30, 9, 40, 6, 20, 14, 13, 30, 50, 60, 20, 18)
EvidenceUrl = Callable[[Evidence], str]  # the absolute download address of a stored file


@dataclass(frozen=True)
class PackRow:
    area: AreaRating
    goal: GoalRating
    practice: PracticeRating
    line: ServiceLine
    assessment: PracticeAssessment | None
    evidence: list[Evidence]


@dataclass(frozen=True)
class Pack:
    rating: RoadmapRating
    rows: list[PackRow]


def appraisal_pack(*, roadmap: Roadmap) -> Pack:
    """Every practice the selected areas are rated on x every covered line, in plan order (rating plus two queries)."""
    result = roadmap_rating(roadmap=roadmap)
    assessments = _assessments(roadmap, result.lines)
    evidence = _evidence(roadmap, result.lines)
    rows = []
    for area in result.areas:
        for goal in area.goals:
            for practice in goal.practices:
                for line in result.lines:
                    stored = assessments.get((area.area.id, practice.practice.id, line.id))
                    found = evidence.get(stored.id, []) if stored else []
                    rows.append(PackRow(area, goal, practice, line, stored, found))
    return Pack(result, rows)


def pack_rows(pack: Pack, evidence_url: EvidenceUrl) -> list[list[str]]:
    """The pack as plain text cells, header first (the CSV and the XLSX share them)."""
    return [list(HEADER), *(_cells(row, evidence_url) for row in pack.rows)]


def pack_csv(pack: Pack, evidence_url: EvidenceUrl) -> str:
    """CSV with a header row; cells that look like formulas get a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([safe_cell(cell) for cell in row] for row in pack_rows(pack, evidence_url))
    return out.getvalue()


def pack_xlsx(pack: Pack, evidence_url: EvidenceUrl) -> bytes:
    """One sheet with a frozen, filterable header; every cell is text, formula-like ones quote-prefixed."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Readiness"
    for values in pack_rows(pack, evidence_url):
        sheet.append([_text(value) for value in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            _defuse(cell)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    for column in ("L", "M"):  # notes and evidence wrap
        for cell in sheet[column][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(row: PackRow, evidence_url: EvidenceUrl) -> list[str]:
    practice, assessment = row.practice, row.assessment
    changed_by = assessment.updated_by if assessment else None
    return [
        row.area.code,
        row.area.area.name,
        row.goal.goal.code,
        row.goal.goal.title,
        practice.practice.code,
        practice.practice.title,
        practice.practice.code.split()[0],
        row.line.name,
        _value(practice.by_line.get(row.line.id)),
        _value(practice.value) + (" (raised)" if practice.raised else ""),
        practice.raise_record.reason if practice.raised else "",
        assessment.notes if assessment else "",
        "\n".join(_evidence_text(item, evidence_url) for item in row.evidence),
        changed_by.name if changed_by else "",
        _when(assessment.updated_at) if changed_by else "",
    ]


def _evidence_text(item: Evidence, evidence_url: EvidenceUrl) -> str:
    """ "Title <address>" for a link; "file name <download address>" for a file."""
    if item.kind == "link":
        return f"{item.title or item.url} <{item.url}>"
    return f"{item.filename} <{evidence_url(item)}>"


def _value(value: object) -> str:
    return str(value) if value else "not assessed"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _text(value: str) -> str:
    """Characters a worksheet cannot hold (control characters) are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _defuse(cell: Cell) -> None:
    """Every value stays text (never a formula or an error); formula-like text is quote-prefixed too."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True


def _assessments(
    roadmap: Roadmap, lines: list[ServiceLine]
) -> dict[tuple[int, int, int], PracticeAssessment]:
    """(area id, practice id, line id) -> the stored row, with who changed it last (one query)."""
    rows = db.session.scalars(
        select(PracticeAssessment)
        .where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.tenant_id == roadmap.tenant_id,
            PracticeAssessment.service_line_id.in_([line.id for line in lines]),
        )
        .options(joinedload(PracticeAssessment.updated_by))
    )
    return {(row.area_id, row.practice_id, row.service_line_id): row for row in rows}


def _evidence(roadmap: Roadmap, lines: list[ServiceLine]) -> dict[int, list[Evidence]]:
    """Assessment id -> its evidence, oldest first (one query)."""
    rows = db.session.scalars(
        select(Evidence)
        .join(PracticeAssessment, PracticeAssessment.id == Evidence.assessment_id)
        .where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.tenant_id == roadmap.tenant_id,
            PracticeAssessment.service_line_id.in_([line.id for line in lines]),
        )
        .order_by(Evidence.created_at, Evidence.id)
    )
    found: dict[int, list[Evidence]] = defaultdict(list)
    for item in rows:
        found[item.assessment_id].append(item)
    return found
