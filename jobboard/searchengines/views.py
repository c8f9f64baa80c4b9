"""IndexNow's key file: ``/<key>.txt`` answers the key, proving the key is ours."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def indexnow_key_file(request: HttpRequest, key: str) -> HttpResponse:
    configured = settings.INDEXNOW_KEY
    if not configured or not hmac.compare_digest(key.encode(), configured.encode()):
        raise Http404("No such file")
    response = HttpResponse(configured, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
