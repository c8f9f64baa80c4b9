"""SR's Assessment API endpoints served by the sandbox (assessment-api.md §2 "SR side").

Each goes through ``@sandbox_endpoint`` (journal, outage, auth, rate limit, faults).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from partner.sandbox.api import Credential, SandboxError, json_body, sandbox_endpoint, sandbox_root
from partner.sandbox.assessments import services
from partner.sandbox.assessments.models import AsmCompany, AsmOrder, AsmToken

PREFIX = "assessment-api/v202010"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------
# Authentication callables for the decorator
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientCredential(Credential):
    """A client id and secret that checked out, presented to the token endpoint."""

    kind: str
    client_id: str
    company: AsmCompany | None


@dataclass(frozen=True)
class TokenCredential(Credential):
    """A bearer token we issued and that is still valid."""

    token: AsmToken


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    """Form body (SR's documented way) or, tolerated, HTTP Basic."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def client_auth(request: HttpRequest) -> ClientCredential | None:
    client_id, secret = _client_credentials(request)
    if not client_id or not secret:
        return None
    checked = services.check_client(client_id=client_id, client_secret=secret)
    if checked is None:
        raise SandboxError(401, "invalid_client", "Unknown client or wrong secret")
    kind, company = checked
    return ClientCredential(
        key=f"asm-client:{client_id}", kind=kind, client_id=client_id, company=company
    )


def bearer_auth(request: HttpRequest) -> TokenCredential | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    token = services.token_lookup(token=value.strip())
    if token is None:
        return None
    return TokenCredential(key=f"asm-client:{token.client_id}", token=token)


def _token(credential: Credential | None) -> AsmToken:
    if not isinstance(credential, TokenCredential):
        raise SandboxError(401)
    return credential.token


def _master(credential: Credential | None) -> AsmToken:
    token = _token(credential)
    # §6: the credential *kind* decides; master only for configuration and setup.
    if token.kind != AsmToken.Kind.MASTER:
        raise SandboxError(403, "FORBIDDEN", "Only the partner's master credentials may do this")
    return token


def _company(credential: Credential | None) -> AsmToken:
    token = _token(credential)
    if token.kind != AsmToken.Kind.COMPANY:
        raise SandboxError(403, "FORBIDDEN", "Use the company's credentials")
    return token


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------
@require_http_methods(["POST"])
@sandbox_endpoint("assessments.token", auth=client_auth, errors="oauth")
def token(request: HttpRequest, *, credential: ClientCredential) -> HttpResponse:
    # The decorator answers 401 itself when client_auth finds no credential.
    if "x-www-form-urlencoded" not in (request.content_type or ""):
        raise SandboxError(400, "invalid_request", "Send a form-encoded body")
    grant_type = request.POST.get("grant_type", "")
    if not grant_type:
        raise SandboxError(400, "invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        raise SandboxError(400, "unsupported_grant_type", "Only client_credentials")
    access_token, ttl = services.token_issue(
        kind=credential.kind, client_id=credential.client_id, company=credential.company
    )
    return _no_store(
        JsonResponse({"access_token": access_token, "token_type": "Bearer", "expires_in": ttl})
    )


@require_http_methods(["GET", "PUT"])
@sandbox_endpoint("assessments.configuration", auth=bearer_auth, errors="assessment")
def configuration(request: HttpRequest, *, credential: Credential | None) -> HttpResponse:
    master = _master(credential)
    if request.method == "PUT":
        return JsonResponse(
            services.configuration_save(master_client_id=master.client_id, body=json_body(request))
        )
    saved = services.configuration()
    if saved is None:
        raise SandboxError(404, "CONFIGURATION_NOT_FOUND", "No partner configuration saved")
    return JsonResponse(saved)


@require_http_methods(["POST"])
@sandbox_endpoint("assessments.setup", auth=bearer_auth, errors="assessment")
def setup(request: HttpRequest, company_id: str, *, credential: Credential | None) -> HttpResponse:
    _master(credential)
    return JsonResponse(services.integration_setup(company_id=company_id, body=json_body(request)))


@require_http_methods(["PATCH"])
@sandbox_endpoint("assessments.results", auth=bearer_auth, errors="assessment")
def results(request: HttpRequest, order_id: str, *, credential: Credential | None) -> HttpResponse:
    order = services.order_for_company(order_id=order_id, token=_company(credential))
    media_type = (request.content_type or "").lower()
    if media_type not in ("application/json", "application/merge-patch+json"):
        raise SandboxError(
            415, "UNSUPPORTED_MEDIA_TYPE", "Use application/json or application/merge-patch+json"
        )
    merged = services.result_patch(order=order, body=json_body(request))
    return JsonResponse(merged)


@require_http_methods(["POST"])
@sandbox_endpoint("assessments.attachment", auth=bearer_auth, errors="assessment")
def attachment(
    request: HttpRequest, order_id: str, *, credential: Credential | None
) -> HttpResponse:
    order = services.order_for_company(order_id=order_id, token=_company(credential))
    upload = request.FILES.get("attachment")
    if upload is None:
        raise SandboxError(400, "ATTACHMENT_MISSING", "Send the file in the part 'attachment'")
    saved = services.attachment_upload(
        order=order,
        file_name=upload.name or "attachment",
        content_type=upload.content_type or "application/octet-stream",
        content=upload.read(),
    )
    url = (
        f"{sandbox_root(request)}/{PREFIX}/orders/{order.order_id}/results/attachments/"
        f"{saved.attachment_id}"
    )
    return JsonResponse({"url": url}, status=201)


@require_http_methods(["GET"])
@sandbox_endpoint("assessments.attachment", auth=bearer_auth, errors="assessment")
def attachment_file(
    request: HttpRequest, order_id: str, attachment_id: str, *, credential: Credential | None
) -> HttpResponse:
    order = services.order_for_company(order_id=order_id, token=_company(credential))
    found = order.attachments.filter(attachment_id=attachment_id).first()
    if found is None:
        raise SandboxError(404, "ATTACHMENT_NOT_FOUND", "No such attachment")
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response


@require_http_methods(["GET"])
@sandbox_endpoint("assessments.orders", auth=bearer_auth, errors="assessment")
def orders(request: HttpRequest, *, credential: Credential | None) -> HttpResponse:
    """The customer's order listing: its own orders with their merged results."""
    token = _company(credential)
    rows = AsmOrder.objects.filter(company_id=token.company_id).order_by("-created_at")[:200]
    return JsonResponse(
        [
            {
                "orderId": str(o.order_id),
                "kind": o.kind,
                "assessmentPackageId": o.package_id,
                "candidate": o.candidate,
                "result": o.result,
                "createdAt": o.created_at.isoformat(),
            }
            for o in rows
        ],
        safe=False,
    )
