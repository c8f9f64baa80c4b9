"""The apply form as SmartRecruiters' published API wants it (issue 11): the country list,
128-character limits, whole locations only, file names, sourceDetails, the diversity notice
and the eeoInformation link."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from partner.applications import files
from partner.applications.models import Application, ApplicationFile
from partner.applications.services import intake
from tests.applications.conftest import PDF_BYTES, make_listing
from tests.applications.test_apply_form import apply_url, cache_configuration, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(config_json):
    listing = make_listing()
    cache_configuration(listing, config_json)
    return listing


def post(client: Client, listing, **overrides: Any):
    return client.post(apply_url(listing), valid_post(**overrides))


# --- country list and location ---------------------------------------------------------


def test_the_country_is_chosen_from_the_iso_list(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    select = html[
        html.index('<select name="country"') : html.index(
            "</select>", html.index('<select name="country"')
        )
    ]
    assert 'autocomplete="country"' in select
    assert '<option value="" selected>Choose a country</option>' in select
    assert '<option value="DE">Germany</option>' in select
    assert '<option value="CI">Côte d&#x27;Ivoire</option>' in select
    assert select.count("<option value=") == 250  # 249 ISO 3166-1 countries and "choose"


def test_country_names_are_in_the_visitors_language(client: Client, config_json):
    listing = make_listing()
    cache_configuration(listing, config_json, language="de")

    with translation.override("de"):
        html = client.get(apply_url(listing)).content.decode()

    assert '<option value="DE">Deutschland</option>' in html
    assert '<option value="EG">Ägypten</option>' in html


def test_the_location_is_sent_with_city_country_name_and_code(client: Client, listing):
    response = post(client, listing, city="  Zürich ", country="CH")

    assert response.status_code == 302
    assert Application.objects.get().payload["location"] == {
        "city": "Zürich",
        "country": "Switzerland",
        "countryCode": "ch",
    }


def test_the_country_name_sent_is_in_the_visitors_language(client: Client, config_json):
    listing = make_listing()
    cache_configuration(listing, config_json, language="de")

    with translation.override("de"):
        client.post(apply_url(listing), valid_post(country="AT"))

    assert Application.objects.get().payload["location"] == {
        "city": "Berlin",
        "country": "Österreich",
        "countryCode": "at",
    }


def test_without_city_and_country_no_location_is_sent(client: Client, listing):
    assert post(client, listing, city="", country="").status_code == 302

    assert "location" not in Application.objects.get().payload


@pytest.mark.parametrize(
    ("city", "country", "field", "message"),
    [
        ("Berlin", "", "country", "Choose your country too, or leave the city empty."),
        ("", "DE", "city", "Enter your city too, or leave the country empty."),
        ("   ", "DE", "city", "Enter your city too, or leave the country empty."),
    ],
)
def test_half_a_location_is_refused_with_a_message_not_dropped(
    client: Client, listing, city, country, field, message
):
    response = post(client, listing, city=city, country=country)

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="id_{field}_error">{message}</p>' in html
    assert f'href="#id_{field}"' in html  # in the error summary
    assert Application.objects.count() == 0


def test_the_form_says_city_and_country_go_together(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    assert 'aria-describedby="id_city_helptext"' in html
    assert 'aria-describedby="id_country_helptext"' in html
    assert html.count("City and country go together: fill in both, or leave both empty.") == 2


def test_a_country_that_is_not_on_the_list_is_refused(client: Client, listing):
    for bogus in ("Germany", "XX", "DEU", "de"):
        response = post(client, listing, country=bogus)
        assert response.status_code == 400, bogus
    assert Application.objects.count() == 0


def test_the_chosen_country_stays_selected_when_the_form_comes_back(client: Client, listing):
    html = post(client, listing, first_name="", country="FR").content.decode()

    assert '<option value="FR" selected>France</option>' in html


# --- lengths ---------------------------------------------------------------------------


def test_names_email_phone_and_city_say_128_characters_before_sending(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    for name in ("first_name", "last_name", "email", "phone_number", "city"):
        start = html.index(f'name="{name}"')
        tag = html[html.rindex("<input", 0, start) : html.index(">", start)]
        assert 'maxlength="128"' in tag, name


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("first_name", "J" * 129, "first name"),
        ("last_name", "D" * 129, "last name"),
        ("email", "j" * 116 + "@example.test", "email address"),
        ("phone_number", "1" * 129, "phone number"),
    ],
)
def test_over_128_characters_gets_a_clear_message_and_stores_nothing(
    client: Client, listing, field, value, words
):
    response = post(client, listing, **{field: value})

    assert response.status_code == 400
    assert (
        f"Please shorten your {words} to at most 128 characters "
        "(the employer&#x27;s system accepts no more)."
    ) in response.content.decode()
    assert Application.objects.count() == 0


def test_exactly_128_characters_are_accepted(client: Client, listing):
    response = post(
        client,
        listing,
        first_name="J" * 128,
        last_name="D" * 128,
        email="j" * 115 + "@example.test",
        phone_number="1" * 128,
    )

    assert response.status_code == 302
    payload = Application.objects.get().payload
    assert [len(payload[k]) for k in ("firstName", "lastName", "email", "phoneNumber")] == [128] * 4


# --- file names ------------------------------------------------------------------------


def test_a_long_file_name_is_shortened_to_100_characters_keeping_its_extension(
    client: Client, listing
):
    resume = SimpleUploadedFile("Lebenslauf " + "x" * 150 + ".pdf", PDF_BYTES)

    assert client.post(apply_url(listing), {**valid_post(), "resume": resume}).status_code == 302

    name = Application.objects.get().payload["resume"]["fileName"]
    assert len(name) == 100
    assert name.startswith("Lebenslauf xxx")
    assert name.endswith(".pdf")
    assert ApplicationFile.objects.get().file_name == name


@pytest.mark.parametrize(
    ("name", "fitted"),
    [
        ("cv.pdf", "cv.pdf"),
        ("a" * 96 + ".pdf", "a" * 96 + ".pdf"),
        ("a" * 97 + ".pdf", "a" * 96 + ".pdf"),
        ("a" * 200 + ".docx", "a" * 95 + ".docx"),
        ("b" * 120, "b" * 100),
    ],
)
def test_fit_file_name_keeps_the_extension_within_100_characters(name, fitted):
    assert files.fit_file_name(name) == fitted
    assert len(files.fit_file_name(name)) <= 100


# --- sourceDetails ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_id", "subtype_id", "source_id", "expected"),
    [
        ("job_boards", "general", "12345", {"sourceTypeId": "job_boards",
                                              "sourceSubTypeId": "general", "sourceId": "12345"}),
        ("job_boards", "", "12345", {"sourceTypeId": "job_boards", "sourceId": "12345"}),
        ("job_boards", "general", "", {}),
        ("", "general", "12345", {}),
        ("job_boards", "", "", {}),
        ("", "", "", {}),
    ],
)  # fmt: skip
def test_source_details_go_out_only_with_both_ids(
    settings, type_id, subtype_id, source_id, expected
):
    settings.APPLICATION_SOURCE_TYPE_ID = type_id
    settings.APPLICATION_SOURCE_SUBTYPE_ID = subtype_id
    settings.APPLICATION_SOURCE_ID = source_id

    assert intake.source_details() == expected


def test_an_application_carries_source_details_when_configured(client: Client, listing, settings):
    settings.APPLICATION_SOURCE_TYPE_ID = "job_boards"
    settings.APPLICATION_SOURCE_ID = "12345"

    post(client, listing)

    assert Application.objects.get().payload["sourceDetails"] == {
        "sourceTypeId": "job_boards",
        "sourceId": "12345",
    }


def test_half_configured_source_details_are_left_out_with_a_warning(
    client: Client, listing, settings, caplog
):
    settings.APPLICATION_SOURCE_TYPE_ID = "job_boards"
    settings.APPLICATION_SOURCE_ID = ""

    post(client, listing)

    assert "sourceDetails" not in Application.objects.get().payload
    assert "APPLICATION_SOURCE_ID" in caplog.text


# --- diversity notice and eeoInformation -----------------------------------------------

NOTICE = (
    "Any information you choose to provide will not be considered for employment purposes "
    "and will be treated as confidential."
)


def test_the_diversity_block_carries_srs_confidentiality_notice_word_for_word(
    client: Client, listing
):
    html = client.get(apply_url(listing)).content.decode()

    heading = html.index('<h2 id="diversity-title">Confidential Diversity Questionnaire</h2>')
    notice = html.index(f'<p class="diversity-notice">{NOTICE}</p>')
    assert heading < notice < html.index("Gender")
    assert 'aria-labelledby="diversity-title"' in html


def test_the_notice_is_written_in_one_template_only():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    holders = [
        path.relative_to(templates).as_posix()
        for path in templates.rglob("*.html")
        if "will not be considered for employment purposes" in path.read_text()
    ]
    assert holders == ["applications/_diversity_notice.html"]


def test_the_notice_can_be_replaced_by_settings(client: Client, listing, settings):
    settings.APPLICATION_DIVERSITY_NOTICE_HEADING = "Vertraulicher Fragebogen <b>"
    settings.APPLICATION_DIVERSITY_NOTICE_TEXT = "Our own words, as agreed with SmartRecruiters."

    html = client.get(apply_url(listing)).content.decode()

    assert '<h2 id="diversity-title">Vertraulicher Fragebogen &lt;b&gt;</h2>' in html
    assert "Our own words, as agreed with SmartRecruiters." in html
    assert NOTICE not in html


def eeo_listing(config_json):
    config_json["questions"].append(
        {
            "id": "eeoInformation",
            "label": "Race/Ethnicity",
            "repeatable": False,
            "fields": [
                {
                    "id": "value",
                    "label": "",
                    "type": "SINGLE_SELECT",
                    "required": False,
                    "complianceType": "DIVERSITY",
                    "values": [{"id": "decline", "label": "I decline to self-identify"}],
                }
            ],
        }
    )
    listing = make_listing()
    cache_configuration(listing, config_json)
    return listing


def test_the_eeo_information_question_links_to_the_category_definitions(
    client: Client, config_json, settings
):
    listing = eeo_listing(config_json)

    html = client.get(apply_url(listing)).content.decode()

    question = html[html.index('id="question-q9"') :]
    link = f'<a href="{settings.APPLICATION_EEO_DEFINITIONS_URL}" rel="noopener noreferrer"'
    assert question.index(link) < question.index("I decline to self-identify")
    assert html.count("Definitions of these categories") == 1  # only on eeoInformation
    assert settings.APPLICATION_EEO_DEFINITIONS_URL.startswith("https://")


def test_the_definitions_link_is_a_setting(client: Client, config_json, settings):
    settings.APPLICATION_EEO_DEFINITIONS_URL = "https://hr.example/eeo-categories"
    listing = eeo_listing(config_json)

    html = client.get(apply_url(listing)).content.decode()

    assert 'href="https://hr.example/eeo-categories"' in html


# --- the contract's POST example, produced by our form ------------------------------------

# application-api.md §4, POST /postings/{uuid}/candidates (answers and resume left aside).
APPLY_EXAMPLE_CANDIDATE = json.loads("""
{"firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.test", "phoneNumber": "+49 30 1234567",
 "location": {"country": "Germany", "countryCode": "de", "city": "Berlin"},
 "sourceDetails": {"sourceTypeId": "job_boards", "sourceSubTypeId": "general", "sourceId": "12345"},
 "consentDecisions": {"SMART_RECRUIT": true, "SMART_CRM": false}}
""")  # noqa: E501


def test_our_form_sends_the_candidate_part_of_the_contracts_example(
    client: Client, listing, settings
):
    settings.APPLICATION_SOURCE_TYPE_ID = "job_boards"
    settings.APPLICATION_SOURCE_SUBTYPE_ID = "general"
    settings.APPLICATION_SOURCE_ID = "12345"

    post(client, listing)  # Jane Doe, Berlin, Germany, as in the example

    payload = Application.objects.get().payload
    assert {key: payload[key] for key in APPLY_EXAMPLE_CANDIDATE} == APPLY_EXAMPLE_CANDIDATE
