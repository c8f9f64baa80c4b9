"""Realistic assessment-vendor data for tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from jobboard.crypto import hash_token, new_token
from partner.assessments.models import (
    AccessToken,
    Assessment,
    AssessmentType,
    Choice,
    ClientAccount,
    Integration,
    Package,
    Question,
)

SR_API = "https://api.smartrecruiters.com"


@dataclass
class Connected:
    integration: Integration
    client_id: str
    client_secret: str


def connected_company(
    *, company_id: str = "5f1c0c2e9b1d4a0012345678", client_name: str = "Acme Corp"
) -> Connected:
    client, _ = ClientAccount.objects.get_or_create(name=client_name)
    client_id = f"p-{company_id[:8]}-{uuid.uuid4().hex[:6]}"
    secret = new_token(32)
    integration = Integration.objects.create(
        company_id=company_id,
        client=client,
        p_client_id=client_id,
        p_secret_hash=hash_token(secret),
        sr_client_id=f"sr-{uuid.uuid4().hex[:8]}",
        sr_client_secret="sr-secret-" + new_token(16),
        connected_at=timezone.now(),
    )
    return Connected(integration, client_id, secret)


def issue_token(integration: Integration, *, expires_in: int = 3600) -> str:
    token = new_token(32)
    AccessToken.objects.create(
        integration=integration,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(seconds=expires_in),
    )
    return token


def fullstack_package(
    *, external_id: str = "pkg-fullstack", with_manual: bool = False, **fields: object
) -> Package:
    package = Package.objects.create(
        external_id=external_id,
        name="Full-stack developer",
        description="JS + SQL, 60 min",
        type=AssessmentType.SKILL_TEST,
        **fields,
    )
    js = Assessment.objects.create(
        package=package,
        external_id="js",
        name="JavaScript",
        description="30 min coding questions",
        type=AssessmentType.SKILL_TEST,
        time_limit_minutes=30,
        position=1,
    )
    q1 = Question.objects.create(
        assessment=js, text="Which keyword declares a block-scoped constant?", points=2, position=1
    )
    Choice.objects.create(question=q1, text="var", position=1)
    Choice.objects.create(question=q1, text="const", is_correct=True, position=2)
    Choice.objects.create(question=q1, text="function", position=3)
    Question.objects.create(
        assessment=js,
        kind=Question.Kind.SHORT,
        text="What does typeof null return?",
        accepted_answers='object\n"object"',
        points=3,
        position=2,
    )
    if with_manual:
        Assessment.objects.create(
            package=package,
            external_id="portfolio",
            name="Portfolio review",
            description="Our reviewers read your portfolio",
            type=AssessmentType.SKILL_TEST,
            kind=Assessment.Kind.MANUAL,
            position=2,
        )
    return package


def order_body(
    *,
    company_id: str = "5f1c0c2e9b1d4a0012345678",
    package_id: str = "pkg-fullstack",
    order_id: str | None = None,
    api: str = SR_API,
) -> dict[str, object]:
    order_id = order_id or str(uuid.uuid4())
    return {
        "resultCallbackURL": f"{api}/assessment-api/v202010/orders/{order_id}/results",
        "candidate": {
            "id": "2b7d1c9e-0f3a-4e8b-a1c2-3d4e5f6a7b8c",
            "email": "ana@example.org",
            "firstName": "Ana",
            "lastName": "Nowak",
            "applicationLanguage": "en",
        },
        "job": {"id": "aaf65646-ed93-4c16-950b-cea69773efba"},
        "jobId": "aaf65646-ed93-4c16-950b-cea69773efba",
        "requester": {"userId": "6a1b2c3d4e5f", "email": "recruiter@acme.example"},
        "assessmentPackageId": package_id,
        "companyId": company_id,
        "fields": {"cost-center": "CC-42"},
    }


def assessment_staff_group():
    """The "Assessment staff" group (its data migration's rows vanish after a
    transactional test flushes the database, so tests rebuild it the same way)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Assessment staff")
    group.permissions.set(Permission.objects.filter(content_type__app_label="assessments"))
    return group
