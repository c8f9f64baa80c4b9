"""The sandbox console: staff-only HTML pages that play the SmartRecruiters customer.

Views are thin: a GET renders a selector's result; a POST parses one form, calls one
service and redirects with a message (post/redirect/get), so a reload never repeats an
action. Every page needs a staff session (the Django admin login).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from partner.sandbox import console_selectors as reads
from partner.sandbox import console_services, services
from partner.sandbox.configuration import full_configuration
from partner.sandbox.console_forms import (
    AdvanceClockForm,
    CandidateFilterForm,
    CandidateStatusForm,
    ConfirmForm,
    JournalFilterForm,
    PostingFilterForm,
    PostJobForm,
    RepostForm,
    SeedForm,
    SwitchesForm,
)
from partner.sandbox.errors import sandbox_root
from partner.sandbox.models import CandidateStatus, SandboxCandidate, SandboxPosting
from partner.sandbox.render import render_posting
from partner.sandbox.routing import route
from partner.sandbox.seeding import seed_sandbox
from partner.sandbox.state import SwitchError, get_switches, sandbox_now

View = Callable[..., HttpResponse]
T = TypeVar("T")
F = TypeVar("F", bound=forms.Form)

POSTINGS_PER_PAGE = 50
CANDIDATES_PER_PAGE = 50
JOURNAL_PER_PAGE = 50
COMPANIES_PER_PAGE = 100

# The recruiter's path through an application, then the ways out of it (application-api.md §5).
CANDIDATE_FORWARD = [
    CandidateStatus.NEW,
    CandidateStatus.IN_REVIEW,
    CandidateStatus.INTERVIEW,
    CandidateStatus.OFFER,
    CandidateStatus.HIRE,
]
CANDIDATE_EXITS = [CandidateStatus.REJECTED, CandidateStatus.WITHDRAWN, CandidateStatus.TRANSFERRED]
# The postings a customer can still take off the board (services.ON_BOARD).
REMOVABLE = {str(s) for s in services.ON_BOARD}


def console_page(
    pattern: str | None, *, name: str = "", methods: tuple[str, ...] = ("GET",)
) -> Callable[[View], View]:
    """A page at ``pattern`` (see ``routing.route``): staff only (others are sent to the
    admin login), and only these HTTP methods."""

    def decorate(view: View) -> View:
        page = staff_member_required(require_http_methods(list(methods))(view))
        return page if pattern is None else route(pattern, name=name)(page)

    return decorate


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render a console page with what every page shows: the clock and the fault banner."""
    switches = context.get("switches") or get_switches()
    context = {
        "switches": switches,
        "fault_banner": reads.fault_summary(switches),
        "sandbox_time": sandbox_now(),
        **context,
    }
    return render(request, template, context, status=status)


def _paginate(request: HttpRequest, items: QuerySet[Any], per_page: int) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for the pagination links."""
    pairs = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return urlencode(pairs)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the page the form came from (a same-site ``next``), else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _found(row: T | None, what: str) -> T:
    """``row``, or a 404 page naming ``what`` was not found."""
    if row is None:
        raise Http404(f"No such {what}")
    return row


def valid_form(request: HttpRequest, form: F, refusal: str) -> F | None:
    """``form`` when it is valid; else ``None``, and ``refusal`` (``{errors}`` filled in)
    becomes the page's error message."""
    if form.is_valid():
        return form
    errors = " ".join(
        f"{'' if field == '__all__' else field + ': '}{' '.join(str(p) for p in problems)}"
        for field, problems in form.errors.items()
    )
    messages.error(request, refusal.format(errors=errors))
    return None


