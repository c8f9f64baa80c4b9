"""The board's pages. Thin: parse the request, call a selector or a service, render."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from jobboard.board import alerts, cards, feeds, selectors, seo
from jobboard.board.models import Listing
from jobboard.board.pagecache import cached_list_page
from jobboard.board.search import DEFAULT_RADIUS, RADIUS_CHOICES, JobSearch
from jobboard.clientaddr import client_address


class AlertForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address like name@example.com"),
        },
    )
    # The search to save, as the list page's query string.
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


# The sorts a visitor may choose, as the sort list shows them.
SORT_LABELS = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest")),
    ("salary", _("Highest salary")),
    ("closing", _("Closing soon")),
]


# The rendered filter panel is most of a list page's rendering; it is cached under a
# digest of what it shows (``SearchResults.facets_digest``), so it is never stale and
# this only bounds how long an unused one stays.
FACET_PANEL_SECONDS = 300
# A result card is cached under its listing's version, the language and today's date
# (its "posted 3 days ago"), so it is never stale either; the company's name is the one
# thing it shows that the key does not see, for at most this long.
CARD_SECONDS = 300


def _card_context(page: Page) -> dict[str, object]:
    """What the cards of a page read: its listings with the cards found cached
    (``board.cards``), their lifetime and today's date."""
    today = timezone.localdate().isoformat()
    page.object_list = cards.with_cards(list(page.object_list), today=today)
    return {"CARD_SECONDS": CARD_SECONDS, "today": today}


def _canonical(path: str, query: str = "") -> str:
    return seo.absolute_url(path) + (f"?{query}" if query else "")


@require_safe
@cached_list_page
def job_list(request: HttpRequest) -> HttpResponse:
    results = selectors.search_listings(search=JobSearch.from_params(request.GET))
    # The search shown: the one asked for, or its spelling-corrected version.
    search = results.search
    # The canonical URL keeps the filters (each search is its own page) and drops the
    # sort, which only reorders the same jobs.
    canonical_query = search.query_string(sort=False)
    names = selectors.company_names(slugs=search.company)
    places = selectors.place_suggestions()
    context = {
        "search": search,
        "description": search.describe(company_names=names),
        "company_chips": [(names.get(c, c), search.toggled("company", c)) for c in search.company],
        "sorts": SORT_LABELS,
        "place_suggestions": places,
        # 200 options rendered once per list of places (the datalist fragment's key).
        "places_digest": hashlib.sha256("\x1f".join(places).encode()).hexdigest()[:32],
        "radius_choices": RADIUS_CHOICES,
        "default_radius": DEFAULT_RADIUS,
        "results": results,
        "page": results.page,
        "facets": results.facets,
        # The chosen filters, each a chip that removes it: read here, not by looping over
        # every option of every facet in the template.
        "chosen_options": [(f, o) for f in results.facets for o in f.options if o.selected],
        "FACET_PANEL_SECONDS": FACET_PANEL_SECONDS,
        **_card_context(results.page),
        "canonical_url": _canonical(reverse("board:job_list"), canonical_query),
        "alert_form": AlertForm(initial={"query": search.alert_query}),
        "rss_url": reverse("board:feed_rss")
        + (f"?{search.alert_query}" if search.alert_query else ""),
        "atom_url": reverse("board:feed_atom")
        + (f"?{search.alert_query}" if search.alert_query else ""),
    }
    return render(request, "board/job_list.html", context)


