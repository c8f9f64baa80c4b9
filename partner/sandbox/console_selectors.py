"""Reads for the sandbox console (staff pages): one query per list, whatever its length.

Every list here is a queryset with its relations joined (``select_related``) or prefetched,
so a page of 50 rows costs the same few queries as a page of 5; the console tests pin that
with ``django_assert_max_num_queries``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, TextChoices
from django.urls import URLPattern, URLResolver, get_resolver

from partner.sandbox import state
from partner.sandbox.models import (
    CandidateStatus,
    JournalEntry,
    PostingStatus,
    SandboxAttachment,
    SandboxCandidate,
    SandboxCompany,
    SandboxPartner,
    SandboxPosting,
    SandboxPostingEvent,
)

# The switches that make the API misbehave: any of them on earns the console a warning banner.
_FAULT_SWITCHES = ("outage", "fault")


@dataclass(frozen=True)
class SwitchChange:
    """A switch whose effective value differs from the contract default."""

    name: str
    value: Any
    default: Any

    @property
    def shown(self) -> str:
        return show_switch(self.value)

    @property
    def default_shown(self) -> str:
        return show_switch(self.default)


def show_switch(value: Any) -> str:
    """A switch value as people read it: off/on, a list as "feed, apply"."""
    if value is None or value is False:
        return "off"
    if value is True:
        return "on"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def changed_switches(switches: dict[str, Any]) -> list[SwitchChange]:
    """Switches that differ from the contract defaults, in the contract's order."""
    return [
        SwitchChange(name=name, value=switches.get(name), default=default)
        for name, default in state.CONTRACT_DEFAULTS.items()
        if switches.get(name) != default
    ]


def fault_summary(switches: dict[str, Any]) -> str:
    """One sentence saying how the API is being broken right now; "" when it is not."""
    parts: list[str] = []
    if switches.get("outage"):
        parts.append("Outage: every API call answers 503")
    if switches.get("fault"):
        scope = switches.get("fault_scope")
        where = "all endpoints" if scope in (None, "all") else ", ".join(scope)
        text = f"Fault {switches['fault']} on {where}"
        if switches.get("fault_count") is not None:
            text += f", next {switches['fault_count']} request(s)"
        if switches.get("fault_probability") is not None:
            text += f", probability {switches['fault_probability']}"
        if switches.get("fault_after_commit"):
            text += ", after commit"
        parts.append(text)
    if not switches.get("rate_limit", True):
        parts.append("Rate limit off")
    return "; ".join(parts)


def counts_by_status(queryset: QuerySet, choices: type[TextChoices]) -> list[tuple[str, int]]:
    """``[(status, count), ...]`` for every choice (zeros included), in one GROUP BY query."""
    found = dict(queryset.values_list("status").annotate(n=Count("pk")).order_by())
    return [(value, found.get(value, 0)) for value in choices.values]


def dashboard_counts() -> dict[str, Any]:
    postings = counts_by_status(SandboxPosting.objects.all(), PostingStatus)
    candidates = counts_by_status(SandboxCandidate.objects.all(), CandidateStatus)
    return {
        "postings_by_status": postings,
        "postings_total": sum(n for _, n in postings),
        "candidates_by_status": candidates,
        "candidates_total": sum(n for _, n in candidates),
        "companies_total": SandboxCompany.objects.count(),
        "journal_total": JournalEntry.objects.count(),
    }


def partners() -> list[SandboxPartner]:
    """The job boards holding a key; the console shows them how to connect."""
    return list(SandboxPartner.objects.order_by("name", "pk"))


def recent_journal(*, limit: int = 8) -> list[JournalEntry]:
    return list(JournalEntry.objects.defer(*_JOURNAL_BULK).order_by("-id")[:limit])


# ---------------------------------------------------------------------------
# Postings and companies
# ---------------------------------------------------------------------------
def posting_list(
    *, status: str = "", company_id: int | None = None, search: str = ""
) -> QuerySet[SandboxPosting]:
    """Newest first: the console is about what a customer just did."""
    queryset = SandboxPosting.objects.select_related("company", "offer", "job").order_by(
        "-posted_date", "-id"
    )
    if status:
        queryset = queryset.filter(status=status)
    if company_id is not None:
        queryset = queryset.filter(company_id=company_id)
    if search:
        condition = Q(name__icontains=search) | Q(ref_number__icontains=search)
        if search.isdigit() and len(search) <= 18:  # a feed id; longer overflows bigint
            condition |= Q(id=int(search))
        queryset = queryset.filter(condition)
    return queryset


