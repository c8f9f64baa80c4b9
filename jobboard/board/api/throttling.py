"""The API's rate limit: requests per client address per window (``JOBS_API_RATE_*``).

The board's own limiter (``jobboard.ratelimit``, shared by every process through the
cache) and its one definition of the client address (``jobboard.clientaddr``), behind
DRF's throttle interface so that DRF answers 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from jobboard import ratelimit
from jobboard.clientaddr import client_address


class ClientAddressThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        address = client_address(request._request)
        return ratelimit.allow(
            key=f"api:jobs:{address}",
            limit=settings.JOBS_API_RATE_LIMIT,
            window=settings.JOBS_API_RATE_WINDOW,
        )

    def wait(self) -> float:
        # The fixed window opened with the client's first request; its end is at most a
        # window away, and the counter keeps no start time to say more precisely.
        return float(settings.JOBS_API_RATE_WINDOW)