@require_safe
@cached_list_page
def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Every visible job of one employer, at a stable address (``/companies/<slug>/``)."""
    company = selectors.company_by_slug(slug=slug)
    if company is None:
        raise Http404("No such company")
    asked = JobSearch.from_params(request.GET)
    # Only the page and the sort come from the URL: the company is the path's.
    pager = JobSearch(sort=asked.sort, page=asked.page)
    search = replace(pager, company=(company.slug,))
    results = selectors.search_listings(search=search)
    context = {
        "company": company,
        "results": results,
        "page": results.page,
        "search": pager,
        "sorts": [(key, label) for key, label in SORT_LABELS if key != "relevance"],
        "board_url": reverse("board:job_list") + f"?{search.alert_query}",
        "alert_form": AlertForm(initial={"query": search.alert_query}),
        "canonical_url": _canonical(reverse("board:company", kwargs={"slug": company.slug})),
        **_card_context(results.page),
    }
    return render(request, "board/company_detail.html", context)


# A saved list travels in the URL (/saved/?id=1&id=2): enough for anyone's shortlist,
# short enough for any URL.
MAX_SAVED_JOBS = 100


@require_safe
def saved_jobs(request: HttpRequest) -> HttpResponse:
    """The jobs a visitor saved. The list lives in their browser (board.js keeps it in
    localStorage and opens this page with its ids), so no account is needed; the page
    itself is built from the ids in its URL, which makes it a bookmark that works
    without JavaScript too."""
    ids: list[int] = []
    for value in request.GET.getlist("id"):
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    ids = ids[:MAX_SAVED_JOBS]
    context = {
        "listings": selectors.saved_listings(ids=ids),
        "ids": ",".join(str(i) for i in ids),
    }
    return render(request, "board/saved_jobs.html", context)


def apply_link(listing: Listing) -> tuple[str, bool]:
    """Our own apply form when the apply app is installed, else the employer's page.

    Returns the URL and whether it is our own form (schema.org ``directApply``).
    """
    try:
        return reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug}), True
    except NoReverseMatch:
        return listing.apply_url, False


def _share_links(url: str, title: str) -> list[tuple[str, str]]:
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={u}"),
        ("X", f"https://x.com/intent/post?url={u}&text={t}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        (gettext("Email"), f"mailto:?subject={t}&body={u}"),
    ]


def _job_page_key(request: HttpRequest, listing: Listing) -> str | None:
    """The cache key of a job page's HTML, or None when this request must render it.

    One rendering per version of the listing (its ``updated_at``), language and path
    (the language links are the path's; a query string such as ``utm_source`` changes
    nothing on the page). A request with flash messages to show gets a page of its own.
    """
    if not settings.BOARD_JOB_PAGE_CACHE_SECONDS:
        return None
    if len(messages.get_messages(request)):
        return None
    version = listing.updated_at.timestamp()
    return f"board:job-page:{listing.pk}:{version}:{get_language()}:{request.path}"


@require_safe
def job_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    listing = selectors.listing_for_page(pk=pk)
    if listing is None:
        raise Http404("No such job")
    if slug != listing.slug:
        return redirect(listing, permanent=True)
    if not listing.is_live:
        context = {"listing": listing, "similar": selectors.similar_listings(listing=listing)}
        return render(request, "board/job_gone.html", context, status=410)
    key = _job_page_key(request, listing)
    if key is not None and (html := cache.get(key)) is not None:
        return HttpResponse(html)
    response = _render_job_page(request, listing)
    if key is not None:
        # The page says "posted 3 days ago" and lists the company's other jobs: kept a
        # few minutes, not for the listing's whole life.
        cache.set(key, response.content, settings.BOARD_JOB_PAGE_CACHE_SECONDS)
    return response


def _render_job_page(request: HttpRequest, listing: Listing) -> HttpResponse:
    canonical = _canonical(listing.get_absolute_url())
    url, direct = apply_link(listing)
    context = {
        "listing": listing,
        "canonical_url": canonical,
        "apply_url": url,
        "apply_is_ours": direct,
        "json_ld": seo.json_ld(seo.job_posting(listing, direct_apply=direct)),
        "meta_description": seo.meta_description(listing),
        "share_links": _share_links(canonical, f"{listing.title} at {listing.company.name}"),
        "more_at_company": selectors.more_at_company(listing=listing),
    }
    return render(request, "board/job_detail.html", context)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Evaluated here, not at import: the settings decide the languages.
    prefixed_languages = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /alerts/",
        "Disallow: /sandbox/",
        "Disallow: /sr/",
        "Disallow: /api/",
        # Apply forms and status pages are for candidates, not for indexes.
        "Disallow: /jobs/*/apply/",
        # The same pages in the other languages (/de/alerts/...), and the language
        # switcher's redirects (each page's languages are in its hreflang links).
        *(
            f"Disallow: /{code}/{path}"
            for code in prefixed_languages
            for path in ("alerts/", "jobs/*/apply/")
        ),
        "Disallow: /language/",
        f"Sitemap: {settings.SITE_URL}{reverse('board:sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@functools.cache
def _favicon_bytes() -> bytes:
    found = finders.find("favicon.ico")
    path = found[0] if isinstance(found, list) else found
    if not path:
        raise Http404("No favicon.ico among the static files")
    return Path(path).read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: browsers, feed readers and bookmarks ask for it at the root, whatever
    the pages link to. Read once per process from the static files."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index: one entry per page of the job and company sitemaps, absolute
    from SITE_URL."""
    urls = []
    for sitemap, name in (
        (feeds.JobSitemap, "board:sitemap_jobs"),
        (feeds.CompanySitemap, "board:sitemap_companies"),
    ):
        pages = sitemap().paginator.num_pages
        base = seo.absolute_url(reverse(name))
        urls += [base] + [f"{base}?p={n}" for n in range(2, pages + 1)]
    return render(
        request,
        "board/sitemap_index.xml",
        {"urls": urls},
        content_type="application/xml; charset=utf-8",
    )


