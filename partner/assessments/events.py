"""The order's timeline (``OrderEvent``): what happened, and which staff member did it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from partner.assessments.models import Order, OrderEvent

# Who acted: a staff member in the admin, or nobody (SmartRecruiters, the candidate, a task).
Actor = AbstractBaseUser | AnonymousUser | None


def event_record(
    *, order: Order, kind: OrderEvent.Kind, message: str = "", user: Actor = None
) -> OrderEvent:
    actor = user.get_username() if user is not None else ""
    return OrderEvent.objects.create(order=order, kind=kind, message=message, actor=actor)
