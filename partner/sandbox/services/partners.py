"""Partners (job boards holding a key) and companies (SmartRecruiters customers)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from partner.sandbox.models import SandboxCompany, SandboxPartner


@transaction.atomic
def ensure_partner(*, token: str | None = None, name: str = "Demo job board") -> SandboxPartner:
    """The partner holding ``token`` (default: the demo key), created if missing.

    The demo key is ``SMARTRECRUITERS_PARTNER_TOKEN`` when that is set, so the board's
    own key works against the sandbox. A demo partner made earlier with the built-in
    key takes the configured one, keeping its postings and candidates.
    """
    if token is None:
        token = settings.SANDBOX_DEMO_PARTNER_TOKEN
        default = settings.SANDBOX_DEFAULT_PARTNER_TOKEN
        if token != default and not SandboxPartner.objects.filter(token=token).exists():
            SandboxPartner.objects.filter(token=default).update(token=token)
    partner, _ = SandboxPartner.objects.get_or_create(token=token, defaults={"name": name})
    return partner


def create_partner(*, name: str) -> SandboxPartner:
    """A new partner with a fresh 64-character key."""
    return SandboxPartner.objects.create(name=name, token=secrets.token_hex(32))


def company_defaults(name: str) -> dict[str, str]:
    """Realistic identifier, web addresses and description of a company called ``name``."""
    slug = slugify(name) or "company"
    website = f"https://{slug}.example"
    return {
        "identifier": slug.replace("-", "") or "company",
        "website": website,
        "privacy_policy_url": f"{website}/privacy",
        "imprint_url": f"{website}/imprint",
        "description_html": f"<p>{name} is a great place to work.</p>",
    }


def create_company(*, name: str, sr_id: str | None = None, **fields: Any) -> SandboxCompany:
    """The company called ``name``, created with realistic defaults if missing."""
    existing = SandboxCompany.objects.filter(name=name).first()
    if existing is not None:
        return existing
    values = {**company_defaults(name), **fields}
    sr_id = sr_id or str(12_379_000 + SandboxCompany.objects.count() * 7 + 433)
    while SandboxCompany.objects.filter(sr_id=sr_id).exists():
        sr_id = str(int(sr_id) + 1)
    return SandboxCompany.objects.create(name=name, sr_id=sr_id, **values)
