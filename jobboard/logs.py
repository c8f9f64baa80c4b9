"""Request ids and log formatting.

Every request gets an id (taken from a trusted ``X-Request-ID`` when the proxy sets a
sane one, otherwise minted here). It is attached to every log line written while the
request is handled and returned in the ``X-Request-ID`` response header, so an
operator can go from a user's report to the exact log lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

from jobboard.redaction import redact

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# The Celery task being run, if any (set from task_prerun by jobboard.operations).
task_var: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "task", default=None
)

# Only accept ids that cannot smuggle anything into a log line or a header.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        # For code that has the request but not the context (HttpRequest declares no such
        # attribute, hence the ignore).
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def bind_task(*, task_name: str, task_id: str) -> None:
    """Log lines written while a task runs carry its name and id."""
    task_var.set((task_name, task_id))


def unbind_task() -> None:
    task_var.set(None)


class RedactFilter(logging.Filter):
    """Private links and secret query values out of the message (see jobboard.redaction)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call; leave it to the formatter
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text: a traceback quoting a URL is redacted once here.
            record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
        return True


_TRACEBACKS = logging.Formatter()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        task = task_var.get()
        if task is not None:
            record.task_name, record.task_id = task
        if not hasattr(record, "request_id"):
            record.request_id = task[1] if task is not None else request_id_var.get()
        # For the text format: " task.name" after the id, nothing outside tasks.
        record.task_label = f" {task[0]}" if task is not None else ""
        return True


# Attributes every LogRecord has; anything else was passed through `extra=` and is kept.
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {
    "message", "asctime", "request_id", "task_label",
}  # fmt: skip


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers in production."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value if _is_json_scalar(value) else repr(value)
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def _is_json_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


TEXT_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s]%(task_label)s %(name)s: %(message)s"


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """The LOGGING setting: one console handler, JSON or text, with redaction and ids."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "jobboard.logs.RequestIdFilter"},
            "redact": {"()": "jobboard.logs.RedactFilter"},
        },
        "formatters": {
            "text": {
                "format": TEXT_FORMAT,
            },
            "json": {"()": "jobboard.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["redact", "request_id"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # httpx logs full URLs at INFO; our transport logs what matters, masked.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
            "django.db.backends": {"level": "INFO"},
            # Django's own default handlers print unredacted request paths, and its error mails
            # to ADMINS would carry private links: Django logs through our handler only
            # (operators get alert mails from jobboard.operations instead).
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # runserver's request lines: through our handler, so private links are redacted.
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