def posting_detail(*, posting_id: int) -> SandboxPosting | None:
    return (
        SandboxPosting.objects.select_related("company", "offer", "job", "partner", "replaced_by")
        .prefetch_related(
            Prefetch("events", queryset=SandboxPostingEvent.objects.order_by("at", "id"))
        )
        .filter(id=posting_id)
        .first()
    )


def job_postings(*, posting: SandboxPosting) -> list[SandboxPosting]:
    """Every feed posting of the same job (uuid): the repost chain, oldest first."""
    return list(SandboxPosting.objects.filter(job_id=posting.job_id).order_by("posted_date", "id"))


def company_list() -> QuerySet[SandboxCompany]:
    return SandboxCompany.objects.annotate(
        postings_total=Count("postings", distinct=True),
        postings_live=Count(
            "postings",
            filter=Q(postings__status__in=[PostingStatus.ACTIVE, PostingStatus.UNDER_POSTING]),
            distinct=True,
        ),
        postings_pending=Count(
            "postings", filter=Q(postings__status=PostingStatus.PENDING), distinct=True
        ),
    ).order_by("name")


def company_detail(*, company_id: int) -> SandboxCompany | None:
    return company_list().filter(pk=company_id).first()


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------
def candidate_list(
    *, status: str = "", posting_id: int | None = None, search: str = ""
) -> QuerySet[SandboxCandidate]:
    # The job's title lives on its postings; the latest one names it (a repost may rename).
    latest = SandboxPosting.objects.filter(job=OuterRef("job")).order_by("-posted_date", "-id")
    queryset = (
        SandboxCandidate.objects.select_related("job", "job__company")
        .defer("payload")
        .annotate(
            attachments_total=Count("attachments"),
            job_title=Subquery(latest.values("name")[:1]),
            latest_posting_id=Subquery(latest.values("id")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    if status:
        queryset = queryset.filter(status=status)
    if posting_id is not None:
        queryset = queryset.filter(job__postings__id=posting_id)
    if search:
        queryset = queryset.filter(
            Q(email__icontains=search) | Q(last_name__icontains=search)
            | Q(first_name__icontains=search)
        )  # fmt: skip
    return queryset


def candidate_detail(*, candidate_pk: int) -> SandboxCandidate | None:
    return (
        SandboxCandidate.objects.select_related("job", "job__company")
        .prefetch_related(
            Prefetch(
                "attachments",
                # The file content stays in the database until someone downloads it.
                queryset=SandboxAttachment.objects.defer("content").order_by("kind", "id"),
            )
        )
        .filter(pk=candidate_pk)
        .first()
    )


def latest_posting_of_job(*, job_id: int) -> SandboxPosting | None:
    return SandboxPosting.objects.filter(job_id=job_id).order_by("-posted_date", "-id").first()


def attachment_for_download(*, attachment_pk: int) -> SandboxAttachment | None:
    return SandboxAttachment.objects.filter(pk=attachment_pk).first()


def answer_rows(*, answers: list[Any], config: dict[str, Any]) -> list[dict[str, Any]]:
    """The candidate's answers next to the questions and option labels they answer.

    Answers hold ids only (application-api.md §3); the job's form gives them words. An id
    the form does not know is shown as it is rather than dropped.
    """
    questions = {q.get("id"): q for q in config.get("questions", [])}
    rows: list[dict[str, Any]] = []
    for answer in answers if isinstance(answers, list) else []:
        if not isinstance(answer, dict):
            continue
        question = questions.get(answer.get("id"), {})
        fields = {f.get("id"): f for f in question.get("fields", [])}
        records = []
        for record in answer.get("records") or []:
            values = []
            # A record is {"fields": {fieldId: [values]}} (application-api.md §3).
            record_fields = record.get("fields") if isinstance(record, dict) else None
            for field_id, raw in (record_fields or {}).items():
                field = fields.get(field_id, {})
                options = {v.get("id"): v.get("label") for v in field.get("values", []) or []}
                items = raw if isinstance(raw, list) else [raw]
                values.append(
                    {
                        "field": _english(field.get("label")) or field_id,
                        "values": [_english(options.get(item)) or str(item) for item in items],
                    }
                )
            records.append(values)
        rows.append(
            {
                "id": answer.get("id", ""),
                "label": _english(question.get("label")) or "Unknown question",
                "records": records,
            }
        )
    return rows


def form_questions(*, config: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's application form in brief: each question, its fields, and what shows it."""
    children: dict[str, str] = {}
    for rule in config.get("settings", {}).get("conditionals", []) or []:
        for child in rule.get("conditionalQuestions", []):
            children[child] = rule.get("parentQuestionId", "")
    labels = {q.get("id"): _english(q.get("label")) for q in config.get("questions", [])}
    return [
        {
            "id": question.get("id", ""),
            "label": _english(question.get("label")),
            "repeatable": bool(question.get("repeatable")),
            "fields": [
                {
                    "type": field.get("type", ""),
                    "required": bool(field.get("required")),
                    "options": len(field.get("values") or []),
                }
                for field in question.get("fields", [])
            ],
            "shown_after": labels.get(children.get(question.get("id")), "")
            if question.get("id") in children
            else "",
        }
        for question in config.get("questions", [])
    ]


def _english(label: Any) -> str:
    if isinstance(label, dict):
        return str(label.get("en") or next(iter(label.values()), ""))
    return "" if label is None else str(label)


# ---------------------------------------------------------------------------
# Journal
# ---------------------------------------------------------------------------
# Bodies and headers can be 20 kB each; the list shows none of them.
_JOURNAL_BULK = ("request_headers", "request_body", "response_headers", "response_body")

STATUS_CLASSES = {
    "2xx": (200, 299),
    "3xx": (300, 399),
    "4xx": (400, 499),
    "5xx": (500, 599),
}


def journal_list(
    *, endpoint: str = "", method: str = "", status: str = "", path: str = ""
) -> QuerySet[JournalEntry]:
    """Newest first. ``endpoint`` is a name (``feed.get``) or an API (``feed``); ``status`` is
    a code (``429``), a class (``5xx``) or ``none`` (dropped)."""
    queryset = JournalEntry.objects.defer(*_JOURNAL_BULK).order_by("-id")
    if endpoint and "." in endpoint:
        queryset = queryset.filter(endpoint=endpoint)
    elif endpoint:
        # A whole API ("feed" = every feed.* endpoint), as the fault scope understands it.
        queryset = queryset.filter(endpoint__startswith=f"{endpoint}.")
    if method:
        queryset = queryset.filter(method=method.upper())
    if status == "none":
        queryset = queryset.filter(status__isnull=True)
    elif status in STATUS_CLASSES:
        low, high = STATUS_CLASSES[status]
        queryset = queryset.filter(status__gte=low, status__lte=high)
    elif status.isdigit() and len(status) == 3:
        queryset = queryset.filter(status=int(status))
    if path:
        queryset = queryset.filter(path__icontains=path)
    return queryset


def journal_entry(*, entry_id: int) -> JournalEntry | None:
    return JournalEntry.objects.filter(pk=entry_id).first()


def sandbox_endpoint_names() -> list[str]:
    """Every endpoint name registered with ``@sandbox_endpoint``, found through the URLconf.

    Found rather than listed by hand, so an endpoint the sandbox adds later shows up in the
    fault scope and journal filters without a console change. A route may dispatch to
    several decorated functions (GET and PUT of one path), so the modules of the routed
    views are searched for every decorated function, not just the routed ones.
    """
    modules: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.callback.__module__.startswith("partner.sandbox"):
                modules.add(pattern.callback.__module__)

    walk(get_resolver().url_patterns)
    names = {
        name
        for module in modules
        for obj in vars(sys.modules[module]).values()
        if callable(obj) and isinstance(name := getattr(obj, "sandbox_endpoint", None), str)
    }
    return sorted(names)


def journal_endpoint_names() -> list[str]:
    """The endpoints the journal can be filtered by: the known ones and any recorded."""
    recorded = JournalEntry.objects.exclude(endpoint="").values_list("endpoint", flat=True)
    return sorted(set(sandbox_endpoint_names()) | set(recorded.distinct().order_by()))
