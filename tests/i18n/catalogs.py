"""Read the project's .po catalogs (a small reader: the test needs no gettext tools)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TRANSLATED_LANGUAGES = ("de", "fr", "es", "pl")


@dataclass(frozen=True)
class Entry:
    msgid: str
    msgid_plural: str
    msgctxt: str
    msgstrs: tuple[str, ...]
    fuzzy: bool


def po_path(language: str, root: Path | None = None) -> Path:
    return (root or Path(settings.LOCALE_PATHS[0])) / language / "LC_MESSAGES" / "django.po"


def _string(lines: list[str]) -> str:
    # Each line is a C-style quoted string; Python's literal syntax reads them the same.
    return "".join(ast.literal_eval(line) for line in lines)


def read_po(path: Path) -> list[Entry]:
    """Every entry but the header, with its flags and translations."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = ""
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[current].append(line)
            else:
                current, _, rest = line.partition(" ")
                fields[current] = [rest]
        if "msgid" not in fields or not _string(fields["msgid"]):
            continue
        msgstrs = tuple(
            _string(value)
            for key, value in sorted(fields.items())
            if re.fullmatch(r"msgstr(\[\d+\])?", key)
        )
        entries.append(
            Entry(
                msgid=_string(fields["msgid"]),
                msgid_plural=_string(fields.get("msgid_plural", ['""'])),
                msgctxt=_string(fields.get("msgctxt", ['""'])),
                msgstrs=msgstrs,
                fuzzy=fuzzy,
            )
        )
    return entries