# ---------------------------------------------------------------------------
# Job alerts
# ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def alert_subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AlertForm(request.POST)
    else:
        form = AlertForm(initial={"query": request.GET.urlencode()})
    query = form.data.get("query", "") if form.is_bound else request.GET.urlencode()
    search = JobSearch.from_params(QueryDict(query or ""))
    error = ""
    status = 200
    if form.is_bound and form.is_valid():
        try:
            alerts.request_job_alert(
                email=form.cleaned_data["email"], search=search, client_ip=client_address(request)
            )
        except alerts.AlertRateLimited as exc:
            error, status = str(exc), 429
        else:
            return redirect(reverse("board:alert_sent"))
    elif form.is_bound:
        status = 400
    context = {
        "form": form,
        "search": search,
        "description": selectors.describe_search(search),
        "error": error,
    }
    return render(request, "board/alert_subscribe.html", context, status=status)


class ManageRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address like name@example.com"),
        },
    )


@require_http_methods(["GET", "POST"])
def alert_manage_request(request: HttpRequest) -> HttpResponse:
    """Ask for the link to one's alerts page by email (for those without an alert mail)."""
    form = ManageRequestForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if form.is_bound and form.is_valid():
        try:
            alerts.send_alert_manage_link(
                email=form.cleaned_data["email"], client_ip=client_address(request)
            )
        except alerts.AlertRateLimited as exc:
            error, status = str(exc), 429
        else:
            return redirect(reverse("board:alert_manage_sent"))
    elif form.is_bound:
        status = 400
    return render(
        request, "board/alert_manage_request.html", {"form": form, "error": error}, status=status
    )


@require_safe
def alert_manage_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "board/alert_manage_sent.html")


@require_http_methods(["GET", "POST"])
def alert_manage(request: HttpRequest, token: str) -> HttpResponse:
    """Every alert of one address, each with a button to stop it, from a signed link."""
    email = alerts.manage_token_email(token)
    if email is None:
        return render(request, "board/alert_manage.html", {"bad_link": True}, status=400)
    if request.method == "POST":
        if request.POST.get("action") == "stop-all":
            count = alerts.stop_all_job_alerts(email=email)
            messages.success(
                request,
                ngettext("Stopped %(count)d job alert.", "Stopped %(count)d job alerts.", count)
                % {"count": count},
            )
        else:
            try:
                alert_id = int(request.POST.get("alert", ""))
            except ValueError:
                alert_id = 0
            if alerts.stop_job_alert(email=email, alert_id=alert_id):
                messages.success(request, gettext("The job alert is stopped."))
        # Post/redirect/get: a reload does not post again.
        return redirect(request.path)
    context = {"email": email, "alerts": selectors.alerts_for_email(email=email)}
    return render(request, "board/alert_manage.html", context)


@require_safe
def alert_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "board/alert_sent.html")


@require_safe
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    alert = alerts.confirm_job_alert(token=token)
    status = 200 if alert else 400
    return render(request, "board/alert_confirmed.html", {"alert": alert}, status=status)


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie and no
# CSRF token; the signed token in the URL is the authorisation.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        ok = alerts.unsubscribe_job_alert(token=token)
        return render(
            request, "board/alert_unsubscribed.html", {"ok": ok}, status=200 if ok else 400
        )
    # GET only asks: link scanners in mail systems open links, and must not unsubscribe.
    return render(request, "board/alert_unsubscribe.html", {"token": token})


@require_safe
def bench_titles(request: HttpRequest) -> HttpResponse:
    """Benchmarks only (BOARD_BENCH_VIEWS): the same rows' titles, nothing else."""
    if not settings.BOARD_BENCH_VIEWS:
        raise Http404
    titles = (
        selectors.visible_listings()
        .order_by("-posted_at", "-id")
        .values_list("title", flat=True)[: settings.BOARD_PAGE_SIZE]
    )
    return HttpResponse("\n".join(titles), content_type="text/plain; charset=utf-8")
