"""The apply form as people use it (issue 14): multi-select questions as checkboxes with
the same validation, and an error summary in page order that reads cleanly."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from partner.applications.models import Application
from tests.applications.conftest import make_listing
from tests.applications.test_apply_form import apply_url, cache_configuration, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(config_json):
    listing = make_listing()
    cache_configuration(listing, config_json)
    return listing


def summary_of(html: str) -> str:
    start = html.index('id="error-summary"')
    return html[start : html.index("</ul>", start)]


def answers() -> dict[str, Any]:
    return {a["id"]: a for a in Application.objects.get().payload.get("answers", [])}


def test_multi_select_checkboxes_send_every_ticked_option(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(**{"q4-0-0": ["py", "js"]}))

    assert response.status_code == 302
    assert answers()["q-skills"] == {
        "id": "q-skills",
        "records": [{"fields": {"tools": ["py", "js"]}}],
    }


def test_multi_select_checkboxes_refuse_an_option_that_is_not_offered(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(**{"q4-0-0": ["py", "cobol"]}))

    assert response.status_code == 400
    assert "Please choose one of the options." in response.content.decode()
    assert Application.objects.count() == 0


def test_a_multi_select_question_is_a_group_with_a_legend(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    question = html[html.index('id="question-q4"') : html.index('id="question-q5"')]
    assert "<legend>Which tools do you use?" in question
    assert '<label class="option-label" for="id_q4-0-0_1">Go</label>' in question
    assert "Ctrl" not in html


def test_a_child_of_a_multi_select_parent_follows_the_ticked_boxes_without_javascript(
    client: Client, config_json
):
    config_json["settings"]["conditionals"].append(
        {
            "parentQuestionId": "q-skills",
            "fieldId": "tools",
            "valueIds": ["go"],
            "conditionalQuestions": ["q-about"],
        }
    )
    listing = make_listing()
    cache_configuration(listing, config_json)
    html = client.get(apply_url(listing)).content.decode()
    assert 'data-conditions="[{&quot;parent&quot;: &quot;q4-0-0&quot;' in html

    client.post(apply_url(listing), valid_post(**{"q4-0-0": ["py"], "q5-0-1": "Hello"}))
    assert "q-about" not in answers()
    Application.objects.all().delete()

    client.post(
        apply_url(listing),
        valid_post(email="joe@example.test", **{"q4-0-0": ["py", "go"], "q5-0-1": "Hello"}),
    )
    assert answers()["q-about"]["records"] == [{"fields": {"text": ["Hello"]}}]


def test_the_error_summary_follows_the_order_of_the_page(client: Client, listing):
    response = client.post(
        apply_url(listing),
        valid_post(
            first_name="",
            website="ftp://example.test/me",
            message="é" * 2001,
            consent_SMART_RECRUIT=None,
            **{"q0-0-0": None, "q7-0-0": None, "q8-0-0": "bogus"},
        ),
    )

    html = response.content.decode()
    targets = re.findall(r'href="#([^"]+)"', summary_of(html))
    assert targets == [
        "id_first_name",  # about you
        "id_website",  # links
        "id_q0-0-0_0",  # the employer's questions
        "id_q7-0-0",
        "id_message",  # message
        "id_q8-0-0",  # diversity questions
        "id_consent_SMART_RECRUIT",  # consents, last on the page
    ]
    after_summary = html[html.index("</ul>", html.index('id="error-summary"')) :]
    positions = [after_summary.index(f'id="{target}"') for target in targets]
    assert positions == sorted(positions)


def test_the_error_summary_has_no_doubled_punctuation(client: Client, listing):
    response = client.post(
        apply_url(listing),
        valid_post(first_name="", consent_SMART_RECRUIT=None, **{"q0-0-0": None}),
    )

    summary = re.sub(r"<[^>]+>", "", summary_of(response.content.decode()))
    assert (
        "Acme may process my data for this application. You need to agree to this to apply."
        in summary
    )
    assert "Are you authorised to work in Germany? This field is required." in summary
    assert "First name: This field is required." in summary
    assert not re.search(r"[.?!:…]\s*:", summary)
