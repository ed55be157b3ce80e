"""Evidence through HTTP: links, uploads within limits and types, tenant-scoped downloads, removal."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from saas.extensions import db
from saas.roadmaps.adoption.models import Evidence
from saas.roadmaps.items.services.items import evidence_link_add as item_link_add
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import enter, line_named, roadmap_with_lines
from tests.roadmaps.conftest import make_item
from tests.support import make_tenant, owner_of

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(folder: str) -> bytes:
    """A minimal Office Open XML package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def uploads(app, monkeypatch, tmp_path) -> Path:
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def roadmap(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"])
    db.session.commit()
    return roadmap


@pytest.fixture
def assessor(client, members):
    return client.login(members[Role.PROGRAM_MANAGER])


def practice_url(tenant, roadmap) -> str:
    return f"/t/{tenant.slug}/roadmaps/{roadmap.id}/areas/REQM/practices/SP%201.1"


def upload(client, tenant, roadmap, name: str, data: bytes, title: str = ""):
    line = line_named(roadmap, "Whole organisation")
    token = client.csrf_token(practice_url(tenant, roadmap))
    return client.post(
        f"{practice_url(tenant, roadmap)}/evidence/file?line={line.id}",
        data={"csrf_token": token, "title": title, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def add_link(client, tenant, roadmap, url: str):
    line = line_named(roadmap, "Whole organisation")
    return client.submit(
        f"{practice_url(tenant, roadmap)}/evidence/link?line={line.id}",
        {"url": url, "title": "Review minutes"},
        token_page=practice_url(tenant, roadmap),
    )


def evidence_rows(tenant) -> list[Evidence]:
    enter(tenant)
    db.session.expire_all()
    return list(db.session.scalars(select(Evidence).order_by(Evidence.id)))


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("Plan review.pdf", PDF, "application/pdf"),
        ("board.PNG", PNG, "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("minutes.txt", "Réunion du lundi\n".encode(), "text/plain"),
        ("actions.csv", b"id,owner\n1,Ana\n", "text/csv"),
        (
            "policy.docx",
            office("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("metrics.xlsx", office("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "kickoff.pptx",
            office("ppt/"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ],
)
def test_an_allowed_file_is_stored_in_the_tenants_folder_and_downloads_as_an_attachment(
    assessor, tenant, roadmap, uploads, name, data, content_type
):
    response = upload(assessor, tenant, roadmap, name, data)

    assert response.status_code == 303
    [item] = evidence_rows(tenant)
    assert (item.kind, item.filename, item.content_type, item.size_bytes) == (
        "file",
        name,
        content_type,
        len(data),
    )
    assert item.storage_key.startswith(f"{tenant.id}/")
    assert (uploads / item.storage_key).read_bytes() == data
    download = assessor.get(f"/t/{tenant.slug}/evidence/{item.id}/download")
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["Content-Type"].startswith(content_type)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    page = assessor.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/t/{tenant.slug}/evidence/{item.id}/download" in page


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    app, assessor, tenant, roadmap, uploads, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    response = upload(assessor, tenant, roadmap, "big.pdf", PDF + b"x" * (1024 * 1024))

    assert response.status_code == 413
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)
    assert evidence_rows(tenant) == []
    assert stored_files(uploads) == []


def test_a_body_over_the_request_limit_is_refused_with_the_limit_named(
    app, assessor, tenant, roadmap, uploads, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    response = upload(assessor, tenant, roadmap, "huge.pdf", PDF + b"x" * (3 * 1024 * 1024))

    assert response.status_code == 413
    assert "The file is larger than 1 MB, so nothing was saved." in response.get_data(as_text=True)
    assert evidence_rows(tenant) == []
    assert stored_files(uploads) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "Upload a PDF, PNG, JPG, TXT, CSV, DOCX, XLSX or PPTX file."),
        (
            "page.html",
            b"<script>alert(1)</script>",
            "Upload a PDF, PNG, JPG, TXT, CSV, DOCX, XLSX or PPTX file.",
        ),
        ("drawing.svg", b"<svg/>", "Upload a PDF, PNG, JPG, TXT, CSV, DOCX, XLSX or PPTX file."),
        ("no-extension", PDF, "Upload a PDF, PNG, JPG, TXT, CSV, DOCX, XLSX or PPTX file."),
        ("report.pdf", PNG, "does not match its name (report.pdf)"),
        ("photo.png", b"<html><script>alert(1)</script>", "does not match its name (photo.png)"),
        ("notes.txt", b"text\x00with a NUL", "does not match its name (notes.txt)"),
        ("sheet.xlsx", office("word/"), "does not match its name (sheet.xlsx)"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "does not match its name (fake.docx)"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_a_disallowed_type_is_refused_with_a_clear_message(
    assessor, tenant, roadmap, uploads, name, data, message
):
    response = upload(assessor, tenant, roadmap, name, data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert evidence_rows(tenant) == []
    assert stored_files(uploads) == []


def test_a_path_in_the_file_name_is_dropped(assessor, tenant, roadmap, uploads):
    assert upload(assessor, tenant, roadmap, "..\\..\\etc/passwd.txt", b"root").status_code == 303

    [item] = evidence_rows(tenant)
    assert item.filename == "passwd.txt"
    assert stored_files(uploads) == [uploads / item.storage_key]


def test_links_must_be_web_addresses(assessor, tenant, roadmap):
    assert add_link(assessor, tenant, roadmap, "javascript:alert(1)").status_code == 422
    assert add_link(assessor, tenant, roadmap, "https://wiki.example/review").status_code == 303

    [item] = evidence_rows(tenant)
    assert (item.kind, item.url, item.title) == ("link", "https://wiki.example/review", "Review minutes")
    assert (
        assessor.get(f"/t/{tenant.slug}/evidence/{item.id}/download").status_code == 404
    )  # links are not files


def test_a_file_of_tenant_a_cannot_be_downloaded_inside_tenant_b(client, tenant, members, roadmap, uploads):
    owner = members[Role.OWNER]
    upload(client.login(owner), tenant, roadmap, "secret.pdf", PDF)
    [item] = evidence_rows(tenant)
    other = make_tenant("Other Org", owner=owner)  # the same person belongs to both
    db.session.commit()

    assert client.get(f"/t/{other.slug}/evidence/{item.id}/download").status_code == 404
    token = client.csrf_token(f"/t/{other.slug}/roadmaps")
    assert (
        client.post(f"/t/{other.slug}/evidence/{item.id}/delete", headers={"X-CSRFToken": token}).status_code
        == 404
    )
    assert client.get(f"/t/{tenant.slug}/evidence/{item.id}/download").status_code == 200


def test_a_stranger_cannot_download_a_file(client, tenant, members, roadmap, uploads):
    upload(client.login(members[Role.OWNER]), tenant, roadmap, "secret.pdf", PDF)
    [item] = evidence_rows(tenant)
    stranger = make_tenant("Stranger Org")
    db.session.commit()

    client.login(owner_of(stranger))
    assert client.get(f"/t/{tenant.slug}/evidence/{item.id}/download").status_code == 404
    assert client.get(f"/t/{stranger.slug}/evidence/{item.id}/download").status_code == 404


def test_staff_may_download_but_not_upload_or_remove(client, tenant, members, roadmap, uploads):
    upload(client.login(members[Role.OWNER]), tenant, roadmap, "plan.pdf", PDF)
    [item] = evidence_rows(tenant)
    client.login(members[Role.STAFF])

    assert client.get(f"/t/{tenant.slug}/evidence/{item.id}/download").status_code == 200
    assert upload(client, tenant, roadmap, "mine.pdf", PDF).status_code == 403
    token = client.csrf_token(practice_url(tenant, roadmap))
    assert (
        client.post(f"/t/{tenant.slug}/evidence/{item.id}/delete", headers={"X-CSRFToken": token}).status_code
        == 403
    )
    assert len(evidence_rows(tenant)) == 1


def test_removing_a_file_deletes_it_once_committed(assessor, tenant, roadmap, uploads):
    upload(assessor, tenant, roadmap, "plan.pdf", PDF)
    [item] = evidence_rows(tenant)
    token = assessor.csrf_token(practice_url(tenant, roadmap))

    response = assessor.post(f"/t/{tenant.slug}/evidence/{item.id}/delete", headers={"X-CSRFToken": token})

    assert response.status_code == 303
    assert evidence_rows(tenant) == []
    assert stored_files(uploads) == []


def test_item_evidence_is_not_removed_from_the_assessment_pages(assessor, tenant, members, roadmap):
    enter(tenant)
    item = make_item(tenant, roadmap)
    link = item_link_add(
        tenant=tenant, actor=members[Role.OWNER], item=item, title="Plan", url="https://x.example"
    )
    db.session.commit()
    token = assessor.csrf_token(practice_url(tenant, roadmap))

    assert (
        assessor.post(
            f"/t/{tenant.slug}/evidence/{link.id}/delete", headers={"X-CSRFToken": token}
        ).status_code
        == 404
    )
    enter(tenant)
    assert db.session.scalar(select(func.count(Evidence.id))) == 1


def test_the_grid_counts_evidence_per_practice(assessor, tenant, roadmap, uploads):
    upload(assessor, tenant, roadmap, "a.pdf", PDF)
    add_link(assessor, tenant, roadmap, "https://wiki.example/a")

    html = assessor.get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/areas/REQM/assess").get_data(as_text=True)

    row = html[html.index('data-practice="SP 1.1"') :]
    assert ">2 items</a>" in row[: row.index("</tr>")]


def test_a_file_past_the_plans_evidence_storage_is_refused_and_nothing_is_kept(
    assessor, tenant, roadmap, uploads
):
    """The trial plan stores 500 MB; an upload that would pass it is refused with a reason."""
    assert upload(assessor, tenant, roadmap, "big.pdf", PDF).status_code == 303
    [stored] = evidence_rows(tenant)
    stored.size_bytes = 500 * 1024 * 1024  # as if the tenant had filled its storage already
    db.session.commit()

    response = upload(assessor, tenant, roadmap, "more.pdf", PDF)

    assert response.status_code == 403
    assert "stores up to 500 MB of evidence" in response.get_data(as_text=True)
    assert len(evidence_rows(tenant)) == 1
    assert len(stored_files(uploads)) == 1
