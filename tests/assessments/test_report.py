"""The candidate report: a PDF per completed order, read back with pypdf."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from partner.assessments import report, review, runner
from partner.assessments.models import Answer, Order
from tests.assessments.workspace import essay_package, place_order, take_backend_test

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _png() -> bytes:
    from PIL import Image  # fpdf2's own dependency

    buffer = io.BytesIO()
    Image.new("RGB", (40, 12), (29, 78, 216)).save(buffer, format="PNG")
    return buffer.getvalue()


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def completed(company, queued) -> Order:
    vera = User.objects.create(username="vera", is_staff=True)
    essay_package()
    order = place_order(
        company.integration, package_id="pkg-backend", first_name="Zoë", last_name="Łukasiewicz"
    )
    take_backend_test(order)
    for answer in Answer.objects.filter(
        result__order=order, question__kind__in=["essay", "code", "file"]
    ):
        runner.answer_grade(
            answer=answer, points=2, comment=f"Comment on {answer.question.kind}", user=vera
        )
    python = order.results.get(assessment__external_id="python")
    runner.assessment_review(result=python, summary="Solid basics", user=vera)
    portfolio = order.results.get(assessment__external_id="portfolio")
    runner.assessment_review(
        result=portfolio,
        score_raw=8,
        score_min=0,
        score_max=10,
        score_label="Strong",
        summary="Clear, tested work",
        user=vera,
    )
    order = Order.objects.get()
    preview = review.completion_preview(order=order, label="Recommended")
    review.order_complete_and_send(
        order=order, label="Recommended", fingerprint=preview.fingerprint, user=vera
    )
    return Order.objects.get()


@pytest.mark.django_db
def test_the_report_holds_scores_breakdown_and_reviewed_answers(completed, settings):
    content = completed.report.open("rb").read()
    assert content.startswith(b"%PDF-")
    text = _text(content)
    assert "Assessment report" in text
    assert "Backend engineer" in text
    assert "Acme Corp" in text
    assert "16 of 22" in text  # 2 + 2 + 2 + 2 of 12, and 8 of 10
    assert "Recommended" in text
    assert "Breakdown by assessment" in text
    assert "Python" in text
    assert "Portfolio review" in text
    assert "Strong" in text
    assert "Which type is immutable?" in text
    assert "Correct: 2 of 2" in text
    assert "Graded 2 of 4" in text
    assert "Comment on essay" in text
    assert "return text[::-1]" in text
    assert "sample.pdf" in text
    assert "Clear, tested work" in text
    assert "vera" in text  # reviewed by


@pytest.mark.django_db
def test_without_a_unicode_font_letters_lose_only_their_accents(completed, settings):
    settings.ASSESSMENT_REPORT_FONT = ""
    text = _text(report.report_build(completed))
    assert "Zoë Lukasiewicz" in text  # ë is Latin-1; Ł becomes L


@pytest.mark.skipif(not DEJAVU.exists(), reason="Debian's DejaVu fonts are not installed")
@pytest.mark.django_db
def test_with_a_unicode_font_every_letter_prints(completed, settings):
    settings.ASSESSMENT_REPORT_FONT = str(DEJAVU)
    text = _text(report.report_build(completed))
    assert "Zoë Łukasiewicz" in text


@pytest.mark.django_db
def test_the_vendors_name_and_logo_head_the_report(completed, settings, tmp_path):
    from partner.assessments import branding

    logo = tmp_path / "logo.png"
    logo.write_bytes(_png())
    settings.ASSESSMENT_VENDOR_NAME = "Acme Assessments"
    settings.ASSESSMENT_VENDOR_LOGO = str(logo)
    branding.forget()
    content = report.report_build(completed)
    assert "Acme Assessments" in _text(content)
    assert b"/Subtype /Image" in content


@pytest.mark.django_db
def test_staff_download_the_report(completed, admin_client):
    response = admin_client.get(f"/sr/assessments/staff/orders/{completed.pk}/report")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert completed.report_file_name in response["Content-Disposition"]
    assert completed.report_file_name.startswith("assessment-report-zoe-lukasiewicz-")
