"""The apply page built from a cached configuration: every field type, conditionals,
repeatable questions, consents, files, accessibility and abuse checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partner.applications.models import Application, ApplicationFile, ConfigurationCache
from partner.smartrecruiters.apply_configuration import parse_configuration
from tests.applications.conftest import PDF_BYTES, PNG_BYTES, make_listing

pytestmark = pytest.mark.django_db


def cache_configuration(listing, config_json: dict[str, Any], language: str = "en") -> None:
    ConfigurationCache.objects.update_or_create(
        posting_uuid=listing.posting_uuid,
        language=language,
        defaults={"data": parse_configuration(config_json).to_json(), "fetched_at": timezone.now()},
    )


def apply_url(listing) -> str:
    return reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})


def valid_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.doe@example.test",
        "phone_number": "+49 30 1234567",
        "city": "Berlin",
        "country": "DE",  # an ISO 3166-1 code from the list (application-api.md §3)
        "q0-0-0": "yes",  # q-permit
        "q1-0-0": "ct-perm",  # q-contract
        "q3-count": "2",  # languages
        "q3-0-0": "en",
        "q3-0-1": "fluent",
        "q3-1-0": "de",
        "q3-1-1": "native",
        "q7-0-0": "true",  # q-accurate
        "consent_SMART_RECRUIT": "on",
        "submit": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def listing(config_json):
    listing = make_listing()
    cache_configuration(listing, config_json)
    return listing


def test_the_page_renders_every_field_type(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    assert 'type="radio" name="q0-0-0"' in html  # RADIO
    assert '<select name="q1-0-0"' in html  # SINGLE_SELECT
    assert 'type="text" name="q2-0-0"' in html  # INPUT_TEXT
    # MULTI_SELECT: one checkbox per option (issue 14), not a Ctrl-click <select multiple>
    assert 'type="checkbox" name="q4-0-0" id="id_q4-0-0_0" value="py"' in html
    assert 'type="checkbox" name="q4-0-0" id="id_q4-0-0_2" value="js"' in html
    assert '<select name="q4-0-0"' not in html
    assert '<p class="information">Please read</p>' in html  # INFORMATION
    assert '<textarea name="q5-0-1"' in html  # TEXTAREA
    assert 'type="checkbox" name="q6-0-0"' in html  # CHECKBOX with options
    assert 'type="checkbox" name="q7-0-0" id="id_q7-0-0" value="true"' in html  # lone CHECKBOX


def test_the_page_shows_required_marks_legends_and_labels(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    assert "<legend>Are you authorised to work in Germany?" in html
    assert '<label class="option-label" for="id_q0-0-0_0">Yes</label>' in html
    assert '<label for="id_q2-0-0">Expected daily rate (EUR)' in html
    assert 'aria-required="true"' in html
    assert html.count('class="required-mark"') >= 8


def test_a_conditional_child_carries_its_condition_for_the_script(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    assert 'data-conditions="[{&quot;parent&quot;: &quot;q1-0-0&quot;, ' in html
    assert "Asked when you answer “Contractor” to “Which contract type?”" in html
    assert "js/apply.js" in html


def test_diversity_questions_come_last_under_the_confidential_note(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    note = html.index("Confidential Diversity Questionnaire")
    assert html.index("Gender") > note
    assert html.index("My information is accurate") < note


def test_privacy_links_imprint_consents_and_ai_label_are_shown(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    assert 'href="https://acme.example/privacy"' in html
    assert 'href="https://www.smartrecruiters.com/legal/candidate-privacy-policy"' in html
    assert 'href="https://acme.example/imprint"' in html
    assert "Your application may be processed with AI." in html
    assert 'name="consent_SMART_RECRUIT"' in html
    assert 'name="consent_SMART_CRM"' in html
    assert "Keep me in Acme&#x27;s talent community." in html


def test_labels_from_smartrecruiters_are_escaped(client: Client, config_json):
    config_json["questions"][0]["label"] = "<script>alert(1)</script>"
    listing = make_listing()
    cache_configuration(listing, config_json)

    html = client.get(apply_url(listing)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_avatar_field_appears_only_when_allowed(client: Client, listing, config_json):
    assert 'name="avatar"' not in client.get(apply_url(listing)).content.decode()

    config_json["settings"]["avatarUploadAvailable"] = True
    other = make_listing()
    cache_configuration(other, config_json)

    assert 'name="avatar"' in client.get(apply_url(other)).content.decode()


def test_without_consent_details_one_checkbox_sends_single_true(
    client: Client, config_json, django_capture_on_commit_callbacks
):
    del config_json["consentDetails"]
    listing = make_listing()
    cache_configuration(listing, config_json)
    html = client.get(apply_url(listing)).content.decode()
    assert html.count('name="consent_') == 1

    data = valid_post(consent_SMART_RECRUIT=None, consent_SINGLE="on")
    response = client.post(apply_url(listing), data)

    assert response.status_code == 302
    assert Application.objects.get().payload["consentDecisions"] == {"SINGLE": True}


def test_a_valid_application_is_stored_with_the_exact_payload(client: Client, listing):
    resume = SimpleUploadedFile("cv.pdf", PDF_BYTES, content_type="application/pdf")

    response = client.post(apply_url(listing), {**valid_post(), "resume": resume})

    assert response.status_code == 302
    assert "?new=1" in response["Location"]
    application = Application.objects.get()
    payload = application.payload
    assert application.state == Application.State.RECEIVED
    assert payload["firstName"] == "Jane"
    assert payload["phoneNumber"] == "+49 30 1234567"
    assert payload["location"] == {"city": "Berlin", "country": "Germany", "countryCode": "de"}
    assert payload["consentDecisions"] == {"SMART_RECRUIT": True, "SMART_CRM": False}
    assert payload["answers"] == [
        {"id": "q-permit", "records": [{"fields": {"value": ["yes"]}}]},
        {"id": "q-contract", "records": [{"fields": {"value": ["ct-perm"]}}]},
        {
            "id": "languages",
            "records": [
                {"fields": {"language": ["en"], "level": ["fluent"]}},
                {"fields": {"language": ["de"], "level": ["native"]}},
            ],
        },
        {"id": "q-accurate", "records": [{"fields": {"confirm": ["true"]}}]},
    ]
    stored = ApplicationFile.objects.get()
    assert payload["resume"] == {
        "fileName": "cv.pdf",
        "mimeType": "application/pdf",
        "fileRef": stored.pk,
    }
    for forbidden in ("consent", "internal", "createJoinLink"):
        assert forbidden not in payload


def test_the_uploaded_file_is_stored_privately_and_not_under_media(
    client: Client, listing, settings
):
    resume = SimpleUploadedFile("cv.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(apply_url(listing), {**valid_post(), "resume": resume})

    stored = ApplicationFile.objects.get()
    path = settings.PRIVATE_MEDIA_ROOT / stored.path
    assert path.read_bytes() == PDF_BYTES
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert path.stat().st_mode & 0o077 == 0


def test_a_hidden_child_is_neither_required_nor_sent(client: Client, listing):
    # q-rate is required, but hidden while the contract type is "Permanent".
    client.post(apply_url(listing), valid_post(**{"q2-0-0": "650"}))

    answers = {a["id"] for a in Application.objects.get().payload["answers"]}
    assert "q-rate" not in answers


def test_a_visible_child_is_required_and_sent(client: Client, listing):
    missing = client.post(apply_url(listing), valid_post(**{"q1-0-0": "ct-contract"}))
    assert missing.status_code == 400
    assert Application.objects.count() == 0

    client.post(apply_url(listing), valid_post(**{"q1-0-0": "ct-contract", "q2-0-0": "650"}))

    answers = {a["id"]: a for a in Application.objects.get().payload["answers"]}
    assert answers["q-rate"] == {"id": "q-rate", "records": [{"fields": {"value": ["650"]}}]}


def test_errors_are_summarised_at_the_top_with_links_to_the_fields(client: Client, listing):
    response = client.post(
        apply_url(listing),
        valid_post(first_name="", **{"q0-0-0": None, "consent_SMART_RECRUIT": None}),
    )

    html = response.content.decode()
    assert response.status_code == 400
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index("error-summary"))
    ]
    assert 'href="#id_first_name"' in summary
    assert 'href="#id_q0-0-0_0"' in summary
    assert 'href="#id_consent_SMART_RECRUIT"' in summary
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_first_name_error"' in html
    assert 'id="id_first_name_error"' in html
    assert 'aria-describedby="id_q0-0-0-error"' in html or 'id="question-q0-error"' in html


def test_an_option_id_that_is_not_offered_is_rejected(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(**{"q1-0-0": "ct-bogus"}))

    assert response.status_code == 400
    assert "Please choose one of the options." in response.content.decode()


def test_text_over_4000_bytes_is_rejected(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(**{"q5-0-1": "é" * 2001}))

    assert response.status_code == 400
    assert "at most 4000 bytes" in response.content.decode()


def test_add_another_without_javascript_adds_a_record_and_keeps_answers(client: Client, listing):
    response = client.post(
        apply_url(listing),
        valid_post(submit=None, add_record="q3", first_name="Janet"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="q3-count" value="3"' in html
    assert 'name="q3-2-0"' in html
    assert 'value="Janet"' in html
    assert "Please correct" not in html
    assert Application.objects.count() == 0


def test_remove_without_javascript_drops_that_record(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(submit=None, remove_record="q3-0"))

    html = response.content.decode()
    assert 'name="q3-count" value="1"' in html
    assert '<option value="de" selected>' in html
    assert '<option value="en" selected>' not in html


def test_files_are_checked_by_content_not_by_name(client: Client, listing):
    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = client.post(apply_url(listing), {**valid_post(), "resume": fake})

    assert response.status_code == 400
    assert "This file type is not accepted" in response.content.decode()


def test_files_over_two_million_bytes_are_rejected(client: Client, listing):
    big = SimpleUploadedFile("cv.pdf", PDF_BYTES + b"0" * 2_000_000, content_type="application/pdf")

    response = client.post(apply_url(listing), {**valid_post(), "resume": big})

    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


def test_the_avatar_must_be_an_image(client: Client, config_json):
    config_json["settings"]["avatarUploadAvailable"] = True
    listing = make_listing()
    cache_configuration(listing, config_json)
    pdf = SimpleUploadedFile("me.pdf", PDF_BYTES, content_type="image/png")
    png = SimpleUploadedFile("me.png", PNG_BYTES, content_type="image/png")

    assert client.post(apply_url(listing), {**valid_post(), "avatar": pdf}).status_code == 400
    assert client.post(apply_url(listing), {**valid_post(), "avatar": png}).status_code == 302
    assert Application.objects.get().payload["avatar"]["mimeType"] == "image/png"


def test_the_honeypot_stores_nothing(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(fax_number="+1 555 0100"))

    assert response.status_code == 200
    assert Application.objects.count() == 0


def test_the_apply_post_is_rate_limited_per_ip(client: Client, listing, settings):
    # Issue 12 (finding 5): invalid submissions no longer spend the candidates' budget;
    # they have their own limit (APPLICATION_ATTEMPT_LIMIT). Accepted ones are counted.
    settings.APPLICATION_RATE_LIMIT = 2
    settings.APPLICATION_ATTEMPT_LIMIT = 2
    for _ in range(2):
        client.post(apply_url(listing), valid_post(first_name=""))

    response = client.post(apply_url(listing), valid_post())

    assert response.status_code == 429
    assert Application.objects.count() == 0


def test_the_apply_post_needs_a_csrf_token(listing):
    client = Client(enforce_csrf_checks=True)

    response = client.post(apply_url(listing), valid_post())

    assert response.status_code == 403


def test_links_from_the_candidate_must_be_http(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(website="javascript:alert(1)"))

    assert response.status_code == 400


def test_a_wrong_slug_redirects_to_the_right_one(client: Client, listing):
    response = client.get(reverse("applications:apply", kwargs={"pk": listing.pk, "slug": "x"}))

    assert response.status_code == 302
    assert response["Location"] == apply_url(listing)


def test_a_withdrawn_listing_takes_no_applications(client: Client, listing):
    listing.state = listing.State.WITHDRAWN
    listing.save()

    assert client.get(apply_url(listing)).status_code == 410


def test_an_email_smartrecruiters_would_refuse_is_refused_here(client: Client, listing):
    response = client.post(apply_url(listing), valid_post(email="jane@localhost"))

    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_the_page_with_a_cached_configuration_needs_two_queries(
    client: Client, listing, django_assert_num_queries
):
    client.get(apply_url(listing))  # fills the rendered-questions cache

    with django_assert_num_queries(2):  # the listing, the cached configuration
        response = client.get(apply_url(listing))

    assert "Are you authorised to work in Germany?" in response.content.decode()


def test_standard_fields_carry_autocomplete_tokens(client: Client, listing):
    html = client.get(apply_url(listing)).content.decode()

    assert (
        'name="first_name" id="id_first_name" aria-required="true" autocomplete="given-name"'
        in html
    )
    assert 'autocomplete="email"' in html
    assert 'accept=".pdf,.doc,.docx,.rtf,.jpg,.jpeg,.png"' in html


def test_a_listing_without_a_posting_uuid_offers_only_an_http_apply_link(client: Client):
    listing = make_listing(posting_uuid="", apply_url="javascript:alert(1)")

    response = client.get(apply_url(listing))

    assert response.status_code == 503
    assert "javascript:" not in response.content.decode()


def test_the_posting_uuid_comes_from_the_feed_posting_not_the_boards_own_key(
    client: Client, listing
):
    from jobboard.board.models import Listing

    # The board's job_key is the board's key for successive versions of a job; what
    # SmartRecruiters calls the posting is known to the feed posting alone.
    Listing.objects.filter(pk=listing.pk).update(job_key="the-boards-own-key")

    assert client.get(apply_url(listing)).status_code == 200  # the cached configuration
    assert client.post(apply_url(listing), valid_post()).status_code == 302
    assert Application.objects.get().posting_uuid == listing.posting_uuid


def test_a_cached_blank_page_carries_a_fresh_working_csrf_token(listing):
    import re

    client = Client(enforce_csrf_checks=True)
    first = client.get(apply_url(listing)).content.decode()
    second = client.get(apply_url(listing)).content.decode()  # from the page cache

    pattern = r'name="csrfmiddlewaretoken" value="([^"]+)"'
    token = re.search(pattern, second).group(1)
    assert "__csrf_token_slot__" not in second
    assert token != re.search(pattern, first).group(1)  # masked afresh per request
    response = client.post(apply_url(listing), {**valid_post(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_broker_outage_after_commit_still_confirms_and_keeps_the_application(
    client: Client, listing, monkeypatch, django_capture_on_commit_callbacks
):
    from partner.applications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.submit_application, "delay", broker_down)
    monkeypatch.setattr(tasks.send_confirmation, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url(listing), valid_post())

    assert response.status_code == 302
    application = Application.objects.get()
    # Left for the sweeper, which finds it due.
    assert application.state == Application.State.RECEIVED
    assert application.next_attempt_at <= timezone.now()
