"""The candidate report: a PDF per completed order (scores, the breakdown per assessment,
the reviewed answers), made with fpdf2 (pure Python: no system libraries).

Made when the order completes (``orders.order_record_completion``), kept as the order's
report (downloadable by staff), uploaded to SmartRecruiters with the results.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from jobboard.crypto import new_token
from partner.assessments.branding import Branding, branding
from partner.assessments.models import Answer, Assessment, AssessmentResult, Order, Question
from partner.assessments.results import Score

# Core fonts print Latin-1 only; these are the usual typographic characters outside it.
_ASCII_FOR = {
    "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2026": "...", "\u2264": "<=", "\u2265": ">=", "\u2192": "->", "\u2022": "*",
    "\u00a0": " ",
    # Letters Unicode does not decompose into a base letter and an accent.
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
    "\u0131": "i", "Ħ": "H", "ħ": "h",
}  # fmt: skip
MUTED = (90, 90, 90)


def latin1(text: str) -> str:
    """``text`` in Latin-1: letters outside it without their accents, ``?`` for the rest."""
    out = []
    for char in text:
        if char in _ASCII_FOR:
            out.append(_ASCII_FOR[char])
            continue
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)


def generated_report_name(order: Order) -> str:
    """A readable, stable name (≤ 100 characters: the contract's limit for fileName)."""
    ascii_name = unicodedata.normalize("NFKD", latin1(order.candidate_name))
    who = slugify(ascii_name.encode("ascii", "ignore").decode())[:50] or "candidate"
    return f"assessment-report-{who}-{order.sr_order_id[:8]}.pdf"


@dataclass(frozen=True)
class _Fonts:
    body: str
    mono: str
    unicode: bool


class _Report(FPDF):
    def __init__(self, *, brand: Branding, generated: datetime) -> None:
        super().__init__(format="A4")
        self.brand = brand
        self.generated = generated
        self.faces = self._load_fonts()
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title("Assessment report")
        self.set_author(brand.name)

    def _load_fonts(self) -> _Fonts:
        path = str(settings.ASSESSMENT_REPORT_FONT)
        if path:
            try:
                for style in ("", "B", "I"):
                    # One file serves every style: a face without its bold is still legible.
                    self.add_font("ReportFont", style, path)
            except (OSError, RuntimeError, ValueError):
                pass
            else:
                return _Fonts(body="ReportFont", mono="ReportFont", unicode=True)
        return _Fonts(body="Helvetica", mono="Courier", unicode=False)

    def text_for(self, text: str) -> str:
        """What the font can print: all of it with a TrueType font; else Latin-1, other
        letters without their accents, and ``?`` for what has no Latin form."""
        return text if self.faces.unicode else latin1(text)

    def font(self, size: float, style: str = "", *, mono: bool = False) -> None:
        self.set_font(self.faces.mono if mono else self.faces.body, style, size)

    def header(self) -> None:
        if self.brand.logo is not None:
            self.image(io.BytesIO(self.brand.logo.content), x=self.l_margin, y=8, h=10)
            self.set_xy(self.l_margin + 40, 10)
        self.font(10, "B")
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.text_for(self.brand.name), align="R")
        self.set_text_color(0, 0, 0)
        self.ln(14)

    def footer(self) -> None:
        self.set_y(-13)
        self.font(8)
        self.set_text_color(*MUTED)
        made = self.generated.strftime("%Y-%m-%d %H:%M UTC")
        self.cell(0, 5, self.text_for(f"{self.brand.name} · made {made}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: float = 13) -> None:
        self.font(size, "B")
        self.multi_cell(0, 7, self.text_for(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def pair(self, label: str, value: str) -> None:
        self.font(9, "B")
        self.cell(42, 5.5, self.text_for(label))
        self.font(9)
        self.multi_cell(0, 5.5, self.text_for(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, *, mono: bool = False, size: float = 9) -> None:
        self.font(size, mono=mono)
        self.multi_cell(0, 4.8, self.text_for(text or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration_text(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    minutes, seconds = divmod(int(delta.total_seconds()), 60)
    return f"{minutes} min {seconds:02d} s"


def _score_text(score: Score | None, label: str) -> str:
    if score is None:
        return "-"
    text = (
        f"{score.raw} of {score.maximum}"
        if score.minimum == 0
        else (f"{score.raw} ({score.minimum}-{score.maximum})")
    )
    return f"{text} · {score.percent:.0f} %" + (f" · {label}" if label else "")


def _result_score(result: AssessmentResult) -> Score | None:
    if result.score_raw is None or result.score_min is None or result.score_max is None:
        return None
    return Score(int(result.score_raw), int(result.score_min), int(result.score_max))


def report_build(order: Order, *, now: datetime | None = None) -> bytes:
    """The report's PDF bytes for ``order`` as it stands."""
    brand = branding()
    pdf = _Report(brand=brand, generated=now or timezone.now())
    pdf.add_page()
    pdf.heading("Assessment report", 18)
    pdf.pair("Candidate", f"{order.candidate_name} <{order.candidate_email}>")
    pdf.pair("Assessment", order.package.name)
    pdf.pair("Employer", str(order.integration.client))
    pdf.pair("Job reference", order.job_id)
    pdf.pair("Order", order.sr_order_id)
    pdf.pair("Invited", _when(order.invited_at))
    pdf.pair("Submitted", _when(order.submitted_at))
    pdf.ln(3)

    pdf.heading("Overall result")
    overall = (
        Score(int(order.score_raw), int(order.score_min), int(order.score_max))
        if (
            order.score_raw is not None
            and order.score_min is not None
            and order.score_max is not None
        )
        else None
    )
    pdf.pair("Score", _score_text(overall, order.score_label))
    pdf.pair("Summary", order.summary)
    pdf.ln(3)

    result_rows = list(
        order.results.select_related("assessment", "reviewed_by").order_by(
            "assessment__position", "assessment_id"
        )
    )
    pdf.heading("Breakdown by assessment")
    pdf.font(9)
    with pdf.table(
        col_widths=(52, 40, 28, 30, 30),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=5.5,
    ) as table:
        head = table.row()
        for title in ("Assessment", "Score", "Label", "Time taken", "Reviewed by"):
            head.cell(title)
        for result in result_rows:
            score = _result_score(result)
            row = table.row()
            row.cell(pdf.text_for(result.assessment.name))
            row.cell(pdf.text_for(_score_text(score, "")))
            row.cell(pdf.text_for(result.score_label or "-"))
            manual = result.assessment.kind == Assessment.Kind.MANUAL
            row.cell("-" if manual else duration_text(result.time_taken))
            reviewer = result.reviewed_by.get_username() if result.reviewed_by else "-"
            row.cell(pdf.text_for(reviewer))
    pdf.ln(4)

    answers = _answers_by_result(result_rows)
    for result in result_rows:
        pdf.heading(f"{result.assessment.name}: reviewed answers", 12)
        if result.summary:
            pdf.pair("Reviewer's summary", result.summary)
        if result.assessment.kind == Assessment.Kind.MANUAL:
            pdf.paragraph("Reviewed by our staff; the candidate had nothing to answer.")
            pdf.ln(2)
            continue
        rows = answers.get(result.pk, [])
        if not rows:
            pdf.paragraph("The candidate did not take this test.")
            pdf.ln(2)
            continue
        for number, answer in enumerate(rows, start=1):
            _answer_block(pdf, number, answer)
        pdf.ln(2)
    output: bytes = bytes(pdf.output())
    return output


def _answers_by_result(result_rows: list[AssessmentResult]) -> dict[int, list[Answer]]:
    grouped: dict[int, list[Answer]] = {}
    rows = (
        Answer.objects.filter(result__in=result_rows)
        .select_related("question")
        .prefetch_related("question__choices", "files")
        .order_by("result_id", "position", "id")
    )
    for answer in rows:
        grouped.setdefault(answer.result_id, []).append(answer)
    return grouped


def _answer_block(pdf: _Report, number: int, answer: Answer) -> None:
    question = answer.question
    pdf.font(9.5, "B")
    pdf.multi_cell(
        0,
        5,
        pdf.text_for(f"{number}. {question.text} ({question.points} pt)"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    given = answer_text(answer)
    pdf.paragraph(given or "(no answer)", mono=question.kind == Question.Kind.CODE, size=9)
    pdf.set_text_color(*MUTED)
    pdf.paragraph(verdict(answer), size=8.5)
    if answer.grader_comment:
        pdf.paragraph(f"Grader: {answer.grader_comment}", size=8.5)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)


def answer_text(answer: Answer) -> str:
    """The candidate's answer as people read it (choices by their text)."""
    question = answer.question
    if question.kind == Question.Kind.CHOICE:
        by_id = {str(c.pk): c.text for c in question.choices.all()}
        return ", ".join(by_id.get(str(v), "?") for v in answer.values)
    if question.kind == Question.Kind.FILE:
        return ", ".join(f.name for f in answer.files.all())
    return answer.text


def verdict(answer: Answer) -> str:
    points = answer.question.points
    if answer.points_awarded is None:
        return "Not graded"
    if answer.question.is_manual:
        return f"Graded {answer.points_awarded} of {points}"
    return f"{'Correct' if answer.is_correct else 'Incorrect'}: {answer.points_awarded} of {points}"


def order_generate_report(*, order: Order) -> Order:
    """Make the report and keep it as the order's report (the caller holds the lock)."""
    content = report_build(order)
    # A folder of its own per report, so the storage never renames the file: the name
    # is the one the preview showed.
    order.report.save(
        f"{new_token(6)}/{generated_report_name(order)}", ContentFile(content), save=False
    )
    order.report_url = ""
    order.save(update_fields=["report", "report_url"])
    return order
