"""Helpers for the workspace tests: orders placed through the services, as SR would."""

from __future__ import annotations

import uuid

from partner.assessments import orders
from partner.assessments.models import Integration, Order
from tests.assessments.factories import SR_API


def place_order(
    integration: Integration,
    *,
    package_id: str = "pkg-fullstack",
    email: str = "ana@example.org",
    first_name: str = "Ana",
    last_name: str = "Nowak",
    invite: bool = True,
    api: str | None = None,
) -> Order:
    from django.conf import settings

    base = api or str(getattr(settings, "SMARTRECRUITERS_API_URL", SR_API))
    order, _ = orders.order_place(
        integration=integration,
        data=orders.OrderInput(
            result_callback_url=f"{base}/assessment-api/v202010/orders/{uuid.uuid4()}/results",
            company_id=integration.company_id,
            package_id=package_id,
            candidate=orders.CandidateInput(
                email=email, first_name=first_name, last_name=last_name, language="en"
            ),
            job_id="aaf65646-ed93-4c16-950b-cea69773efba",
        ),
    )
    if invite:
        orders.order_invite(order_id=order.pk)
    return Order.objects.get(pk=order.pk)
