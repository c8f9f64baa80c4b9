from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext

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
    # x-default: the unprefixed page, which is also the default language's.
    default = [link.alternate_url for link in links if link.code == settings.LANGUAGE_CODE]
    return {"language_links": links, "x_default_url": default[0] if default else ""}


def script_messages(request: HttpRequest) -> dict[str, object]:
    """The words board.js writes into the page, in the page's language (read from a
    json_script block: data, not code, so the CSP holds)."""
    return {
        "board_messages": {
            "save": gettext("Save"),
            "saved": gettext("Saved"),
            "jobSaved": gettext("Job saved."),
            "jobRemoved": gettext("Job removed from your saved jobs."),
            "listKept": gettext("This list is now kept in this browser."),
            "cannotKeep": gettext("This browser cannot keep saved jobs."),
            "linkCopied": gettext("Link copied"),
        }
    }
