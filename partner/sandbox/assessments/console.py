"""Console pages (staff only): SmartRecruiters as the caller of the partner's endpoints,
and the results and attachments as a recruiter would see them in SmartRecruiters."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partner.sandbox import console_selectors as reads
from partner.sandbox.api import sandbox_root
from partner.sandbox.assessments import caller, services
from partner.sandbox.assessments.models import AsmAttachment, AsmCompany, AsmOrder
from partner.sandbox.state import SwitchError, get_switches, sandbox_now, set_switches

ASSESSMENT_SWITCHES = (
    "strict_results",
    "token_auth",
    "token_ttl",
    "duplicate_orders",
    "requester_header",
)
LOCATION_FIELDS = ("country-code", "region-abbr", "city", "address", "postal-code", "remote")


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with what every console page shows (clock, fault banner, this API's switches)."""
    switches = get_switches()
    base = {
        "switches": switches,
        "fault_banner": reads.fault_summary(switches),
        "sandbox_time": sandbox_now(),
        "assessment_switches": {k: switches[k] for k in ASSESSMENT_SWITCHES},
    }
    return render(request, template, {**base, **context}, status=status)


View = Callable[..., HttpResponse]


def staff_page(*methods: str) -> Callable[[View], View]:
    """Staff only (others go to the admin login), and only these HTTP methods."""

    def decorate(view: View) -> View:
        return staff_member_required(require_http_methods(list(methods))(view))

    return decorate


class ConnectForm(forms.Form):
    company_id = forms.RegexField(
        regex=r"^[A-Za-z0-9-]{6,64}$",
        label="Company id",
        initial=lambda: uuid.uuid4().hex[:24],
    )
    name = forms.CharField(max_length=200, initial="Acme Corp")


class CandidateForm(forms.Form):
    package_id = forms.CharField(max_length=200, label="Package id")
    email = forms.EmailField(initial="ana@example.org")
    first_name = forms.CharField(max_length=100, initial="Ana")
    last_name = forms.CharField(max_length=100, initial="Nowak")
    language = forms.CharField(max_length=10, initial="en")
    job_id = forms.UUIDField(initial=uuid.uuid4, label="Job id")


class SwitchesForm(forms.Form):
    strict_results = forms.BooleanField(required=False)
    token_auth = forms.ChoiceField(choices=[("form", "form"), ("basic", "basic")])
    token_ttl = forms.IntegerField(min_value=1, max_value=86_400)
    duplicate_orders = forms.BooleanField(required=False)
    requester_header = forms.ChoiceField(
        choices=[("json", "json"), ("email", "email"), ("absent", "absent")]
    )


def _company(company_id: str) -> AsmCompany:
    return get_object_or_404(AsmCompany, company_id=company_id)


def _field_defs() -> list[dict[str, Any]]:
    config = services.configuration() or {}
    return [f for f in config.get("fields") or [] if isinstance(f, dict) and f.get("id")]


def _field_values(request: HttpRequest) -> dict[str, str]:
    data = request.POST if request.method == "POST" else request.GET
    return {f["id"]: data.get(f"field-{f['id']}", "").strip() for f in _field_defs()}


@staff_page("GET")
def index(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "sandbox/assessments/index.html",
        {
            "configuration": services.configuration(),
            "companies": AsmCompany.objects.all(),
            "orders": AsmOrder.objects.select_related("company")[:50],
            "connect_form": ConnectForm(),
            "switches_form": SwitchesForm(
                initial={k: get_switches()[k] for k in ASSESSMENT_SWITCHES}
            ),
        },
    )


@staff_page("POST")
def switches(request: HttpRequest) -> HttpResponse:
    form = SwitchesForm(request.POST)
    if form.is_valid():
        try:
            set_switches(**form.cleaned_data)
        except SwitchError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Assessment switches saved.")
    else:
        messages.error(request, "Switches not saved: check the values.")
    return redirect("sandbox:sandbox_assessments:console")


