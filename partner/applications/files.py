"""Uploaded files: checked by content, stored privately, read back for sending.

SmartRecruiters accepts six types, judged by their first bytes (application-api.md §3);
the name and the browser's declared type are not trusted. The size cap is 2,000,000
bytes, a margin under the sandbox's 2,097,152 because SR does not define its "MB".
"""

from __future__ import annotations

import base64
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from jobboard.crypto import new_token
from partner.smartrecruiters.applications import MAX_FILE_NAME_CHARS

MAX_FILE_BYTES = 2_000_000

PDF = ("pdf", "application/pdf")
DOC = ("doc", "application/msword")
DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
RTF = ("rtf", "application/rtf")
JPG = ("jpg", "image/jpeg")
PNG = ("png", "image/png")
DOCUMENT_TYPES = (PDF, DOC, DOCX, RTF, JPG, PNG)
IMAGE_TYPES = (JPG, PNG)


class FileRejected(ValueError):
    """The message is shown to the candidate beside the file field."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    mime_type: str
    content: bytes


def sniff(content: bytes) -> tuple[str, str] | None:
    """The (extension, MIME type) of ``content`` judged by its bytes, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return DOC
    if content.startswith(b"{\\rtf"):
        return RTF
    if content.startswith(b"\xff\xd8\xff"):
        return JPG
    if content.startswith(b"\x89PNG"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        # A DOCX is a ZIP holding word/...; other ZIPs (xlsx, plain archives) are not.
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if any(name.startswith("word/") for name in archive.namelist()):
                    return DOCX
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def _safe_name(name: str, extension: str) -> str:
    """A plain file name with the extension of the detected type.

    SR's Attachment.fileName takes at most 100 characters (application-api.md §3): a
    longer name is shortened, keeping the extension, rather than refused (the candidate
    did nothing wrong, and the name is only a label at SR).
    """
    base = os.path.basename(name or "").strip().replace("\x00", "")
    stem = "".join(ch for ch in Path(base).stem if ch.isalnum() or ch in " ._-").strip()
    return fit_file_name(f"{stem or 'file'}.{extension}")


def fit_file_name(name: str) -> str:
    """``name`` cut to SR's 100 characters, keeping its extension."""
    if len(name) <= MAX_FILE_NAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) >= MAX_FILE_NAME_CHARS // 2:
        return name[:MAX_FILE_NAME_CHARS]
    return f"{stem[: MAX_FILE_NAME_CHARS - len(extension) - 1].rstrip() or 'file'}.{extension}"


def check_upload(
    upload: UploadedFile, *, allowed: tuple[tuple[str, str], ...] = DOCUMENT_TYPES
) -> CheckedFile:
    """Read and check one upload; raises FileRejected with a message for the candidate."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise FileRejected(gettext("The file is larger than 2 MB."))
    content = upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise FileRejected(gettext("The file is larger than 2 MB."))
    if not content:
        raise FileRejected(gettext("The file is empty."))
    kind = sniff(content)
    if kind is None or kind not in allowed:
        names = ", ".join(ext.upper() for ext, _ in allowed)
        raise FileRejected(
            gettext("This file type is not accepted. Use one of: %(types)s.") % {"types": names}
        )
    extension, mime_type = kind
    return CheckedFile(
        name=_safe_name(upload.name or "", extension), mime_type=mime_type, content=content
    )


def private_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def store_private(content: bytes, *, folder: str) -> str:
    """Write ``content`` under PRIVATE_MEDIA_ROOT; returns the relative path."""
    relative = Path("applications") / folder / new_token(18)
    target = private_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # Owner-only permissions: uploads are personal data.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return relative.as_posix()


def _resolve(relative: str) -> Path:
    root = private_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise FileRejected("path outside private storage")
    return path


def read_base64(relative: str) -> str:
    return base64.b64encode(_resolve(relative).read_bytes()).decode("ascii")


def delete_private(relative: str) -> None:
    try:
        _resolve(relative).unlink(missing_ok=True)
    except FileRejected:
        return
