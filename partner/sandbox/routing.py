"""Each view declares its own route (``@route``); urls.py mounts the modules (``routes_of``)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TypeVar

from django.http import HttpResponse
from django.urls import URLPattern, path, register_converter

V = TypeVar("V", bound=Callable[..., HttpResponse])


class RowId:
    """Digits that fit a 64-bit primary key: a longer number is a 404, not a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "sbx_id")


def route(pattern: str, *, name: str) -> Callable[[V], V]:
    """The view's URL pattern and name, relative to where urls.py mounts its module."""

    def mark(view: V) -> V:
        view.route = (pattern, name)  # type: ignore[attr-defined]
        return view

    return mark


def routes_of(module: ModuleType, *, prefix: str = "", name_prefix: str = "") -> list[URLPattern]:
    """A ``path()`` for every ``@route`` view defined in ``module``, in the module's order."""
    return [
        path(prefix + view.route[0], view, name=name_prefix + view.route[1])
        for view in vars(module).values()
        if getattr(view, "__module__", None) == module.__name__ and hasattr(view, "route")
    ]
