"""The question bank and the candidate's side of it: essay, code and file questions, the
per-candidate order, answers saved as they go, the time limit kept by the server, and
import/export of a package's questions as JSON."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from partner.assessments import runner, tasks, transfer
from partner.assessments.models import (
    Answer,
    AssessmentResult,
    Order,
    Package,
    Question,
    ResultStatus,
)
from tests.assessments.factories import fullstack_package
from tests.assessments.workspace import PDF_BYTES, essay_package, place_order


@pytest.fixture
def backend_order(company, queued) -> Order:
    essay_package()
    return place_order(company.integration, package_id="pkg-backend")


def _base(order: Order) -> str:
    return f"/sr/assessments/take/{order.access_key}/python/"


def _field(question: Question) -> str:
    return f"q{question.pk}"


@pytest.mark.django_db
def test_the_test_page_offers_essay_code_and_file_questions(client, backend_order):
    client.post(_base(backend_order), {"start": "1"})
    page = client.get(_base(backend_order)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'class="code-input"' in page
    assert 'spellcheck="false"' in page
    assert 'type="file"' in page
    assert "multiple" in page
    assert "Explain the GIL in two sentences." in page
    assert "<script>" not in page  # the page's script is a static file
    assert "js/assessment-test.js" in page


@pytest.mark.django_db
def test_an_uploaded_file_is_checked_by_its_content(client, backend_order):
    client.post(_base(backend_order), {"start": "1"})
    upload = Question.objects.get(kind="file")
    disguised = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(_base(backend_order), {_field(upload): disguised, "save": "1"})
    assert response.status_code == 400
    assert "This file type is not accepted" in response.content.decode()
    assert not Answer.objects.filter(files__isnull=False).exists()
    real = SimpleUploadedFile("portfolio.pdf", PDF_BYTES, "application/octet-stream")
    assert client.post(_base(backend_order), {_field(upload): real, "save": "1"}).status_code == 302
    [stored] = Answer.objects.get(question=upload).files.all()
    assert stored.mime_type == "application/pdf"
    assert stored.name == "portfolio.pdf"


@pytest.mark.django_db
def test_each_candidate_has_a_stable_order_of_their_own(company, queued):
    package = essay_package()
    test = package.assessments.get(external_id="python")
    for number in range(8):
        Question.objects.create(
            assessment=test,
            kind="short",
            text=f"Extra {number}",
            accepted_answers="x",
            position=10 + number,
        )
    orders = [
        place_order(company.integration, package_id="pkg-backend", email=f"c{n}@example.org")
        for n in range(3)
    ]
    drawn = []
    for order in orders:
        result = runner.assessment_start(order=order, assessment=test)
        again = runner.assessment_start(order=order, assessment=test)
        assert again.question_order == result.question_order
        assert [q.pk for q in runner.attempt_questions(result)] == result.question_order
        drawn.append(tuple(result.question_order))
    assert len(set(drawn)) > 1
    assert all(sorted(order) == sorted(drawn[0]) for order in drawn)


@pytest.mark.django_db
def test_an_assessment_can_keep_its_own_order(company, queued):
    package = essay_package(shuffle=False)
    test = package.assessments.get(external_id="python")
    order = place_order(company.integration, package_id="pkg-backend")
    result = runner.assessment_start(order=order, assessment=test)
    assert result.question_order == list(
        test.questions.order_by("position").values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_answers_are_saved_as_the_candidate_goes(client, backend_order):
    client.post(_base(backend_order), {"start": "1"})
    essay = Question.objects.get(kind="essay")
    response = client.post(
        _base(backend_order),
        {_field(essay): "One thread at a time.", "save": "1"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.json()["saved"] is True
    assert 0 < response.json()["seconds_left"] <= 20 * 60
    assert Answer.objects.get(question=essay).text == "One thread at a time."
    page = client.get(_base(backend_order)).content.decode()
    assert "One thread at a time." in page


@pytest.mark.django_db
def test_the_periodic_job_submits_an_attempt_whose_time_ran_out(company, queued):
    """The candidate saved one right answer and closed the browser; nobody comes back."""
    fullstack_package()
    order = place_order(company.integration)
    js = order.package.assessments.get()
    runner.assessment_start(order=order, assessment=js)
    q1 = js.questions.get(kind="choice")
    runner.assessment_save(
        order=order, assessment=js, answers={str(q1.pk): [str(q1.choices.get(is_correct=True).pk)]}
    )
    assert tasks.close_overdue_attempts() == 0  # still within the time
    AssessmentResult.objects.update(deadline=timezone.now() - timedelta(minutes=2))
    assert tasks.close_overdue_attempts() == 1
    assert tasks.close_overdue_attempts() == 0
    result = AssessmentResult.objects.get()
    assert result.status == ResultStatus.COMPLETED
    assert (result.score_raw, result.score_max) == (2, 5)
    assert result.summary.startswith("Time limit exceeded")
    order.refresh_from_db()
    assert order.status == ResultStatus.COMPLETED
    assert order.events.filter(kind="timed_out").exists()


@pytest.mark.django_db
def test_the_next_request_submits_an_attempt_whose_time_ran_out(client, company, queued):
    fullstack_package()
    order = place_order(company.integration)
    base = f"/sr/assessments/take/{order.access_key}/js/"
    client.post(base, {"start": "1"})
    AssessmentResult.objects.update(deadline=timezone.now() - timedelta(minutes=2))
    page = client.get(f"/sr/assessments/take/{order.access_key}/").content.decode()
    assert "your assessment is complete" in page
    assert AssessmentResult.objects.get().status == ResultStatus.COMPLETED


@pytest.mark.django_db
def test_a_save_after_the_time_limit_changes_nothing(company, queued):
    fullstack_package()
    order = place_order(company.integration)
    js = order.package.assessments.get()
    runner.assessment_start(order=order, assessment=js)
    AssessmentResult.objects.update(deadline=timezone.now() - timedelta(minutes=5))
    short = js.questions.get(kind="short")
    runner.assessment_save(order=order, assessment=js, answers={str(short.pk): ["object"]})
    assert Answer.objects.get(question=short).text == ""


# -- import and export ------------------------------------------------------------
@pytest.mark.django_db
def test_export_then_import_gives_the_same_questions(company):
    package = essay_package()
    exported = transfer.questions_export(package=package)
    assert exported["format"] == "jobboard.assessment-questions"
    [python] = exported["assessments"]
    assert [q["kind"] for q in python["questions"]] == ["choice", "essay", "code", "file"]
    assert python["questions"][2]["language"] == "python"
    counts = transfer.questions_import(package=package, raw=json.dumps(exported).encode())
    assert counts == {"python": 4}
    assert transfer.questions_export(package=Package.objects.get()) == exported


@pytest.mark.django_db
def test_an_import_replaces_questions_and_keeps_the_answered_ones_retired(company, queued):
    package = essay_package()
    order = place_order(company.integration, package_id="pkg-backend")
    test = package.assessments.get(external_id="python")
    runner.assessment_start(order=order, assessment=test)  # every question now has an answer row
    body = {
        "format": "jobboard.assessment-questions",
        "version": 1,
        "package": "pkg-backend",
        "assessments": [
            {
                "id": "python",
                "questions": [
                    {"kind": "short", "text": "2+2?", "points": 1, "accepted_answers": ["4"]}
                ],
            }
        ],
    }
    transfer.questions_import(package=package, raw=json.dumps(body).encode())
    live = Question.objects.filter(assessment=test, retired=False)
    assert [q.text for q in live] == ["2+2?"]
    assert Question.objects.filter(assessment=test, retired=True).count() == 4


@pytest.mark.django_db
def test_an_invalid_import_lists_every_problem_and_changes_nothing(company):
    package = essay_package()
    before = list(Question.objects.values_list("id", flat=True))
    body = {
        "format": "jobboard.assessment-questions",
        "version": 1,
        "package": "pkg-backend",
        "assessments": [
            {"id": "python", "questions": [
                {"kind": "choice", "text": "Pick", "points": 2,
                 "choices": [{"text": "a", "correct": False}, {"text": "b"}]},
                {"kind": "poem", "text": "x"},
                {"kind": "essay", "text": "", "points": 0},
            ]},
            {"id": "nope", "questions": []},
            {"id": "portfolio", "questions": [{"kind": "essay", "text": "x"}]},
        ],
    }  # fmt: skip
    with pytest.raises(transfer.ImportRejected) as rejected:
        transfer.questions_import(package=package, raw=json.dumps(body).encode())
    assert rejected.value.problems == [
        "assessments[0].questions[0].choices: mark at least one choice correct",
        "assessments[0].questions[1].kind: one of choice, code, essay, file, short",
        "assessments[0].questions[2].points: a whole number from 1 to 1000",
        "assessments[0].questions[2].text: must be a non-empty text",
        "assessments[1].id: no assessment 'nope' here (it has: portfolio, python)",
        "assessments[2].id: 'portfolio' is reviewed by staff and has no questions",
    ]
    assert list(Question.objects.values_list("id", flat=True)) == before
    with pytest.raises(transfer.ImportRejected, match="Not JSON"):
        transfer.questions_import(package=package, raw=b"{nope")


@pytest.mark.django_db
def test_staff_export_and_import_from_the_package_page(company, admin_client):
    package = essay_package()
    page = admin_client.get(f"/admin/assessments/package/{package.pk}/change/").content.decode()
    assert "Export questions (JSON)" in page
    exported = admin_client.get(f"/admin/assessments/package/{package.pk}/questions.json")
    assert exported["Content-Disposition"] == 'attachment; filename="pkg-backend-questions.json"'
    body = json.loads(exported.content)
    body["assessments"][0]["questions"][0]["text"] = "Which built-in type is immutable?"
    upload = SimpleUploadedFile("q.json", json.dumps(body).encode(), "application/json")
    done = admin_client.post(
        f"/admin/assessments/package/{package.pk}/import-questions/", {"file": upload}
    )
    assert done.status_code == 302
    assert Question.objects.filter(text="Which built-in type is immutable?", retired=False).exists()
    bad = SimpleUploadedFile("q.json", b'{"format": "x"}', "application/json")
    refused = admin_client.post(
        f"/admin/assessments/package/{package.pk}/import-questions/", {"file": bad}
    )
    assert refused.status_code == 400
    assert "Nothing was imported" in refused.content.decode()


@pytest.mark.django_db
def test_a_package_that_cannot_work_as_declared_is_flagged(admin_client):
    package = essay_package()
    package.candidate_task = "none"
    package.save()
    page = admin_client.get(f"/admin/assessments/package/{package.pk}/change/").content.decode()
    assert "It is review only, but Python asks the candidate questions" in page
    client = Client()
    assert client.get("/admin/assessments/package/").status_code == 302
