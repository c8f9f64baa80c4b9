"""Reads for the assessment vendor (no writes here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from jobboard import outbox
from jobboard.crypto import hash_token
from partner.assessments.models import (
    AccessToken,
    Integration,
    Order,
    Package,
    ResultPush,
    ResultStatus,
)

Row = TypeVar("Row", bound=Model)

# Location parameters SR sends on the package list (contract §2); not partner fields.
LOCATION_PARAMS = ("country-code", "region-abbr", "city", "address", "postal-code", "remote")


def token_lookup(*, token: str) -> AccessToken | None:
    """The issued token with this value, live or not (callers check expiry/revocation).

    The lookup is by SHA-256 of the presented token against a unique index: comparing
    hashes of a 256-bit random value leaks nothing useful through timing.
    """
    return _by_secret(
        AccessToken.objects.select_related("integration", "integration__client"),
        "token_hash",
        token,
    )


def integration_by_p_client_id(*, client_id: str) -> Integration | None:
    if not client_id:
        return None
    return (
        Integration.objects.filter(p_client_id=client_id, status=Integration.Status.ACTIVE)
        .select_related("client")
        .first()
    )


def packages_offered_to(*, integration: Integration) -> QuerySet[Package]:
    return (
        Package.objects.filter(is_active=True)
        .filter(Q(offered_to_all=True) | Q(clients=integration.client_id))
        .distinct()
        .prefetch_related("assessments")
        .order_by("name", "id")
    )


def _truthy(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    return None


def package_matches(package: Package, *, params: Mapping[str, str], field_ids: list[str]) -> bool:
    """Does ``package`` suit a job with these location and partner-field parameters?

    A parameter SR does not send, or a package that sets no rule, never excludes.
    """
    country = params.get("country-code", "").strip().upper()
    allowed = {c.strip().upper() for c in package.country_codes.split(",") if c.strip()}
    if country and allowed and country not in allowed:
        return False
    remote = _truthy(params.get("remote", ""))
    if remote is True and package.remote == Package.Remote.ONSITE_ONLY:
        return False
    if remote is False and package.remote == Package.Remote.REMOTE_ONLY:
        return False
    rules = package.field_rules if isinstance(package.field_rules, dict) else {}
    for field_id in field_ids:
        value = params.get(field_id)
        allowed_values = rules.get(field_id)
        if value is None or not allowed_values:
            continue
        if value.strip() not in {str(v).strip() for v in allowed_values}:
            return False
    return True


def packages_for(
    *, integration: Integration, params: Mapping[str, str], field_ids: list[str]
) -> list[Package]:
    return [
        package
        for package in packages_offered_to(integration=integration)
        if package_matches(package, params=params, field_ids=field_ids)
    ]


def package_for(*, integration: Integration, external_id: str) -> Package | None:
    """A package by its public id, only if offered to the integration's client account."""
    return packages_offered_to(integration=integration).filter(external_id=external_id).first()


def order_by_access_key(*, key: str) -> Order | None:
    """The order whose private link carries ``key`` (looked up like a token)."""
    return _by_secret(
        Order.objects.select_related("package", "integration"), "access_key_hash", key
    )


def _by_secret(queryset: QuerySet[Row], field: str, secret: str) -> Row | None:
    if not secret:
        return None
    return queryset.filter(**{field: hash_token(secret)}).first()


def due_push_ids(
    *, now: datetime | None = None, limit: int = 100, order_id: int | None = None
) -> list[int]:
    """Pushes a sender may take now, oldest first (so an order's pushes go in order)."""
    due = outbox.due(ResultPush.objects.all(), now=now or timezone.now())
    if order_id is not None:
        due = due.filter(order_id=order_id)
    return list(due.order_by("created_at", "id").values_list("id", flat=True)[:limit])


def expired_order_ids(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Order.objects.filter(
            status__in=[ResultStatus.PENDING, ResultStatus.IN_PROGRESS],
            expires_at__lte=now,
        ).values_list("id", flat=True)
    )


def uninvited_order_ids(*, older_than: datetime) -> list[int]:
    """Standard orders whose invitation task never ran (a lost message)."""
    return list(
        Order.objects.filter(
            kind=Order.Kind.STANDARD, status=ResultStatus.NEW, created_at__lte=older_than
        ).values_list("id", flat=True)
    )


def package_problems(*, package: Package) -> list[str]:
    """What keeps a package from working as declared, in words for staff."""
    from partner.assessments.models import Assessment, CandidateTask, Question

    problems: list[str] = []
    assessments = list(package.assessments.prefetch_related("questions"))
    if not assessments:
        return ["It has no assessment: SmartRecruiters needs at least one."]
    candidate_parts = [a for a in assessments if a.kind == Assessment.Kind.AUTO]
    live = [q for a in candidate_parts for q in a.questions.all() if not q.retired]
    if package.candidate_task == CandidateTask.NONE and candidate_parts:
        names = ", ".join(a.name for a in candidate_parts)
        problems.append(
            f"It is review only, but {names} asks the candidate questions: nobody will be "
            "invited to answer them."
        )
    if package.candidate_task != CandidateTask.NONE:
        if not candidate_parts:
            problems.append(
                "The candidate is invited, but every assessment is staff review only: "
                "declare the package review only."
            )
        for assessment in candidate_parts:
            if not any(not q.retired for q in assessment.questions.all()):
                problems.append(f"{assessment.name} has no questions yet.")
    if package.candidate_task == CandidateTask.UPLOAD and not any(
        q.kind == Question.Kind.FILE for q in live
    ):
        problems.append("The candidate is asked to upload files, but no question takes a file.")
    return problems
