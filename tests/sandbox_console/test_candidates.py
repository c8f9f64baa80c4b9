"""Candidates received: answers, attachments, and the recruiter's status buttons."""

from __future__ import annotations

from django.urls import reverse

from partner.sandbox.configuration import full_configuration
from partner.sandbox.models import CandidateStatus

from .conftest import PDF_BYTES, make_candidate


def test_a_status_button_moves_the_candidate(staff_client, candidate):
    url = reverse("sandbox:console-candidate-status", args=[candidate.pk])
    for status in ["IN_REVIEW", "INTERVIEW", "OFFER", "HIRE", "REJECTED"]:
        response = staff_client.post(url, {"status": status})
        assert response.status_code == 302
        candidate.refresh_from_db()
        assert candidate.status == status


def test_the_candidate_status_is_what_the_application_api_then_reports(
    staff_client, candidate, settings
):
    staff_client.post(
        reverse("sandbox:console-candidate-status", args=[candidate.pk]),
        {"status": "INTERVIEW"},
    )
    response = staff_client.get(
        f"/sandbox/postings/{candidate.job.uuid}/candidates/{candidate.candidate_id}/status",
        HTTP_X_SMARTTOKEN=settings.SANDBOX_DEMO_PARTNER_TOKEN,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "INTERVIEW"


def test_an_unknown_status_changes_nothing(staff_client, candidate):
    response = staff_client.post(
        reverse("sandbox:console-candidate-status", args=[candidate.pk]),
        {"status": "PROMOTED"},
        follow=True,
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NEW
    assert "Status not changed" in response.content.decode()


def test_the_candidate_page_offers_every_move_and_marks_the_current_status(staff_client, candidate):
    html = staff_client.get(
        reverse("sandbox:console-candidate", args=[candidate.pk])
    ).content.decode()
    for status in [
        "NEW",
        "IN_REVIEW",
        "INTERVIEW",
        "OFFER",
        "HIRE",
        "REJECTED",
        "WITHDRAWN",
        "TRANSFERRED",
    ]:
        assert f'<input type="hidden" name="status" value="{status}">' in html
    assert 'aria-pressed="true" disabled>NEW</button>' in html


def test_answers_are_shown_with_their_question_labels(staff_client, posting):
    config = full_configuration(posting.job, posting=posting)
    question = next(q for q in config["questions"] if q["fields"][0].get("values"))
    field = question["fields"][0]
    option = field["values"][0]
    candidate = make_candidate(posting)
    candidate.answers = [
        {"id": question["id"], "records": [{"fields": {field["id"]: [option["id"]]}}]}
    ]
    candidate.save()

    response = staff_client.get(reverse("sandbox:console-candidate", args=[candidate.pk]))

    [row] = response.context["answers"]
    assert row["label"] == question["label"]["en"]
    assert row["records"][0][0]["values"] == [option["label"]["en"]]


def test_an_answer_to_an_unknown_question_is_still_shown(staff_client, candidate):
    html = staff_client.get(
        reverse("sandbox:console-candidate", args=[candidate.pk])
    ).content.decode()
    assert "not-a-known-question" in html
    assert "Free text answer" in html


def test_an_attachment_downloads_as_a_file(staff_client, candidate):
    attachment = candidate.attachments.get()

    response = staff_client.get(
        reverse("sandbox:console-attachment-download", args=[attachment.pk])
    )

    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ada-lovelace-cv.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_candidate_list_filters_by_status_and_posting(staff_client, posting, candidate):
    from partner.sandbox import services

    other_posting = services.create_posting(name="Data Engineer", company_name="Initech")
    other = make_candidate(other_posting, email="grace@example.org")
    services.set_candidate_status(candidate=other, status="HIRE")

    hired = staff_client.get(reverse("sandbox:console-candidates"), {"status": "HIRE"})
    assert list(hired.context["page"]) == [other]
    for_posting = staff_client.get(reverse("sandbox:console-candidates"), {"posting": posting.id})
    assert list(for_posting.context["page"]) == [candidate]
    assert "Senior Backend Engineer" in for_posting.content.decode()


def test_a_candidate_posted_through_the_api_shows_its_answers_with_their_labels(
    staff_client, settings
):
    from partner.sandbox import services
    from partner.sandbox.models import SandboxCandidate

    permit = {
        "id": "q-permit",
        "label": "Are you authorised to work in Germany?",
        "repeatable": False,
        "fields": [
            {
                "id": "value",
                "label": "",
                "type": "RADIO",
                "required": True,
                "values": [{"id": "yes", "label": "Yes, I am"}, {"id": "no", "label": "No"}],
            }
        ],
    }
    posting = services.create_posting(
        name="Data Analyst", company_name="Acme Corp", configuration={"questions": [permit]}
    )
    token = settings.SANDBOX_DEMO_PARTNER_TOKEN
    scopes = (
        staff_client.get(
            f"/sandbox/postings/{posting.job.uuid}/configuration", HTTP_X_SMARTTOKEN=token
        )
        .json()
        .get("consentDetails", {})
        .get("scopes", [])
    )
    response = staff_client.post(
        f"/sandbox/postings/{posting.job.uuid}/candidates",
        data={
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@example.org",
            "answers": [{"id": "q-permit", "records": [{"fields": {"value": ["yes"]}}]}],
            "consentDecisions": {scope["scope"]: True for scope in scopes},
        },
        content_type="application/json",
        HTTP_X_SMARTTOKEN=token,
    )
    assert response.status_code == 200, response.content

    candidate = SandboxCandidate.objects.get(email="ada@example.org")
    page = staff_client.get(reverse("sandbox:console-candidate", args=[candidate.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Are you authorised to work in Germany?" in html
    assert "Yes, I am" in html
