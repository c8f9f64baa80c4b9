"""HTML pages: the consent page (staff) and the candidate's test runner (private link)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from partner.assessments import integrations, runner, selectors
from partner.assessments.branding import branding
from partner.assessments.errors import ServiceError
from partner.assessments.forms import ConsentForm, TestForm
from partner.assessments.models import (
    AnswerFile,
    Assessment,
    AssessmentResult,
    Integration,
    Order,
    Question,
    ResultStatus,
)
from partner.assessments.urlrules import is_allowed_web_redirect


# ---------------------------------------------------------------------------
# Consent (§1 steps 2-4)
# ---------------------------------------------------------------------------
def _bad_consent_request(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "assessments/consent_invalid.html", {"reason": reason}, status=400)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    company_id = request.GET.get("companyId", "").strip()
    redirect_url = request.GET.get("redirect", "").strip()
    # Parameters first: a bad link gets a 400 whoever follows it.
    if not company_id or len(company_id) > 64:
        return _bad_consent_request(request, "The link has no SmartRecruiters company id.")
    if not is_allowed_web_redirect(redirect_url):
        return _bad_consent_request(
            request, "The link would send you back to a site that is not SmartRecruiters."
        )
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and user.is_staff and user.has_perm("assessments.add_integration")):
        return render(request, "assessments/consent_forbidden.html", status=403)

    existing = Integration.objects.filter(company_id=company_id).select_related("client").first()
    error = ""
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                integrations.integration_connect(
                    company_id=company_id,
                    client=form.cleaned_data["client"],
                    new_client_name=form.cleaned_data["new_client_name"],
                    user=user,
                )
            except integrations.ConnectError as exc:
                error = exc.message
            else:
                return HttpResponseRedirect(redirect_url)
    else:
        form = ConsentForm(initial={"client": existing.client if existing else None})
    return render(
        request,
        "assessments/consent.html",
        {
            "form": form,
            "company_id": company_id,
            "redirect_url": redirect_url,
            "existing": existing,
            "error": error,
        },
        status=502 if error else 200,
    )


# ---------------------------------------------------------------------------
# The candidate's test runner (private link)
# ---------------------------------------------------------------------------
def _order_or_404(key: str) -> Order:
    order = selectors.order_by_access_key(key=key)
    if order is None or order.status == ResultStatus.NEW:
        raise Http404("No such assessment")
    # A check on every visit: an attempt whose time ran out is submitted now, with the
    # answers saved in time, even if beat has not come round yet.
    if runner.attempts_close_overdue(order=order):
        order.refresh_from_db()
    return order


def _open_auto_results(order: Order) -> list[AssessmentResult]:
    return [
        r
        for r in order.results.select_related("assessment")
        if r.assessment.kind == Assessment.Kind.AUTO and r.status != ResultStatus.COMPLETED
    ]


def _return_url(order: Order) -> str:
    """Inline orders send the candidate back to SR once every test they take is done."""
    if (
        order.kind == Order.Kind.INLINE
        and order.completed_callback_url
        and is_allowed_web_redirect(order.completed_callback_url)
        and not _open_auto_results(order)
    ):
        return order.completed_callback_url
    return ""


def _candidate_context(order: Order, key: str) -> dict[str, object]:
    return {
        "order": order,
        "key": key,
        "vendor": branding(),
        "employer": order.integration.client.name,
    }


@never_cache
def take_overview(request: HttpRequest, key: str) -> HttpResponse:
    order = _order_or_404(key)
    results = list(order.results.select_related("assessment"))
    return render(
        request,
        "assessments/take_overview.html",
        {
            **_candidate_context(order, key),
            "results": [r for r in results if r.assessment.kind == Assessment.Kind.AUTO],
            "review_only": not order.package.invites_candidate,
            "staff_reviewed": [r for r in results if r.assessment.kind == Assessment.Kind.MANUAL],
            "return_url": _return_url(order),
            "closed": order.is_terminal,
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@never_cache
@require_http_methods(["GET", "POST"])
def take_test(request: HttpRequest, key: str, assessment_id: str) -> HttpResponseBase:
    order = _order_or_404(key)
    if not order.package.invites_candidate:
        raise Http404("Nothing to take")
    assessment = get_object_or_404(
        Assessment, package=order.package, external_id=assessment_id, kind=Assessment.Kind.AUTO
    )
    result = get_object_or_404(AssessmentResult, order=order, assessment=assessment)
    overview = reverse("assessments:take", kwargs={"key": key})
    if order.is_terminal or result.status == ResultStatus.COMPLETED:
        if _wants_json(request):
            return JsonResponse({"closed": True, "next": overview})
        return redirect(overview)
    if request.method == "POST" and "start" in request.POST:
        try:
            runner.assessment_start(order=order, assessment=assessment)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(overview)
        return redirect(request.path)
    context = _candidate_context(order, key) | {"assessment": assessment}
    if result.started_at is None:
        return render(request, "assessments/take_start.html", context)
    questions = runner.attempt_questions(result)
    saved = {a.question_id: a for a in result.answer_rows.prefetch_related("files")}
    form = TestForm(request.POST or None, request.FILES or None, questions=questions, saved=saved)
    if request.method == "POST" and form.is_valid():
        if "submit" in request.POST:
            runner.assessment_submit(
                order=order,
                assessment=assessment,
                answers=form.answers(),
                files=form.files_given(),
            )
            order.refresh_from_db()
            return_url = _return_url(order)
            if return_url:
                return HttpResponseRedirect(return_url)
            return redirect(overview)
        runner.assessment_save(
            order=order, assessment=assessment, answers=form.answers(), files=form.files_given()
        )
        if _wants_json(request):
            return JsonResponse({"saved": True, "seconds_left": _seconds_left(result)})
        messages.success(request, "Your answers are saved.")
        return redirect(request.path)
    if request.method == "POST" and _wants_json(request):
        return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
    return render(
        request,
        "assessments/take_test.html",
        context
        | {
            "form": form,
            "deadline": result.deadline,
            "seconds_left": _seconds_left(result),
            "has_files": any(q.kind == Question.Kind.FILE for q in questions),
        },
        status=400 if request.method == "POST" else 200,
    )


def _seconds_left(result: AssessmentResult) -> int:
    deadline = result.deadline or timezone.now()  # set with started_at
    return max(0, int((deadline - timezone.now()).total_seconds()))


@cache_control(public=True, max_age=3600)
def brand_logo(request: HttpRequest) -> HttpResponse:
    """The vendor's logo for the candidate's pages (public: it is on every invitation)."""
    logo = branding().logo
    if logo is None:
        raise Http404("No logo configured")
    response = HttpResponse(logo.content, content_type=logo.mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------
# Staff: the private report file
# ---------------------------------------------------------------------------
def _staff_file(
    permission: str,
) -> Callable[[Callable[[HttpRequest, int], HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Private files are for staff with ``permission``; anyone else is sent to log in,
    or, logged in without it, told there is nothing here (404, not 403: no hint)."""

    def decorate(
        view: Callable[[HttpRequest, int], HttpResponseBase],
    ) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def guarded(request: HttpRequest, pk: int) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_staff and user.has_perm(permission)):
                raise Http404
            return view(request, pk)

        return guarded

    return decorate


@_staff_file("assessments.view_order")
def order_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    order = get_object_or_404(Order, pk=pk)
    if not order.report:
        raise Http404
    return FileResponse(
        order.report.open("rb"), as_attachment=True, filename=order.report_file_name
    )


@_staff_file("assessments.view_answer")
def answer_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A file a candidate uploaded, for staff grading it (never served to anyone else)."""
    stored = get_object_or_404(AnswerFile, pk=pk)
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=stored.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
