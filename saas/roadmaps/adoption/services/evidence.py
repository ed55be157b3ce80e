"""Evidence behind a practice assessment: web links and uploaded files.

Files are limited to MAX_UPLOAD_MB and to a short list of document and image types, checked
by extension and by their first bytes; they are stored under a random key (storage.py) and
only ever served back as attachments through a tenant-scoped download.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from saas.accounts.models import User
from saas.billing.entitlements import storage_check
from saas.extensions import db
from saas.jobs import after_commit
from saas.roadmaps.adoption.models import Evidence, PracticeAssessment
from saas.roadmaps.adoption.storage import evidence_storage, new_key
from saas.roadmaps.errors import RoadmapError
from saas.tenants.models import Tenant
from saas.tenants.services import audit

TITLE_LENGTH = 200
URL_LENGTH = 2000
FILENAME_LENGTH = 255


class FileTooLarge(RoadmapError):
    """The upload is over MAX_UPLOAD_MB (views answer 413)."""

    field = "file"


class FileRefused(RoadmapError):
    """The upload's name or content is not an allowed type (views answer 422)."""

    field = "file"


def _office(folder: str) -> Callable[[bytes], bool]:
    """An Office Open XML document: a zip with a content-types part and the application's folder."""

    def check(data: bytes) -> bool:
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError):
            return False
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


def _text(data: bytes) -> bool:
    """Plain text has no NUL byte (binary files nearly always do)."""
    return b"\x00" not in data


@dataclass(frozen=True)
class FileType:
    content_type: str
    looks_right: Callable[[bytes], bool]


_PDF = FileType("application/pdf", lambda data: data.startswith(b"%PDF-"))
_JPEG = FileType("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff"))
ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": _PDF,
    "png": FileType("image/png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "txt": FileType("text/plain", _text),
    "csv": FileType("text/csv", _text),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _office("word/")
    ),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _office("xl/")),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", _office("ppt/")
    ),
}
ALLOWED_LABEL = "PDF, PNG, JPG, TXT, CSV, DOCX, XLSX or PPTX"


def max_upload_mb() -> int:
    return current_app.config["MAX_UPLOAD_MB"]


def max_upload_bytes() -> int:
    return max_upload_mb() * 1024 * 1024


def evidence_get(*, tenant: Tenant, evidence_id: int) -> Evidence | None:
    """Evidence with this id in this tenant, or None (callers answer 404)."""
    return db.session.scalar(
        select(Evidence).where(Evidence.id == evidence_id, Evidence.tenant_id == tenant.id)
    )


def evidence_list(*, assessment: PracticeAssessment) -> list[Evidence]:
    """The assessment's evidence, oldest first, with who added it."""
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.assessment_id == assessment.id, Evidence.tenant_id == assessment.tenant_id)
            .options(joinedload(Evidence.added_by))
            .order_by(Evidence.created_at, Evidence.id)
        )
    )


def evidence_link_add(
    *, tenant: Tenant, actor: User, assessment: PracticeAssessment, url: str, title: str = ""
) -> Evidence:
    """A web link (http or https only) supporting the assessment."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > URL_LENGTH:
        raise RoadmapError("Give a full web address starting with https:// or http://.", field="url")
    evidence = Evidence(
        tenant=tenant,
        assessment_id=assessment.id,
        kind="link",
        title=((title or "").strip() or url)[:TITLE_LENGTH],
        url=url,
        added_by=actor,
    )
    return _added(tenant, actor, evidence)


def evidence_file_add(
    *,
    tenant: Tenant,
    actor: User,
    assessment: PracticeAssessment,
    filename: str,
    stream: BinaryIO,
    title: str = "",
) -> Evidence:
    """An uploaded file: at most MAX_UPLOAD_MB, of an allowed type by name and content; nothing is kept otherwise."""
    name = clean_filename(filename)
    file_type = ALLOWED_TYPES.get(name.rpartition(".")[2].lower()) if "." in name else None
    if file_type is None:
        raise FileRefused(f"Upload a {ALLOWED_LABEL} file.")
    data = stream.read(max_upload_bytes() + 1)
    if len(data) > max_upload_bytes():
        raise FileTooLarge(f"The file is larger than {max_upload_mb()} MB.")
    if not data:
        raise FileRefused("The file is empty.")
    if not file_type.looks_right(data):
        raise FileRefused(
            f"The file's content does not match its name ({name}); upload a {ALLOWED_LABEL} file."
        )
    storage_check(tenant, used_bytes=_stored_bytes(tenant), adding_bytes=len(data))
    key = new_key(tenant.id)
    evidence_storage().save(key, data)
    evidence = Evidence(
        tenant=tenant,
        assessment_id=assessment.id,
        kind="file",
        title=((title or "").strip() or name)[:TITLE_LENGTH],
        filename=name,
        content_type=file_type.content_type,
        size_bytes=len(data),
        storage_key=key,
        added_by=actor,
    )
    return _added(tenant, actor, evidence)


def evidence_delete(*, tenant: Tenant, actor: User, evidence: Evidence) -> None:
    """Remove assessment evidence; a stored file goes once the removal is committed."""
    if evidence.assessment_id is None:
        raise RoadmapError("This evidence belongs to an action item; remove it there.")
    key = evidence.storage_key
    db.session.delete(evidence)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="evidence.removed",
        subject=evidence,
        summary=f"Removed evidence: {evidence.title}",
    )
    if key:
        after_commit(lambda: evidence_storage().delete(key))


def evidence_open(evidence: Evidence) -> BinaryIO:
    """The stored bytes of a file evidence."""
    return evidence_storage().open(evidence.storage_key)


def _stored_bytes(tenant: Tenant) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Evidence.size_bytes), 0)).where(Evidence.tenant_id == tenant.id)
    )


def clean_filename(filename: str) -> str:
    """The last path segment without control characters, cut to fit (shown and offered as the download name)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(char for char in base if char.isprintable()).strip()
    return printable[-FILENAME_LENGTH:]


def _added(tenant: Tenant, actor: User, evidence: Evidence) -> Evidence:
    db.session.add(evidence)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="evidence.added",
        subject=evidence,
        summary=f"Added evidence: {evidence.title}",
        assessment_id=evidence.assessment_id,
    )
    return evidence
