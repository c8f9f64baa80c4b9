"""Cursor pagination over the newest-first order of the API.

A cursor names a position in ``(-posted_at, -id)``, not a page number, so a job
published or withdrawn while a client pages through never makes it skip or repeat one.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

# A page of at most 50 jobs: enough for any widget or import, small enough to be cheap.
MAX_PAGE_SIZE = 50


class JobCursorPagination(CursorPagination):
    ordering = ("-posted_at", "-id")
    cursor_query_param = "cursor"
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        try:
            asked = int(request.query_params.get(self.page_size_query_param, ""))
        except ValueError:
            return min(settings.BOARD_PAGE_SIZE, MAX_PAGE_SIZE)
        return max(1, min(asked, MAX_PAGE_SIZE))
