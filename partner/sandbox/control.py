"""The JSON control API (``/sandbox/control/``): drive the sandbox from tests and scripts.

Auth: ``X-Sandbox-Control-Token`` equal to ``SANDBOX_CONTROL_TOKEN`` (compared in constant
time), or a staff session **with** Django's CSRF check. The views are exempt from the CSRF
middleware so that scripts with the token need no cookie; a session is ambient (the
browser sends it from any same-site page, and SameSite=Lax does not stop a sibling
subdomain), so a request that relies on it must prove it came from our own pages, exactly
as a form would. Not journalled: the journal shows SR's API only.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from partner.sandbox import selectors, services
from partner.sandbox.models import (
    POSTING_CONTENT_FIELDS,
    JournalEntry,
    SandboxCandidate,
    SandboxPosting,
)
from partner.sandbox.render import iso_millis_z
from partner.sandbox.routing import route
from partner.sandbox.seeding import seed_sandbox
from partner.sandbox.state import SwitchError, get_switches, sandbox_now, set_switches

View = Callable[..., HttpResponse]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _has_token(request: HttpRequest) -> bool:
    expected = settings.SANDBOX_CONTROL_TOKEN
    given = request.headers.get("X-Sandbox-Control-Token", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_active and user.is_staff


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's own CSRF check (origin, referer, token), as if the view were not exempt."""

    def never_called(request: HttpRequest) -> HttpResponse:
        raise AssertionError("the CSRF check does not call the view")  # pragma: no cover

    check = CsrfViewMiddleware(never_called)
    check.process_request(request)
    return check.process_view(request, never_called, (), {})


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """None when the request may use the control API, else the answer to give."""
    if _has_token(request):
        return None
    if not _is_staff(request):
        message = "Sandbox control needs a token or a staff session"
        return JsonResponse({"error": message}, status=401)
    if _csrf_refusal(request) is not None:
        return JsonResponse(
            {"error": "A staff session needs the CSRF token (X-CSRFToken) for this"}, status=403
        )
    return None


