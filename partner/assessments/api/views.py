"""The endpoints SmartRecruiters calls (assessment-api.md §2, "Partner side").

Every view: token first (constant-time), then an input serializer, then one service.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partner.assessments import integrations, orders, selectors
from partner.assessments.api import serializers as s
from partner.assessments.api.auth import (
    BearerTokenAuthentication,
    DisconnectTokenAuthentication,
    TokenIdentity,
)
from partner.assessments.api.errors import api_exception_handler
from partner.assessments.api.parsers import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    BoundedFormParser,
    BoundedJSONParser,
    declared_length,
)
from partner.assessments.errors import ServiceError
from partner.assessments.models import Order

logger = logging.getLogger(__name__)

ERRORS = {
    400: OpenApiResponse(s.ErrorResponseSerializer, description="Invalid request"),
    401: OpenApiResponse(s.ErrorResponseSerializer, description="No live Bearer token"),
    403: OpenApiResponse(s.ErrorResponseSerializer, description="Another company"),
    404: OpenApiResponse(s.ErrorResponseSerializer, description="Unknown package"),
}


class BoundedBodyAPIView(APIView):
    """A declared Content-Length over the bound is refused before anything is read."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if declared_length(request.META) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        super().initial(request, *args, **kwargs)


class SRAPIView(BoundedBodyAPIView):
    """Base: Bearer auth, JSON only (bounded), errors in the contract's shape."""

    authentication_classes = [BearerTokenAuthentication]
    parser_classes = [BoundedJSONParser]

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def identity(self, request: Request) -> TokenIdentity:
        identity: object = request.user
        if not isinstance(identity, TokenIdentity):  # authentication always sets it
            raise NotFound()
        return identity

    def perform_authentication(self, request: Request) -> None:
        # Authenticate eagerly, before any parsing (style rule 9).
        _ = request.user


def _token_error(
    error: str, description: str, status_code: int, *, basic: bool = False
) -> Response:
    response = Response({"error": error, "error_description": description}, status=status_code)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    if status_code == 401:
        # RFC 6749 §5.2: a client that tried Basic gets a Basic challenge.
        scheme = "Basic" if basic else "Bearer"
        response["WWW-Authenticate"] = f'{scheme} realm="smartrecruiters-assessments"'
    return response


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return ("", "")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote_plus(client_id), unquote_plus(secret)


class TokenView(BoundedBodyAPIView):
    """``POST /sr/assessments/oauth/token``: the P-pair (form body or HTTP Basic) → a token."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    parser_classes = [BoundedFormParser]

    def get_exception_handler(self) -> Any:
        def handler(exc: Exception, context: dict[str, Any]) -> Response | None:
            response = api_exception_handler(exc, context)
            if response is None:
                return None
            if response.status_code == status.HTTP_413_REQUEST_ENTITY_TOO_LARGE:
                return _token_error("invalid_request", "The request body is too large", 413)
            return _token_error("invalid_request", "The request is malformed", 400)

        return handler

    @extend_schema(
        operation_id="oauth_token",
        request={"application/x-www-form-urlencoded": s.TokenRequestSerializer},
        responses={
            200: s.AccessTokenSerializer,
            400: s.TokenErrorSerializer,
            401: s.TokenErrorSerializer,
        },
        auth=[],
        summary="Client credentials grant (RFC 6749 §4.4)",
    )
    def post(self, request: Request) -> Response:
        basic = _basic_credentials(request.META.get("HTTP_AUTHORIZATION", ""))
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return _token_error("invalid_request", "Send a form-encoded body", 400)
        # FormParser gives a QueryDict; any other body was refused above.
        body: Mapping[str, Any] = request.data if isinstance(request.data, Mapping) else {}
        body_id, body_secret = body.get("client_id", ""), body.get("client_secret", "")
        if basic is not None and body_secret:
            return _token_error("invalid_request", "Use one client authentication method", 400)
        client_id, client_secret = basic if basic is not None else (body_id, body_secret)
        if not client_id or not client_secret:
            return _token_error(
                "invalid_client", "Client authentication failed", 401, basic=basic is not None
            )
        try:
            integration = integrations.client_authenticate(
                client_id=client_id, client_secret=client_secret
            )
        except integrations.InvalidClientError:
            logger.info("token refused for client id %s", client_id[:40])
            return _token_error("invalid_client", "Unknown client", 401, basic=basic is not None)
        grant_type = body.get("grant_type", "")
        if not grant_type:
            return _token_error("invalid_request", "grant_type is required", 400)
        if grant_type != "client_credentials":
            return _token_error(
                "unsupported_grant_type", "Only client_credentials is supported", 400
            )
        token, expires_in = integrations.token_issue(integration=integration)
        response = Response(
            {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
        )
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


def _requester_email(raw: str) -> str:
    """SR sends ``requester`` as JSON, as a plain email, or not at all (§7 "Tolerate")."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw if "@" in raw else ""
    return str(value.get("email", "")) if isinstance(value, dict) else ""


