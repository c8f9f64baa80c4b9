"""Switches and the simulated clock, kept in the singleton ``SandboxState`` row.

They live in the database, not in process memory, so that the web process, a Celery
worker and a test driving ``live_server`` all see the same values.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partner.sandbox.models import SandboxState


class Fault(StrEnum):
    """What the ``fault`` switch makes the scoped requests get instead of a normal answer."""

    RATE_LIMITED = "429"
    RATE_LIMITED_RETRY_AFTER = "429_retry_after"
    SERVER_ERROR = "500"
    BAD_GATEWAY = "502"
    UNAVAILABLE = "503"
    GATEWAY_TIMEOUT = "504"
    SLOW = "slow"
    TIMEOUT = "timeout"
    MALFORMED_JSON = "malformed_json"
    RESET = "reset"


class ErrorEnvelope(StrEnum):
    """Shape of the Application API's 400 bodies (switch ``error_envelope``)."""

    ARRAY = "array"
    OBJECT = "object"
    WRAPPED = "wrapped"


class TokenAuth(StrEnum):
    """How the Assessment API's token endpoint takes client credentials."""

    FORM = "form"
    BASIC = "basic"


class RequesterHeader(StrEnum):
    """Shape of the ``requester`` header SR sends with assessment package requests."""

    JSON = "json"
    EMAIL = "email"
    ABSENT = "absent"


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


FAULTS = _values(Fault)
Switches = dict[str, Any]

# The contracts' switch tables (job-board-api.md §6, application-api.md §6,
# assessment-api.md §6) with their defaults, plus the sandbox's own knobs, by what they touch.
SWITCH_GROUPS: dict[str, dict[str, Any]] = {
    "Outage and rate limit": {
        "outage": False,
        "rate_limit": True,
        "rate_limit_rps": 10,
        "rate_limit_concurrent": 8,
        "retry_after": False,
        "retry_after_seconds": 2,
    },
    "Fault injection": {
        "fault": None,
        "fault_scope": "all",
        "fault_count": None,
        "fault_probability": None,
        "fault_after_commit": False,
        "slow_seconds": 3.0,
        "timeout_seconds": 120.0,
        "html_5xx": False,
    },
    "Job Board API": {
        "transition_checks": True,
        "require_live_url": False,
        "numbers_as_numbers": False,
        "content_key": False,
        "video_url_top_level": False,
        "empty_objects": False,
        # SR lists only postings created in the last 30 days without updatedAfter.
        "creation_window_days": 30,
    },
    "Application API": {
        "strict_answers": True,
        "error_envelope": ErrorEnvelope.ARRAY,
        "status_hyphen": False,
        "apply_success_status": 200,
        "include_application_id": False,
        "omit_optional_config": False,
        "traffic_locked": False,
        "unknown_field_type": False,
    },
    # Served by partner.sandbox.assessments.
    "Assessment API": {
        "strict_results": True,
        "token_auth": TokenAuth.FORM,
        "token_ttl": 1800,
        "token_type_in_response": False,
        "duplicate_orders": False,
        "requester_header": RequesterHeader.JSON,
    },
}
CONTRACT_DEFAULTS: dict[str, Any] = {
    name: default for group in SWITCH_GROUPS.values() for name, default in group.items()
}

_BOOL = {
    name
    for name, value in CONTRACT_DEFAULTS.items()
    if isinstance(value, bool) and name not in {"fault"}
}
_NUMBER = {
    "rate_limit_rps",
    "rate_limit_concurrent",
    "retry_after_seconds",
    "slow_seconds",
    "timeout_seconds",
    "token_ttl",
    "creation_window_days",
}
# The switches that take one of a few values, and those values.
CHOICES: dict[str, tuple[str | None, ...]] = {
    "fault": (None, *FAULTS),
    "error_envelope": _values(ErrorEnvelope),
    "token_auth": _values(TokenAuth),
    "requester_header": _values(RequesterHeader),
}
# The switches that take one of a few numbers: a successful POST candidates answers 200
# (SR's published spec) or 201 (some of SR's doc examples).
NUMBER_CHOICES: dict[str, tuple[int, ...]] = {"apply_success_status": (200, 201)}


class SwitchError(ValueError):
    """An unknown switch name or a value it cannot take."""


