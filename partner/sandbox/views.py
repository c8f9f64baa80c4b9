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
from partner.sandbox.api import PartnerCredential, json_body, request_switches, sandbox_endpoint
from partner.sandbox.configuration import full_configuration, pick_language, served_configuration
from partner.sandbox.errors import ErrorStyle, SandboxError, apply_error
from partner.sandbox.models import PostingStatus, SandboxJob, SandboxPosting
from partner.sandbox.render import iso_millis_z, render_feed_page, render_offer_page, render_posting
from partner.sandbox.routing import route
from partner.sandbox.state import ErrorEnvelope
from partner.sandbox.validation import ApplyErrorCode, Rejected, check_request

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


@route("feed/publications", name="feed-list")
@sandbox_endpoint("feed.list")
def feed_list(request: HttpRequest, *, credential: PartnerCredential) -> HttpResponse:
    statuses = _statuses(request)
    updated_after = _updated_after(request)
    offset = _int_param(request, "offset", 0, maximum=None)
    limit = _int_param(request, "limit", 100, maximum=100)
    services.expire_due_postings()
    switches = request_switches(request)
    postings = selectors.feed_postings(
        partner=credential.partner,
        statuses=statuses,
        updated_after=updated_after,
        window_days=float(switches["creation_window_days"]),
    )
    page, total = selectors.feed_page(postings=postings, offset=offset, limit=limit)
    return JsonResponse(
        render_feed_page(page, offset=offset, limit=limit, total=total, switches=switches)
    )


def _posting(credential: PartnerCredential, posting_id: str) -> SandboxPosting:
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


@sandbox_endpoint("feed.put", methods=("PUT",))
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


@route("feed/publications/<posting_id>", name="feed-item")
@csrf_exempt
@require_http_methods(["GET", "PUT"])
def feed_item(request: HttpRequest, posting_id: str) -> HttpResponse:
    # One URL, two endpoint names: faults and the journal tell GET and PUT apart.
    if request.method == "PUT":
        return _feed_put(request, posting_id)
    return _feed_get(request, posting_id)


@route("v1/offers", name="offers-list")
@sandbox_endpoint("offers.list")
def offers_list(request: HttpRequest, *, credential: PartnerCredential) -> HttpResponse:
    posting_id = request.GET.get("postingId", "")
    posting = selectors.posting_for_partner(partner=credential.partner, posting_id=posting_id)
    # An unknown or foreign posting is an empty page, not a 404 (job-board-api.md §2).
    return JsonResponse(render_offer_page([posting.offer] if posting else []))


# ---------------------------------------------------------------------------
# Application API
# ---------------------------------------------------------------------------
def _open_job(credential: PartnerCredential, job_uuid: str) -> SandboxJob:
    """The partner's job, unless its postings are all off the board (after expiry)."""
    services.expire_due_postings()
    job = selectors.job_for_partner(partner=credential.partner, job_uuid=job_uuid)
    if job is None or selectors.job_is_closed(job=job):
        raise SandboxError(404, "RESOURCE_NOT_FOUND_ERROR", "Posting not found")
    return job


@route("postings/<job_uuid>/configuration", name="apply-configuration")
@sandbox_endpoint("apply.configuration", errors=ErrorStyle.APPLY)
def apply_configuration(
    request: HttpRequest, job_uuid: str, *, credential: PartnerCredential
) -> HttpResponse:
    job = _open_job(credential, job_uuid)
    language = pick_language(request.headers.get("Accept-Language", "en"))
    served = served_configuration(
        full_configuration(job),
        language=language,
        conditionals=request.GET.get("conditionalsIncluded") == "true",
        switches=request_switches(request),
    )
    response = JsonResponse(served)
    response["Content-Language"] = language
    return response


def _validation_failure(errors: list[tuple[ApplyErrorCode, str]], envelope: str) -> SandboxError:
    """A 400 in the envelope the ``error_envelope`` switch asks for (contract §3)."""
    items = [apply_error(code, message) for code, message in errors]
    body: Any
    if envelope == ErrorEnvelope.OBJECT:
        body = items[0]
    elif envelope == ErrorEnvelope.WRAPPED:
        body = {
            "message": items[0]["message"],
            "errors": [{"code": i["code"], "message": i["message"]} for i in items],
        }
    else:
        body = items
    return SandboxError(400, body=body)


@route("postings/<job_uuid>/candidates", name="apply-candidates")
@sandbox_endpoint("apply.candidates", methods=("POST",), errors=ErrorStyle.APPLY)
def apply_candidates(
    request: HttpRequest, job_uuid: str, *, credential: PartnerCredential
) -> HttpResponse:
    switches = request_switches(request)
    if switches["traffic_locked"]:
        # SR has blocked this partner's traffic: every POST, whatever it carries.
        raise SandboxError(
            403,
            ApplyErrorCode.TRAFFIC_LOCKED,
            "Traffic from this partner is locked; contact SmartRecruiters support",
        )
    job = _open_job(credential, job_uuid)  # check 2
    errors: list[tuple[ApplyErrorCode, str]]
    try:
        checked = check_request(
            json_body(request),
            config=full_configuration(job),
            strict=switches["strict_answers"],
            single_consent_ok=switches["omit_optional_config"],
        )
    except SandboxError:  # check 3: not JSON at all
        errors = [(ApplyErrorCode.INVALID_REQUEST, "The request body must be a JSON object")]
    except Rejected as rejected:  # checks 3-7 stop at the first failure
        errors = [(rejected.code, rejected.message)]
    else:  # checks 8-10
        errors = checked.errors
    if errors:
        raise _validation_failure(errors, switches["error_envelope"])
    submission = services.submit_application(job=job, partner=credential.partner, checked=checked)
    candidate = submission.candidate
    short = candidate.candidate_id.hex[:8]
    # SR's published ApplyApiResponse: id, createdOn, candidatePortalUrl, smartrJoinUrl.
    data = {
        "id": str(candidate.candidate_id),
        "createdOn": iso_millis_z(candidate.created_at),
        "candidatePortalUrl": f"https://jobs.smartrecruiters.com/candidate-portal/{short}",
        "smartrJoinUrl": f"https://www.smartrecruiters.com/join/{short}",
    }
    if switches["include_application_id"]:
        data["applicationId"] = str(candidate.application_id)
    return JsonResponse(data, status=int(switches["apply_success_status"]))


@route("postings/<job_uuid>/candidates/<candidate_id>/status", name="apply-status")
@sandbox_endpoint("apply.status", errors=ErrorStyle.APPLY)
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
