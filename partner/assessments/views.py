"""HTML pages: the consent page (staff) and the candidate's test runner (private link)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from partner.assessments import integrations, runner, selectors
from partner.assessments.errors import ServiceError
from partner.assessments.forms import ConsentForm, TestForm
from partner.assessments.models import (
    Assessment,
    AssessmentResult,
    Integration,
    Order,
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


@never_cache
def take_overview(request: HttpRequest, key: str) -> HttpResponse:
    order = _order_or_404(key)
    results = list(order.results.select_related("assessment"))
    return render(
        request,
        "assessments/take_overview.html",
        {
            "order": order,
            "key": key,
            "results": results,
            "return_url": _return_url(order),
            "closed": order.is_terminal,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def take_test(request: HttpRequest, key: str, assessment_id: str) -> HttpResponse:
    order = _order_or_404(key)
    assessment = get_object_or_404(
        Assessment, package=order.package, external_id=assessment_id, kind=Assessment.Kind.AUTO
    )
    result = get_object_or_404(AssessmentResult, order=order, assessment=assessment)
    overview = reverse("assessments:take", kwargs={"key": key})
    if order.is_terminal or result.status == ResultStatus.COMPLETED:
        return redirect(overview)
    if request.method == "POST" and "start" in request.POST:
        try:
            runner.assessment_start(order=order, assessment=assessment)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(overview)
        return redirect(request.path)
    if result.started_at is None:
        return render(
            request,
            "assessments/take_start.html",
            {"order": order, "assessment": assessment, "key": key},
        )
    form = TestForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        runner.assessment_submit(order=order, assessment=assessment, answers=form.answers())
        order.refresh_from_db()
        return_url = _return_url(order)
        if return_url:
            return HttpResponseRedirect(return_url)
        return redirect(overview)
    deadline = result.deadline or timezone.now()  # set with started_at
    seconds_left = max(0, int((deadline - timezone.now()).total_seconds()))
    return render(
        request,
        "assessments/take_test.html",
        {
            "order": order,
            "assessment": assessment,
            "form": form,
            "key": key,
            "deadline": result.deadline,
            "seconds_left": seconds_left,
        },
    )


# ---------------------------------------------------------------------------
# Staff: the private report file
# ---------------------------------------------------------------------------
def order_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_staff and user.has_perm("assessments.view_order")):
        raise Http404
    order = get_object_or_404(Order, pk=pk)
    if not order.report:
        raise Http404
    return FileResponse(
        order.report.open("rb"), as_attachment=True, filename=order.report_file_name
    )
