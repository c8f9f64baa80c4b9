"""The apply page, the confirmation/status page and the candidate's erasure request."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jobboard.clientaddr import client_address
from jobboard.crypto import hash_token
from partner.applications import selectors
from partner.applications.forms import CandidateForm
from partner.applications.models import Application
from partner.applications.screening import ScreeningForm
from partner.applications.selectors import ApplyListing
from partner.applications.services import limits
from partner.applications.services.configuration import (
    LoadedConfiguration,
    Unavailable,
    configuration_for,
)
from partner.applications.services.erasure import application_erase
from partner.applications.services.intake import (
    AlreadyApplied,
    application_create,
    status_link_resend,
)
from partner.applications.services.status import status_for_page, status_mails_set
from partner.applications.summary import error_summary

logger = logging.getLogger(__name__)


def _language(request: HttpRequest) -> str:
    # LocaleMiddleware picked one of settings.LANGUAGES from Accept-Language.
    return (getattr(request, "LANGUAGE_CODE", None) or get_language() or "en").split("-")[0]


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
    if not listing.posting_uuid:
        return _unavailable(request, listing)

    loaded = configuration_for(posting_uuid=listing.posting_uuid, language=_language(request))
    if loaded is Unavailable.CLOSED:
        return render(request, "applications/closed.html", {"listing": listing}, status=410)
    if isinstance(loaded, Unavailable):
        return _unavailable(request, listing)
    config = loaded.config

    if request.method == "POST":
        client = client_address(request)
        if limits.attempts_exhausted(client=client):
            logger.warning("apply attempt limit hit for listing %s", listing.pk)
            return _rate_limited(request, listing, limits.Refusal.NETWORK)
        screening = ScreeningForm(config, request.POST)
        form = CandidateForm(request.POST, request.FILES, config=config)
        if screening.is_action:
            # "Add another" / "remove" without JavaScript: show the form again, unjudged.
            # Typed values come back as initial data (so nothing is validated yet); files
            # cannot survive a round trip, and the page says so.
            limits.attempt_record(client=client)
            initial = {key: request.POST.get(key) for key in request.POST}
            unbound = CandidateForm(initial=initial, config=config)
            return _render_form(request, listing, unbound, screening, loaded, judged=False)
        if form.is_spam:
            # Looks like success to a bot; nothing is stored or sent.
            limits.attempt_record(client=client)
            logger.info("apply honeypot filled for listing %s", listing.pk)
            return render(request, "applications/honeypot.html", {"listing": listing})
        form_ok = form.is_valid()
        screening_ok = screening.is_valid()
        if form_ok and screening_ok:
            email = form.cleaned_data["email"]
            refusal = limits.application_refusal(
                client=client, email=email, posting_uuid=listing.posting_uuid
            )
            if refusal is not None:
                logger.warning("apply %s limit hit for listing %s", refusal, listing.pk)
                return _rate_limited(request, listing, refusal)
            try:
                _, token = application_create(
                    listing=listing,
                    language=_language(request),
                    candidate=form.payload_fields(),
                    answers=screening.answers(),
                    files=form.checked_files,
                    notify_status_changes=form.cleaned_data["notify_status_changes"],
                )
            except AlreadyApplied as repeat:
                # Stored nothing: an attempt, not an accepted application.
                limits.attempt_record(client=client)
                return _already_applied(request, listing, repeat.application_id)
            limits.application_record(client=client, email=email, posting_uuid=listing.posting_uuid)
            return redirect(reverse("applications:status", kwargs={"token": token}) + "?new=1")
        limits.attempt_record(client=client)
        return _render_form(request, listing, form, screening, loaded, judged=True, status=400)

    return _blank_form(request, listing, loaded)


def _already_applied(
    request: HttpRequest, listing: ApplyListing, application_id: int
) -> HttpResponse:
    # Nothing new is stored or sent: the first application stands, and its status link
    # goes to the address it was made with (never shown here: whoever typed the address
    # may not own it).
    mailed = status_link_resend(application_id=application_id)
    context = {"listing": listing, "mailed": mailed}
    return render(request, "applications/already_applied.html", context)


# The CSRF input of a cached page; its value is put back per request.
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_SLOT = "__csrf_token_slot__"
BLANK_PAGE_SECONDS = 300  # bounds how long a deploy's old markup can be served
# Part of the cache keys of the blank page and its question fragments (cached for an
# hour): raise it when the form's markup changes, so a deploy never serves the old one.
MARKUP_VERSION = 2


def _blank_form(
    request: HttpRequest, listing: ApplyListing, loaded: LoadedConfiguration
) -> HttpResponse:
    """The empty form, the same for every visitor but its CSRF token: rendered once
    per listing, language and fetched configuration, then served from the cache."""

    def render_blank() -> HttpResponse:
        form = CandidateForm(config=loaded.config)
        return _render_form(
            request, listing, form, ScreeningForm(loaded.config), loaded, judged=False
        )

    if len(get_messages(request)):
        # Pending messages make the page personal; render it for this visitor only.
        return render_blank()
    key = "apply-page:" + hash_token(_blank_form_key(request, listing, loaded))
    cached = cache.get(key)
    if cached is not None:
        response = HttpResponse(cached.replace(_CSRF_SLOT, get_token(request)))
        add_never_cache_headers(response)
        return response
    response = render_blank()
    html = response.content.decode()
    if _CSRF_VALUE.search(html):
        cache.set(key, _CSRF_VALUE.sub(rf"\g<1>{_CSRF_SLOT}\g<2>", html), BLANK_PAGE_SECONDS)
    return response


def _blank_form_key(
    request: HttpRequest, listing: ApplyListing, loaded: LoadedConfiguration
) -> str:
    parts = (
        MARKUP_VERSION,
        listing.posting_uuid,
        _language(request),
        loaded.fetched_at.timestamp(),
        loaded.stale,
        listing.pk,
        listing.updated_at,
    )
    return "|".join(str(part) for part in parts)


def _rate_limited(
    request: HttpRequest, listing: ApplyListing, refusal: limits.Refusal
) -> HttpResponse:
    context = {"listing": listing, "reason": refusal.value}
    return render(request, "applications/rate_limited.html", context, status=429)


def _unavailable(request: HttpRequest, listing: ApplyListing) -> HttpResponse:
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
    listing: ApplyListing,
    form: CandidateForm,
    screening: ScreeningForm,
    loaded: LoadedConfiguration,
    *,
    judged: bool,
    status: int = 200,
) -> HttpResponse:
    # A blank form's questions are the same for every visitor: rendered once per
    # fetched configuration (the key changes when a new one is fetched).
    blank_form_key = _blank_form_key(request, listing, loaded) if screening.data is None else ""
    context = {
        "listing": listing,
        "blank_form_key": blank_form_key,
        "form": form,
        "screening": screening,
        "config": loaded.config,
        "stale": loaded.stale,
        # Errors are shown only after a real submit, not after "add another".
        "judged": judged,
        "error_summary": error_summary(form=form, screening=screening) if judged else [],
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
    sr_status = status_for_page(application=application)
    context = {
        "application": application,
        "token": token,
        "new": request.GET.get("new") == "1",
        "state_label": selectors.state_label(application.state),
        "state_words": selectors.state_words(application.state),
        "sr_status": sr_status,
        "sr_status_words": selectors.status_words(sr_status) if sr_status else "",
        "rejected_questions": selectors.rejected_questions(application=application),
        "erase_error": erase_error,
        "State": Application.State,
    }
    return render(request, "applications/status.html", context, status=status)


# The status page's address holds the private token. "same-origin" keeps it out of the
# Referer sent to any other site, while a POST from the page to us still carries our
# Origin: with "no-referrer" browsers send "Origin: null" and Django's CSRF check
# refuses the erase form.
PRIVATE_PAGE_REFERRER_POLICY = "same-origin"


def _private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # SecurityMiddleware sets the site-wide policy only where none is set yet.
        response.headers["Referrer-Policy"] = PRIVATE_PAGE_REFERRER_POLICY
        return response

    return wrapped


@never_cache
@_private_page
def status(request: HttpRequest, token: str) -> HttpResponse:
    application = selectors.application_by_token(token=token)
    if application is None:
        raise Http404("No such application")
    return _status_page(request, application, token)


@never_cache
@_private_page
@require_POST
def erase(request: HttpRequest, token: str) -> HttpResponse:
    application = selectors.application_by_token(token=token)
    if application is None:
        raise Http404("No such application")
    if request.POST.get("confirm") != "yes":
        message = gettext("Please tick the box to confirm that your data should be erased.")
        return _status_page(request, application, token, erase_error=message, status=400)
    if not application_erase(application_id=application.pk, reason="candidate request"):
        message = gettext(
            "Your application is being sent right now. Please try again in a few minutes."
        )
        return _status_page(request, application, token, erase_error=message, status=409)
    return redirect("applications:status", token=token)


@never_cache
@_private_page
@require_POST
def status_mails(request: HttpRequest, token: str) -> HttpResponse:
    """Turn the status mails on or off from the status page."""
    application = selectors.application_by_token(token=token)
    if application is None:
        raise Http404("No such application")
    enabled = request.POST.get("notify") == "on"
    if status_mails_set(application_id=application.pk, enabled=enabled):
        messages.success(
            request,
            gettext("We will email you when the employer updates the status of your application.")
            if enabled
            else gettext("We will no longer email you about status updates."),
        )
    return redirect("applications:status", token=token)