# ---------------------------------------------------------------------------
# Dashboard, clock, seed, reset
# ---------------------------------------------------------------------------
@console_page(None)  # routed at the sandbox root by urls.py
def dashboard(request: HttpRequest) -> HttpResponse:
    switches = get_switches()
    return render_page(
        request,
        "sandbox/console/dashboard.html",
        {
            "switches": switches,
            "changed_switches": reads.changed_switches(switches),
            "recent_journal": reads.recent_journal(),
            "partners": reads.partners(),
            "api_root": sandbox_root(request),
            "clock_form": AdvanceClockForm(),
            "seed_form": SeedForm(),
            "reset_form": ConfirmForm(),
            **reads.dashboard_counts(),
        },
    )


@console_page("clock/advance", name="clock-advance", methods=("POST",))
def clock_advance(request: HttpRequest) -> HttpResponse:
    form = valid_form(request, AdvanceClockForm(request.POST), "Clock not moved. {errors}")
    if form is not None:
        days = form.cleaned_data["days"]
        now = services.advance_clock(days=days)
        messages.success(
            request,
            f"Clock advanced {days} day(s); sandbox time is now {now:%Y-%m-%d %H:%M} UTC. "
            "Postings past their posting period are now toUnpost.",
        )
    return _back(request, reverse("sandbox:console"))


@console_page("seed", name="seed", methods=("POST",))
def seed(request: HttpRequest) -> HttpResponse:
    form = valid_form(request, SeedForm(request.POST), "Nothing seeded. {errors}")
    if form is not None:
        data = form.cleaned_data
        summary = seed_sandbox(postings=data["postings"], companies=data["companies"])
        messages.success(
            request,
            f"Seeded {summary.postings} Pending posting(s) over {summary.companies} company(ies).",
        )
    return redirect("sandbox:console")


@console_page("reset", name="reset", methods=("POST",))
def reset(request: HttpRequest) -> HttpResponse:
    refusal = "Nothing deleted: tick the confirmation box to reset."
    if valid_form(request, ConfirmForm(request.POST), refusal) is not None:
        services.reset_sandbox()
        messages.success(
            request, "Sandbox reset: data, journal, switches and clock are back to the start."
        )
    return redirect("sandbox:console")


@console_page("postings/", name="postings")
def posting_list(request: HttpRequest) -> HttpResponse:
    form = PostingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    postings = reads.posting_list(status=filters.get("status", ""), search=filters.get("q", ""))
    return render_page(
        request,
        "sandbox/console/posting_list.html",
        {
            "filter_form": form,
            "page": _paginate(request, postings, POSTINGS_PER_PAGE),
            "query": _query_without_page(request),
            "removable": REMOVABLE,
            "clock_form": AdvanceClockForm(),
        },
    )


@console_page("postings/new", name="posting-new", methods=("GET", "POST"))
def posting_new(request: HttpRequest) -> HttpResponse:
    # "Post a job for <company>" links pass the company along.
    form = PostJobForm(request.POST or None, initial={"company": request.GET.get("company")})
    if request.method == "POST" and form.is_valid():
        posting = console_services.post_job(**form.service_kwargs())
        messages.success(
            request,
            f"Posted “{posting.name}” as feed posting {posting.id} (Pending). "
            "The board picks it up on its next sync pass.",
        )
        return redirect("sandbox:console-posting", posting_id=posting.id)
    return render_page(
        request,
        "sandbox/console/posting_form.html",
        {"form": form, "title": "Post a job to the board", "submit": "Post the job"},
        status=400 if form.is_bound else 200,
    )


@console_page("postings/<sbx_id:posting_id>/", name="posting")
def posting_detail(request: HttpRequest, posting_id: int) -> HttpResponse:
    posting = _found(reads.posting_detail(posting_id=posting_id), "posting")
    switches = get_switches()
    chain = reads.job_postings(posting=posting)
    candidates = reads.candidate_list(posting_id=posting.id)
    return render_page(
        request,
        "sandbox/console/posting_detail.html",
        {
            "switches": switches,
            "posting": posting,
            "events": posting.events.all(),
            "chain": chain,
            "replaces": next((p for p in chain if p.replaced_by_id == posting.id), None),
            "removable": posting.status in REMOVABLE,
            "candidates": candidates[:20],
            "candidates_total": candidates.count(),
            "feed_json": json.dumps(render_posting(posting, switches), indent=2),
            "questions": reads.form_questions(
                config=full_configuration(posting.job, posting=posting)
            ),
        },
    )


