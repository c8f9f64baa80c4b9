"""Fixtures for the sandbox console: a staff browser session and a little SR-side world."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from partner.sandbox import services
from partner.sandbox.models import SandboxAttachment, SandboxCandidate, SandboxPosting

# The smallest valid PDF header is enough for the sandbox's content sniffing.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        username="recruiter-ops", password="a-long-console-password", is_staff=True
    )


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def posting(db) -> SandboxPosting:
    return services.create_posting(
        name="Senior Backend Engineer", company_name="Acme Corp", ref_number="ENG-2041"
    )


def make_candidate(posting: SandboxPosting, *, email: str = "ada@example.org") -> SandboxCandidate:
    """An application as the Application API would have stored it, with a résumé."""
    now = services.sandbox_now()
    candidate = SandboxCandidate.objects.create(
        job=posting.job,
        partner=posting.partner,
        candidate_id=uuid.uuid4(),
        email_key=email.lower(),
        last_name_key="lovelace",
        first_name="Ada",
        last_name="Lovelace",
        email=email,
        phone_number="+49 30 1234567",
        payload={"firstName": "Ada", "lastName": "Lovelace", "email": email},
        answers=[
            {"id": "not-a-known-question", "records": [{"fields": {"text": ["Free text answer"]}}]}
        ],
        consent_decisions={"SINGLE": True},
        created_at=now,
        status_changed_at=now,
    )
    SandboxAttachment.objects.create(
        candidate=candidate,
        kind=SandboxAttachment.Kind.RESUME,
        file_name="ada-lovelace-cv.pdf",
        mime_type="application/pdf",
        detected_type="pdf",
        size=len(PDF_BYTES),
        content=PDF_BYTES,
    )
    return candidate


@pytest.fixture
def candidate(posting) -> SandboxCandidate:
    return make_candidate(posting)


def pdf_base64() -> str:
    return base64.b64encode(PDF_BYTES).decode()
