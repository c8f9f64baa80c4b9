"""SR-side rules of the Assessment API (assessment-api.md §6 "Rules for the sandbox").

Keyword-only writes; every API rule raises ``SandboxError`` with the contract's status.
"""

from __future__ import annotations

import copy
import hmac
import logging
import re
import secrets
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from jobboard.crypto import hash_token
from partner.sandbox.assessments.models import (
    AsmAttachment,
    AsmCompany,
    AsmConfiguration,
    AsmCredential,
    AsmOrder,
    AsmResultPatch,
    AsmToken,
    TokenKind,
)
from partner.sandbox.errors import SandboxError
from partner.sandbox.services.reset import forget_tables
from partner.sandbox.state import get_switches
from partner.sandbox.validation import decode_base64

logger = logging.getLogger(__name__)

# The fixture master credentials (the project's development defaults point at them).
MASTER_CREDENTIALS = {"sandbox-master-client": "sandbox-master-secret"}


class ResultStatus(StrEnum):
    """The status of a PackageResult or of one assessment in it."""

    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"


# Tuples, not sets: the values tested come from JSON and may be unhashable.
STATUSES = tuple(ResultStatus)
TERMINAL = (ResultStatus.COMPLETED, ResultStatus.EXPIRED, ResultStatus.REJECTED)
ASSESSMENT_TYPES = (
    "VIDEO_INTERVIEW",
    "BEHAVIORAL_ASSESSMENT",
    "BACKGROUND_CHECK",
    "REFERENCE_CHECK",
    "SKILL_TEST",
    "INLINE_ASSESSMENT",
)
LINK_TYPES = ("VIDEO_URL", "PDF_URL", "OTHER_URL")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------
def check_client(
    *, client_id: str, client_secret: str
) -> tuple[TokenKind, AsmCompany | None] | None:
    """("master", None) or ("company", company) for valid credentials, else None."""
    if client_id in MASTER_CREDENTIALS:
        if hmac.compare_digest(MASTER_CREDENTIALS[client_id], client_secret):
            return AsmToken.Kind.MASTER, None
        return None
    credential = (
        AsmCredential.objects.select_related("company")
        .filter(client_id=client_id, revoked_at__isnull=True)
        .first()
    )
    if credential is None or not hmac.compare_digest(
        credential.secret_hash, hash_token(client_secret)
    ):
        return None
    return AsmToken.Kind.COMPANY, credential.company


