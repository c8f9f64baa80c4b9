"""Bearer authentication for the endpoints SmartRecruiters calls (RFC 6750).

The token is checked before anything in the request is parsed (style rule 9).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from partner.assessments.models import AccessToken, Integration
from partner.assessments.selectors import token_lookup

REALM = "smartrecruiters-assessments"


@dataclass(frozen=True)
class TokenIdentity:
    """Who called: the integration behind a live token we issued."""

    token: AccessToken
    integration: Integration
    revoked: bool = False

    @property
    def company_id(self) -> str:
        return self.integration.company_id

    # DRF checks these on request.user.
    is_authenticated = True


def bearer_token(request: Request) -> str:
    header: str = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return ""
    return value.strip()


class BearerTokenAuthentication(BaseAuthentication):
    """A live (unexpired, unrevoked) token of an active integration."""

    #: The disconnect endpoint accepts a token revoked by that disconnect (§7).
    allow_revoked = False

    def authenticate(self, request: Request) -> tuple[TokenIdentity, AccessToken]:
        raw = bearer_token(request)
        if not raw:
            raise exceptions.NotAuthenticated("A Bearer token is required")
        token = token_lookup(token=raw)
        if token is None or token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("The token is unknown or expired")
        revoked = token.revoked_at is not None
        if revoked and not self.allow_revoked:
            raise exceptions.AuthenticationFailed("The token was revoked")
        if not revoked and not token.integration.is_active:
            raise exceptions.AuthenticationFailed("The integration is disconnected")
        return TokenIdentity(token=token, integration=token.integration, revoked=revoked), token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) with WWW-Authenticate: Bearer (RFC 6750).
        return f'Bearer realm="{REALM}"'


class DisconnectTokenAuthentication(BearerTokenAuthentication):
    allow_revoked = True


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents our Bearer tokens in the OpenAPI schema (issued by /oauth/token)."""

    target_class = "partner.assessments.api.auth.BearerTokenAuthentication"
    name = "smartrecruitersBearer"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Opaque token from POST /sr/assessments/oauth/token (P-pair).",
        }


class DisconnectTokenScheme(BearerTokenScheme):
    """The disconnect endpoint also accepts a token that this disconnect revoked (§7)."""

    target_class = "partner.assessments.api.auth.DisconnectTokenAuthentication"
    name = "smartrecruitersBearerDisconnect"
