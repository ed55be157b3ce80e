"""Where evidence files live: a tiny interface, and a local folder (UPLOAD_DIR) behind it.

Keys are "<tenant id>/<random token>", made here; nothing a user sends becomes part of a
path. Another backend (an S3-like bucket) implements `EvidenceStorage` and is installed as
`app.extensions["evidence_storage"]`.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

_KEY = re.compile(r"^[0-9]+/[A-Za-z0-9_-]{32}$")


class EvidenceStorage(Protocol):
    """Stores bytes under a key; keys come from `new_key`."""

    def save(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...


def new_key(tenant_id: int) -> str:
    """A fresh, unguessable key in the tenant's folder."""
    return f"{tenant_id}/{secrets.token_urlsafe(24)}"


class LocalStorage:
    """Files under one folder, one sub-folder per tenant, readable by the app's user only."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not an evidence key: {key!r}")
        return self.root / key

    def save(self, key: str, data: bytes) -> None:
        """Write the file once; an existing key is an error (keys are never reused)."""
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def evidence_storage() -> EvidenceStorage:
    """The app's storage: an installed backend, else the local UPLOAD_DIR folder."""
    installed = current_app.extensions.get("evidence_storage")
    return installed if installed is not None else LocalStorage(current_app.config["UPLOAD_DIR"])
