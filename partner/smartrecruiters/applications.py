"""Client for SmartRecruiters' Application API (contract: application-api.md).

One function per endpoint, each going through the shared transport. Responses are
parsed into small frozen dataclasses that tolerate every variation the contract lists:
missing ``settings``/``conditionals``/``consentDetails``/``companyImprintUrl``/
``aiSettings``, unknown field types, extra fields, a 200 or 201 with or without
``applicationId``, three shapes of 400 body, non-JSON error bodies and the ``IN-REVIEW``
spelling.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from django.conf import settings

from partner.smartrecruiters.apply_configuration import (
    ApplyConfiguration,
    http_url,
    parse_configuration,
)
from partner.smartrecruiters.auth import SmartTokenAuth
from partner.smartrecruiters.errors import (
    AuthenticationError,
    BadRequestError,
    MalformedResponseError,
    SmartRecruitersError,
)
from partner.smartrecruiters.parsing import text
from partner.smartrecruiters.transport import get_transport

logger = logging.getLogger(__name__)

# The two documented screening messages; the ids follow ": " (contract §7).
REQUIRED_MESSAGE = "The following screening questions are required"
INCORRECT_MESSAGE = "Values for the following screening questions' answers are incorrect"

# SR's published ApplyApiRequest (application-api.md §3, "Corrections"): firstName,
# lastName, email and phoneNumber at most 128 characters; Attachment.fileName at most 100.
MAX_IDENTITY_CHARS = 128
MAX_FILE_NAME_CHARS = 100


class ApplyErrorCode(StrEnum):
    """Every ``ApplyError.code`` SR's published spec lists (application-api.md §3)."""

    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_INPUT = "INVALID_INPUT"
    DATA_VALIDATION_ERROR = "DATA_VALIDATION_ERROR"
    FILE_UPLOAD_ERROR = "FILE_UPLOAD_ERROR"
    RESOURCE_NOT_FOUND_ERROR = "RESOURCE_NOT_FOUND_ERROR"
    INVALID_API_KEY_ERROR = "INVALID_API_KEY_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    APPLY_API_ERROR = "APPLY_API_ERROR"
    # The five the contract first missed (SR's spec).
    COMPANY_NOT_FOUND_ERROR = "COMPANY_NOT_FOUND_ERROR"
    COMPANY_RETRIEVAL_ERROR = "COMPANY_RETRIEVAL_ERROR"
    FILE_API_ERROR = "FILE_API_ERROR"
    REST_CALL_TIMEOUT = "REST_CALL_TIMEOUT"
    TRAFFIC_LOCKED = "TRAFFIC_LOCKED"


# What each code means, in words for operators (admin, logs). SR documents only the
# names; the words are ours. The HTTP status still decides retrying (errors.py).
ERROR_MEANINGS: dict[ApplyErrorCode, str] = {
    ApplyErrorCode.INVALID_REQUEST: "SmartRecruiters could not read the request.",
    ApplyErrorCode.INVALID_INPUT: "SmartRecruiters refused a candidate field.",
    ApplyErrorCode.DATA_VALIDATION_ERROR: "SmartRecruiters refused screening answers.",
    ApplyErrorCode.FILE_UPLOAD_ERROR: "SmartRecruiters refused an attached file.",
    ApplyErrorCode.RESOURCE_NOT_FOUND_ERROR: "SmartRecruiters does not know this posting.",
    ApplyErrorCode.INVALID_API_KEY_ERROR: "SmartRecruiters refused our API key.",
    ApplyErrorCode.UNAUTHORIZED: "Our API key may not apply to this posting.",
    ApplyErrorCode.APPLY_API_ERROR: "SmartRecruiters' Application API failed.",
    ApplyErrorCode.COMPANY_NOT_FOUND_ERROR: "SmartRecruiters does not know the hiring company.",
    ApplyErrorCode.COMPANY_RETRIEVAL_ERROR: "SmartRecruiters could not load the hiring company.",
    ApplyErrorCode.FILE_API_ERROR: "SmartRecruiters' file storage failed.",
    ApplyErrorCode.REST_CALL_TIMEOUT: "SmartRecruiters timed out internally.",
    ApplyErrorCode.TRAFFIC_LOCKED: "SmartRecruiters has blocked our traffic.",
}


def known_code(code: str | None) -> ApplyErrorCode | None:
    """The code as one of SR's published ones, or None for anything else."""
    try:
        return ApplyErrorCode(code or "")
    except ValueError:
        return None