@console_page("postings/<sbx_id:posting_id>/remove", name="posting-remove", methods=("POST",))
def posting_remove(request: HttpRequest, posting_id: int) -> HttpResponse:
    try:
        posting = services.remove_posting(posting=posting_id)
    except SandboxPosting.DoesNotExist:
        raise Http404("No such posting") from None
    except services.PostingStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Posting {posting.id} removed from the board: it is now toUnpost."
        )
    return _back(request, reverse("sandbox:console-posting", args=[posting_id]))


@console_page("postings/<sbx_id:posting_id>/repost", name="posting-repost", methods=("GET", "POST"))
def posting_repost(request: HttpRequest, posting_id: int) -> HttpResponse:
    posting = _found(reads.posting_detail(posting_id=posting_id), "posting")
    form = RepostForm(request.POST or None, initial=RepostForm.initial_from(posting))
    if request.method == "POST" and form.is_valid():
        new = services.repost_posting(posting=posting.id, **form.service_changes(posting))
        messages.success(
            request,
            f"Reposted as feed posting {new.id} (Pending, same uuid); "
            f"posting {posting.id} is now toUnpost.",
        )
        return redirect("sandbox:console-posting", posting_id=new.id)
    return render_page(
        request,
        "sandbox/console/posting_form.html",
        {
            "form": form,
            "posting": posting,
            "title": f"Edit and repost {posting.id}",
            "submit": "Repost",
        },
        status=400 if form.is_bound else 200,
    )


@console_page("companies/", name="companies")
def company_list(request: HttpRequest) -> HttpResponse:
    return render_page(
        request,
        "sandbox/console/company_list.html",
        {"page": _paginate(request, reads.company_list(), COMPANIES_PER_PAGE), "query": ""},
    )


@console_page("companies/<sbx_id:company_id>/", name="company")
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _found(reads.company_detail(company_id=company_id), "company")
    postings = reads.posting_list(company_id=company.pk)
    return render_page(
        request,
        "sandbox/console/company_detail.html",
        {
            "company": company,
            "page": _paginate(request, postings, POSTINGS_PER_PAGE),
            "query": _query_without_page(request),
            "removable": REMOVABLE,
        },
    )


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------
@console_page("candidates/", name="candidates")
def candidate_list(request: HttpRequest) -> HttpResponse:
    form = CandidateFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    posting_id = request.GET.get("posting", "")
    if not (posting_id.isdigit() and len(posting_id) <= 18):
        posting_id = ""
    candidates = reads.candidate_list(
        status=filters.get("status", ""),
        search=filters.get("q", ""),
        posting_id=int(posting_id) if posting_id else None,
    )
    return render_page(
        request,
        "sandbox/console/candidate_list.html",
        {
            "filter_form": form,
            "posting_id": posting_id,
            "page": _paginate(request, candidates, CANDIDATES_PER_PAGE),
            "query": _query_without_page(request),
        },
    )


@console_page("candidates/<sbx_id:candidate_pk>/", name="candidate")
def candidate_detail(request: HttpRequest, candidate_pk: int) -> HttpResponse:
    candidate = _found(reads.candidate_detail(candidate_pk=candidate_pk), "candidate")
    posting = reads.latest_posting_of_job(job_id=candidate.job_id)
    config = full_configuration(candidate.job, posting=posting) if posting else {}
    return render_page(
        request,
        "sandbox/console/candidate_detail.html",
        {
            "candidate": candidate,
            "posting": posting,
            "answers": reads.answer_rows(answers=candidate.answers, config=config),
            "attachments": candidate.attachments.all(),
            "forward": CANDIDATE_FORWARD,
            "exits": CANDIDATE_EXITS,
            "payload_json": json.dumps(candidate.payload, indent=2, ensure_ascii=False),
        },
    )


