"""Contract tests: our SR clients (oauth.py, assessments.py) against the sandbox over HTTP."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from partner.assessments import orders, pushes
from partner.assessments.models import Order, ResultPush
from partner.sandbox.assessments import services as sr_services
from partner.sandbox.assessments.models import AsmCompany, AsmOrder
from partner.smartrecruiters import assessments as client
from partner.smartrecruiters.errors import AuthenticationError, NotFoundError, PermanentError
from partner.smartrecruiters.oauth import ClientCredentials, fetch_token, token_cache
from tests.assessments.factories import connected_company, fullstack_package

P_PAIR = ClientCredentials("p-acme-0001", "p-secret-0001-abcdefghijklmnop")


def _token_requests(sandbox) -> int:
    return len(sandbox.journal(endpoint="assessments.token"))


@pytest.mark.django_db(transaction=True)
def test_the_configuration_round_trips_and_the_command_prints_it(live):
    saved = client.get_configuration()
    assert saved.consent_url.endswith("/sr/assessments/integration")
    assert saved.integration_disable_url.endswith("/sr/assessments/integrations/companies")
    out = io.StringIO()
    call_command("register_assessment_partner", "--show", stdout=out)
    assert "oauthTokenUrl" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_invalid_configuration_fails_the_command(live, settings):
    settings.ASSESSMENT_SUPPORTED_TYPES = []
    with pytest.raises(CommandError, match="refused"):
        call_command("register_assessment_partner", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_setup_reports_missing_consent_and_a_second_setup(live):
    with pytest.raises(AuthenticationError) as no_consent:
        client.setup_integration(company_id="c0ffee000001", p_pair=P_PAIR)
    assert no_consent.value.status == 403
    sr_services.company_consent(company_id="c0ffee000001", name="Acme")
    sr_pair = client.setup_integration(company_id="c0ffee000001", p_pair=P_PAIR)
    assert sr_pair.client_id.startswith("sr-")
    assert AsmCompany.objects.get().p_client_secret == P_PAIR.client_secret
    with pytest.raises(PermanentError) as again:
        client.setup_integration(company_id="c0ffee000001", p_pair=P_PAIR)
    assert again.value.status == 409


@pytest.mark.django_db(transaction=True)
def test_setup_without_a_configuration_is_not_found(live):
    sr_services.reset_assessments()
    sr_services.company_consent(company_id="c0ffee000001")
    with pytest.raises(NotFoundError):
        client.setup_integration(company_id="c0ffee000001", p_pair=P_PAIR)


@pytest.mark.django_db(transaction=True)
def test_wrong_master_credentials_are_an_authentication_error(live, settings):
    settings.SMARTRECRUITERS_CLIENT_SECRET = "wrong"
    token_cache.clear()
    with pytest.raises(AuthenticationError) as refused:
        client.get_configuration()
    assert refused.value.status == 401


@pytest.mark.django_db(transaction=True)
def test_tokens_are_cached_until_expiry_minus_a_minute(live):
    token_cache.clear()
    before = _token_requests(live)
    client.get_configuration()
    client.get_configuration()
    assert _token_requests(live) == before + 1
    live.set_switches(token_ttl=30)  # shorter than the 60 s margin: never cached
    token_cache.clear()
    client.get_configuration()
    client.get_configuration()
    assert _token_requests(live) == before + 3
    token = fetch_token(ClientCredentials("sandbox-master-client", "sandbox-master-secret"))
    assert token.expires_in == 30


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_token_type", [False, True])
def test_our_oauth_client_takes_sr_tokens_with_or_without_token_type(live, with_token_type):
    # SR's published spec requires only access_token and expires_in; the sandbox's
    # default answer leaves token_type out (assessment-api.md §3, §7 "Tolerate").
    live.set_switches(token_type_in_response=with_token_type)
    token_cache.clear()

    token = fetch_token(ClientCredentials("sandbox-master-client", "sandbox-master-secret"))
    saved = client.get_configuration()  # a Bearer call with that token

    [entry, *_] = live.journal(endpoint="assessments.token")
    assert ("token_type" in entry.response_body) is with_token_type
    assert token.token_type == "Bearer"
    assert token.access_token
    assert saved.consent_url


def _sr_order_with_push(live) -> Order:
    """An integrated company (both sides), an SR order and our order with a queued push."""
    sr_services.company_consent(company_id="c0ffee000001", name="Acme")
    connected = connected_company(company_id="c0ffee000001")
    sr_pair = client.setup_integration(
        company_id="c0ffee000001", p_pair=ClientCredentials(connected.client_id, "x" * 43)
    )
    connected.integration.sr_client_id = sr_pair.client_id
    connected.integration.sr_client_secret = sr_pair.client_secret
    connected.integration.save()
    fullstack_package()
    sr_order = AsmOrder.objects.create(company=AsmCompany.objects.get(), package_id="pkg-fullstack")
    order, _ = orders.order_place(
        integration=connected.integration,
        data=orders.OrderInput(
            result_callback_url=(
                f"{live.url}/assessment-api/v202010/orders/{sr_order.order_id}/results"
            ),
            company_id="c0ffee000001",
            package_id="pkg-fullstack",
            candidate=orders.CandidateInput(email="ana@example.org"),
        ),
    )
    orders.order_invite(order_id=order.pk)
    return order


@pytest.mark.django_db(transaction=True)
def test_a_429_with_retry_after_is_retried(live):
    _sr_order_with_push(live)
    live.set_switches(
        fault="429_retry_after",
        fault_scope=["assessments.results"],
        fault_count=1,
        retry_after_seconds=0,
    )
    assert pushes.pushes_drain() == {"sent": 1}
    assert AsmOrder.objects.get().result["status"] == "PENDING"


@pytest.mark.django_db(transaction=True)
def test_a_dropped_response_after_commit_is_repeated_harmlessly(live):
    _sr_order_with_push(live)
    live.set_switches(
        fault="reset", fault_scope=["assessments.results"], fault_count=1, fault_after_commit=True
    )
    assert pushes.pushes_drain() == {"sent": 1}
    sr_order = AsmOrder.objects.get()
    assert sr_order.result["status"] == "PENDING"
    assert sr_order.patches.filter(status=200).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_unknown_order_at_sr_fails_the_push_without_retry(live):
    order = _sr_order_with_push(live)
    AsmOrder.objects.all().delete()
    assert pushes.pushes_drain() == {"failed": 1}
    push = ResultPush.objects.get(order=order)
    assert push.response_status == 404
    assert push.attempts == 1
