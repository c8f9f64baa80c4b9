"""Formatting helpers for the board's templates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

from jobboard.board.models import Listing
from jobboard.board.search import JobSearch

register = template.Library()

# "70,000 a year": the period joins the amount in a sentence of each language.
_PERIODS = {
    "YEAR": gettext_noop("%(amount)s a year"),
    "MONTH": gettext_noop("%(amount)s a month"),
    "HOUR": gettext_noop("%(amount)s an hour"),
}


def _amount(value: Decimal) -> str:
    # Whole amounts without cents ("70,000"); hourly rates keep them ("18.50"). Grouped
    # and pointed as the active language writes numbers (de "70.000", fr "70 000").
    if value == value.to_integral_value():
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=2, force_grouping=True)


@register.filter
def salary_range(listing: Listing) -> str:
    """Like "EUR 70,000 to 90,000 a year" (an en dash between the two), or "" when not known.

    In the active language: "EUR 70.000 to 90.000 pro Jahr" in German.
    """
    low, high = listing.salary_min, listing.salary_max
    currency = f"{listing.salary_currency.upper()} " if listing.salary_currency else ""
    if low is not None and high is not None:
        numbers = _amount(low) if low == high else f"{_amount(low)} \u2013 {_amount(high)}"
        amount = f"{currency}{numbers}"
    elif low is not None:
        amount = gettext("from %(amount)s") % {"amount": f"{currency}{_amount(low)}"}
    elif high is not None:
        amount = gettext("up to %(amount)s") % {"amount": f"{currency}{_amount(high)}"}
    else:
        return ""
    period = _PERIODS.get(listing.salary_period)
    return gettext(period) % {"amount": amount} if period else amount


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
