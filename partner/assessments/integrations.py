"""Integrations: the tokens we issue to SmartRecruiters, and connecting or disconnecting a
company (assessment-api.md §1 steps 3-5 and 9, §7).

``integration_connect`` calls SR's setup outside any transaction and records the outcome
in a short one afterwards.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobboard.crypto import hash_token, new_token, tokens_match
from partner.assessments import selectors
from partner.assessments.events import Actor
from partner.assessments.models import AccessToken, ClientAccount, Integration
from partner.assessments.pushes import pushes_drop
from partner.smartrecruiters import assessments as sr_assessments
from partner.smartrecruiters.errors import (
    AuthenticationError,
    NotFoundError,
    SmartRecruitersError,
)
from partner.smartrecruiters.oauth import ClientCredentials, token_cache

logger = logging.getLogger(__name__)

# Compared against when the client id is unknown, so that a miss costs what a hit costs.
_DUMMY_HASH = hash_token("no-such-client")


# ---------------------------------------------------------------------------
# Tokens we issue (our OAuth endpoint)
# ---------------------------------------------------------------------------
class InvalidClientError(Exception):
    """The P-pair is unknown, revoked or wrong (RFC 6749 ``invalid_client``)."""


def client_authenticate(*, client_id: str, client_secret: str) -> Integration:
    """The active integration whose P-pair this is; compared in constant time."""
    integration = selectors.integration_by_p_client_id(client_id=client_id)
    stored = integration.p_secret_hash if integration and integration.p_secret_hash else ""
    # A miss compares against a dummy hash, so it costs what a hit costs.
    secret_ok = tokens_match(client_secret or "", stored or _DUMMY_HASH)
    if integration is None or not stored or not secret_ok:
        raise InvalidClientError("Unknown client or wrong secret")
    return integration


@transaction.atomic
def token_issue(*, integration: Integration) -> tuple[str, int]:
    """Mint an opaque 256-bit Bearer token; only its hash is stored. (token, expires_in)"""
    token = new_token(32)
    ttl = int(settings.ASSESSMENT_TOKEN_TTL)
    AccessToken.objects.create(
        integration=integration,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return token, ttl


# ---------------------------------------------------------------------------
# Consent and integration
# ---------------------------------------------------------------------------
class ConnectOutcome(Enum):
    """How a consent ended well."""

    CONNECTED = "connected"
    KEPT_EXISTING = "kept_existing"  # setup 409 while we hold an SR-pair: keep it


class ConnectError(Exception):
    """SR refused the setup; ``message`` tells the staff member what to do."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _mint_p_pair(company_id: str) -> ClientCredentials:
    # The id is public (it travels in forms and logs); the secret is 256 random bits.
    return ClientCredentials(
        client_id=f"p-{company_id[:12]}-{secrets.token_hex(6)}", client_secret=new_token(32)
    )


def integration_connect(
    *,
    company_id: str,
    client: ClientAccount | None = None,
    new_client_name: str = "",
    user: Actor,
) -> ConnectOutcome:
    """Mint a P-pair, call SR's setup with the master token, store the SR-pair.

    SR errors (§7): 409 → keep our SR-pair if we hold one, else the admin must disconnect
    and reconnect in SmartRecruiters; 403 → SR has no consent recorded.
    """
    p_pair = _mint_p_pair(company_id)
    try:
        sr_pair = sr_assessments.setup_integration(company_id=company_id, p_pair=p_pair)
    except SmartRecruitersError as exc:
        existing = Integration.objects.filter(
            company_id=company_id, status=Integration.Status.ACTIVE
        ).first()
        if exc.status == 409:
            if existing is not None and existing.has_sr_pair:
                return ConnectOutcome.KEPT_EXISTING
            raise ConnectError(
                "SmartRecruiters says this company is already integrated, but we hold no "
                "credentials for it. Ask the customer to disconnect and reconnect the "
                "integration in SmartRecruiters.",
                code="ALREADY_INTEGRATED",
            ) from None
        if exc.status == 403 and isinstance(exc, AuthenticationError):
            raise ConnectError(
                "SmartRecruiters has no consent recorded for this company. Start again "
                "from SmartRecruiters' Connect button.",
                code="CONSENT_MISSING",
            ) from None
        if isinstance(exc, NotFoundError):
            raise ConnectError(
                "SmartRecruiters has no partner configuration for us yet: run "
                "`manage.py register_assessment_partner`.",
                code="NO_CONFIGURATION",
            ) from None
        logger.warning("setup integration failed for company %s: %s", company_id, exc)
        raise ConnectError(
            "SmartRecruiters could not complete the setup; try again later.",
            code="SETUP_FAILED",
        ) from None
    _integration_record(
        company_id=company_id,
        client=client,
        new_client_name=new_client_name,
        p_pair=p_pair,
        sr_pair=sr_pair,
        user=user,
    )
    return ConnectOutcome.CONNECTED


@transaction.atomic
def _integration_record(
    *,
    company_id: str,
    client: ClientAccount | None,
    new_client_name: str,
    p_pair: ClientCredentials,
    sr_pair: ClientCredentials,
    user: Actor,
) -> Integration:
    # A new client account is created only once SR accepted the setup, so a failed
    # connection leaves no orphan account behind.
    if client is None:
        client, _ = ClientAccount.objects.get_or_create(name=new_client_name)
    integration, _ = Integration.objects.select_for_update().get_or_create(
        company_id=company_id, defaults={"client": client}
    )
    # A reconnect starts clean: tokens issued under an older P-pair die with it.
    AccessToken.objects.filter(integration=integration, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    integration.client = client
    integration.status = Integration.Status.ACTIVE
    integration.p_client_id = p_pair.client_id
    integration.p_secret_hash = hash_token(p_pair.client_secret)
    integration.sr_client_id = sr_pair.client_id
    integration.sr_client_secret = sr_pair.client_secret
    integration.connected_by_id = user.pk if user is not None and user.pk else None
    integration.connected_at = timezone.now()
    integration.disconnected_at = None
    integration.save()
    return integration


@transaction.atomic
def integration_disconnect(*, integration: Integration) -> None:
    """Revoke both pairs and every token; drop the company's queued pushes (§7)."""
    now = timezone.now()
    locked = Integration.objects.select_for_update().get(pk=integration.pk)
    AccessToken.objects.filter(integration=locked, revoked_at__isnull=True).update(revoked_at=now)
    pushes_drop(integration=locked)
    if locked.sr_client_id and locked.sr_client_secret:
        token_cache.forget(ClientCredentials(locked.sr_client_id, locked.sr_client_secret))
    locked.status = Integration.Status.DISCONNECTED
    locked.p_client_id = None
    locked.p_secret_hash = ""
    locked.sr_client_id = ""
    locked.sr_client_secret = ""
    locked.disconnected_at = now
    locked.save()
