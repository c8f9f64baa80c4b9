"""Upload checks by content: the six accepted types and nothing else."""

from __future__ import annotations

import io
import zipfile

import pytest

from partner.applications import files


def zip_with(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
        (zip_with("word/document.xml"), "docx"),
        (b"{\\rtf1\\ansi hello}", "rtf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
    ],
)
def test_each_accepted_type_is_recognised_by_its_bytes(content, kind):
    assert files.sniff(content)[0] == kind


@pytest.mark.parametrize(
    "content",
    [zip_with("xl/workbook.xml"), b"PK\x03\x04 broken", b"GIF89a", b"<html>", b"MZ\x90\x00"],
)
def test_other_content_is_refused_whatever_its_name(content):
    assert files.sniff(content) is None


def test_the_stored_name_keeps_no_path_and_gets_the_real_extension():
    assert files._safe_name("../../etc/passwd.pdf", "png") == "passwd.png"
    assert files._safe_name("", "pdf") == "file.pdf"


def test_private_paths_cannot_escape_the_private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    path = files.store_private(b"%PDF-1.4", folder="7")

    assert files.read_base64(path) == "JVBERi0xLjQ="
    with pytest.raises(files.FileRejected):
        files.read_base64("../../outside")
