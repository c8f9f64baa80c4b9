"""sandbox_seed: deterministic per seed, realistic, covering every form feature."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from partner.sandbox import services
from partner.sandbox.configuration import full_configuration
from partner.sandbox.models import SandboxCompany, SandboxJob, SandboxOffer, SandboxPosting
from partner.sandbox.seeding import seed_sandbox

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return [
        (
            p.name, str(p.job.uuid), p.company.name, p.company.sr_id, p.ref_number, p.location,
            p.compensation, p.industry, p.function, p.experience_level, p.type_of_employment,
            p.job_ad, p.creator, p.offer.offer_id, p.offer.posting_period, p.offer.contract_login,
            p.job.configuration_template,
        )
        for p in SandboxPosting.objects.select_related("job", "company", "offer").order_by("id")
    ]  # fmt: skip


def test_the_same_seed_gives_the_same_data():
    seed_sandbox(postings=30, seed=7)
    first = snapshot()
    services.reset_sandbox()
    seed_sandbox(postings=30, seed=7)
    assert snapshot() == first
    services.reset_sandbox()
    seed_sandbox(postings=30, seed=8)
    assert snapshot() != first


def test_seeding_again_adds_new_postings_without_clashes():
    seed_sandbox(postings=10, seed=1)
    seed_sandbox(postings=10, seed=1)
    assert SandboxPosting.objects.count() == 20
    assert SandboxJob.objects.values("uuid").distinct().count() == 20


def test_the_command_seeds_and_if_empty_does_nothing_the_second_time():
    out = StringIO()
    call_command("sandbox_seed", postings=12, companies=3, seed=2, stdout=out)
    assert "Seeded 12 postings over 3 companies" in out.getvalue()
    assert SandboxCompany.objects.count() == 3
    call_command("sandbox_seed", postings=12, if_empty=True, stdout=out)
    assert SandboxPosting.objects.count() == 12
    assert "not seeding" in out.getvalue()


def test_setup_instance_seeds_40_postings_once(settings):
    settings.SANDBOX_ENABLED = True
    from jobboard.management.commands.setup_instance import Command

    command = Command(stdout=StringIO())
    command._seed_sandbox(40)
    command._seed_sandbox(40)
    assert SandboxPosting.objects.count() == 40


def test_more_companies_than_names_get_numbered():
    seed_sandbox(postings=5, companies=45, seed=0)
    assert SandboxCompany.objects.count() == 45
    assert SandboxCompany.objects.filter(name="Acme Corp 2").exists()


def test_seeded_data_is_realistic_and_varied():
    seed_sandbox(postings=400, seed=0)
    postings = list(SandboxPosting.objects.select_related("offer", "job", "company"))
    assert all(p.status == "Pending" for p in postings)
    assert all(p.location["latitude"] and p.location["countryCode"].islower() for p in postings)
    assert any(p.location.get("remote") is True for p in postings)
    assert any(p.compensation == {} for p in postings)
    assert any(p.compensation.get("period") == "YEAR" for p in postings)
    assert any(p.type_of_employment == {} for p in postings)
    assert any("videoUrl" in p.job_ad for p in postings)
    html = " ".join(v for p in postings for v in p.job_ad.values())
    for hostile in ("<script>", "onerror=", "<iframe", "javascript:"):
        assert hostile in html
    offers = SandboxOffer.objects.all()
    assert any(o.has_contract for o in offers)
    assert not all(o.has_contract for o in offers)
    assert any(o.posting_period is None for o in offers)
    assert {o.posting_period for o in offers} >= {14, 30, 60}


def test_seeded_forms_cover_every_feature_the_contract_names():
    seed_sandbox(postings=60, seed=0)
    configs = [full_configuration(job) for job in SandboxJob.objects.select_related("company")]
    fields = [f for c in configs for q in c["questions"] for f in q["fields"]]
    assert {f["type"] for f in fields} == {
        "INPUT_TEXT", "TEXTAREA", "SINGLE_SELECT", "MULTI_SELECT", "RADIO", "CHECKBOX",
        "INFORMATION",
    }  # fmt: skip
    assert any(f["type"] == "CHECKBOX" and not f.get("values") for f in fields)
    assert any(f["type"] == "CHECKBOX" and f.get("values") for f in fields)
    assert any(q.get("repeatable") for c in configs for q in c["questions"])
    assert any(c["settings"]["conditionals"] for c in configs)
    assert any(f.get("complianceType") == "DIVERSITY" for f in fields)
    scopes = [{s["scope"] for s in c["consentDetails"]["scopes"]} for c in configs]
    assert {"SINGLE"} in scopes
    assert {"SMART_RECRUIT", "SMART_CRM"} in scopes
    assert all(c["companyImprintUrl"] and c["aiSettings"]["aiDisclosureLabel"] for c in configs)
    assert any(c["settings"]["avatarUploadAvailable"] for c in configs)
    assert any(len(q["fields"]) > 1 for c in configs for q in c["questions"])


def test_seeded_postings_are_served_by_the_feed(api, sandbox):
    sandbox.seed(postings=150, seed=4)
    first = api.get("/feed/publications").json()
    assert first["totalFound"] == "150"
    assert len(first["jobs"]) == 100
    second = api.get("/feed/publications", params={"offset": 100}).json()
    assert len(second["jobs"]) == 50
    job = first["jobs"][0]
    assert api.get(f"/postings/{job['uuid']}/configuration").status_code == 200
    assert api.get("/v1/offers", params={"postingId": job["id"]}).json()["totalFound"] == 1


def test_the_clock_command_advances_and_expires():
    from partner.sandbox.models import SandboxPosting as Posting

    posting = services.create_posting(name="Short", posting_period=14)
    out = StringIO()
    call_command("sandbox_clock", advance_days=15, stdout=out)
    assert "Sandbox time:" in out.getvalue()
    assert Posting.objects.get(pk=posting.pk).status == "toUnpost"


def test_the_candidate_status_command_moves_an_application():
    from django.core.management.base import CommandError

    from partner.sandbox.models import SandboxCandidate
    from partner.sandbox.validation import check_request

    posting = services.create_posting(name="Minimal", configuration_template="minimal")
    body = {"firstName": "A", "lastName": "B", "email": "a@b.example",
            "consentDecisions": {"SINGLE": True}}  # fmt: skip
    checked = check_request(
        body, config=full_configuration(posting.job), strict=True, single_consent_ok=False
    )
    services.submit_application(job=posting.job, partner=posting.partner, checked=checked)
    candidate = SandboxCandidate.objects.get()
    call_command("sandbox_candidate_status", str(candidate.candidate_id), "INTERVIEW",
                 stdout=StringIO())  # fmt: skip
    call_command("sandbox_candidate_status", str(candidate.pk), "OFFER", stdout=StringIO())
    assert SandboxCandidate.objects.get().status == "OFFER"
    with pytest.raises(CommandError):
        call_command("sandbox_candidate_status", str(candidate.pk), "MAYBE", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("sandbox_candidate_status", "999999", "HIRE", stdout=StringIO())