def token_issue(*, kind: TokenKind, client_id: str, company: AsmCompany | None) -> tuple[str, int]:
    ttl = int(get_switches()["token_ttl"])
    token = secrets.token_urlsafe(32)
    AsmToken.objects.create(
        token_hash=hash_token(token),
        kind=kind,
        client_id=client_id,
        company=company,
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return token, ttl


def token_lookup(*, token: str) -> AsmToken | None:
    if not token:
        return None
    found = AsmToken.objects.select_related("company").filter(token_hash=hash_token(token)).first()
    if found is None or found.revoked_at is not None or found.expires_at <= timezone.now():
        return None
    return found


# ---------------------------------------------------------------------------
# Partner configuration
# ---------------------------------------------------------------------------
_REQUIRED_URLS = (
    "consentUrl",
    "assessmentPackageListUrl",
    "singleAssessmentPackageUrl",
    "oauthTokenUrl",
)
_OPTIONAL_URLS = ("packageOrderUrl", "inlineAssessmentPackageOrderUrl", "integrationDisableUrl")


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def validate_configuration(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, dict):
        return [{"code": "INVALID_BODY", "message": "The body must be a JSON object"}]
    errors: list[dict[str, str]] = []
    for name in _REQUIRED_URLS:
        if not _is_url(body.get(name)):
            errors.append({"code": "INVALID_FIELD", "message": f"{name} must be a URL"})
    for name in _OPTIONAL_URLS:
        if body.get(name) is not None and not _is_url(body.get(name)):
            errors.append({"code": "INVALID_FIELD", "message": f"{name} must be a URL"})
    if body.get("consentDisplayMode") not in ("REDIRECT", "POPUP"):
        errors.append(
            {"code": "INVALID_FIELD", "message": "consentDisplayMode must be REDIRECT or POPUP"}
        )
    types = body.get("supportedAssessmentTypes")
    if (
        not isinstance(types, list)
        or not 1 <= len(types) <= 6
        or any(t not in ASSESSMENT_TYPES for t in types)
    ):
        errors.append(
            {
                "code": "INVALID_FIELD",
                "message": "supportedAssessmentTypes must list 1 to 6 assessment types",
            }
        )
    fields = body.get("fields", [])
    if fields is None:
        fields = []
    if not isinstance(fields, list) or len(fields) > 5:
        errors.append({"code": "INVALID_FIELD", "message": "fields may hold at most 5 items"})
    else:
        for item in fields:
            if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
                errors.append(
                    {"code": "INVALID_FIELD", "message": "every field needs an id and a name"}
                )
    return errors


@transaction.atomic
def configuration_save(*, master_client_id: str, body: dict[str, Any]) -> dict[str, Any]:
    errors = validate_configuration(body)
    if errors:
        raise SandboxError(400, body={"message": "Invalid partner configuration", "errors": errors})
    keys = {*_REQUIRED_URLS, *_OPTIONAL_URLS, "consentDisplayMode", "supportedAssessmentTypes"}
    saved = {k: v for k, v in body.items() if k in keys and v is not None}
    saved["fields"] = body.get("fields") or []
    AsmConfiguration.objects.update_or_create(
        master_client_id=master_client_id, defaults={"body": saved, "updated_at": timezone.now()}
    )
    return saved


def configuration() -> dict[str, Any] | None:
    """The (single) partner's configuration, as the console and SR-as-caller use it."""
    row = AsmConfiguration.objects.order_by("-updated_at").first()
    return row.body if row else None


# ---------------------------------------------------------------------------
# Consent, setup, disconnect
# ---------------------------------------------------------------------------
@transaction.atomic
def company_consent(*, company_id: str, name: str = "") -> AsmCompany:
    """A customer admin clicked *Connect*: consent recorded (also after a disconnect)."""
    company, _ = AsmCompany.objects.get_or_create(
        company_id=company_id, defaults={"name": name or f"Company {company_id[:8]}"}
    )
    if name:
        company.name = name
    if company.state != AsmCompany.State.INTEGRATED:
        company.state = AsmCompany.State.CONSENTED
    company.consented_at = timezone.now()
    company.save()
    return company


@transaction.atomic
def integration_setup(*, company_id: str, body: Any) -> dict[str, str]:
    """``POST /integration/company/{companyId}``: store the P-pair, issue an SR-pair."""
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("clientId"), str)
        or not isinstance(body.get("clientSecret"), str)
        or not body["clientId"]
        or not body["clientSecret"]
    ):
        raise SandboxError(400, "INVALID_BODY", "clientId and clientSecret are required")
    if configuration() is None:
        raise SandboxError(404, "CONFIGURATION_NOT_FOUND", "No partner configuration saved")
    company = AsmCompany.objects.select_for_update().filter(company_id=company_id).first()
    if company is None or company.state in (AsmCompany.State.NONE, AsmCompany.State.DISCONNECTED):
        raise SandboxError(403, "CONSENT_MISSING", f"Company {company_id} has not consented")
    if company.state == AsmCompany.State.INTEGRATED:
        raise SandboxError(409, "ALREADY_INTEGRATED", f"Company {company_id} is already integrated")
    client_id = f"sr-{secrets.token_hex(4)}"
    secret = secrets.token_urlsafe(32)
    AsmCredential.objects.create(
        client_id=client_id, secret_hash=hash_token(secret), company=company
    )
    company.p_client_id = body["clientId"]
    company.p_client_secret = body["clientSecret"]
    company.partner_token = ""
    company.partner_token_expires_at = None
    company.sr_client_id = client_id
    company.state = AsmCompany.State.INTEGRATED
    company.integrated_at = timezone.now()
    company.save()
    return {"clientId": client_id, "clientSecret": secret}


@transaction.atomic
def company_revoke(*, company: AsmCompany) -> None:
    """SR's side of a disconnect: the SR-pair and its tokens stop working."""
    now = timezone.now()
    AsmCredential.objects.filter(company=company, revoked_at__isnull=True).update(revoked_at=now)
    AsmToken.objects.filter(company=company, revoked_at__isnull=True).update(revoked_at=now)
    company.state = AsmCompany.State.DISCONNECTED
    company.disconnected_at = now
    company.partner_token = ""
    company.partner_token_expires_at = None
    company.save()


# ---------------------------------------------------------------------------
# Orders and results
# ---------------------------------------------------------------------------
def order_for_company(*, order_id: str, token: AsmToken) -> AsmOrder:
    """The order, if the token is an SR-pair token of the order's company (§6)."""
    try:
        order_uuid = uuid.UUID(order_id)
    except ValueError:
        raise SandboxError(404, "ORDER_NOT_FOUND", f"No order {order_id}") from None
    order = AsmOrder.objects.select_related("company").filter(order_id=order_uuid).first()
    if order is None:
        raise SandboxError(404, "ORDER_NOT_FOUND", f"No order {order_id}")
    if token.kind != AsmToken.Kind.COMPANY or token.company_id != order.company_id:
        raise SandboxError(403, "FORBIDDEN", "This token may not access this order")
    return order


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: null deletes, objects merge recursively, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _score_errors(score: Any, where: str) -> list[str]:
    if not isinstance(score, dict):
        return [f"{where}score must be an object with raw, min and max"]
    values: list[Any] = [score.get(k) for k in ("raw", "min", "max")]
    if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
        return [f"{where}score needs integer raw, min and max"]
    raw, low, high = values
    if not (low < high and low <= raw <= high):
        return [f"{where}score needs min <= raw <= max and min < max"]
    return []


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def _attachment_errors(items: Any, where: str) -> list[str]:
    if not isinstance(items, list):
        return [f"{where}attachments must be an array"]
    errors: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            errors.append(f"{where}attachment must be an object")
        elif "fileContent" in item:
            name = item.get("fileName")
            content = item.get("fileContent")
            if not isinstance(name, str) or not name or len(name) > 100:
                errors.append(f"{where}attachment fileName is required (at most 100 characters)")
            if not isinstance(item.get("mimeType"), str) or not item.get("mimeType"):
                errors.append(f"{where}attachment mimeType is required")
            decoded = decode_base64(str(content))
            if decoded is None:
                errors.append(f"{where}attachment fileContent must be base64")
            elif len(decoded) > MAX_ATTACHMENT_BYTES:
                errors.append(f"{where}attachment is larger than 10 MB")
        elif "type" in item or "url" in item:
            if item.get("type") not in LINK_TYPES:
                errors.append(f"{where}attachment type must be one of {', '.join(LINK_TYPES)}")
            if not _is_url(item.get("url")):
                errors.append(f"{where}attachment url must be a URL")
        else:
            errors.append(f"{where}attachment is neither a file nor a link")
    return errors


