"""The vendor's own face towards candidates: name, logo and sender address (settings).

Candidates deal with the assessment vendor, not with the job board that hosts it, so the
mails, the test pages and the PDF report carry these instead of ``SITE_NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from partner.applications.files import IMAGE_TYPES, sniff

# A logo is shown small; a bigger file is a configuration mistake, not a logo.
LOGO_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class Logo:
    content: bytes
    mime_type: str
    extension: str


@dataclass(frozen=True)
class Branding:
    name: str
    sender: str  # "Name <address>", for the From header
    reply_to: str
    logo: Logo | None

    @property
    def has_logo(self) -> bool:
        return self.logo is not None


def branding() -> Branding:
    name = str(settings.ASSESSMENT_VENDOR_NAME)
    address = parseaddr(str(settings.ASSESSMENT_FROM_EMAIL))[1]
    return Branding(
        name=name,
        sender=formataddr((name, address)),
        reply_to=str(settings.ASSESSMENT_REPLY_TO),
        logo=_logo(str(settings.ASSESSMENT_VENDOR_LOGO)),
    )


@lru_cache(maxsize=4)
def _logo(path: str) -> Logo | None:
    """The logo file, checked by its content like the candidates' uploads (PNG or JPEG);
    a missing or unusable file means no logo (the name is shown instead)."""
    if not path:
        return None
    try:
        content = Path(path).read_bytes()
    except OSError:
        return None
    kind = sniff(content)
    if kind is None or kind not in IMAGE_TYPES or len(content) > LOGO_MAX_BYTES:
        return None
    extension, mime_type = kind
    return Logo(content=content, mime_type=mime_type, extension=extension)


def forget() -> None:
    """Tests change the settings; the logo is read again."""
    _logo.cache_clear()
