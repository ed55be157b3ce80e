"""The appraisal readiness pack: CSV and XLSX, one row per practice per service line, formulas defused."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from saas.extensions import db
from saas.roadmaps.adoption.services import assessments, evidence
from saas.roadmaps.adoption.services.pack import HEADER
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import GG2_PRACTICES, line_named, roadmap_with_lines
from tests.support import make_tenant

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
REQM = ["SP 1.1", "SP 1.2", "SP 1.3", "SP 1.4", "SP 1.5", *GG2_PRACTICES]
PPQA = ["SP 1.1", "SP 1.2", "SP 2.1", "SP 2.2", *GG2_PRACTICES]
EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def roadmap(app, monkeypatch, tmp_path, tenant, catalog_model, members):
    """REQM and PPQA over Service desk and Field support; a few values, notes, evidence and a raise."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    manager = members[Role.PROGRAM_MANAGER]
    roadmap = roadmap_with_lines(
        tenant, catalog_model, ["REQM", "PPQA"], lines=("Service desk", "Field support"), name="Pack"
    )
    desk, field = line_named(roadmap, "Service desk"), line_named(roadmap, "Field support")

    def value(line, practice, characterisation, notes=None):
        return assessments.assessment_set(
            tenant=tenant,
            actor=manager,
            roadmap=roadmap,
            service_line=line,
            area_code="REQM",
            practice_code=practice,
            characterisation=characterisation,
            notes=notes,
        )

    sp11 = value(desk, "SP 1.1", "FI", notes=EVIL)
    value(field, "SP 1.1", "LI", notes="-2 weak spots\n@SUM(A1)")
    value(desk, "SP 1.2", "FI")
    value(field, "SP 1.2", "PI")
    evidence.evidence_link_add(
        tenant=tenant, actor=manager, assessment=sp11, url="https://wiki.example/reqm", title="+Baseline"
    )
    evidence.evidence_file_add(
        tenant=tenant, actor=manager, assessment=sp11, filename="review.pdf", stream=io.BytesIO(PDF)
    )
    assessments.practice_raise_set(
        tenant=tenant,
        actor=manager,
        roadmap=roadmap,
        area_code="REQM",
        practice_code="SP 1.2",
        raised=True,
        reason="Field support's gap is cosmetic",
    )
    db.session.commit()
    return roadmap


def download(client, tenant, roadmap, extension: str):
    response = client.get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/pack.{extension}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="appraisal-pack-{roadmap.id}.{extension}"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return response


def expected_keys() -> list[tuple[str, str, str]]:
    return [
        (area, practice, line)
        for area, practices in (("REQM", REQM), ("PPQA", PPQA))
        for practice in practices
        for line in ("Field support", "Service desk")
    ]


def test_the_csv_has_one_row_per_practice_per_line(client, tenant, members, roadmap):
    response = download(client.login(members[Role.CONSULTANT_VIEWER]), tenant, roadmap, "csv")

    assert response.mimetype == "text/csv"
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    rows = list(reader)
    assert tuple(reader.fieldnames) == HEADER
    assert [(row["Area"], row["Practice"], row["Service line"]) for row in rows] == expected_keys()
    desk = next(row for row in rows if row["Practice"] == "SP 1.1" and row["Service line"] == "Service desk")
    manager = members[Role.PROGRAM_MANAGER]
    assert (desk["Kind"], desk["Characterisation"], desk["Organisation"]) == ("SP", "FI", "LI")
    assert desk["Notes"] == "'" + EVIL  # a spreadsheet shows it as text
    assert desk["Last changed by"] == manager.name
    evidence_lines = desk["Evidence"].split("\n")
    assert evidence_lines[0] == "'+Baseline <https://wiki.example/reqm>"  # the cell starts with +: defused
    assert evidence_lines[1].startswith(f"review.pdf <http://localhost/t/{tenant.slug}/evidence/")
    assert evidence_lines[1].endswith("/download>")
    raised = next(
        row for row in rows if row["Practice"] == "SP 1.2" and row["Service line"] == "Field support"
    )
    assert (raised["Characterisation"], raised["Organisation"]) == ("PI", "LI (raised)")
    assert raised["Raised to LI because"] == "Field support's gap is cosmetic"
    generic = next(row for row in rows if row["Practice"] == "GP 2.1")
    assert (generic["Kind"], generic["Goal"], generic["Characterisation"]) == ("GP", "GG 2", "not assessed")


def test_the_xlsx_reads_back_with_the_same_rows_and_no_formula(client, tenant, members, roadmap):
    response = download(client.login(members[Role.CONSULTANT_VIEWER]), tenant, roadmap, "xlsx")

    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADER
    assert [(row[0], row[4], row[7]) for row in rows[1:]] == expected_keys()
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells} == {"s"}  # text only: nothing a spreadsheet would run
    evil = next(cell for cell in cells if cell.value == EVIL)
    assert evil.quotePrefix
    weak = next(cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith("-2 weak"))
    assert weak.quotePrefix
    assert sheet.freeze_panes == "A2"


def test_another_tenants_pack_is_404(client, tenant, members, catalog_model):
    stranger = make_tenant("Stranger Org")
    theirs = roadmap_with_lines(stranger, catalog_model, ["REQM"], name="Theirs")
    db.session.commit()
    client.login(members[Role.OWNER])

    for extension in ("csv", "xlsx"):
        assert client.get(f"/t/{tenant.slug}/roadmaps/{theirs.id}/pack.{extension}").status_code == 404