@staff_page("POST")
def connect(request: HttpRequest) -> HttpResponse:
    """*Connect*: record consent, then open the partner's consent page (§6)."""
    form = ConnectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a company id (6-64 letters, digits or dashes) and a name.")
        return redirect("sandbox:sandbox_assessments:console")
    config = services.configuration()
    if config is None:
        messages.error(request, "The partner has not registered its configuration yet.")
        return redirect("sandbox:sandbox_assessments:console")
    company = services.company_consent(
        company_id=form.cleaned_data["company_id"], name=form.cleaned_data["name"]
    )
    back = request.build_absolute_uri(
        reverse("sandbox:sandbox_assessments:connected")
        + "?"
        + urlencode({"companyId": company.company_id})
    )
    query = urlencode({"companyId": company.company_id, "redirect": back})
    separator = "&" if "?" in config["consentUrl"] else "?"
    return HttpResponseRedirect(f"{config['consentUrl']}{separator}{query}")


@staff_page("GET")
def connected(request: HttpRequest) -> HttpResponse:
    """Where the partner sends the admin back after consent: what setup received."""
    company = _company(request.GET.get("companyId", ""))
    return _page(request, "sandbox/assessments/connected.html", {"company": company})


@staff_page("GET")
def company(request: HttpRequest, company_id: str) -> HttpResponse:
    return _company_page(request, _company(company_id))


def _company_page(
    request: HttpRequest,
    company: AsmCompany,
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request,
        "sandbox/assessments/company.html",
        {
            "company": company,
            "orders": company.orders.all()[:50],
            "fields": _field_defs(),
            "location_fields": LOCATION_FIELDS,
            "query": {k: request.GET.get(k, "") for k in LOCATION_FIELDS},
            "field_values": _field_values(request),
            "requester_email": request.GET.get("requester", "recruiter@acme.example"),
            "order_form": CandidateForm(prefix="order"),
            "inline_form": CandidateForm(prefix="inline"),
            **(extra or {}),
        },
        status=status,
    )


@staff_page("GET")
def packages(request: HttpRequest, company_id: str) -> HttpResponse:
    """*Browse*: location parameters, field values and a ``requester`` header (§6)."""
    company = _company(company_id)
    params = {k: request.GET.get(k, "").strip() for k in LOCATION_FIELDS}
    params.update({k: v for k, v in _field_values(request).items() if v})
    try:
        status, found = caller.list_packages(
            company, params=params, requester_email=request.GET.get("requester", "")
        )
    except caller.CallerError as exc:
        return _company_page(request, company, extra={"call_error": exc}, status=502)
    return _company_page(
        request, company, extra={"packages": found, "packages_status": status, "browsed": True}
    )


def _candidate(form: CandidateForm) -> dict[str, str]:
    data = form.cleaned_data
    return {
        "email": data["email"],
        "firstName": data["first_name"],
        "lastName": data["last_name"],
        "applicationLanguage": data["language"],
    }


@staff_page("POST")
def order(request: HttpRequest, company_id: str) -> HttpResponse:
    company = _company(company_id)
    form = CandidateForm(request.POST, prefix="order")
    if not form.is_valid():
        messages.error(request, "Order not sent: fill in every candidate field.")
        return redirect("sandbox:sandbox_assessments:company", company_id=company_id)
    # staff_page lets only signed-in staff through: the user always has an email field.
    email = request.user.email if request.user.is_authenticated else ""
    try:
        placed = caller.place_order(
            company,
            api_root=sandbox_root(request),
            package_id=form.cleaned_data["package_id"],
            candidate=_candidate(form),
            job_id=str(form.cleaned_data["job_id"]),
            fields=_field_values(request),
            requester={
                "userId": str(request.user.pk),
                "email": email or "recruiter@acme.example",
            },
        )
    except caller.CallerError as exc:
        return _company_page(request, company, extra={"call_error": exc}, status=502)
    messages.info(request, f"Order sent: the partner answered HTTP {placed.response_status}.")
    return redirect("sandbox:sandbox_assessments:order-detail", order_id=placed.order_id)


