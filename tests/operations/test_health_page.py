"""The integration health page in the admin, and the admin index's banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from jobboard.operations.models import PeriodicJob
from jobboard.operations.recording import register_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = User.objects.create_user("ops", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="retry_outbox"))
    client.force_login(user)
    return client


def test_only_staff_see_the_health_page(client: Client) -> None:
    response = client.get("/admin/operations/health/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_health_page_lists_every_periodic_job_with_its_last_run(staff_client: Client) -> None:
    register_schedule()
    PeriodicJob.objects.filter(name="sync-feed").update(
        last_sent_at=timezone.now(),
        last_success_at=timezone.now() - timedelta(days=1),
        last_failure_at=timezone.now(),
        last_error="ConnectError: connection refused",
    )
    page = staff_client.get("/admin/operations/health/").content.decode()
    for name in ("heartbeat", "sync-feed", "relay-status-reports", "expire-assessment-orders"):
        assert f'<th scope="row">{name}</th>' in page
    assert "ConnectError: connection refused" in page
    assert "overdue" in page


def test_the_admin_index_says_when_something_is_unhealthy(staff_client: Client) -> None:
    index = staff_client.get("/admin/").content.decode()
    assert "Integration health</a>: everything is on time." in index
    register_schedule()
    PeriodicJob.objects.update(created_at=timezone.now() - timedelta(days=5))
    index = staff_client.get("/admin/").content.decode()
    assert 'href="/admin/operations/health/"' in index
    assert "problems." in index
    assert "heartbeat is stale." in index
