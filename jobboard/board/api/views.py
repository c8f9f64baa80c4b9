"""The jobs API's views. Thin: throttle, answer a revalidation, read, serialize."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponseBase
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from jobboard.board.api import conditional, selectors
from jobboard.board.api.errors import jobs_api_exception_handler
from jobboard.board.api.pagination import JobCursorPagination
from jobboard.board.api.serializers import JobCardSerializer, JobDetailSerializer
from jobboard.board.api.throttling import ClientAddressThrottle
from jobboard.board.models import Listing

_FILTERS = [
    ("q", "Keywords, as in the board's search box (quotes, OR and -word work the same)."),
    ("where", 'A city or country ("Berlin", "Paris, US", "Germany").'),
    ("radius", "Kilometres around the city of `where`: 5, 10, 25 (default), 50 or 100."),
    ("company", "A company's slug (repeatable)."),
    ("country", "ISO 3166-1 alpha-2 code (repeatable)."),
    ("city", "City name (repeatable)."),
    ("function", "Function, e.g. Engineering (repeatable)."),
    ("industry", "Industry (repeatable)."),
    ("level", "Experience level (repeatable)."),
    ("type", "Employment type, e.g. Full-time (repeatable)."),
    ("workplace", "`remote` or `onsite`."),
    ("posted", "Posted in the last 1, 3, 7 or 30 days."),
    ("salary", "`shown`: only jobs that state a salary."),
    ("min_salary", "At least this much a year: 30000, 50000, 75000, 100000 or 150000."),
]
FILTER_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=text)
    for name, text in _FILTERS
]


class _JobsApiView(generics.GenericAPIView[Listing]):
    throttle_classes = [ClientAddressThrottle]
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def get_exception_handler(self) -> Any:
        return jobs_api_exception_handler


class JobListView(_JobsApiView):
    serializer_class = JobCardSerializer
    pagination_class = JobCursorPagination

    @extend_schema(
        operation_id="jobs_list",
        summary="Live jobs, newest first",
        description=(
            "The board's search and filters, with the list page's parameter names, newest "
            "first, in pages linked by cursors (`next`, `previous`). Only jobs the board "
            "shows. Revalidate with `If-None-Match` (ETag) or `If-Modified-Since`: an "
            "unchanged answer is `304 Not Modified`. Rate-limited per client address "
            "(`429` with `Retry-After`)."
        ),
        parameters=FILTER_PARAMETERS,
        responses=JobCardSerializer(many=True),
        tags=["jobs"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        now = timezone.now()
        state = selectors.board_state(now=now)
        # Links follow the active language (job pages may live under a language prefix).
        etag = conditional.etag_for(
            "jobs",
            get_language(),
            state.changed_at,
            state.next_lapse,
            conditional.query_identity(request.query_params),
            settings.SITE_URL,
        )
        changed = state.changed_at
        unchanged = conditional.not_modified(request._request, etag=etag, last_modified=changed)
        if unchanged is not None:
            return unchanged
        listings = selectors.api_job_list(
            search=selectors.api_search(request.query_params), now=now
        )
        page = self.paginate_queryset(listings)
        data = self.get_serializer(page, many=True).data
        response = self.get_paginated_response(data)
        conditional.add_validators(response, etag=etag, last_modified=changed)
        return response


class JobDetailView(_JobsApiView):
    serializer_class = JobDetailSerializer

    @extend_schema(
        operation_id="jobs_retrieve",
        summary="One live job",
        description=(
            "A job as its page shows it. `404` once it is withdrawn or expired. Conditional "
            "GETs as for the list."
        ),
        tags=["jobs"],
    )
    def get(self, request: Request, id: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
        listing = selectors.api_job(pk=id, now=timezone.now())
        if listing is None:
            raise Http404("No such job")
        etag = conditional.etag_for(
            "job", get_language(), listing.pk, listing.updated_at.isoformat(), settings.SITE_URL
        )
        changed = listing.updated_at
        unchanged = conditional.not_modified(request._request, etag=etag, last_modified=changed)
        if unchanged is not None:
            return unchanged
        response = Response(self.get_serializer(listing).data)
        conditional.add_validators(response, etag=etag, last_modified=changed)
        return response