def validate_result(merged: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    status = merged.get("status")
    if status is not None and status not in STATUSES:
        errors.append(f"unknown status {status!r}")
    if "score" in merged:
        errors += _score_errors(merged["score"], "")
    for name in ("assessmentPackageDate", "submissionDate"):
        if name in merged and not (isinstance(merged[name], str) and _ISO.match(merged[name])):
            errors.append(f"{name} must be an ISO-8601 date-time")
    if "attachments" in merged:
        errors += _attachment_errors(merged["attachments"], "")
    results = merged.get("assessmentResults")
    if results is not None:
        if not isinstance(results, list):
            errors.append("assessmentResults must be an array")
        else:
            for item in results:
                if not isinstance(item, dict) or not item.get("assessmentId"):
                    errors.append("every assessment result needs an assessmentId")
                    continue
                where = f"assessment {item['assessmentId']}: "
                if item.get("status") is not None and item["status"] not in STATUSES:
                    errors.append(f"{where}unknown status {item['status']!r}")
                if "score" in item:
                    errors += _score_errors(item["score"], where)
                if "attachments" in item:
                    errors += _attachment_errors(item["attachments"], where)
    return errors


def _transition_problems(old: dict[str, Any], merged: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    before, after = old.get("status"), merged.get("status")
    if before in TERMINAL and after != before:
        problems.append(f"status {before} is terminal and cannot become {after}")
    if after == ResultStatus.COMPLETED and not merged.get("submissionDate"):
        problems.append("COMPLETED needs a submissionDate")
    return problems


@transaction.atomic
def result_patch(*, order: AsmOrder, body: Any) -> dict[str, Any]:
    """Merge a PackageResult patch (RFC 7396) after the §6 checks; every call is logged."""
    order = AsmOrder.objects.select_for_update().get(pk=order.pk)
    if not isinstance(body, dict):
        AsmResultPatch.objects.create(order=order, body=body, status=400, note="not an object")
        raise SandboxError(
            400,
            body={
                "message": "Invalid result",
                "errors": [{"code": "INVALID_BODY", "message": "The body must be a JSON object"}],
            },
        )
    merged: dict[str, Any] = merge_patch(order.result, body)
    errors = validate_result(merged)
    problems = _transition_problems(order.result, merged)
    note = ""
    if problems and get_switches()["strict_results"]:
        errors += problems
    elif problems:
        note = "accepted (strict_results off): " + "; ".join(problems)
        logger.info("sandbox result for order %s: %s", order.order_id, note)
    if errors:
        AsmResultPatch.objects.create(order=order, body=body, status=400, note="; ".join(errors))
        raise SandboxError(
            400,
            body={
                "message": "Invalid result",
                "errors": [{"code": "INVALID_RESULT", "message": e} for e in errors],
            },
        )
    order.result = merged
    order.updated_at = timezone.now()
    order.save(update_fields=["result", "updated_at"])
    AsmResultPatch.objects.create(order=order, body=body, status=200, note=note)
    return merged


@transaction.atomic
def attachment_upload(
    *, order: AsmOrder, file_name: str, content_type: str, content: bytes
) -> AsmAttachment:
    if order.kind == AsmOrder.Kind.INLINE:
        raise SandboxError(
            400, "INLINE_ORDER", "Inline orders take no uploads; link or embed the file"
        )
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise SandboxError(400, "TOO_LARGE", "The attachment is larger than 10 MB")
    return AsmAttachment.objects.create(
        order=order,
        file_name=file_name[:300] or "attachment",
        content_type=content_type[:150] or "application/octet-stream",
        size=len(content),
        content=content,
    )


@transaction.atomic
def reset_assessments() -> None:
    """Forget every SR-side assessment row (the core's reset_sandbox does the rest)."""
    forget_tables("sandbox_assessments")
