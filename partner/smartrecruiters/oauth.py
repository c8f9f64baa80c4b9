"""OAuth 2.0 client credentials against SmartRecruiters' token endpoint.

``POST {SMARTRECRUITERS_API_URL}/identity/oauth/token`` (assessment-api.md §2) with the
credentials in the form body (§7: never HTTP Basic). Tokens are cached per credential,
in process, until ``expires_in`` - 60 s; a caller that gets a 401 asks for one new token
and retries once (``call_with_token``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings

from partner.smartrecruiters.auth import BearerAuth, NoAuth
from partner.smartrecruiters.errors import (
    AuthenticationError,
    MalformedResponseError,
    PermanentError,
)
from partner.smartrecruiters.transport import get_transport

TOKEN_PATH = "/identity/oauth/token"  # noqa: S105 - a path, not a secret
# Renew this long before SR says a token expires, so a token never dies in flight.
EXPIRY_MARGIN_SECONDS = 60

T = TypeVar("T")


@dataclass(frozen=True)
class ClientCredentials:
    """A client id and secret (SR's master pair or a company's SR-pair)."""

    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # never print the secret
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=***)"


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the scheme name

    def __repr__(self) -> str:
        return f"AccessToken(expires_in={self.expires_in}, access_token=***)"


def master_credentials() -> ClientCredentials:
    """The partner-level pair from settings; it serves configuration and setup only."""
    client_id = str(settings.SMARTRECRUITERS_CLIENT_ID)
    client_secret = str(settings.SMARTRECRUITERS_CLIENT_SECRET)
    if not client_id or not client_secret:
        raise PermanentError("SMARTRECRUITERS_CLIENT_ID / _CLIENT_SECRET are not configured")
    return ClientCredentials(client_id, client_secret)


def fetch_token(credentials: ClientCredentials) -> AccessToken:
    """``POST /identity/oauth/token`` (grant_type=client_credentials, form body)."""
    response = get_transport().request(
        "POST",
        TOKEN_PATH,
        auth=NoAuth(throttle_key=f"oauth:{credentials.client_id}"),
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
        expect_json=True,
    )
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise MalformedResponseError("token response has no access_token", status=response.status)
    try:
        expires_in = int(body.get("expires_in", 0))
    except (TypeError, ValueError):
        expires_in = 0
    # SR may omit token_type (§7 "Tolerate"); it is always Bearer.
    return AccessToken(
        access_token=body["access_token"],
        expires_in=expires_in,
        token_type=str(body.get("token_type") or "Bearer"),
    )


class TokenCache:
    """Tokens per (SR host, client id, secret fingerprint), valid until expiry - margin."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, str], tuple[str, float]] = {}

    @staticmethod
    def _key(credentials: ClientCredentials) -> tuple[str, str, str]:
        fingerprint = hashlib.sha256(credentials.client_secret.encode()).hexdigest()
        return (str(settings.SMARTRECRUITERS_API_URL), credentials.client_id, fingerprint)

    def get(self, credentials: ClientCredentials, *, refresh: bool = False) -> str:
        key = self._key(credentials)
        now = time.monotonic()
        with self._lock:
            cached = self._tokens.get(key)
            if cached and not refresh and cached[1] > now:
                return cached[0]
        token = fetch_token(credentials)
        valid_until = time.monotonic() + max(0, token.expires_in - EXPIRY_MARGIN_SECONDS)
        with self._lock:
            self._tokens[key] = (token.access_token, valid_until)
        return token.access_token

    def forget(self, credentials: ClientCredentials) -> None:
        with self._lock:
            self._tokens.pop(self._key(credentials), None)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


token_cache = TokenCache()


def call_with_token(credentials: ClientCredentials, call: Callable[[BearerAuth], T]) -> T:
    """Run ``call`` with a Bearer token for ``credentials``; on a 401, once more with a
    fresh token (the cached one may have been revoked or expired early)."""
    throttle_key = f"assessment:{credentials.client_id}"
    token = token_cache.get(credentials)
    try:
        return call(BearerAuth(token, throttle_key=throttle_key))
    except AuthenticationError as exc:
        if exc.status != 401:
            raise
    token = token_cache.get(credentials, refresh=True)
    return call(BearerAuth(token, throttle_key=throttle_key))
