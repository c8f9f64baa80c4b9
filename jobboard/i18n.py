"""The board's languages: URL prefixes, the first-visit choice, the switcher, hreflang.

English, the default, has no prefix (``/jobs/1-x/``); German, French, Spanish and Polish
live under ``/de/``, ``/fr/``, ``/es/``, ``/pl/`` (``i18n_patterns`` with
``prefix_default_language=False``). So the unprefixed address of a page is also its
language-neutral address: the ``liveUrl`` we report to SmartRecruiters, links in old mails
and bookmarks keep working, and a visitor who opens one is sent to their language:

- the language they picked with the switcher (Django's language cookie), or else
- on a first visit, the first supported language of their ``Accept-Language``.

An English choice stays on the unprefixed page. Only pages inside the language prefix
are redirected (never the admin, the sandbox, the APIs, feeds, sitemaps or robots.txt),
and only GET and HEAD: a form posted to an old address is answered where it was sent.

The switcher is a list of plain links to ``/language/?to=<code>&next=<page>``, which stores
the choice in the cookie and redirects to the page in that language. A link, not a
form: it works without JavaScript and without a CSRF token on cached pages, and the CSP
allows it. A link alone (``/de/…`` to ``/…``) could not switch a German browser to
English: the unprefixed page would send it straight back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import ResolverMatch, get_script_prefix, resolve, reverse, translate_url
from django.urls.exceptions import Resolver404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# URL names inside the prefix whose content does not depend on the language; they are
# never redirected (a crawler's Accept-Language must not move the sitemap).
LANGUAGE_NEUTRAL_URL_NAMES = frozenset(
    {
        "board:feed_rss",
        "board:feed_atom",
        "board:sitemap",
        "board:sitemap_jobs",
        "board:sitemap_companies",
        "board:robots_txt",
        "board:favicon",
    }
)


def language_codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """``code`` as one of ours (``de-AT`` is ``de``), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def active_language() -> str:
    return supported(translation.get_language()) or settings.LANGUAGE_CODE


def _prefix_language(path: str) -> str | None:
    return translation.get_language_from_path(path)


def _preferred_language(request: HttpRequest) -> str:
    """The cookie's choice, else the best of Accept-Language, else English."""
    chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for accept_lang, _ in parse_accept_lang_header(header):
        if accept_lang == "*":
            break
        found = supported(accept_lang)
        if found:
            return found
    return settings.LANGUAGE_CODE


def _localised_match(path: str) -> ResolverMatch | None:
    """The page ``path`` names inside the language prefix (any language), or None.

    One resolve: a prefixed path in its own language; an unprefixed one behind another
    language's prefix, where only the translated pages resolve (LocalePrefixPattern
    matches the active language only, hence the override).
    """
    language = _prefix_language(path)
    probe = language or language_codes()[1]
    with translation.override(probe):
        try:
            match = resolve(path if language else f"/{probe}{path}")
        except Resolver404:
            return None
    return None if match.view_name in LANGUAGE_NEUTRAL_URL_NAMES else match


def _is_localised_page(path: str) -> bool:
    """True when ``path`` is a page inside the language prefix that depends on language."""
    return bool(_pages_in_every_language(path, get_script_prefix()))


def _path_in(match: ResolverMatch, language: str) -> str:
    with translation.override(language):
        return reverse(match.view_name, args=match.args, kwargs=match.kwargs)


@functools.lru_cache(maxsize=4096)
def _pages_in_every_language(path: str, script_prefix: str) -> tuple[tuple[str, str], ...]:
    """``(language, path)`` of the page at ``path`` in every language; empty outside the
    language prefix. ``script_prefix`` is part of the key: ``reverse`` prepends it.

    Remembered per path (the most recent 4,096): a resolve and a reverse under each
    language took a twentieth of a list page's time, on every page, and the URLconf
    does not change while a process runs (``_forget_pages`` when a test changes it).
    """
    match = _localised_match(path)
    if match is None:
        return ()
    return tuple((code, _path_in(match, code)) for code in language_codes())


@receiver(setting_changed)
def _forget_pages(*, setting: str, **kwargs: object) -> None:
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"):
        _pages_in_every_language.cache_clear()


def localised_path(path: str, language: str) -> str:
    """The same page in ``language`` (the path unchanged when it has no translation)."""
    # translate_url resolves in the active language: make it the one of the path.
    with translation.override(_prefix_language(path) or settings.LANGUAGE_CODE):
        return translate_url(path, language)


class PreferredLanguageRedirectMiddleware:
    """Sends a visitor of an unprefixed page to the page in their language.

    After Django's ``LocaleMiddleware``, which has already made the unprefixed page
    English. The response varies on the cookie and Accept-Language, so no cache serves
    one visitor's redirect to another.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or _prefix_language(request.path_info):
            return self.get_response(request)
        if not _is_localised_page(request.path_info):
            return self.get_response(request)
        language = _preferred_language(request)
        if language != settings.LANGUAGE_CODE:
            target = localised_path(request.path_info, language)
            if target != request.path_info:
                query = request.META.get("QUERY_STRING", "")
                response: HttpResponse = HttpResponseRedirect(
                    f"{request.META.get('SCRIPT_NAME', '')}{target}"
                    + (f"?{query}" if query else "")
                )
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


@never_cache
@require_safe
def switch_language(request: HttpRequest) -> HttpResponse:
    """Store the visitor's language (``to``) and show ``next`` (a page of ours) in it."""
    language = supported(request.GET.get("to", ""))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not next_url.startswith("/"):
        next_url = "/"
    if language is None:
        return HttpResponseRedirect(next_url)
    path, _, query = next_url.partition("?")
    target = localised_path(path, language)
    response = HttpResponseRedirect(target + (f"?{query}" if query else ""))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a setting: str
    )
    return response


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: a visitor who reads no English finds theirs
    switch_url: str  # the switcher's link
    alternate_url: str  # absolute, for <link rel="alternate" hreflang>
    is_current: bool


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """The page of ``request`` in every language; empty outside the language prefix."""
    pages = _pages_in_every_language(request.path_info, get_script_prefix())
    if not pages:
        return []
    query = request.META.get("QUERY_STRING", "")
    here = request.path_info + (f"?{query}" if query else "")
    current = active_language()
    switch = reverse("switch_language")
    links = []
    for code, path in pages:
        info = translation.get_language_info(code)
        links.append(
            LanguageLink(
                code=code,
                name=info["name_local"],
                switch_url=f"{switch}?{urlencode({'to': code, 'next': here})}",
                alternate_url=f"{settings.SITE_URL}{path}",
                is_current=code == current,
            )
        )
    return links
