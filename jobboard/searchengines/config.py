"""Which engines are on: each is off until its credentials are configured."""

from __future__ import annotations

from django.conf import settings

from jobboard.searchengines.models import Engine


def google_enabled() -> bool:
    return bool(settings.GOOGLE_INDEXING_CREDENTIALS_FILE)


def indexnow_enabled() -> bool:
    return bool(settings.INDEXNOW_KEY)


def enabled_engines() -> list[str]:
    engines = []
    if google_enabled():
        engines.append(Engine.GOOGLE.value)
    if indexnow_enabled():
        engines.append(Engine.INDEXNOW.value)
    return engines