def _field_ids() -> list[str]:
    return [str(f.get("id")) for f in settings.ASSESSMENT_PARTNER_FIELDS if f.get("id")]


class PackageListView(SRAPIView):
    @extend_schema(
        operation_id="packages_list",
        parameters=[
            OpenApiParameter("requester", str, OpenApiParameter.HEADER, required=False),
            *[
                OpenApiParameter(name, str, OpenApiParameter.QUERY, required=False)
                for name in selectors.LOCATION_PARAMS
            ],
        ],
        responses={200: s.PackageOutputSerializer(many=True), 204: None, 401: ERRORS[401]},
        summary="Packages offered to the caller's company for a job",
    )
    def get(self, request: Request) -> Response:
        identity = self.identity(request)
        requester = _requester_email(request.headers.get("requester", ""))
        params = {key: request.query_params.get(key, "") for key in request.query_params}
        packages = selectors.packages_for(
            integration=identity.integration, params=params, field_ids=_field_ids()
        )
        logger.info(
            "packages listed for company %s (requester %s): %d",
            identity.company_id,
            "given" if requester else "absent",
            len(packages),
        )
        if not packages:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.PackageOutputSerializer(packages, many=True).data)


class PackageDetailView(SRAPIView):
    @extend_schema(
        operation_id="packages_retrieve",
        responses={200: s.PackageOutputSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    )
    def get(self, request: Request, package_id: str) -> Response:
        identity = self.identity(request)
        package = selectors.package_for(integration=identity.integration, external_id=package_id)
        if package is None:
            raise ServiceError.unknown_package()
        return Response(s.PackageOutputSerializer(package).data)


class OrderView(SRAPIView):
    @extend_schema(
        operation_id="orders_create",
        request=s.OrderRequestSerializer,
        responses={202: OpenApiResponse(description="Accepted: `{}`"), **ERRORS},
    )
    def post(self, request: Request) -> Response:
        identity = self.identity(request)
        serializer = s.OrderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        orders.order_place(integration=identity.integration, data=serializer.to_input())
        return Response({}, status=status.HTTP_202_ACCEPTED)


class InlineOrderView(SRAPIView):
    @extend_schema(
        operation_id="inline_orders_create",
        request=s.InlineOrderRequestSerializer,
        responses={200: s.InlineOrderResponseSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        identity = self.identity(request)
        serializer = s.InlineOrderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order, _ = orders.order_place(
            integration=identity.integration, data=serializer.to_input(), kind=Order.Kind.INLINE
        )
        url = orders.take_url(order)
        return Response({"url": url, "assessmentPackageURL": url})


class DisconnectView(SRAPIView):
    authentication_classes = [DisconnectTokenAuthentication]

    @extend_schema(
        operation_id="integration_disconnect",
        request=None,
        responses={204: None, 401: ERRORS[401]},
        summary="Disconnect a company: always 204 (§7)",
    )
    def delete(self, request: Request, company_id: str) -> Response:
        identity = self.identity(request)
        # Revoke only our own company; a token revoked by this disconnect, an unknown or
        # already disconnected company, or another company's id all get 204 and no change.
        if not identity.revoked and company_id == identity.company_id:
            integrations.integration_disconnect(integration=identity.integration)
            logger.info("company %s disconnected by SmartRecruiters", company_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
