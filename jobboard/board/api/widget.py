"""The embeddable widget: its script, its iframe fallback and the admin's snippet page.

``/widget.js`` is a static file served from our origin (the script finds the API by its
own ``src``). ``/widget/jobs/`` is the same list rendered on the server for sites that
cannot run scripts from us: no script at all, one stylesheet file, so it complies with
our CSP; unlike every other page it may be framed by any site.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from jobboard.board import selectors as board_selectors
from jobboard.board.api import conditional, selectors
from jobboard.board.api.pagination import MAX_PAGE_SIZE
from jobboard.board.models import Company
from jobboard.headers import CSP, content_security_policy

SCRIPT = Path(__file__).with_name("widget.js")
# The widget's friendlier names for two of the board's search parameters (widget.js
# has the same table: it runs on other sites and cannot import this one).
ALIASES = {"location": "where", "department": "function"}
DEFAULT_LIMIT = 5
# Browsers keep the script an hour; a changed script reaches every site within that.
SCRIPT_MAX_AGE = 3600


@functools.cache
def _script() -> tuple[bytes, str]:
    body = SCRIPT.read_bytes()
    return body, conditional.etag_for("widget", hashlib.sha256(body).hexdigest())


@require_safe
def widget_script(request: HttpRequest) -> HttpResponseBase:
    body, etag = _script()
    unchanged = conditional.not_modified(request, etag=etag, last_modified=None)
    response: HttpResponseBase = unchanged or HttpResponse(
        body, content_type="text/javascript; charset=utf-8"
    )
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    # Loaded by pages of any origin, including ones that isolate themselves (COEP).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def search_params(params: QueryDict) -> QueryDict:
    """The board's search parameters from the widget's (``location`` -> ``where`` ...)."""
    found = QueryDict(mutable=True)
    for key, values in params.lists():
        for value in values:
            found.appendlist(ALIASES.get(key, key), value)
    return found


def limit_from(value: str | None) -> int:
    try:
        return max(1, min(int(value or DEFAULT_LIMIT), MAX_PAGE_SIZE))
    except ValueError:
        return DEFAULT_LIMIT


@xframe_options_exempt
@require_safe
def widget_frame(request: HttpRequest) -> HttpResponseBase:
    """The iframe fallback: ``/widget/jobs/?company=<slug>&q=…&location=…&limit=5``.

    Revalidated on every view like the API (a withdrawn job leaves at once), and as
    cheap: an unchanged board answers 304 after one query.
    """
    now = timezone.now()
    state = selectors.board_state(now=now)
    language = get_language() or ""
    etag = conditional.etag_for(
        "frame", state.changed_at, state.next_lapse, language, settings.SITE_URL,
        conditional.query_identity(request.GET),
    )  # fmt: skip
    unchanged = conditional.not_modified(request, etag=etag, last_modified=state.changed_at)
    if unchanged is not None:
        return _framable(unchanged)
    params = search_params(request.GET)
    limit = limit_from(params.get("limit"))
    search = selectors.api_search(params)
    jobs = list(selectors.api_job_list(search=search, now=now)[:limit])
    company = search.company[0] if len(search.company) == 1 else ""
    context = {
        "jobs": jobs,
        "company_url": reverse("board:company", kwargs={"slug": company}) if company else "",
        "SITE_URL": settings.SITE_URL,
    }
    response = render(request, "board/widget_frame.html", context)
    conditional.add_validators(response, etag=etag, last_modified=state.changed_at)
    return _framable(response)


def _framable(response: HttpResponseBase) -> HttpResponseBase:
    # Our policy, except that any site may frame this page.
    response[CSP] = content_security_policy(overrides={"frame-ancestors": ["*"]})
    return response


# ---------------------------------------------------------------------------
# The admin's snippet generator
# ---------------------------------------------------------------------------
class SnippetForm(forms.Form):
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        to_field_name="slug",
        label=_("Company"),
        empty_label=_("Any company"),
        required=False,
    )
    q = forms.CharField(label=_("Keywords"), required=False, max_length=200)
    location = forms.CharField(label=_("Location"), required=False, max_length=120)
    department = forms.CharField(label=_("Department (function)"), required=False, max_length=120)
    limit = forms.IntegerField(
        label=_("Number of jobs"), min_value=1, max_value=MAX_PAGE_SIZE, initial=DEFAULT_LIMIT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["company"])
        visible = board_selectors.visible_listings().values("company_id")
        field.queryset = Company.objects.filter(pk__in=visible).order_by("name", "pk")


def snippets(*, company: str, filters: Sequence[tuple[str, str]], limit: int) -> dict[str, str]:
    """The script tag and the iframe tag for these choices, absolute from ``SITE_URL``."""
    filter_query = urlencode(list(filters))
    script = f'<script src="{escape(settings.SITE_URL + reverse("widget-script"))}"'
    if company:
        script += f' data-company="{escape(company)}"'
    if filter_query:
        script += f' data-filters="{escape(filter_query)}"'
    script += f' data-limit="{limit}" async></script>'
    company_param = [("company", company)] if company else []
    frame_path = (
        f"{reverse('widget-frame')}?{urlencode([*company_param, *filters, ('limit', limit)])}"
    )
    iframe = (
        f'<iframe src="{escape(settings.SITE_URL + frame_path)}" title="Jobs" loading="lazy" '
        'width="100%" height="480"></iframe>'
    )
    return {"script": script, "iframe": iframe, "frame_path": frame_path}


def widget_snippet(request: HttpRequest) -> HttpResponse:
    """Admin page: pick a company, filters and a count; copy the script or iframe tag."""
    form = SnippetForm(request.GET or None)
    found: dict[str, str] | None = None
    if form.is_valid():
        data = form.cleaned_data
        company = data["company"].slug if data["company"] else ""
        filters = [(name, data[name].strip()) for name in ("q", "location", "department")]
        found = snippets(
            company=company,
            filters=[(name, value) for name, value in filters if value],
            limit=data["limit"] or DEFAULT_LIMIT,
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Job widget"),
        "form": form,
        "snippets": found,
    }
    return render(request, "board/admin/widget_snippet.html", context)
