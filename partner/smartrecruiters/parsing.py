"""Tolerant readers of SmartRecruiters JSON, shared by every client of this package.

The contracts list the variations SR sends (job-board-api.md §7, application-api.md §7):
numbers as strings or numbers, objects missing or ``{}``, booleans as ``true`` or
``"true"``, dates with ``Z`` or ``+0000`` and with or without millis. Each reader takes
whatever came and returns a value of one type, never raising: a field SR got wrong
must not cost the whole payload.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or ``{}`` for anything else (missing, null, a list)."""
    return value if isinstance(value, dict) else {}


def array(value: Any) -> list[Any]:
    """A JSON array, or ``[]`` for anything else."""
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    """A string without surrounding blanks; "" for null, objects and lists.

    Numbers keep their JSON spelling (``12`` stays "12", ``12.0`` becomes "12": an id
    sent as a float), booleans read as JSON spells them.
    """
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def flag(value: Any) -> bool:
    """True only for ``true`` or ``"true"`` (any case): absent means false (§7)."""
    return value is True or text(value).lower() == "true"


def integer(value: Any) -> int | None:
    """A whole number from a number or a numeric string (``"12"``, ``"12.0"``), or None."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        try:
            return int(float(str(value).strip()))
        except (TypeError, ValueError, OverflowError):
            return None


def number(value: Any) -> Decimal | None:
    """A finite decimal from a number or a numeric string, or None."""
    if isinstance(value, bool | dict | list) or text(value) == "":
        return None
    try:
        result = Decimal(text(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def parse_datetime_tolerant(value: Any) -> datetime | None:
    """ISO-8601 with ``Z`` or ``+0000``/``+00:00``, with or without millis."""
    stamp = text(value)
    if not stamp:
        return None
    if stamp.endswith("Z"):
        stamp = stamp[:-1] + "+00:00"
    elif len(stamp) > 5 and stamp[-5] in "+-" and stamp[-4:].isdigit() and ":" not in stamp[-5:]:
        stamp = f"{stamp[:-2]}:{stamp[-2:]}"  # +0000 -> +00:00
    try:
        return parse_datetime(stamp)
    except ValueError:
        return None
