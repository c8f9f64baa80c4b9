"""Enqueue Celery tasks after the current transaction commits.

A lost message loses nothing: beat's sweepers (``push_results``, ``expire_orders``) find
every pending row again. A broker that is down is therefore logged, not raised into the
request that already committed its work.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task_name: str, *args: object) -> None:
    from partner.assessments import tasks

    try:
        getattr(tasks, task_name).delay(*args)
    except Exception:
        logger.warning("could not enqueue %s; the periodic sweep will pick it up", task_name)


def enqueue(task_name: str, *args: object) -> None:
    """Send ``partner.assessments.tasks.<task_name>(*args)`` once the transaction commits."""
    transaction.on_commit(lambda: _send(task_name, *args))
