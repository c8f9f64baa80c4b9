"""DELETE /sr/assessments/integrations/companies/{companyId} (§7)."""

from __future__ import annotations

import pytest

from partner.assessments.models import Integration, ResultPush
from tests.assessments.factories import fullstack_package, issue_token, order_body

URL = "/sr/assessments/integrations/companies/5f1c0c2e9b1d4a0012345678"


@pytest.mark.django_db
def test_disconnect_revokes_both_pairs_and_every_token(client, company):
    token = issue_token(company.integration)
    other_token = issue_token(company.integration)
    response = client.delete(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 204
    integration = Integration.objects.get()
    assert integration.status == Integration.Status.DISCONNECTED
    assert integration.p_client_id is None
    assert integration.p_secret_hash == ""
    assert integration.sr_client_id == ""
    assert integration.sr_client_secret == ""
    assert not integration.tokens.filter(revoked_at__isnull=True).exists()
    after = client.get("/sr/assessments/packages", HTTP_AUTHORIZATION=f"Bearer {other_token}")
    assert after.status_code == 401
    token_request = client.post(
        "/sr/assessments/oauth/token",
        f"grant_type=client_credentials&client_id={company.client_id}"
        f"&client_secret={company.client_secret}",
        content_type="application/x-www-form-urlencoded",
    )
    assert token_request.status_code == 401


@pytest.mark.django_db
def test_a_retried_disconnect_with_the_revoked_token_still_gets_204(client, company):
    token = issue_token(company.integration)
    assert client.delete(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 204
    assert client.delete(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 204


@pytest.mark.django_db
def test_an_unknown_company_gets_204_and_nothing_changes(client, company, bearer):
    response = client.delete("/sr/assessments/integrations/companies/unknown", **bearer())
    assert response.status_code == 204
    assert Integration.objects.get().is_active


@pytest.mark.django_db
def test_disconnect_drops_queued_result_pushes(client, company, bearer, queued):
    fullstack_package()
    client.post(
        "/sr/assessments/packages/orders",
        order_body(),
        content_type="application/json",
        **bearer(),
    )
    from partner.assessments import tasks

    tasks.send_invitation(queued.calls[0][1][0])  # the invitation queues a PENDING push
    assert ResultPush.objects.get().state == ResultPush.State.PENDING
    assert client.delete(URL, **bearer()).status_code == 204
    push = ResultPush.objects.get()
    assert push.state == ResultPush.State.DROPPED
