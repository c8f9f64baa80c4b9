"""The console's home: counts, clock, switches, recent calls and how to connect."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from partner.sandbox import services


def test_the_dashboard_tells_the_board_where_to_connect_and_with_which_key(
    staff_client, posting, settings
):
    html = staff_client.get(reverse("sandbox:console")).content.decode()

    assert "http://testserver/sandbox" in html
    assert "Demo job board" in html
    assert settings.SANDBOX_DEMO_PARTNER_TOKEN in html  # behind a disclosure, for staff


def test_the_dashboard_shows_the_sandbox_time_after_the_clock_moves(staff_client, db):
    services.advance_clock(days=10)
    expected = services.sandbox_now().strftime("%Y-%m-%d")

    response = staff_client.get(reverse("sandbox:console"))

    assert response.context["sandbox_time"].strftime("%Y-%m-%d") == expected
    assert "Sandbox time is <strong><time datetime=" in response.content.decode()


def test_the_dashboard_lists_the_latest_api_calls(staff_client, posting, settings):
    Client().get(
        "/sandbox/feed/publications?status=Pending",
        HTTP_X_SMARTTOKEN=settings.SANDBOX_DEMO_PARTNER_TOKEN,
    )

    response = staff_client.get(reverse("sandbox:console"))

    [entry] = response.context["recent_journal"]
    assert entry.endpoint == "feed.list"
    assert entry.status == 200
    # The token never shows up in the journal, only its mask.
    assert settings.SANDBOX_DEMO_PARTNER_TOKEN not in str(entry.request_headers)


def test_no_banner_while_the_api_behaves(staff_client, db):
    html = staff_client.get(reverse("sandbox:console")).content.decode()
    assert "sbx-banner" not in html
    assert "Every switch is at its contract default" in html