@dataclass(frozen=True, kw_only=True)
class ApplyResponse:
    """A successful POST candidates. ``id`` (the candidate) is all we can count on:
    SR's spec answers 200 without ``applicationId``; some doc examples show 201 with it."""

    id: str
    created_on: str = ""
    candidate_portal_url: str = ""
    smartr_join_url: str = ""
    # Not in SR's published spec: stored when present, never required.
    application_id: str = ""
    # The 2xx status it came with (200 per SR's spec, 201 in some examples).
    http_status: int = 200


@dataclass(frozen=True, kw_only=True)
class ApplyError:
    code: str = ""
    message: str = ""
    id: str = ""

    @property
    def known_code(self) -> ApplyErrorCode | None:
        return known_code(self.code)


@dataclass(frozen=True, kw_only=True)
class ScreeningErrors:
    """Question ids named by a 400, split by the two documented messages."""

    required: tuple[str, ...] = ()
    incorrect: tuple[str, ...] = ()
    errors: tuple[ApplyError, ...] = field(default_factory=tuple)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.required + self.incorrect))

    @property
    def message(self) -> str:
        return " ".join(e.message for e in self.errors if e.message) or "Bad request"


class ApplicationRejected(BadRequestError):
    """A 400 from POST candidates, with the parsed errors attached."""

    def __init__(self, message: str, *, screening: ScreeningErrors, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.screening = screening


class TrafficLocked(AuthenticationError):
    """``TRAFFIC_LOCKED`` (a 403 in the sandbox): SR has blocked this partner's traffic.

    Not the application's fault and not our key's: callers pause every submission
    instead of spending retries, and tell the operator (contract §7).
    """


# --- parsing ---------------------------------------------------------------------------


def parse_apply_response(data: Any, *, http_status: int = 200) -> ApplyResponse:
    """Any 2xx body with a candidate ``id``; ``applicationId`` only when SR sent one."""
    if not isinstance(data, dict) or not data.get("id"):
        raise MalformedResponseError(f"{http_status} without a candidate id", permanent=False)
    return ApplyResponse(
        id=text(data["id"]),
        created_on=text(data.get("createdOn")),
        candidate_portal_url=http_url(data.get("candidatePortalUrl")),
        smartr_join_url=http_url(data.get("smartrJoinUrl")),
        application_id=text(data.get("applicationId")),
        http_status=http_status,
    )


def parse_errors(body: bytes | str | Any) -> tuple[ApplyError, ...]:
    """Read an error body in any of the three 400 envelopes, or none at all.

    ``[ApplyError, ...]`` (sandbox default), one ``ApplyError``, or
    ``{"message", "errors": [{code, message}]}``; SR does not document which.
    """
    data = body
    if isinstance(body, bytes | str):
        try:
            data = json.loads(body)
        except ValueError:
            plain = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            return (ApplyError(message=plain.strip()[:500]),) if plain.strip() else ()

    def one(item: Any) -> ApplyError | None:
        if not isinstance(item, dict):
            return None
        return ApplyError(
            code=text(item.get("code")), message=text(item.get("message")), id=text(item.get("id"))
        )

    if isinstance(data, list):
        return tuple(e for e in map(one, data) if e is not None)
    if isinstance(data, dict):
        if isinstance(data.get("errors"), list):
            inner = tuple(e for e in map(one, data["errors"]) if e is not None)
            # The wrapper's own message carries the screening ids; keep it first.
            outer = ApplyError(code=text(data.get("code")), message=text(data.get("message")))
            return ((outer,) if outer.message else ()) + inner
        single = one(data)
        return (single,) if single else ()
    return ()


def _ids_after_colon(message: str) -> tuple[str, ...]:
    # Contract §7: the text after ": ", final "." dropped, split on ", ".
    _, _, rest = message.partition(": ")
    rest = rest.strip()
    if rest.endswith("."):
        rest = rest[:-1]
    return tuple(part.strip() for part in rest.split(", ") if part.strip())


def screening_errors(errors: tuple[ApplyError, ...]) -> ScreeningErrors:
    required: list[str] = []
    incorrect: list[str] = []
    for error in errors:
        if error.message.startswith(REQUIRED_MESSAGE):
            required.extend(_ids_after_colon(error.message))
        elif error.message.startswith(INCORRECT_MESSAGE):
            incorrect.extend(_ids_after_colon(error.message))
    return ScreeningErrors(
        required=tuple(dict.fromkeys(required)),
        incorrect=tuple(dict.fromkeys(incorrect)),
        errors=errors,
    )


def normalise_status(value: str) -> str:
    """``IN-REVIEW`` (SR's pages) becomes ``IN_REVIEW``; unknown values are kept as they are."""
    return value.strip().upper().replace("-", "_") if value else value


# --- endpoints ---------------------------------------------------------------------------


def _auth() -> SmartTokenAuth:
    return SmartTokenAuth(settings.SMARTRECRUITERS_APPLICATION_TOKEN)


def _posting_path(posting_uuid: str) -> str:
    return f"/postings/{quote(posting_uuid, safe='')}"


def get_configuration(
    posting_uuid: str, *, language: str = "en", max_retries: int | None = None
) -> ApplyConfiguration:
    """GET /postings/{uuid}/configuration?conditionalsIncluded=true with Accept-Language."""
    response = get_transport().request(
        "GET",
        f"{_posting_path(posting_uuid)}/configuration",
        auth=_auth(),
        params={"conditionalsIncluded": "true"},
        headers={"Accept": "application/json", "Accept-Language": language or "en"},
        max_retries=max_retries,
    )
    try:
        data = response.json()
    except ValueError:
        raise MalformedResponseError("configuration body is not JSON", permanent=False) from None
    return parse_configuration(data)


def _traffic_locked(exc: SmartRecruitersError) -> TrafficLocked | None:
    codes = [exc.code] + [d.code for d in getattr(exc, "errors", [])]
    if ApplyErrorCode.TRAFFIC_LOCKED not in codes:
        return None
    return TrafficLocked(
        exc.message,
        status=exc.status,
        code=ApplyErrorCode.TRAFFIC_LOCKED,
        body_excerpt=exc.body_excerpt,
    )


def create_candidate(
    posting_uuid: str, payload: dict[str, Any], *, max_retries: int | None = None
) -> ApplyResponse:
    """POST /postings/{uuid}/candidates with an ``ApplyRequest``; 200 (or 201) ``ApplyResponse``.

    A 400 raises ``ApplicationRejected`` carrying the question ids SmartRecruiters named;
    a ``TRAFFIC_LOCKED`` answer, whatever its status, raises ``TrafficLocked``.
    """
    try:
        response = get_transport().request(
            "POST",
            f"{_posting_path(posting_uuid)}/candidates",
            auth=_auth(),
            json=payload,
            headers={"Accept": "application/json"},
            max_retries=max_retries,
        )
    except BadRequestError as exc:
        locked = _traffic_locked(exc)
        if locked is not None:
            raise locked from exc
        # The transport already read every {code, message} whatever the envelope; the
        # excerpt is a fallback for a body it could not parse (e.g. plain text).
        errors = tuple(
            ApplyError(code=d.code, message=d.message) for d in exc.errors
        ) or parse_errors(exc.body_excerpt)
        screening = screening_errors(errors)
        raise ApplicationRejected(
            screening.message or str(exc),
            screening=screening,
            status=exc.status,
            code=(errors[0].code if errors else exc.code),
            permanent=True,
            body_excerpt=exc.body_excerpt,
        ) from exc
    except SmartRecruitersError as exc:
        locked = _traffic_locked(exc)
        if locked is not None:
            raise locked from exc
        raise
    try:
        data = response.json()
    except ValueError:
        raise MalformedResponseError("apply response is not JSON", permanent=False) from None
    return parse_apply_response(data, http_status=response.status)


def get_status(posting_uuid: str, candidate_id: str, *, max_retries: int | None = None) -> str:
    """GET /postings/{uuid}/candidates/{candidateId}/status; the normalised status value."""
    response = get_transport().request(
        "GET",
        f"{_posting_path(posting_uuid)}/candidates/{quote(candidate_id, safe='')}/status",
        auth=_auth(),
        headers={"Accept": "application/json"},
        max_retries=max_retries,
    )
    try:
        data = response.json()
    except ValueError:
        raise MalformedResponseError("status body is not JSON", permanent=False) from None
    status = data.get("status") if isinstance(data, dict) else None
    if not isinstance(status, str) or not status:
        raise MalformedResponseError("status response without a status", permanent=False)
    return normalise_status(status)
