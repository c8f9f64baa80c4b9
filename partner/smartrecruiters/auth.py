"""How a request to SmartRecruiters authenticates, without ever showing the secret.

An ``Auth`` adds its header to a request (``apply``), names the throttle bucket its
credential shares (``throttle_key``, never the secret itself) and lists its secrets so
that the transport can mask them in logs and error text.
"""

from __future__ import annotations

import hashlib

from partner.smartrecruiters.errors import PermanentError


def mask_secret(secret: str) -> str:
    """A recognisable but useless form of a secret, for logs: first 4 characters."""
    if not secret:
        return ""
    return f"{secret[:4]}…({len(secret)})"


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


class Auth:
    """How a request authenticates. Never exposes the secret except to ``apply``."""

    throttle_key: str = "anonymous"

    def apply(self, headers: dict[str, str]) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def secrets(self) -> tuple[str, ...]:
        return ()


class NoAuth(Auth):
    """An unauthenticated call (e.g. an OAuth token request carrying its own form body)."""

    def __init__(self, *, throttle_key: str = "anonymous") -> None:
        self.throttle_key = throttle_key

    def apply(self, headers: dict[str, str]) -> None:
        return None

    def __repr__(self) -> str:
        return "NoAuth()"


class _TokenAuth(Auth):
    """One secret token sent in a header on every request."""

    # Prefix of the default throttle key, and the error for a token that is not set.
    kind: str = "token"
    missing: str = "token is empty"

    def __init__(self, token: str, *, throttle_key: str | None = None) -> None:
        if not token:
            raise PermanentError(self.missing)
        self._token = token
        self.throttle_key = throttle_key or f"{self.kind}:{_fingerprint(token)}"

    def secrets(self) -> tuple[str, ...]:
        return (self._token,)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({mask_secret(self._token)})"


class SmartTokenAuth(_TokenAuth):
    """``X-SmartToken: <partner API key>`` (feed, offers, Application API).

    Never ``?apiKey=``: a key in a URL ends up in access logs (contract §7, Security).
    The throttle key is shared with the Application API on purpose: SR limits per key,
    not per API.
    """

    kind = "smarttoken"
    missing = "SmartRecruiters partner token is not configured"

    def apply(self, headers: dict[str, str]) -> None:
        headers["X-SmartToken"] = self._token


class BearerAuth(_TokenAuth):
    """``Authorization: Bearer <token>`` (Assessment API).

    Pass ``throttle_key`` (e.g. the company's client id) so that a refreshed token keeps
    the same bucket; by default the key is a fingerprint of the token.
    """

    kind = "bearer"
    missing = "bearer token is empty"

    def apply(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = f"Bearer {self._token}"
