"""Encryption at rest for secrets we must be able to read back.

Contract passwords (``existingContract``) and SmartRecruiters' per-company client
secrets have to be sent again later, so they cannot be hashed. They are encrypted with
Fernet (AES-128-CBC + HMAC) under ``FIELD_ENCRYPTION_KEY``; several comma-separated
keys allow rotation (the first encrypts, all decrypt). Tokens *we* issue are never
stored this way: they are hashed (see ``hash_token``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys"
        ) from None


def _cipher() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEY)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set")
    return _fernet(keys)


def encrypt(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY (was a key removed?)"
        ) from None


class EncryptedTextField(models.TextField):
    """A text column stored as Fernet ciphertext; Python code sees the plaintext."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        prepared: str | None = super().get_prep_value(value)
        if prepared is None or prepared == "":
            return prepared
        return encrypt(prepared)


def new_token(nbytes: int = 32) -> str:
    """An unguessable url-safe token (default 256 bits)."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy token; enough because tokens are random, not passwords."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