@console_page("candidates/<sbx_id:candidate_pk>/status", name="candidate-status", methods=("POST",))
def candidate_status(request: HttpRequest, candidate_pk: int) -> HttpResponse:
    form = valid_form(request, CandidateStatusForm(request.POST), "Status not changed. {errors}")
    if form is not None:
        try:
            candidate = services.set_candidate_status(
                candidate=candidate_pk, status=form.cleaned_data["status"]
            )
        except SandboxCandidate.DoesNotExist:
            raise Http404("No such candidate") from None
        messages.success(
            request,
            f"{candidate.first_name} {candidate.last_name} is now {candidate.status}.",
        )
    return _back(request, reverse("sandbox:console-candidate", args=[candidate_pk]))


@console_page("attachments/<sbx_id:attachment_pk>/download", name="attachment-download")
def attachment_download(request: HttpRequest, attachment_pk: int) -> HttpResponse:
    attachment = _found(reads.attachment_for_download(attachment_pk=attachment_pk), "attachment")
    response = HttpResponse(bytes(attachment.content), content_type=attachment.mime_type)
    # Always a download, never rendered inline: the file came from an untrusted applicant.
    filename = attachment.file_name.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------
# Journal
# ---------------------------------------------------------------------------
@console_page("journal/", name="journal")
def journal_list(request: HttpRequest) -> HttpResponse:
    form = JournalFilterForm(request.GET or None, endpoints=reads.journal_endpoint_names())
    entries = reads.journal_list(**form.filters())
    return render_page(
        request,
        "sandbox/console/journal_list.html",
        {
            "filter_form": form,
            "page": _paginate(request, entries, JOURNAL_PER_PAGE),
            "query": _query_without_page(request),
        },
    )


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


@console_page("journal/<sbx_id:entry_id>/", name="journal-entry")
def journal_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _found(reads.journal_entry(entry_id=entry_id), "journal entry")
    return render_page(
        request,
        "sandbox/console/journal_detail.html",
        {
            "entry": entry,
            "request_body": _pretty(entry.request_body),
            "response_body": _pretty(entry.response_body),
        },
    )


# ---------------------------------------------------------------------------
# Fault controls
# ---------------------------------------------------------------------------
@console_page("faults/", name="faults", methods=("GET", "POST"))
def faults(request: HttpRequest) -> HttpResponse:
    switches = get_switches()
    endpoints = reads.sandbox_endpoint_names()
    form = SwitchesForm(
        request.POST or None, endpoints=endpoints, initial=SwitchesForm.initial_from(switches)
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes(switches)
        try:
            services.set_switches(**changes)
        except SwitchError as error:
            form.add_error(None, str(error))
        else:
            names = ", ".join(sorted(changes)) or "nothing"
            messages.success(request, f"Switches saved (changed: {names}).")
            return redirect("sandbox:console-faults")
    return render_page(
        request,
        "sandbox/console/faults.html",
        {"switches": switches, "form": form, "changed_switches": reads.changed_switches(switches)},
        status=400 if form.is_bound else 200,
    )


@console_page("faults/reset", name="faults-reset", methods=("POST",))
def faults_reset(request: HttpRequest) -> HttpResponse:
    services.reset_switches()
    messages.success(request, "Every switch is back to its default.")
    return _back(request, reverse("sandbox:console-faults"))


@console_page("faults/stop", name="faults-stop", methods=("POST",))
def faults_stop(request: HttpRequest) -> HttpResponse:
    """The banner's one-click way back to a healthy API: fault and outage off."""
    services.set_switches(fault=None, outage=False)
    messages.success(request, "Fault and outage switched off; the API answers normally.")
    return _back(request, reverse("sandbox:console"))
