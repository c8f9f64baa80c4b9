"""SmartRecruiters' endpoints: the Job Board API (feed, offers) and the Application API.

Thin: parse, call one service or selector, render the contract's JSON. Authentication,
rate limits, faults and the journal come from ``@sandbox_endpoint``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from partner.sandbox import selectors, services
from partner.sandbox.api import (
    PartnerCredential,
    SandboxError,
    apply_error,
    json_body,
    request_switches,
    sandbox_endpoint,
)
from partner.sandbox.configuration import (
    full_configuration,
    pick_language,
    served_configuration,
)
from partner.sandbox.models import PostingStatus
from partner.sandbox.render import iso_millis_z, render_feed_page, render_offer_page, render_posting
from partner.sandbox.validation import Rejected, check_request

_FEED_STATUSES = set(PostingStatus.values)


# ---------------------------------------------------------------------------
# Job Board API
# ---------------------------------------------------------------------------
def _int_param(request: HttpRequest, name: str, default: int, *, maximum: int | None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise SandboxError(400, "invalid_request", f"{name} must be a non-negative integer")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise SandboxError(400, "invalid_request", f"{name} must be between 0 and {maximum}")
    return value


def _statuses(request: HttpRequest) -> list[str] | None:
    raw = request.GET.get("status")
    if raw is None:
        return None
    statuses = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [s for s in statuses if s not in _FEED_STATUSES]
    if not statuses or unknown:
        raise SandboxError(
            400,
            "invalid_request",
            f"Unknown status {', '.join(unknown) or raw!r}; use {', '.join(PostingStatus.values)}",
        )
    return statuses


def _updated_after(request: HttpRequest) -> datetime | None:
    raw = request.GET.get("updatedAfter")
    if raw is None or raw == "":
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise SandboxError(400, "invalid_request", "updatedAfter must be an ISO-8601 date-time")
    if moment.tzinfo is None:
        raise SandboxError(400, "invalid_request", "updatedAfter needs a time zone (e.g. Z)")
    return moment


@require_http_methods(["GET"])
@sandbox_endpoint("feed.list")
def feed_list(request: HttpRequest, *, credential: PartnerCredential) -> HttpResponse:
    statuses = _statuses(request)
    updated_after = _updated_after(request)
    offset = _int_param(request, "offset", 0, maximum=None)
    limit = _int_param(request, "limit", 100, maximum=100)
    services.expire_due_postings()
    switches = request_switches(request)
    postings = selectors.feed_postings(
        partner=credential.partner, statuses=statuses, updated_after=updated_after
    )
    page, total = selectors.feed_page(postings=postings, offset=offset, limit=limit)
    return JsonResponse(
        render_feed_page(page, offset=offset, limit=limit, total=total, switches=switches)
    )


def _posting(credential: PartnerCredential, posting_id: str) -> Any:
    posting = selectors.posting_for_partner(partner=credential.partner, posting_id=posting_id)
    if posting is None:
        raise SandboxError(404, "not_found", f"Posting {posting_id} not found")
    return posting


@sandbox_endpoint("feed.get")
def _feed_get(
    request: HttpRequest, posting_id: str, *, credential: PartnerCredential
) -> HttpResponse:
    services.expire_due_postings()
    posting = _posting(credential, posting_id)
    return JsonResponse(render_posting(posting, request_switches(request)))


@sandbox_endpoint("feed.put")
def _feed_put(
    request: HttpRequest, posting_id: str, *, credential: PartnerCredential
) -> HttpResponse:
    services.expire_due_postings()
    posting = _posting(credential, posting_id)
    body = json_body(request)
    if not isinstance(body, dict):
        raise SandboxError(400, "invalid_request", "The body must be a JSON object")
    try:
        posting = services.update_posting_status(
            posting=posting,
            status=body.get("status"),
            live_url=body.get("liveUrl"),
            comment=body.get("comment"),
            switches=request_switches(request),
        )
    except services.TransitionError as error:
        raise SandboxError(400, error.code, error.message) from None
    posting = _posting(credential, posting_id)
    return JsonResponse(render_posting(posting, request_switches(request)))


@csrf_exempt
@require_http_methods(["GET", "PUT"])
def feed_item(request: HttpRequest, posting_id: str) -> HttpResponse:
    # One URL, two endpoint names: faults and the journal tell GET and PUT apart.
    if request.method == "PUT":
        return _feed_put(request, posting_id)
    return _feed_get(request, posting_id)


@require_http_methods(["GET"])
@sandbox_endpoint("offers.list")
def offers_list(request: HttpRequest, *, credential: PartnerCredential) -> HttpResponse:
    posting_id = request.GET.get("postingId", "")
    posting = selectors.posting_for_partner(partner=credential.partner, posting_id=posting_id)
    # An unknown or foreign posting is an empty page, not a 404 (job-board-api.md §2).
    return JsonResponse(render_offer_page([posting.offer] if posting else []))


# ---------------------------------------------------------------------------
# Application API
# ---------------------------------------------------------------------------
def _open_job(credential: PartnerCredential, job_uuid: str) -> Any:
    job = selectors.job_for_partner(partner=credential.partner, job_uuid=job_uuid)
    if job is None or selectors.job_is_closed(job=job):
        raise SandboxError(404, "RESOURCE_NOT_FOUND_ERROR", "Posting not found")
    return job


@require_http_methods(["GET"])
@sandbox_endpoint("apply.configuration", errors="apply")
def apply_configuration(
    request: HttpRequest, job_uuid: str, *, credential: PartnerCredential
) -> HttpResponse:
    services.expire_due_postings()
    job = _open_job(credential, job_uuid)
    served = served_configuration(
        full_configuration(job),
        language=pick_language(request.headers.get("Accept-Language", "en")),
        conditionals=request.GET.get("conditionalsIncluded") == "true",
        switches=request_switches(request),
    )
    response = JsonResponse(served)
    response["Content-Language"] = pick_language(request.headers.get("Accept-Language", "en"))
    return response


def _validation_failure(errors: list[tuple[str, str]], envelope: str) -> SandboxError:
    """A 400 in the envelope the ``error_envelope`` switch asks for (contract §3)."""
    items = [apply_error(code, message) for code, message in errors]
    body: Any
    if envelope == "object":
        body = items[0]
    elif envelope == "wrapped":
        body = {
            "message": items[0]["message"],
            "errors": [{"code": i["code"], "message": i["message"]} for i in items],
        }
    else:
        body = items
    return SandboxError(400, body=body)


@require_http_methods(["POST"])
@sandbox_endpoint("apply.candidates", errors="apply")
def apply_candidates(
    request: HttpRequest, job_uuid: str, *, credential: PartnerCredential
) -> HttpResponse:
    services.expire_due_postings()
    job = _open_job(credential, job_uuid)  # check 2
    switches = request_switches(request)
    try:
        body = json_body(request)
    except SandboxError:
        raise _validation_failure(
            [("INVALID_REQUEST", "The request body must be a JSON object")],
            switches["error_envelope"],
        ) from None
    try:
        checked = check_request(
            body,
            config=full_configuration(job),
            strict=switches["strict_answers"],
            single_consent_ok=switches["omit_optional_config"],
        )
    except Rejected as rejected:
        raise _validation_failure(
            [(rejected.code, rejected.message)], switches["error_envelope"]
        ) from None
    if checked.errors:
        raise _validation_failure(checked.errors, switches["error_envelope"])
    submission = services.submit_application(job=job, partner=credential.partner, checked=checked)
    candidate = submission.candidate
    data = {
        "id": str(candidate.candidate_id),
        "createdOn": iso_millis_z(candidate.created_at),
        "candidatePortalUrl": "https://jobs.smartrecruiters.com/candidate-portal/"
        f"{candidate.candidate_id.hex[:8]}",
        "applicationId": str(candidate.application_id),
    }
    if switches["omit_application_id"]:
        data.pop("applicationId")
    return JsonResponse(data, status=201)


@require_http_methods(["GET"])
@sandbox_endpoint("apply.status", errors="apply")
def apply_status(
    request: HttpRequest, job_uuid: str, candidate_id: str, *, credential: PartnerCredential
) -> HttpResponse:
    # Status keeps working for a closed posting (application-api.md §2).
    job = selectors.job_for_partner(partner=credential.partner, job_uuid=job_uuid)
    candidate = selectors.candidate_for_job(job=job, candidate_id=candidate_id) if job else None
    if candidate is None:
        raise SandboxError(404, "RESOURCE_NOT_FOUND_ERROR", "Candidate not found")
    status = candidate.status
    if request_switches(request)["status_hyphen"]:
        status = status.replace("_", "-")
    return JsonResponse({"status": status})
