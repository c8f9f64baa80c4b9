"""SmartRecruiters as the caller: what SR sends to the partner (assessment-api.md §6).

The sandbox is not our client, so it talks HTTP itself (httpx), exactly as SR does: token
requests with the P-pair in the form body (or Basic, switch ``token_auth``), one new token
after a 401 and otherwise no retry, ``requester`` header per switch ``requester_header``.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
from django.utils import timezone

from partner.sandbox.assessments import services
from partner.sandbox.assessments.api import PREFIX
from partner.sandbox.assessments.models import AsmCompany, AsmOrder
from partner.sandbox.state import RequesterHeader, TokenAuth, get_switches

logger = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class CallerError(Exception):
    """The partner could not be called, or answered something SR cannot use."""

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body[:2000]


def partner_configuration() -> dict[str, Any]:
    config = services.configuration()
    if config is None:
        raise CallerError(
            "The partner has not saved a configuration yet (manage.py register_assessment_partner)."
        )
    return config


def _fetch_token(company: AsmCompany) -> str:
    if not company.p_client_id or not company.p_client_secret:
        raise CallerError("This company holds no partner credentials (not integrated).")
    url = partner_configuration()["oauthTokenUrl"]
    data = {"grant_type": "client_credentials"}
    auth = None
    if get_switches()["token_auth"] == TokenAuth.BASIC:
        auth = httpx.BasicAuth(quote(company.p_client_id), quote(company.p_client_secret))
    else:
        data |= {"client_id": company.p_client_id, "client_secret": company.p_client_secret}
    try:
        response = httpx.post(url, data=data, auth=auth, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise CallerError(f"Token request failed: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise CallerError(
            "The partner refused the token request",
            status=response.status_code,
            body=response.text,
        )
    try:
        body = response.json()
        token = str(body["access_token"])
        expires_in = int(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError):
        raise CallerError("The partner's token response is not usable") from None
    company.partner_token = token
    company.partner_token_expires_at = timezone.now() + timedelta(seconds=max(expires_in - 30, 0))
    company.save(update_fields=["partner_token", "partner_token_expires_at"])
    return token


def _token(company: AsmCompany, *, fresh: bool = False) -> str:
    if (
        not fresh
        and company.partner_token
        and company.partner_token_expires_at
        and company.partner_token_expires_at > timezone.now()
    ):
        return company.partner_token
    return _fetch_token(company)


def _send(
    company: AsmCompany, method: str, url: str, *, fresh_token: bool = False, **kwargs: Any
) -> httpx.Response:
    """One call with a Bearer token; after a 401, one new token and one retry."""
    headers = dict(kwargs.pop("headers", {}) or {})
    for attempt in range(2):
        token = _token(company, fresh=fresh_token or attempt > 0)
        headers["Authorization"] = f"Bearer {token}"
        try:
            response = httpx.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        except httpx.HTTPError as exc:
            raise CallerError(f"{method} {url} failed: {type(exc).__name__}") from None
        if response.status_code != 401:
            return response
    return response


def single_url(base: str, value: str, placeholder: str) -> str:
    """SR does not say whether these are templates: fill a placeholder, else append."""
    marker = "{" + placeholder + "}"
    if marker in base:
        return base.replace(marker, quote(value, safe=""))
    return base.rstrip("/") + "/" + quote(value, safe="")


def _requester_headers(email: str) -> dict[str, str]:
    mode = get_switches()["requester_header"]
    if mode == RequesterHeader.ABSENT or not email:
        return {}
    if mode == RequesterHeader.EMAIL:
        return {"requester": email}
    return {"requester": json.dumps({"email": email})}


def list_packages(
    company: AsmCompany, *, params: dict[str, str], requester_email: str
) -> tuple[int, list[dict[str, Any]]]:
    url = partner_configuration()["assessmentPackageListUrl"]
    response = _send(
        company,
        "GET",
        url,
        params={k: v for k, v in params.items() if v != ""},
        headers=_requester_headers(requester_email),
    )
    # §6: 200 [] and 204 mean the same.
    if response.status_code == 204:
        return 204, []
    if response.status_code != 200:
        raise CallerError(
            "Listing packages failed", status=response.status_code, body=response.text
        )
    try:
        packages = response.json()
    except ValueError:
        raise CallerError("The package list is not JSON", status=200, body=response.text) from None
    if not isinstance(packages, list):
        raise CallerError("The package list is not an array", status=200, body=response.text)
    return 200, packages


def get_package(company: AsmCompany, *, package_id: str) -> dict[str, Any]:
    base = partner_configuration()["singleAssessmentPackageUrl"]
    response = _send(company, "GET", single_url(base, package_id, "assessmentPackageId"))
    if response.status_code != 200:
        raise CallerError(
            "Getting the package failed", status=response.status_code, body=response.text
        )
    package: dict[str, Any] = response.json()
    return package


def place_order(
    company: AsmCompany,
    *,
    api_root: str,
    package_id: str,
    candidate: dict[str, str],
    job_id: str,
    fields: dict[str, str],
    requester: dict[str, str] | None = None,
    done_url: str = "",
    order_id: uuid.UUID | None = None,
) -> AsmOrder:
    """Store an order and POST it to the partner (§6).

    With ``done_url`` it is an inline order: the candidate is sent to the ``url`` the partner
    answers and comes back to ``done_url``; without, a recruiter's order with a requester.
    """
    inline = bool(done_url)
    url_key = "inlineAssessmentPackageOrderUrl" if inline else "packageOrderUrl"
    url = partner_configuration().get(url_key)
    if not url:
        raise CallerError(f"The partner configured no {url_key}")
    order_id = order_id or uuid.uuid4()
    if not inline:
        candidate = {"id": str(uuid.uuid4()), **candidate}
    body: dict[str, Any] = {
        "resultCallbackURL": f"{api_root}/{PREFIX}/orders/{order_id}/results",
        "companyId": company.company_id,
        "assessmentPackageId": package_id,
        "candidate": candidate,
        "job": {"id": job_id},
        "jobId": job_id,
        "fields": {k: v for k, v in fields.items() if v},
    }
    if inline:
        body["completedAssessmentCallbackUrl"] = done_url
    else:
        body["requester"] = requester or {}
    order = AsmOrder.objects.create(
        order_id=order_id,
        company=company,
        kind=AsmOrder.Kind.INLINE if inline else AsmOrder.Kind.STANDARD,
        package_id=package_id,
        candidate=candidate,
        request=body,
    )
    # duplicate_orders: SR sends every order twice (idempotency test).
    for _ in range(2 if get_switches()["duplicate_orders"] else 1):
        response = _send(company, "POST", url, json=body)
    order.response_status = response.status_code
    order.response_body = response.text[:5000]
    if inline and response.status_code == 200:
        try:
            order.inline_url = str(response.json().get("url") or "")
        except (ValueError, AttributeError):
            order.inline_url = ""
    order.save(update_fields=["response_status", "response_body", "inline_url"])
    return order


def disconnect(company: AsmCompany) -> int | None:
    """``DELETE {integrationDisableUrl}/{companyId}`` with a fresh token, then SR's side."""
    status: int | None = None
    base = partner_configuration().get("integrationDisableUrl")
    try:
        if base and company.p_client_id:
            url = single_url(base, company.company_id, "companyId")
            status = _send(company, "DELETE", url, fresh_token=True).status_code
    finally:
        # SR revokes its side whatever the partner answered.
        services.company_revoke(company=company)
    return status