def control_view(*methods: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = _refusal(request)
            if refusal is not None:
                return refusal
            if request.method not in methods:
                return JsonResponse({"error": f"Use {', '.join(methods)}"}, status=405)
            try:
                return view(request, *args, **kwargs)
            except ControlError as error:
                return JsonResponse({"error": error.message}, status=error.status)
            except (SwitchError, ValueError, TypeError, services.PostingStateError) as error:
                return JsonResponse({"error": str(error)}, status=400)
            except ObjectDoesNotExist:
                return JsonResponse({"error": "Not found"}, status=404)

        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError:
        raise ControlError(400, "Body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ControlError(400, "Body must be a JSON object")
    return data


def posting_json(posting: SandboxPosting) -> dict[str, Any]:
    return {
        "id": str(posting.id),
        "uuid": str(posting.job.uuid),
        "name": posting.name,
        "status": posting.status,
        "company": posting.company.name,
        "postedDate": iso_millis_z(posting.posted_date),
        "expiresAt": iso_millis_z(posting.expires_at),
        "liveUrl": posting.live_url,
        "comment": posting.comment,
        "replacedBy": str(posting.replaced_by_id) if posting.replaced_by_id else None,
        "history": [
            {
                "actor": e.actor,
                "from": e.from_status,
                "to": e.to_status,
                "at": iso_millis_z(e.at),
                "note": e.note,
                "liveUrl": e.live_url,
                "comment": e.comment,
            }
            for e in posting.events.all()
        ],
    }


def journal_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "endpoint": entry.endpoint,
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "requestHeaders": entry.request_headers,
        "requestBody": entry.request_body,
        "status": entry.status,
        "responseHeaders": entry.response_headers,
        "responseBody": entry.response_body,
        "durationMs": entry.duration_ms,
        "fault": entry.fault,
        "credential": entry.credential,
    }


@route("reset", name="reset")
@control_view("POST")
def reset(request: HttpRequest) -> HttpResponse:
    services.reset_sandbox()
    partner = services.ensure_partner()
    return JsonResponse({"ok": True, "partnerToken": partner.token})


@route("switches", name="switches")
@control_view("GET", "PUT", "POST")
def switches(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return JsonResponse(get_switches())
    data = _body(request)
    if data.pop("_reset", False):
        services.reset_switches()
    return JsonResponse(set_switches(**data))


@route("journal", name="journal")
@control_view("GET")
def journal(request: HttpRequest) -> HttpResponse:
    query = request.GET
    status = query.get("status")
    if status and not status.isdigit():
        raise ControlError(400, "status must be a number")
    limit = query.get("limit", "200")
    entries = selectors.journal_entries(
        endpoint=query.get("endpoint") or None,
        method=query.get("method") or None,
        path_prefix=query.get("path_prefix") or None,
        status=int(status) if status else None,
        limit=int(limit) if limit.isdigit() else 200,
    )
    return JsonResponse({"entries": [journal_json(e) for e in entries]})


_CREATE_KEYS = {
    "name",
    "company_name",
    "with_contract",
    "contract_login",
    "contract_password",
    "posting_period",
    "configuration",
    "configuration_template",
    "posted_date",
    *POSTING_CONTENT_FIELDS,
}


@route("postings", name="postings")
@control_view("POST")
def postings_create(request: HttpRequest) -> HttpResponse:
    data = _body(request)
    unknown = set(data) - _CREATE_KEYS
    if unknown:
        raise ControlError(400, f"Unknown fields: {sorted(unknown)}")
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise ControlError(400, "name is required")
    if "posted_date" in data:
        moment = parse_datetime(str(data.pop("posted_date")))
        if moment is None:
            raise ControlError(400, "posted_date must be an ISO-8601 date-time")
        data["posted_date"] = moment
    posting = services.create_posting(**data)
    return JsonResponse(posting_json(posting), status=201)


@route("postings/<int:posting_id>", name="posting")
@control_view("GET")
def posting_detail(request: HttpRequest, posting_id: int) -> HttpResponse:
    return JsonResponse(posting_json(SandboxPosting.objects.get(pk=posting_id)))


@route("postings/<int:posting_id>/remove", name="posting-remove")
@control_view("POST")
def posting_remove(request: HttpRequest, posting_id: int) -> HttpResponse:
    SandboxPosting.objects.get(pk=posting_id)
    posting = services.remove_posting(posting=posting_id)
    return JsonResponse(posting_json(posting))


@route("postings/<int:posting_id>/repost", name="posting-repost")
@control_view("POST")
def posting_repost(request: HttpRequest, posting_id: int) -> HttpResponse:
    SandboxPosting.objects.get(pk=posting_id)
    new = services.repost_posting(posting=posting_id, **_body(request))
    return JsonResponse(posting_json(new), status=201)


@route("clock/advance", name="clock-advance")
@control_view("POST")
def clock_advance(request: HttpRequest) -> HttpResponse:
    days: Any = _body(request).get("days")  # checked by the service
    now = services.advance_clock(days=days)
    return JsonResponse({"now": now.isoformat()})


@route("clock", name="clock")
@control_view("GET")
def clock(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"now": sandbox_now().isoformat()})


@route("candidates/<int:candidate_pk>/status", name="candidate-status")
@control_view("POST")
def candidate_status(request: HttpRequest, candidate_pk: int) -> HttpResponse:
    SandboxCandidate.objects.get(pk=candidate_pk)
    status: Any = _body(request).get("status")  # checked by the service
    candidate = services.set_candidate_status(candidate=candidate_pk, status=status)
    return JsonResponse(
        {"id": candidate.pk, "candidateId": str(candidate.candidate_id), "status": candidate.status}
    )


@route("candidates", name="candidates")
@control_view("GET")
def candidates(request: HttpRequest) -> HttpResponse:
    rows = selectors.candidates_for_console()[:200]
    return JsonResponse(
        {
            "candidates": [
                {
                    "id": c.pk,
                    "candidateId": str(c.candidate_id),
                    "applicationId": str(c.application_id),
                    "uuid": str(c.job.uuid),
                    "email": c.email,
                    "status": c.status,
                    "answers": c.answers,
                    "attachments": [a.file_name for a in c.attachments.all()],
                }
                for c in rows
            ]
        }
    )


@route("seed", name="seed")
@control_view("POST")
def seed(request: HttpRequest) -> HttpResponse:
    data = _body(request)
    summary = seed_sandbox(
        postings=int(data.get("postings", 10)),
        companies=None if data.get("companies") is None else int(data["companies"]),
        seed=int(data.get("seed", 0)),
    )
    return JsonResponse(summary.as_dict(), status=201)
