from django.conf import settings
from django.http import HttpRequest

from jobboard import i18n


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SANDBOX_ENABLED": settings.SANDBOX_ENABLED,
    }


def languages(request: HttpRequest) -> dict[str, object]:
    """The page in every language: the switcher's links and the hreflang alternates."""
    links = i18n.language_links(request)
    return {
        "language_links": links,
        "x_default_url": i18n.default_language_url(request) if links else "",
    }
