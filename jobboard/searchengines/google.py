"""Google's Indexing API: a service account's signed JWT for a token, then one POST a URL.

Google reads job posting pages through it (``URL_UPDATED`` when a page appears or
changes, ``URL_DELETED`` when it goes). The token comes from the OAuth 2.0 JWT bearer
flow (RFC 7523): a JWT signed with the service account's RSA key (RS256, by
``cryptography``) is exchanged at the token URL for an access token, kept in the cache
until shortly before it expires. Token URL and endpoint are settings, so tests talk to
a local stub; the private key never reaches a log line or an error message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache

from jobboard.searchengines.http import NotifyError, post

SCOPE = "https://www.googleapis.com/auth/indexing"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
JWT_LIFETIME = 3600  # the longest Google accepts
# Renew a token this long before it expires: a call never starts with a dying token.
TOKEN_MARGIN = 120


@dataclass(frozen=True)
class ServiceAccount:
    client_email: str
    private_key: rsa.RSAPrivateKey
    token_uri: str

    @property
    def cache_key(self) -> str:
        digest = hashlib.sha256(f"{self.client_email}|{self.token_uri}".encode()).hexdigest()
        return f"searchengines:google-token:{digest[:32]}"


def load_service_account() -> ServiceAccount:
    """The service account from ``GOOGLE_INDEXING_CREDENTIALS_FILE`` (Google's JSON key).

    A file we cannot use is an operator's mistake that a retry may see fixed, so it is a
    transient error: the notices wait and the health page shows why.
    """
    path = Path(settings.GOOGLE_INDEXING_CREDENTIALS_FILE)
    try:
        info = json.loads(path.read_text())
        key = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
        email = str(info["client_email"])
    except (OSError, ValueError, KeyError, TypeError):
        raise NotifyError(
            f"Google: the service account file {path} is missing or unusable", permanent=False
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise NotifyError("Google: the service account key is not an RSA key", permanent=False)
    token_uri = settings.GOOGLE_INDEXING_TOKEN_URL or info.get("token_uri") or DEFAULT_TOKEN_URL
    return ServiceAccount(client_email=email, private_key=key, token_uri=str(token_uri))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_assertion(account: ServiceAccount, *, now: int | None = None) -> str:
    """The RS256 JWT that asks for an Indexing API token (RFC 7523 section 2.1)."""
    issued = int(now if now is not None else time.time())
    header = {"alg": "RS256", "typ": "JWT"}
    claims = {
        "iss": account.client_email,
        "scope": SCOPE,
        "aud": account.token_uri,
        "iat": issued,
        "exp": issued + JWT_LIFETIME,
    }
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = account.private_key.sign(
        signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{signing_input}.{_b64(signature)}"


def access_token(account: ServiceAccount) -> str:
    """A valid access token: the cached one, or a new one from the token URL."""
    cached = cache.get(account.cache_key)
    if isinstance(cached, str) and cached:
        return cached
    response = post(
        account.token_uri,
        what="Google token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": signed_assertion(account),
        },
    )
    try:
        body = response.json()
        token = str(body["access_token"])
        lifetime = int(body.get("expires_in", JWT_LIFETIME))
    except (ValueError, KeyError, TypeError):
        raise NotifyError("Google token: the answer has no access_token", permanent=False) from None
    cache.set(account.cache_key, token, max(1, lifetime - TOKEN_MARGIN))
    return token


def publish(*, url: str, action: str) -> None:
    """POST urlNotifications:publish ``{"url", "type"}``: tell Google a job page changed."""
    account = load_service_account()
    token = access_token(account)
    try:
        post(
            settings.GOOGLE_INDEXING_ENDPOINT,
            what="Google Indexing API",
            json={"url": url, "type": action},
            headers={"Authorization": f"Bearer {token}"},
        )
    except NotifyError as exc:
        if exc.status == 401:
            # Revoked or expired early: forget it; the retry signs in again.
            cache.delete(account.cache_key)
            raise NotifyError(str(exc), permanent=False, status=401) from None
        raise