@staff_page("POST")
def inline_order(request: HttpRequest, company_id: str) -> HttpResponse:
    """A simulated candidate applying: the browser is sent to the partner's url."""
    company = _company(company_id)
    form = CandidateForm(request.POST, prefix="inline")
    if not form.is_valid():
        messages.error(request, "Inline order not sent: fill in every candidate field.")
        return redirect("sandbox:sandbox_assessments:company", company_id=company_id)
    order_id = uuid.uuid4()
    done_url = request.build_absolute_uri(
        reverse("sandbox:sandbox_assessments:inline-done", kwargs={"order_id": order_id})
    )
    try:
        placed = caller.place_inline_order(
            company,
            api_root=sandbox_root(request),
            done_url=done_url,
            order_id=order_id,
            package_id=form.cleaned_data["package_id"],
            candidate=_candidate(form),
            job_id=str(form.cleaned_data["job_id"]),
            fields=_field_values(request),
        )
    except caller.CallerError as exc:
        return _company_page(request, company, extra={"call_error": exc}, status=502)
    if placed.response_status == 200 and placed.inline_url.startswith(("http://", "https://")):
        return HttpResponseRedirect(placed.inline_url)
    messages.error(request, f"The partner answered HTTP {placed.response_status}.")
    return redirect("sandbox:sandbox_assessments:order-detail", order_id=placed.order_id)


@staff_page("POST")
def disconnect(request: HttpRequest, company_id: str) -> HttpResponse:
    company = _company(company_id)
    try:
        status = caller.disconnect(company)
    except caller.CallerError as exc:
        messages.error(request, f"Disconnected on SR's side; the partner call failed: {exc}")
    else:
        messages.success(request, f"Disconnected. The partner answered HTTP {status}.")
    return redirect("sandbox:sandbox_assessments:company", company_id=company_id)


def _percentage(score: Any) -> float | None:
    try:
        raw, low, high = int(score["raw"]), int(score["min"]), int(score["max"])
    except (KeyError, TypeError, ValueError):
        return None
    if high <= low:
        return None
    return round(100 * (raw - low) / (high - low), 1)


def _attachments_view(items: Any) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        entry = {"name": item.get("fileName") or item.get("url", ""), "type": item.get("type")}
        url = str(item.get("url") or "")
        if "fileContent" in item:
            entry["type"] = item.get("mimeType")
            entry["inline_size"] = len(base64.b64decode(str(item["fileContent"]) or b""))
        elif "/results/attachments/" in url:
            attachment_id = url.rstrip("/").rsplit("/", 1)[-1]
            found = AsmAttachment.objects.filter(attachment_id=attachment_id).first()
            if found is not None:
                entry["download"] = reverse(
                    "sandbox:sandbox_assessments:attachment-download",
                    kwargs={"attachment_id": found.attachment_id},
                )
                entry["size"] = found.size
        entry["url"] = url
        shown.append(entry)
    return shown


@staff_page("GET")
def order_detail(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    order = get_object_or_404(AsmOrder.objects.select_related("company"), order_id=order_id)
    result = order.result or {}
    assessments = [
        {
            **item,
            "percentage": _percentage(item.get("score")),
            "attachments_view": _attachments_view(item.get("attachments")),
        }
        for item in result.get("assessmentResults") or []
        if isinstance(item, dict)
    ]
    return _page(
        request,
        "sandbox/assessments/order_detail.html",
        {
            "order": order,
            "result": result,
            "percentage": _percentage(result.get("score")),
            "attachments": _attachments_view(result.get("attachments")),
            "assessments": assessments,
            "patches": order.patches.all(),
            "uploads": order.attachments.all(),
        },
    )


@staff_page("GET")
def inline_done(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """The completedAssessmentCallbackUrl: the candidate is back at SmartRecruiters."""
    order = get_object_or_404(AsmOrder, order_id=order_id, kind=AsmOrder.Kind.INLINE)
    if order.callback_received_at is None:
        order.callback_received_at = timezone.now()
        order.save(update_fields=["callback_received_at"])
    return _page(request, "sandbox/assessments/inline_done.html", {"order": order})


@staff_page("GET")
def attachment_download(request: HttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    found = AsmAttachment.objects.filter(attachment_id=attachment_id).first()
    if found is None:
        raise Http404
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response
