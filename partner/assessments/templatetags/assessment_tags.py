"""The review queue's counts on the admin index (``templates/admin/index.html``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

from partner.assessments import review

register = template.Library()


@register.simple_tag(takes_context=True)
def assessment_queue(context: dict[str, Any]) -> dict[str, Any] | None:
    """Counts for staff who may see orders; None for everybody else (no query made)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_staff or not user.has_perm("assessments.view_order"):
        return None
    return review.queue_counts()


@register.filter
def duration_minutes(value: timedelta | None) -> str:
    """A test's duration as people say it: "12 min 05 s"."""
    if value is None:
        return "—"
    minutes, seconds = divmod(int(value.total_seconds()), 60)
    return f"{minutes} min {seconds:02d} s"


@register.filter
def duration_hours(value: timedelta | None) -> str:
    """A turnaround: "3 d 4 h", or "5 h 20 min" under a day."""
    if value is None:
        return "—"
    total_minutes = int(value.total_seconds() // 60)
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min"
