"""Attacks that held, kept held: where our pages may send a browser (consent redirects and
the inline assessment's way back), so that no link of ours becomes an open redirect."""

from __future__ import annotations

import pytest

from partner.assessments.models import Order
from partner.assessments.urlrules import is_allowed_web_redirect
from tests.assessments.factories import fullstack_package, order_body

REDIRECT_ATTACKS = {
    "another host": "https://evil.example/",
    "a look-alike host": "https://www.smartrecruiters.com.evil.example/",
    "user info naming SR": "https://www.smartrecruiters.com@evil.example/",
    "a backslash": "https://www.smartrecruiters.com\\@evil.example/",
    "scheme-relative": "//evil.example/",
    "plain http to SR": "http://www.smartrecruiters.com/",
    "javascript": "javascript:alert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "a control character": "https://www.smartrecruiters.com\t.evil.example/",
    "a relative path": "/admin/",
    "empty": "",
}


@pytest.mark.parametrize("url", REDIRECT_ATTACKS.values(), ids=REDIRECT_ATTACKS.keys())
def test_a_browser_is_sent_only_to_smartrecruiters_web_hosts(settings, url):
    settings.SMARTRECRUITERS_WEB_HOSTS = ["www.smartrecruiters.com", "jobs.smartrecruiters.com"]
    settings.SANDBOX_ENABLED = False
    assert not is_allowed_web_redirect(url)
    assert is_allowed_web_redirect("https://www.smartrecruiters.com/app/integrations")


@pytest.mark.django_db
@pytest.mark.parametrize("url", REDIRECT_ATTACKS.values(), ids=REDIRECT_ATTACKS.keys())
def test_an_inline_order_with_a_foreign_way_back_is_refused(client, company, bearer, url):
    fullstack_package()
    body = order_body()
    body.pop("requester")
    body["completedAssessmentCallbackUrl"] = url
    response = client.post(
        "/sr/assessments/packages/inline/orders", body, content_type="application/json", **bearer()
    )
    assert response.status_code == 400
    assert Order.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("url", REDIRECT_ATTACKS.values(), ids=REDIRECT_ATTACKS.keys())
def test_the_consent_page_refuses_a_foreign_redirect(client, django_user_model, url):
    staff = django_user_model.objects.create_superuser("ops", "ops@example.org", "pw-ops-12345")
    client.force_login(staff)
    response = client.get("/sr/assessments/integration", {"companyId": "5f1c", "redirect": url})
    assert response.status_code == 400
