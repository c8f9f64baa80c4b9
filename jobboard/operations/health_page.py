"""The integration health page in the admin: periodic jobs, outboxes, SmartRecruiters calls."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jobboard.operations import alerts, callstats, outboxes, selectors

OUTCOMES = [choice.value for choice in callstats.Outcome]


@dataclass(frozen=True)
class Summary:
    """What the admin index's banner says."""

    problems: list[str]

    @property
    def healthy(self) -> bool:
        return not self.problems


def summary() -> Summary:
    problems = [alert.message or alert.name for alert in alerts.active_alerts()]
    if not problems:
        # Alerts are evaluated by workers; without one running, look for ourselves.
        age = selectors.beat_age()
        if age is not None and age > selectors.beat_stale_after():
            problems.append("Celery beat's heartbeat is stale.")
        problems += [
            f"Periodic job {j.name} is overdue." for j in selectors.job_health() if j.overdue
        ]
        problems += [f"The {o.name} outbox is behind." for o in outboxes.outbox_health() if o.stale]
    return Summary(problems)


def _budget_share() -> float:
    per_minute = float(settings.SMARTRECRUITERS_RATE_PER_SECOND) * 60
    return callstats.busiest_minute() / per_minute if per_minute else 0.0


@require_http_methods(["GET", "HEAD", "POST"])
def health_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_perm("operations.retry_outbox"):
            messages.error(request, "You may not retry outbox items.")
        else:
            label = request.POST.get("retry", "")
            try:
                count = outboxes.retry_failed(label=label)
            except KeyError:
                messages.error(request, "No such outbox.")
            else:
                messages.success(request, f"{count} failed item(s) of {label} queued again.")
        return HttpResponseRedirect(reverse("operations-health"))
    calls = callstats.last_hour()
    context = {
        **admin.site.each_context(request),
        "title": "Integration health",
        "beat_age": selectors.beat_age(),
        "beat_stale_after": selectors.beat_stale_after(),
        "jobs": selectors.job_health(),
        "outboxes": outboxes.outbox_health(),
        "calls": [
            (api, [by_outcome.get(o, 0) for o in OUTCOMES]) for api, by_outcome in calls.items()
        ],
        "outcomes": OUTCOMES,
        "budget_percent": round(_budget_share() * 100),
        "rate_per_second": settings.SMARTRECRUITERS_RATE_PER_SECOND,
        "alerts": alerts.active_alerts(),
        "summary": summary(),
    }
    return TemplateResponse(request, "operations/health.html", context)
