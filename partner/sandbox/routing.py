"""URL tables: the sandbox routes each page and endpoint from one row (route, view, name)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.urls import URLPattern, path, register_converter

Route = tuple[str, Callable[..., HttpResponse], str]


class RowId:
    """Digits that fit a 64-bit primary key: a longer number is a 404, not a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "sbx_id")


def routes(table: Iterable[Route], *, prefix: str = "", name_prefix: str = "") -> list[URLPattern]:
    """One ``path()`` per row; ``prefix`` starts every route, ``name_prefix`` every name."""
    return [path(prefix + route, view, name=name_prefix + name) for route, view, name in table]
