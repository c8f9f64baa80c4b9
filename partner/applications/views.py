"""The apply page, the confirmation/status page and the candidate's erasure request."""

from __future__ import annotations

import logging
import re

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jobboard.board.models import Listing
from jobboard.crypto import hash_token
from partner.applications import selectors, services
from partner.applications.forms import CandidateForm, ScreeningForm
from partner.applications.models import Application

logger = logging.getLogger(__name__)


def _language(request: HttpRequest) -> str:
    # LocaleMiddleware picked one of settings.LANGUAGES from Accept-Language.
    return (getattr(request, "LANGUAGE_CODE", None) or get_language() or "en").split("-")[0]


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only, as on the board: X-Forwarded-For is whatever a client sends
    # unless a trusted proxy rewrites it, and a spoofable key makes the limit useless.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    listing = selectors.apply_listing(pk=pk)
    if listing is None:
        raise Http404("No such job")
    if slug != listing.slug:
        return redirect("applications:apply", pk=listing.pk, slug=listing.slug)
    if not listing.is_visible:
        return render(request, "applications/closed.html", {"listing": listing}, status=410)
    if not listing.job_key:
        return _unavailable(request, listing)

    result = services.configuration_for(posting_uuid=listing.job_key, language=_language(request))
    if result.unavailable == "closed":
        return render(request, "applications/closed.html", {"listing": listing}, status=410)
    if result.config is None:
        return _unavailable(request, listing)
    config = result.config

    if request.method == "POST":
        if services.apply_rate_limited(key=_client_ip(request)):
            logger.warning("apply rate limit hit for listing %s", listing.pk)
            return render(
                request, "applications/rate_limited.html", {"listing": listing}, status=429
            )
        screening = ScreeningForm(config, request.POST)
        form = CandidateForm(request.POST, request.FILES, config=config)
        if screening.is_action:
            # "Add another" / "remove" without JavaScript: show the form again, unjudged.
            # Typed values come back as initial data (so nothing is validated yet); files
            # cannot survive a round trip, and the page says so.
            initial = {key: request.POST.get(key) for key in request.POST}
            unbound = CandidateForm(initial=initial, config=config)
            return _render_form(request, listing, unbound, screening, result, judged=False)
        if form.is_spam:
            # Looks like success to a bot; nothing is stored or sent.
            logger.info("apply honeypot filled for listing %s", listing.pk)
            return render(request, "applications/honeypot.html", {"listing": listing})
        form_ok = form.is_valid()
        screening_ok = screening.is_valid()
        if form_ok and screening_ok:
            _, token = services.application_create(
                listing=listing,
                language=_language(request),
                candidate=form.payload_fields(),
                answers=screening.answers(),
                files=form.checked_files,
            )
            return redirect(reverse("applications:status", kwargs={"token": token}) + "?new=1")
        return _render_form(request, listing, form, screening, result, judged=True, status=400)

    return _blank_form(request, listing, result)


# The CSRF input of a cached page; its value is put back per request.
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_SLOT = "__csrf_token_slot__"
BLANK_PAGE_SECONDS = 300  # bounds how long a deploy's old markup can be served


def _blank_form(
    request: HttpRequest, listing: Listing, result: services.ConfigurationResult
) -> HttpResponse:
    """The empty form, the same for every visitor but its CSRF token: rendered once
    per listing, language and fetched configuration, then served from the cache."""
    config = result.config
    if config is None or result.fetched_at is None or len(get_messages(request)):
        # Pending messages make the page personal; render it for this visitor only.
        return _render_form(
            request,
            listing,
            CandidateForm(config=config),
            ScreeningForm(config),
            result,
            judged=False,
        )
    key = "apply-page:" + hash_token(_blank_form_key(request, listing, result))
    cached = cache.get(key)
    if cached is not None:
        response = HttpResponse(cached.replace(_CSRF_SLOT, get_token(request)))
        add_never_cache_headers(response)
        return response
    response = _render_form(
        request,
        listing,
        CandidateForm(config=config),
        ScreeningForm(config),
        result,
        judged=False,
    )
    html = response.content.decode()
    if _CSRF_VALUE.search(html):
        cache.set(key, _CSRF_VALUE.sub(rf"\g<1>{_CSRF_SLOT}\g<2>", html), BLANK_PAGE_SECONDS)
    return response


def _blank_form_key(
    request: HttpRequest, listing: Listing, result: services.ConfigurationResult
) -> str:
    fetched = result.fetched_at.timestamp() if result.fetched_at else ""
    parts = (
        listing.job_key,
        _language(request),
        fetched,
        result.stale,
        listing.pk,
        listing.updated_at,
    )
    return "|".join(str(part) for part in parts)


def _unavailable(request: HttpRequest, listing: Listing) -> HttpResponse:
    # SmartRecruiters' own apply page, offered only as an http(s) link.
    apply_url = listing.apply_url if re.match(r"^https?://", listing.apply_url or "") else ""
    return render(
        request,
        "applications/unavailable.html",
        {"listing": listing, "apply_url": apply_url},
        status=503,
    )


def _render_form(
    request: HttpRequest,
    listing: Listing,
    form: CandidateForm,
    screening: ScreeningForm,
    result: services.ConfigurationResult,
    *,
    judged: bool,
    status: int = 200,
) -> HttpResponse:
    blank_form_key = ""
    if screening.data is None and result.fetched_at is not None:
        # A blank form's questions are the same for every visitor: rendered once per
        # fetched configuration (the key changes when a new one is fetched).
        blank_form_key = _blank_form_key(request, listing, result)
    context = {
        "listing": listing,
        "blank_form_key": blank_form_key,
        "form": form,
        "screening": screening,
        "config": result.config,
        "stale": result.stale,
        # Errors are shown only after a real submit, not after "add another".
        "judged": judged,
        # A browser cannot put chosen files back into a re-rendered form.
        "files_dropped": bool(request.FILES),
    }
    return render(request, "applications/apply.html", context, status=status)


def _status_page(
    request: HttpRequest,
    application: Application,
    token: str,
    *,
    erase_error: str = "",
    status: int = 200,
) -> HttpResponse:
    sr_status = services.status_for_page(application=application)
    context = {
        "application": application,
        "token": token,
        "new": request.GET.get("new") == "1",
        "state_words": selectors.STATE_WORDS.get(application.state, application.state),
        "sr_status": sr_status,
        "sr_status_words": selectors.status_words(sr_status) if sr_status else "",
        "rejected_questions": selectors.rejected_questions(application=application),
        "erase_error": erase_error,
        "State": Application.State,
    }
    return render(request, "applications/status.html", context, status=status)


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    application = selectors.application_by_token(token=token)
    if application is None:
        raise Http404("No such application")
    return _status_page(request, application, token)


@never_cache
@require_POST
def erase(request: HttpRequest, token: str) -> HttpResponse:
    application = selectors.application_by_token(token=token)
    if application is None:
        raise Http404("No such application")
    if request.POST.get("confirm") != "yes":
        message = "Please tick the box to confirm that your data should be erased."
        return _status_page(request, application, token, erase_error=message, status=400)
    if not services.application_erase(application_id=application.pk, reason="candidate request"):
        message = "Your application is being sent right now. Please try again in a few minutes."
        return _status_page(request, application, token, erase_error=message, status=409)
    return redirect("applications:status", token=token)
