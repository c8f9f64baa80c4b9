"""Strict readers for environment variables.

django-environ is lenient: ``DEBUG=maybe`` quietly becomes ``False`` and a malformed
``DATABASE_URL`` surfaces later as an obscure driver error. An operator deserves to
be told at start-up which variable is wrong, so every read goes through here and a
bad value raises ``ImproperlyConfigured`` naming the variable.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable
from email.utils import getaddresses
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any, TypeVar
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

env = environ.Env()

N = TypeVar("N", int, float)


def _raw(name: str) -> str | None:
    return os.environ.get(name)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set")
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off"
    )


def _number(name: str, default: N, parse: Callable[[str], N], kind: str, minimum: N | None) -> N:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not {kind}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    return _number(name, default, int, "an integer", minimum)


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    return _number(name, default, float, "a number", minimum)


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_addresses(name: str) -> list[tuple[str, str]]:
    """Mail recipients, ``Name <email>, Other <email>`` (names optional), as Django's ADMINS."""
    value = _raw(name) or ""
    addresses = getaddresses([value]) if value.strip() else []
    for display, address in addresses:
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            raise ImproperlyConfigured(f"{name}: {display or address!r} is not a mail address")
    return [(display or address, address) for display, address in addresses]


def env_networks(name: str) -> list[IPv4Network | IPv6Network]:
    """Comma-separated addresses or CIDR networks (``10.0.0.0/8, 127.0.0.1``)."""
    try:
        return [ip_network(item, strict=False) for item in env_list(name, [])]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None


def env_fernet_keys(name: str, default: list[str]) -> list[str]:
    """Fernet keys, comma-separated, newest first; each must be 32 url-safe base64 bytes.

    Checked when settings load: a malformed key found only at the first encryption
    would lose whatever was being saved (an application, a contract password).
    """
    keys = env_list(name, default)
    for position, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (ValueError, binascii.Error):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64-encoded "
                'bytes; make one with `python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`)'
            )
    return keys


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (_raw(name) or default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def env_http_url(name: str, default: str, *, required: bool = False, https: bool = False) -> str:
    """An absolute http(s) URL (https only when ``https``) without a trailing slash."""
    value = (_raw(name) or default).strip()
    if required and not value:
        raise ImproperlyConfigured(f"{name} must be set")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an absolute http(s) URL")
    if https and parts.scheme != "https":
        raise ImproperlyConfigured(f"{name}={value!r} must be an https URL in production")
    return value.rstrip("/")


_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}


def env_database(name: str, default: str) -> dict[str, Any]:
    value = (_raw(name) or default).strip()
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in _DB_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}={_mask_url(value)!r} is not a database URL; expected sqlite:///path "
            "or postgres://user@host:port/name"
        )
    try:
        config: dict[str, Any] = environ.Env.db_url_config(value)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is malformed: {exc}") from None
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database")
    return config


# Django's local-memory cache keeps 300 entries, then culls a third of them at random. A
# list page stores about 25 (its result cards, filter panel, counts and page), so a dozen
# different searches evicted each other: at a million listings, 40 different searches
# ran warm at 11 times the floor per process, against 1.3 times with the same pages in
# Redis. Entries are a few kB (a capped search's counts tens of kB); a URL's
# ``?max_entries=`` overrides this.
LOCAL_CACHE_ENTRIES = 5000


def env_cache(name: str, default: str) -> dict[str, Any]:
    """The cache named by a URL (django-environ's schemes), the local-memory one with
    room for ``LOCAL_CACHE_ENTRIES`` entries unless the URL says otherwise."""
    value = (_raw(name) or default).strip()
    try:
        config: dict[str, Any] = env.cache_url_config(value)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is malformed: {exc}") from None
    if config["BACKEND"].endswith(".LocMemCache"):
        config.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", LOCAL_CACHE_ENTRIES)
    return config


def env_broker_url(name: str, default: str) -> str:
    value = (_raw(name) or default).strip()
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in {"redis", "rediss", "amqp", "pyamqp", "filesystem", "memory"}:
        raise ImproperlyConfigured(
            f"{name}={_mask_url(value)!r} is not a broker URL; expected redis://host:port/db"
        )
    return value


def _mask_url(value: str) -> str:
    """Hide a password inside a URL before it reaches an error message."""
    parts = urlsplit(value)
    if parts.password:
        return value.replace(parts.password, "***")
    return value
