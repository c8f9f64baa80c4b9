"""Fixtures for the application tests: the contract's example form and a listing."""

from __future__ import annotations

import copy
import itertools
import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from jobboard.board.services import ListingData, publish_listing
from jobboard.celery import app as celery_app
from partner.applications.selectors import ApplyListing, apply_listing
from partner.postings.models import LISTING_SOURCE, FeedPosting
from partner.smartrecruiters.apply_configuration import ApplyConfiguration, parse_configuration

_counter = itertools.count(1)

# application-api.md §4, plus one of each remaining field type.
EXAMPLE_CONFIGURATION: dict[str, Any] = {
    "questions": [
        {
            "id": "q-permit",
            "label": "Are you authorised to work in Germany?",
            "repeatable": False,
            "fields": [
                {
                    "id": "value",
                    "label": "",
                    "type": "RADIO",
                    "required": True,
                    "values": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}],
                }
            ],
        },
        {
            "id": "q-contract",
            "label": "Which contract type?",
            "repeatable": False,
            "fields": [
                {
                    "id": "value",
                    "label": "",
                    "type": "SINGLE_SELECT",
                    "required": True,
                    "values": [
                        {"id": "ct-perm", "label": "Permanent"},
                        {"id": "ct-contract", "label": "Contractor"},
                    ],
                }
            ],
        },
        {
            "id": "q-rate",
            "label": "Expected daily rate (EUR)",
            "repeatable": False,
            "fields": [{"id": "value", "label": "", "type": "INPUT_TEXT", "required": True}],
        },
        {
            "id": "languages",
            "label": "Languages",
            "repeatable": True,
            "fields": [
                {
                    "id": "language",
                    "label": "Language",
                    "type": "SINGLE_SELECT",
                    "required": True,
                    "values": [{"id": "en", "label": "English"}, {"id": "de", "label": "German"}],
                },
                {
                    "id": "level",
                    "label": "Level",
                    "type": "SINGLE_SELECT",
                    "required": True,
                    "values": [
                        {"id": "fluent", "label": "Fluent"},
                        {"id": "native", "label": "Native"},
                    ],
                },
            ],
        },
        {
            "id": "q-skills",
            "label": "Which tools do you use?",
            "repeatable": False,
            "fields": [
                {
                    "id": "tools",
                    "label": "",
                    "type": "MULTI_SELECT",
                    "required": False,
                    "values": [
                        {"id": "py", "label": "Python"},
                        {"id": "go", "label": "Go"},
                        {"id": "js", "label": "JavaScript"},
                    ],
                }
            ],
        },
        {
            "id": "q-about",
            "label": "Tell us about yourself",
            "repeatable": False,
            "fields": [
                {"id": "intro", "label": "Please read", "type": "INFORMATION"},
                {"id": "text", "label": "About you", "type": "TEXTAREA", "required": False},
            ],
        },
        {
            "id": "q-days",
            "label": "Which days can you work?",
            "repeatable": False,
            "fields": [
                {
                    "id": "days",
                    "label": "",
                    "type": "CHECKBOX",
                    "required": False,
                    "values": [
                        {"id": "mon", "label": "Monday"},
                        {"id": "sat", "label": "Saturday"},
                    ],
                }
            ],
        },
        {
            "id": "q-accurate",
            "label": "My information is accurate",
            "repeatable": False,
            "fields": [{"id": "confirm", "label": "", "type": "CHECKBOX", "required": True}],
        },
        {
            "id": "q-gender",
            "label": "Gender",
            "repeatable": False,
            "fields": [
                {
                    "id": "value",
                    "label": "",
                    "type": "SINGLE_SELECT",
                    "required": False,
                    "complianceType": "DIVERSITY",
                    "values": [
                        {"id": "f", "label": "Female"},
                        {"id": "x", "label": "Prefer not to answer"},
                    ],
                }
            ],
        },
    ],
    "settings": {
        "avatarUploadAvailable": False,
        "conditionals": [
            {
                "parentQuestionId": "q-contract",
                "fieldId": "value",
                "valueIds": ["ct-contract"],
                "conditionalQuestions": ["q-rate"],
            }
        ],
    },
    "privacyPolicies": [
        {"url": "https://acme.example/privacy", "orgName": "Acme Corp"},
        {
            "url": "https://www.smartrecruiters.com/legal/candidate-privacy-policy",
            "orgName": "SmartRecruiters",
        },
    ],
    "consentDetails": {
        "scopes": [
            {
                "scope": "SMART_RECRUIT",
                "required": True,
                "label": "Acme may process my data for this application.",
            },
            {
                "scope": "SMART_CRM",
                "required": False,
                "label": "Keep me in Acme's talent community.",
            },
        ]
    },
    "companyImprintUrl": "https://acme.example/imprint",
    "aiSettings": {"aiDisclosureLabel": "Your application may be processed with AI."},
}


def example_configuration_json() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE_CONFIGURATION)


@pytest.fixture
def config_json() -> dict[str, Any]:
    return example_configuration_json()


@pytest.fixture
def config(config_json: dict[str, Any]) -> ApplyConfiguration:
    return parse_configuration(config_json)


def make_listing(*, posting_uuid: str | None = None, **overrides: Any) -> ApplyListing:
    """A listing published from a feed posting with SmartRecruiters' ``posting_uuid``
    (a new one by default; none for ""), read as the apply page reads it."""
    n = next(_counter)
    posting_uuid = str(uuid.uuid4()) if posting_uuid is None else posting_uuid
    data = ListingData(
        title=overrides.pop("title", f"Python Developer {n}"),
        company_name=overrides.pop("company_name", "Acme Corp"),
        company_key="acme",
        posted_at=timezone.now(),
        job_key=posting_uuid,
        apply_url=overrides.pop("apply_url", f"https://jobs.smartrecruiters.com/Acme/{n}"),
        **overrides,
    )
    listing, _ = publish_listing(source=LISTING_SOURCE, external_id=f"app-{n}", data=data)
    if posting_uuid:
        # What the feed sync leaves behind: the feed posting that produced the listing.
        FeedPosting.objects.create(
            sr_id=f"app-{n}",
            uuid=posting_uuid,
            name=data.title,
            state=FeedPosting.State.PUBLISHED,
            listing=listing,
        )
    found = apply_listing(pk=listing.pk)
    if found is None:
        raise LookupError(f"listing {listing.pk} vanished")
    return found


@pytest.fixture(autouse=True)
def _fresh_cache_and_eager_celery(settings) -> Any:
    # Configuration refreshes and rate limits live in the cache; tasks run in-process so
    # that nothing lands in the developer's broker folder.
    cache.clear()
    settings.SITE_URL = "https://jobs.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
