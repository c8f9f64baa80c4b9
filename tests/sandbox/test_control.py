"""The JSON control API used by tests and scripts."""

from __future__ import annotations

import httpx
from django.contrib.auth import get_user_model

from partner.sandbox.models import SandboxCandidate, SandboxPosting


def test_control_needs_the_token_or_a_staff_session(sandbox):
    with httpx.Client(base_url=f"{sandbox.url}/control") as client:
        assert client.get("/switches").status_code == 401
        wrong = client.get("/switches", headers={"X-Sandbox-Control-Token": "nope"})
        assert wrong.status_code == 401


def test_a_staff_session_may_use_control(sandbox, live_server):
    user_model = get_user_model()
    user_model.objects.create_user("staff", password="pw-staff-123", is_staff=True)
    with httpx.Client(base_url=live_server.url, follow_redirects=True) as client:
        login = client.get("/admin/login/")
        token = login.cookies["csrftoken"]
        client.post("/admin/login/", data={"username": "staff", "password": "pw-staff-123",
                    "csrfmiddlewaretoken": token, "next": "/admin/"})  # fmt: skip
        assert client.get("/sandbox/control/switches").status_code == 200


def test_control_with_an_empty_setting_refuses_every_token(sandbox, settings):
    settings.SANDBOX_CONTROL_TOKEN = ""
    with httpx.Client(base_url=f"{sandbox.url}/control") as client:
        assert client.get("/switches", headers={"X-Sandbox-Control-Token": ""}).status_code == 401


def test_switches_can_be_read_and_written(control):
    assert control.get("/switches").json()["rate_limit"] is True
    changed = control.put("/switches", json={"fault": "503", "fault_count": 2})
    assert changed.status_code == 200
    assert changed.json()["fault"] == "503"
    bad = control.put("/switches", json={"fault": "teapot"})
    assert bad.status_code == 400
    reset = control.put("/switches", json={"_reset": True})
    assert reset.json()["fault"] is None


def test_postings_can_be_created_removed_and_reposted(control, api):
    created = control.post(
        "/postings",
        json={"name": "Nurse", "company_name": "Umbrella Health", "with_contract": True,
              "posting_period": 14},
    )  # fmt: skip
    assert created.status_code == 201
    posting = created.json()
    assert posting["status"] == "Pending"
    offer = api.get("/v1/offers", params={"postingId": posting["id"]}).json()["content"][0]
    assert offer["terms"]["postingPeriod"] == 14
    assert "existingContract" in offer["terms"]
    removed = control.post(f"/postings/{posting['id']}/remove").json()
    assert removed["status"] == "toUnpost"
    assert control.post(f"/postings/{posting['id']}/remove").status_code == 400
    reposted = control.post(f"/postings/{posting['id']}/repost", json={"name": "Nurse (nights)"})
    assert reposted.status_code == 201
    assert reposted.json()["uuid"] == posting["uuid"]
    detail = control.get(f"/postings/{posting['id']}").json()
    assert detail["replacedBy"] == reposted.json()["id"]
    assert [h["to"] for h in detail["history"]] == ["Pending", "toUnpost"]


def test_creating_a_posting_validates_its_input(control):
    bodies = [{}, {"name": ""}, {"name": "X", "bogus": 1}, {"name": "X", "posted_date": "soon"}]
    for body in bodies:
        assert control.post("/postings", json=body).status_code == 400, body
    assert control.post("/postings", content=b"[1]").status_code == 400
    assert SandboxPosting.objects.count() == 0


def test_unknown_postings_are_404(control):
    assert control.post("/postings/42/remove").status_code == 404
    assert control.get("/postings/42").status_code == 404


def test_the_clock_can_be_advanced(control, sandbox):
    posting = sandbox.create_posting(name="Short", posting_period=14)
    before = control.get("/clock").json()["now"]
    advanced = control.post("/clock/advance", json={"days": 20})
    assert advanced.status_code == 200
    assert advanced.json()["now"] > before
    assert SandboxPosting.objects.get(pk=posting.pk).status == "toUnpost"
    assert control.post("/clock/advance", json={"days": "many"}).status_code == 400


def test_a_candidates_status_can_be_set(control, sandbox, api):
    posting = sandbox.create_posting(name="Minimal", configuration_template="minimal")
    created = api.post(f"/postings/{posting.job.uuid}/candidates", json={
        "firstName": "A", "lastName": "B", "email": "a@b.example",
        "consentDecisions": {"SINGLE": True}}).json()  # fmt: skip
    row = SandboxCandidate.objects.get()
    listed = control.get("/candidates").json()["candidates"]
    assert listed[0]["candidateId"] == created["id"]
    assert control.post(f"/candidates/{row.pk}/status", json={"status": "HIRE"}).status_code == 200
    status_url = f"/postings/{posting.job.uuid}/candidates/{created['id']}/status"
    assert api.get(status_url).json() == {"status": "HIRE"}
    assert control.post(f"/candidates/{row.pk}/status", json={"status": "x"}).status_code == 400
    assert control.post("/candidates/999/status", json={"status": "HIRE"}).status_code == 404


def test_journal_is_readable_with_filters(control, api, posting):
    api.get("/feed/publications", params={"status": "Pending"})
    api.get(f"/feed/publications/{posting.id}")
    entries = control.get("/journal", params={"endpoint": "feed.get"}).json()["entries"]
    assert [e["endpoint"] for e in entries] == ["feed.get"]
    assert entries[0]["responseHeaders"]["X-RateLimit-Limit"] == "10"
    assert control.get("/journal", params={"status": "abc"}).status_code == 400


def test_reset_clears_everything_but_keeps_the_partner(control, sandbox, api):
    sandbox.create_posting(name="To forget")
    control.put("/switches", json={"fault": "500"})
    response = control.post("/reset")
    assert response.json() == {"ok": True, "partnerToken": sandbox.token}
    assert SandboxPosting.objects.count() == 0
    assert api.get("/feed/publications").status_code == 200


def test_seed_through_control(control):
    summary = control.post("/seed", json={"postings": 5, "seed": 3}).json()
    assert summary["postings"] == 5
    assert SandboxPosting.objects.count() == 5


def test_wrong_methods_are_405(control):
    assert control.get("/reset").status_code == 405
