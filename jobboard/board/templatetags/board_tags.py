"""Formatting helpers for the board's templates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from jobboard.board.models import Listing
from jobboard.board.search import JobSearch

register = template.Library()

_PERIODS = {"YEAR": "a year", "MONTH": "a month", "HOUR": "an hour"}


def _amount(value: Decimal) -> str:
    # Whole amounts without cents ("70,000"); hourly rates keep them ("18.50").
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


@register.filter
def salary_range(listing: Listing) -> str:
    """Like "EUR 70,000 to 90,000 a year" (an en dash between), or "" when not known."""
    low, high = listing.salary_min, listing.salary_max
    if low is not None and high is not None:
        amount = _amount(low) if low == high else f"{_amount(low)} \u2013 {_amount(high)}"
    elif low is not None:
        amount = f"from {_amount(low)}"
    elif high is not None:
        amount = f"up to {_amount(high)}"
    else:
        return ""
    currency = f"{listing.salary_currency.upper()} " if listing.salary_currency else ""
    period = _PERIODS.get(listing.salary_period, "")
    if amount.startswith(("from", "up to")) and currency:
        word, _, number = amount.rpartition(" ")
        text = f"{word} {currency}{number}"
    else:
        text = f"{currency}{amount}"
    return f"{text} {period}".strip()


@register.filter
def address(listing: Listing) -> str:
    """The location as a plain address: "Berlin, BE, Germany"."""
    return listing.location_display


@register.filter
def page_url(search: JobSearch, number: int) -> str:
    """The URL of another page of the same search (sort kept)."""
    return search.page_url(int(number))


@register.filter
def days_ago(moment: datetime | None) -> int | None:
    """Whole calendar days from ``moment`` to today, in the site's time zone (0: today).

    Templates word it ("today", "yesterday", "3 days ago"): whole sentences there
    translate better than phrases built here.
    """
    if moment is None:
        return None
    return (timezone.localdate() - timezone.localdate(moment)).days


@register.filter
def days_until(moment: datetime | None) -> int | None:
    """Whole calendar days from today to ``moment`` (0: today, negative: past)."""
    if moment is None:
        return None
    return (timezone.localdate(moment) - timezone.localdate()).days
