"""Finding 5: rate limits behind the TLS proxy, counted per candidate and per email.

The apply limit keyed on REMOTE_ADDR only: behind the proxy every candidate shared one
bucket, and invalid submissions and "add another" clicks spent it.
"""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from django.test import Client, RequestFactory

from jobboard.board.models import JobAlert
from jobboard.clientaddr import client_address
from partner.applications.models import Application
from tests.applications.test_apply_form import apply_url, valid_post

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
NETS = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]

C = "198.51.100.1"  # the candidate
F = "6.6.6.6"  # what the candidate claims to be
D = "203.0.113.7"  # a client connecting directly

# (TRUSTED_PROXY_COUNT, TRUSTED_PROXY_NETWORKS, REMOTE_ADDR, X-Forwarded-For, client seen)
ADDRESS_CASES = {
    "no proxy configured: the header is ignored": (0, [], D, C, D),
    "one proxy: the entry it appended": (1, [], PROXY, C, C),
    "one proxy: a forged entry before it is ignored": (1, [], PROXY, f"{F}, {C}", C),
    "two proxies: the second entry from the right": (2, [], PROXY, f"{F}, {C}, 10.0.0.9", C),
    "one proxy but no header: the peer": (1, [], PROXY, "", PROXY),
    "two proxies but one entry: the peer": (2, [], PROXY, C, PROXY),
    "one proxy: garbage in the header falls back to the peer": (1, [], PROXY, "<script>", PROXY),
    "one proxy: an entry with a port": (1, [], PROXY, f"{C}:5555", C),
    "one proxy: an IPv4-mapped IPv6 entry": (1, [], PROXY, f"::ffff:{C}", C),
    "networks: through the proxy": (0, NETS, PROXY, C, C),
    "networks: through two trusted proxies": (0, NETS, PROXY, f"{C}, 10.1.1.1", C),
    "networks: a forged entry before the real client": (0, NETS, PROXY, f"{F}, {C}", C),
    "networks: a direct connection cannot forge the header": (0, NETS, D, C, D),
    "networks: a forged internal address stops at the client": (
        0,
        NETS,
        PROXY,
        f"10.9.9.9, {C}",
        C,
    ),
    "networks: garbage stops at the last trusted hop": (0, NETS, PROXY, f"{C}, junk", PROXY),
    "networks: IPv6 proxy and client": (0, NETS, "fd00::2", "2001:db8::7", "2001:db8::7"),
    "networks: everything trusted gives the left-most": (
        0,
        NETS,
        PROXY,
        "10.1.1.1, 10.2.2.2",
        "10.1.1.1",
    ),
}


@pytest.mark.parametrize(
    ("count", "networks", "remote", "forwarded", "expected"),
    ADDRESS_CASES.values(),
    ids=ADDRESS_CASES.keys(),
)
def test_the_client_address_believes_only_what_trusted_proxies_wrote(
    settings, count, networks, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXY_NETWORKS = networks
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert client_address(request) == expected


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.APPLICATION_RATE_LIMIT = 1

    def post(client: Client, listing, candidate: str, **overrides):
        return client.post(
            apply_url(listing), valid_post(**overrides),
            REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=candidate,
        )  # fmt: skip

    return post


def test_candidates_behind_the_proxy_each_have_their_own_budget(client, listing, behind_proxy):
    assert behind_proxy(client, listing, "198.51.100.1", email="a@example.test").status_code == 302
    assert behind_proxy(client, listing, "198.51.100.2", email="b@example.test").status_code == 302
    again = behind_proxy(client, listing, "198.51.100.1", email="c@example.test")
    assert again.status_code == 429
    assert Application.objects.count() == 2


def test_a_forged_forwarded_for_does_not_buy_a_new_budget(client, listing, behind_proxy):
    assert behind_proxy(client, listing, "198.51.100.1", email="a@example.test").status_code == 302
    forged = behind_proxy(client, listing, "6.6.6.6, 198.51.100.1", email="b@example.test")
    assert forged.status_code == 429
    assert Application.objects.count() == 1


def test_invalid_submissions_and_add_another_clicks_spend_none_of_the_budget(
    client, listing, behind_proxy
):
    for _ in range(5):
        assert behind_proxy(client, listing, "198.51.100.1", first_name="").status_code == 400
        add = behind_proxy(client, listing, "198.51.100.1", submit=None, add_record="q3")
        assert add.status_code == 200
    assert behind_proxy(client, listing, "198.51.100.1").status_code == 302


def test_invalid_attempts_have_their_own_looser_limit(client, listing, behind_proxy, settings):
    settings.APPLICATION_ATTEMPT_LIMIT = 3
    for _ in range(3):
        assert behind_proxy(client, listing, "198.51.100.1", first_name="").status_code == 400
    assert behind_proxy(client, listing, "198.51.100.1").status_code == 429
    # Another candidate behind the same proxy is not affected.
    assert behind_proxy(client, listing, "198.51.100.2").status_code == 302


def test_one_email_applies_to_one_job_a_bounded_number_of_times_from_anywhere(
    client, listing, behind_proxy, settings
):
    settings.APPLICATION_EMAIL_LIMIT = 1
    settings.APPLICATION_RATE_LIMIT = 100
    assert (
        behind_proxy(client, listing, "198.51.100.1", email="Ana@Example.test").status_code == 302
    )
    repeat = behind_proxy(client, listing, "198.51.100.9", email="ana@example.test")
    assert repeat.status_code == 429
    assert "this email address" in repeat.content.decode()
    other = behind_proxy(client, listing, "198.51.100.9", email="bo@example.test")
    assert other.status_code == 302
    assert Application.objects.count() == 2


def test_job_alert_sign_ups_use_the_same_client_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.BOARD_ALERT_SIGNUPS_PER_IP = 1

    def sign_up(candidate: str, email: str) -> int:
        return client.post(
            "/alerts/", {"email": email, "query": "q=python"},
            REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=candidate,
        ).status_code  # fmt: skip

    assert sign_up("198.51.100.1", "a@example.test") == 302
    assert sign_up("198.51.100.2", "b@example.test") == 302
    assert sign_up("6.6.6.6, 198.51.100.1", "c@example.test") == 429
    assert JobAlert.objects.count() == 2
