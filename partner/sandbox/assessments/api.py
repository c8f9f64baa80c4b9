"""SR's Assessment API endpoints served by the sandbox (assessment-api.md §2 "SR side").

Each goes through ``@sandbox_endpoint`` (journal, outage, auth, rate limit, faults).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, JsonResponse

from partner.sandbox.api import Credential, View, json_body, request_switches, sandbox_endpoint
from partner.sandbox.assessments import services
from partner.sandbox.assessments.models import AsmCompany, AsmOrder, AsmToken, TokenKind
from partner.sandbox.errors import ErrorStyle, SandboxError, sandbox_root
from partner.sandbox.routing import route
from partner.sandbox.validation import decode_base64

PREFIX = "assessment-api/v202010"


@dataclass(frozen=True, kw_only=True)
class ClientCredential(Credential):
    """Client credentials presented to the token endpoint: master or an SR-pair."""

    kind: TokenKind
    client_id: str
    company: AsmCompany | None


@dataclass(frozen=True, kw_only=True)
class TokenCredential(Credential):
    """A bearer token the token endpoint issued."""

    token: AsmToken


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    """Form body (SR's documented way) or, tolerated, HTTP Basic."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = (decode_base64(value.strip()) or b"").decode()
        except UnicodeDecodeError:
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
    token = services.token_lookup(token=value.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return None
    return TokenCredential(key=f"asm-client:{token.client_id}", token=token)


def _endpoint(name: str, *methods: str) -> Callable[[View], View]:
    """An endpoint for bearer tokens, answering errors in the Assessment API's shape."""
    return sandbox_endpoint(
        f"assessments.{name}",
        methods=methods or ("GET",),
        auth=bearer_auth,
        errors=ErrorStyle.ASSESSMENT,
    )


def _token_of(credential: TokenCredential, kind: TokenKind, refusal: str) -> AsmToken:
    # §6: the credential *kind* decides; master only for configuration and setup.
    if credential.token.kind != kind:
        raise SandboxError(403, "FORBIDDEN", refusal)
    return credential.token


def _master(credential: TokenCredential) -> AsmToken:
    refusal = "Only the partner's master credentials may do this"
    return _token_of(credential, AsmToken.Kind.MASTER, refusal)


def _company(credential: TokenCredential) -> AsmToken:
    return _token_of(credential, AsmToken.Kind.COMPANY, "Use the company's credentials")


@sandbox_endpoint("assessments.token", methods=("POST",), auth=client_auth, errors=ErrorStyle.OAUTH)
def token(request: HttpRequest, *, credential: ClientCredential) -> HttpResponse:
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
    body: dict[str, Any] = {"access_token": access_token, "expires_in": ttl}
    if request_switches(request)["token_type_in_response"]:
        # SR's published spec requires only access_token and expires_in.
        body["token_type"] = "Bearer"  # noqa: S105 - the scheme name
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@route("partner/configuration", name="configuration")
@_endpoint("configuration", "GET", "PUT")
def configuration(request: HttpRequest, *, credential: TokenCredential) -> HttpResponse:
    master = _master(credential)
    if request.method == "PUT":
        body = json_body(request)
        return JsonResponse(
            services.configuration_save(master_client_id=master.client_id, body=body)
        )
    saved = services.configuration()
    if saved is None:
        raise SandboxError(404, "CONFIGURATION_NOT_FOUND", "No partner configuration saved")
    return JsonResponse(saved)


@route("integration/company/<company_id>", name="setup")
@_endpoint("setup", "POST")
def setup(request: HttpRequest, company_id: str, *, credential: TokenCredential) -> HttpResponse:
    _master(credential)
    return JsonResponse(services.integration_setup(company_id=company_id, body=json_body(request)))


@route("orders/<order_id>/results", name="results")
@_endpoint("results", "PATCH")
def results(request: HttpRequest, order_id: str, *, credential: TokenCredential) -> HttpResponse:
    order = services.order_for_company(order_id=order_id, token=_company(credential))
    media_type = (request.content_type or "").lower()
    if media_type not in ("application/json", "application/merge-patch+json"):
        raise SandboxError(
            415, "UNSUPPORTED_MEDIA_TYPE", "Use application/json or application/merge-patch+json"
        )
    return JsonResponse(services.result_patch(order=order, body=json_body(request)))


@route("orders/<order_id>/results/attachment", name="attachment")
@_endpoint("attachment", "POST")
def attachment(request: HttpRequest, order_id: str, *, credential: TokenCredential) -> HttpResponse:
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


@route("orders/<order_id>/results/attachments/<attachment_id>", name="attachment-file")
@_endpoint("attachment")
def attachment_file(
    request: HttpRequest, order_id: str, attachment_id: str, *, credential: TokenCredential
) -> HttpResponse:
    order = services.order_for_company(order_id=order_id, token=_company(credential))
    found = order.attachments.filter(attachment_id=attachment_id).first()
    if found is None:
        raise SandboxError(404, "ATTACHMENT_NOT_FOUND", "No such attachment")
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response


@route("orders", name="orders")
@_endpoint("orders")
def orders(request: HttpRequest, *, credential: TokenCredential) -> HttpResponse:
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
