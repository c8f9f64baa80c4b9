"""Fault controls: every switch, and the API really answers with what was switched on."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partner.sandbox import services, state
from partner.sandbox.models import JournalEntry, SandboxState

FEED = "/sandbox/feed/publications?status=Pending"


def _current_form(client) -> dict:
    """The fault form as a browser would submit it untouched (unticked boxes are absent)."""
    form = client.get(reverse("sandbox:console-faults")).context["form"]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue
        else:
            data[name] = value
    return data


def _save(client, **changes):
    data = _current_form(client)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return client.post(reverse("sandbox:console-faults"), data)


@pytest.fixture
def api(settings, posting):
    client = Client()
    client.defaults["HTTP_X_SMARTTOKEN"] = settings.SANDBOX_DEMO_PARTNER_TOKEN
    return client


def test_the_fault_page_has_a_control_for_every_switch(staff_client, db):
    html = staff_client.get(reverse("sandbox:console-faults")).content.decode()
    for name in state.CONTRACT_DEFAULTS:
        assert f'name="{name}"' in html, name
    for fault in state.FAULTS:
        assert f'<option value="{fault}"' in html, fault


def test_switching_a_fault_on_makes_the_api_answer_with_it(staff_client, api):
    response = _save(staff_client, fault="503")
    assert response.status_code == 302

    answer = api.get(FEED)

    assert answer.status_code == 503
    assert answer.json()["code"] == "internal_error"
    assert JournalEntry.objects.latest("id").fault == "503"


def test_a_scoped_fault_leaves_other_endpoints_alone(staff_client, api, posting):
    _save(staff_client, fault="500", fault_scope=["apply"])

    assert api.get(FEED).status_code == 200
    assert api.get(f"/sandbox/postings/{posting.job.uuid}/configuration").status_code == 500


def test_a_fault_for_the_next_request_only_switches_itself_off(staff_client, api):
    _save(staff_client, fault="429_retry_after", fault_count="1", retry_after_seconds="7")

    first = api.get(FEED)
    second = api.get(FEED)

    assert first.status_code == 429
    assert first["Retry-After"] == "7"
    assert second.status_code == 200


def test_html_5xx_turns_error_bodies_into_a_gateway_page(staff_client, api):
    _save(staff_client, fault="502", html_5xx=True)

    answer = api.get(FEED)

    assert answer.status_code == 502
    assert answer["Content-Type"].startswith("text/html")


def test_the_outage_switch_takes_the_api_down_and_the_console_says_so(staff_client, api):
    _save(staff_client, outage=True)

    assert api.get(FEED).status_code == 503
    banner = staff_client.get(reverse("sandbox:console")).content.decode()
    assert 'class="sbx-banner" role="alert"' in banner
    assert "Outage: every API call answers 503" in banner


def test_rate_limit_settings_are_saved(staff_client, db):
    _save(staff_client, rate_limit=False, rate_limit_rps="3", rate_limit_concurrent="2")

    switches = state.get_switches()
    assert switches["rate_limit"] is False
    assert switches["rate_limit_rps"] == 3
    assert switches["rate_limit_concurrent"] == 2


def test_slow_and_timeout_seconds_and_probability_are_saved(staff_client, db):
    _save(
        staff_client,
        fault="slow",
        slow_seconds="0.5",
        timeout_seconds="10",
        fault_probability="0.25",
        fault_after_commit=True,
    )

    switches = state.get_switches()
    assert switches["fault"] == "slow"
    assert switches["slow_seconds"] == 0.5
    assert switches["timeout_seconds"] == 10
    assert switches["fault_probability"] == 0.25
    assert switches["fault_after_commit"] is True


def test_contract_switches_are_saved(staff_client, db):
    _save(
        staff_client,
        numbers_as_numbers=True,
        transition_checks=False,
        error_envelope="wrapped",
        token_auth="basic",
    )

    switches = state.get_switches()
    assert switches["numbers_as_numbers"] is True
    assert switches["transition_checks"] is False
    assert switches["error_envelope"] == "wrapped"
    assert switches["token_auth"] == "basic"


def test_saving_an_untouched_form_stores_nothing(staff_client, db, settings):
    # A default from the settings must keep following the settings.
    settings.SANDBOX_SWITCHES = {"require_live_url": True}
    response = _save(staff_client)

    assert response.status_code == 302
    row = SandboxState.objects.filter(pk=1).first()
    assert row is None or row.switches == {}
    assert state.get_switches()["require_live_url"] is True


def test_an_invalid_value_is_refused_and_nothing_changes(staff_client, db):
    response = _save(staff_client, fault="500", fault_probability="1.5")

    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()
    assert state.get_switches()["fault"] is None


def test_reset_puts_every_switch_back_to_its_default(staff_client, db):
    services.set_switches(fault="500", outage=True, rate_limit_rps=1)

    staff_client.post(reverse("sandbox:console-faults-reset"))

    assert state.get_switches() == state.defaults()


def test_the_banner_button_stops_fault_and_outage(staff_client, api):
    services.set_switches(fault="500", outage=True, numbers_as_numbers=True)
    page = staff_client.get(reverse("sandbox:console-postings"))
    assert "Fault 500 on all endpoints" in page.content.decode()

    response = staff_client.post(
        reverse("sandbox:console-faults-stop"), {"next": reverse("sandbox:console-postings")}
    )

    assert response["Location"] == reverse("sandbox:console-postings")
    switches = state.get_switches()
    assert switches["fault"] is None
    assert switches["outage"] is False
    assert switches["numbers_as_numbers"] is True  # only the faults are stopped
    assert api.get(FEED).status_code == 200


def test_the_dashboard_lists_the_switches_that_differ_from_the_defaults(staff_client, db):
    services.set_switches(content_key=True)

    response = staff_client.get(reverse("sandbox:console"))

    assert [c.name for c in response.context["changed_switches"]] == ["content_key"]
    assert 'role="alert"' not in response.content.decode()  # not a fault: no banner
