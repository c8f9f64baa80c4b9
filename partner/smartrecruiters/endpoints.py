"""Which SmartRecruiters API and endpoint a request path belongs to, for metrics.

Paths carry ids (posting ids, UUIDs, order ids): metric labels must not, or every
posting would make a new series. Ids are replaced by ``{id}``.
"""

from __future__ import annotations

import re

from django.conf import settings

# First path segment (after SMARTRECRUITERS_API_URL's own path) -> API name.
_APIS = {
    "feed": "feed",
    "v1": "offers",
    "postings": "apply",
    "assessment-api": "assessments",
    "identity": "oauth",
}
_KNOWN_SEGMENTS = {
    "feed", "publications", "v1", "offers", "postings", "candidates", "status", "configuration",
    "assessment-api", "v202010", "partner", "integration", "company", "orders", "results",
    "attachment", "identity", "oauth", "token",
}  # fmt: skip
_VERSIONED = re.compile(r"^v\d+$")


def classify(path: str) -> tuple[str, str]:
    """(api, endpoint) of a request path, e.g. ("apply", "/postings/{id}/candidates")."""
    base = re.sub(r"^https?://[^/]+", "", str(settings.SMARTRECRUITERS_API_URL)).rstrip("/")
    if base and path.startswith(base + "/"):
        path = path[len(base) :]
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        return "other", "/"
    api = _APIS.get(segments[0], "other")
    named = [
        segment if segment in _KNOWN_SEGMENTS or _VERSIONED.match(segment) else "{id}"
        for segment in segments
    ]
    return api, "/" + "/".join(named)
