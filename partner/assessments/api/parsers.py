"""Request bodies of the endpoints SmartRecruiters calls, read with an upper bound.

DRF's JSON and form parsers read the whole stream: Django's DATA_UPLOAD_MAX_MEMORY_SIZE
guards only ``request.body`` and ``request.POST``, which DRF bypasses. An order is a few
kilobytes and a token request a few hundred bytes, so anything past ``MAX_BODY_BYTES`` is
refused with 413 in the API's own error shape, before it is parsed (or read to the end).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, FormParser, JSONParser

# Five partner fields of 1,000 characters and a candidate fit in a few kilobytes; this
# leaves room for the extra fields SR may add (§7 "Tolerate") and nothing like an upload.
MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The request body may be at most {MAX_BODY_BYTES // 1024} KB"
    default_code = "body_too_large"


def declared_length(meta: Mapping[str, Any]) -> int:
    """The body's Content-Length (0 when absent or malformed: the stream is bounded anyway)."""
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def read_bounded(stream: IO[bytes] | None) -> bytes:
    """The body, or ``BodyTooLarge`` as soon as it is longer than ``MAX_BODY_BYTES``."""
    if stream is None:
        return b""
    data = stream.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    return data


class _Bounded(BaseParser):
    """Reads at most MAX_BODY_BYTES, then parses what it read as its base class does."""

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        return super().parse(io.BytesIO(read_bounded(stream)), media_type, parser_context)


class BoundedJSONParser(_Bounded, JSONParser):
    pass


class BoundedFormParser(_Bounded, FormParser):
    pass