def defaults() -> Switches:
    """Contract defaults with ``settings.SANDBOX_SWITCHES`` merged over them."""
    merged = dict(CONTRACT_DEFAULTS)
    merged.update(_validated(getattr(settings, "SANDBOX_SWITCHES", {}) or {}))
    return merged


def _state() -> SandboxState:
    state, _ = SandboxState.objects.get_or_create(pk=1)
    return state


def get_switches() -> Switches:
    stored = SandboxState.objects.filter(pk=1).values_list("switches", flat=True).first() or {}
    merged = defaults()
    merged.update({k: v for k, v in stored.items() if k in CONTRACT_DEFAULTS})
    return merged


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in CONTRACT_DEFAULTS:
            raise SwitchError(f"Unknown switch {name!r}")
        if name in _BOOL:
            if not isinstance(value, bool):
                raise SwitchError(f"Switch {name!r} takes true or false")
        elif name in _NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise SwitchError(f"Switch {name!r} takes a number >= 0")
        elif name in NUMBER_CHOICES:
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if isinstance(value, bool) or value not in NUMBER_CHOICES[name]:
                raise SwitchError(f"Switch {name!r} takes one of {list(NUMBER_CHOICES[name])}")
        elif name in CHOICES:
            if name == "fault" and value is not None:
                value = str(value)
            if value not in CHOICES[name]:
                raise SwitchError(f"Switch {name!r} takes one of {list(CHOICES[name])}")
        elif name == "fault_scope":
            value = _scope(value)
        elif name == "fault_count":
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise SwitchError("Switch 'fault_count' takes null or an integer >= 0")
        elif (
            name == "fault_probability"
            and value is not None
            and (
                isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
            )
        ):
            raise SwitchError("Switch 'fault_probability' takes null or a number in 0..1")
        clean[name] = value
    return clean


def _scope(value: Any) -> str | list[str]:
    if value in (None, "", "all"):
        return "all"
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SwitchError("Switch 'fault_scope' takes 'all' or a list of endpoint names")
    return value


@transaction.atomic
def set_switches(**changes: Any) -> Switches:
    """Store switch values (validated) and return the full effective set."""
    clean = _validated(changes)
    state = SandboxState.objects.select_for_update().filter(pk=1).first() or _state()
    stored = dict(state.switches)
    stored.update(clean)
    state.switches = stored
    state.save(update_fields=["switches", "updated_at"])
    return get_switches()


@transaction.atomic
def reset_switches() -> Switches:
    state = _state()
    state.switches = {}
    state.save(update_fields=["switches", "updated_at"])
    return get_switches()


def consume_fault_count() -> bool:
    """Take one of the "next N requests" of a scripted fault; False when none are left.

    A conditional update, so two concurrent requests cannot both take the last one.
    """
    with transaction.atomic():
        state = SandboxState.objects.select_for_update().filter(pk=1).first()
        if state is None:
            return False
        count = state.switches.get("fault_count")
        if count is None:
            return True
        if count <= 0:
            return False
        stored = dict(state.switches)
        stored["fault_count"] = count - 1
        if count - 1 == 0:
            # The script is spent: the fault switches itself off.
            stored["fault"] = None
            stored["fault_count"] = None
        state.switches = stored
        state.save(update_fields=["switches", "updated_at"])
        return True


# ---------------------------------------------------------------------------
# Clock
# ---------------------------------------------------------------------------
def clock_offset() -> timedelta:
    seconds = (
        SandboxState.objects.filter(pk=1).values_list("clock_offset_seconds", flat=True).first()
    )
    return timedelta(seconds=seconds or 0.0)


def sandbox_now() -> datetime:
    """Wall-clock time plus the simulated offset: "now" for everything SR-side."""
    return timezone.now() + clock_offset()


@transaction.atomic
def shift_clock(*, delta: timedelta) -> datetime:
    state = SandboxState.objects.select_for_update().filter(pk=1).first() or _state()
    state.clock_offset_seconds = state.clock_offset_seconds + delta.total_seconds()
    state.save(update_fields=["clock_offset_seconds", "updated_at"])
    return timezone.now() + timedelta(seconds=state.clock_offset_seconds)


@transaction.atomic
def reserve_feed_ids(*, count: int) -> int:
    """Reserve ``count`` consecutive feed posting ids and return the first."""
    _state()
    state = SandboxState.objects.select_for_update().get(pk=1)
    first = state.next_feed_id
    state.next_feed_id = first + count
    state.save(update_fields=["next_feed_id", "updated_at"])
    return first
