"""The customer's actions on postings, each through the sandbox's own services."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from partner.sandbox import services
from partner.sandbox.models import PostingStatus, SandboxPosting, SandboxPostingEvent


def _post_job(client, **overrides):
    data = {
        "company": "",
        "company_name": "Globex",
        "posting_period": "30",
        "configuration": "standard",
        "name": "Site Reliability Engineer",
        "ref_number": "SRE-7",
        "city": "1",
        "type_of_employment": "permanent",
        "salary_min": "60000",
        "salary_max": "80000",
        "salary_currency": "eur",
        "salary_period": "YEAR",
        "job_description": "<p>Keep <b>things</b> running.</p>",
    }
    data.update(overrides)
    return client.post(reverse("sandbox:console-posting-new"), data)


def test_posting_a_job_creates_a_pending_posting_with_its_offer(staff_client, db):
    response = _post_job(staff_client)

    posting = SandboxPosting.objects.select_related("offer", "company").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sandbox:console-posting", args=[posting.id])
    assert posting.status == PostingStatus.PENDING
    assert posting.name == "Site Reliability Engineer"
    assert posting.company.name == "Globex"
    assert posting.offer.posting_period == 30
    assert not posting.offer.has_contract
    assert posting.location["city"] == "Munich"
    assert posting.compensation == {"min": 60000, "max": 80000, "currency": "EUR", "period": "YEAR"}
    assert posting.type_of_employment == {"id": "permanent", "label": "Full-time"}
    # The description replaces only its own section of the job ad.
    assert posting.job_ad["jobDescription"] == "<p>Keep <b>things</b> running.</p>"
    assert posting.job_ad["qualifications"]


def test_posting_with_an_existing_contract_gives_the_offer_a_login(staff_client, db):
    _post_job(staff_client, with_contract="on", posting_period="14")

    offer = SandboxPosting.objects.get().offer
    assert offer.has_contract
    assert offer.contract_password
    assert offer.posting_period == 14


def test_the_posting_page_shows_the_contract_login_but_never_its_password(staff_client, db):
    _post_job(staff_client, with_contract="on")
    posting = SandboxPosting.objects.select_related("offer").get()

    html = staff_client.get(reverse("sandbox:console-posting", args=[posting.id])).content.decode()
    assert posting.offer.contract_login in html
    assert posting.offer.contract_password not in html


def test_posting_for_an_existing_company_reuses_it(staff_client, posting):
    _post_job(staff_client, company=str(posting.company_id), company_name="")

    assert SandboxPosting.objects.filter(company=posting.company).count() == 2


def test_a_job_without_a_company_is_refused_and_nothing_is_posted(staff_client, db):
    response = _post_job(staff_client, company_name="  ")

    assert response.status_code == 400
    assert "Choose a company or name a new one." in response.content.decode()
    assert not SandboxPosting.objects.exists()


def test_removing_a_posting_moves_it_to_to_unpost(staff_client, posting):
    response = staff_client.post(
        reverse("sandbox:console-posting-remove", args=[posting.id]), follow=True
    )

    posting.refresh_from_db()
    assert posting.status == PostingStatus.TO_UNPOST
    assert "is now toUnpost" in response.content.decode()
    assert posting.events.filter(to_status=PostingStatus.TO_UNPOST).exists()


def test_removing_twice_explains_why_nothing_happens(staff_client, posting):
    url = reverse("sandbox:console-posting-remove", args=[posting.id])
    staff_client.post(url)
    response = staff_client.post(url, follow=True)

    assert "nothing to remove" in response.content.decode()


def test_removing_from_a_list_returns_to_that_list(staff_client, posting):
    back = reverse("sandbox:console-postings") + "?status=Pending"
    response = staff_client.post(
        reverse("sandbox:console-posting-remove", args=[posting.id]), {"next": back}
    )
    assert response["Location"] == back


def test_a_next_url_off_the_site_is_ignored(staff_client, posting):
    response = staff_client.post(
        reverse("sandbox:console-posting-remove", args=[posting.id]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("sandbox:console-posting", args=[posting.id])


def test_the_repost_form_is_prefilled_with_the_posting(staff_client, posting):
    html = staff_client.get(
        reverse("sandbox:console-posting-repost", args=[posting.id])
    ).content.decode()
    assert 'value="Senior Backend Engineer"' in html
    assert 'value="ENG-2041"' in html


def test_edit_and_repost_makes_a_new_pending_posting_of_the_same_job(staff_client, posting):
    form = staff_client.get(reverse("sandbox:console-posting-repost", args=[posting.id]))
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in ((n, form.context["form"][n]) for n in form.context["form"].fields)
    }
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data["name"] = "Staff Backend Engineer"

    response = staff_client.post(reverse("sandbox:console-posting-repost", args=[posting.id]), data)

    old = SandboxPosting.objects.get(id=posting.id)
    new = SandboxPosting.objects.exclude(id=posting.id).get()
    assert response["Location"] == reverse("sandbox:console-posting", args=[new.id])
    assert new.id != old.id
    assert new.job.uuid == old.job.uuid
    assert new.status == PostingStatus.PENDING
    assert new.name == "Staff Backend Engineer"
    assert new.ref_number == "ENG-2041"
    # Unchanged content is copied as it was, job ad sections included.
    assert new.job_ad == old.job_ad
    assert old.status == PostingStatus.TO_UNPOST
    assert old.replaced_by_id == new.id


def test_advancing_the_clock_expires_postings_past_their_period(staff_client, posting):
    staff_client.post(reverse("sandbox:console-clock-advance"), {"days": "29"})
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING

    response = staff_client.post(
        reverse("sandbox:console-clock-advance"), {"days": "2"}, follow=True
    )

    posting.refresh_from_db()
    assert posting.status == PostingStatus.TO_UNPOST
    assert posting.events.filter(actor=SandboxPostingEvent.Actor.CLOCK).exists()
    assert "Clock advanced 2 day(s)" in response.content.decode()
    assert services.sandbox_now() - posting.posted_date > timedelta(days=30)


def test_the_clock_refuses_nonsense(staff_client, posting):
    response = staff_client.post(
        reverse("sandbox:console-clock-advance"), {"days": "-3"}, follow=True
    )
    assert "Clock not moved" in response.content.decode()
    assert services.sandbox_now() - posting.posted_date < timedelta(days=1)


def test_the_posting_page_links_the_live_url_and_shows_the_history(staff_client, posting):
    services.update_posting_status(
        posting=posting, status="Active", live_url="https://board.example/jobs/7-senior/"
    )

    response = staff_client.get(reverse("sandbox:console-posting", args=[posting.id]))
    html = response.content.decode()

    assert '<a href="https://board.example/jobs/7-senior/" rel="noopener noreferrer">' in html
    assert "Partner (PUT)" in html
    assert "Posted" in html
    # The feed JSON as the API would serve it, shown (escaped) under a disclosure.
    assert '"status": "Active"' in response.context["feed_json"]
    assert "&quot;status&quot;: &quot;Active&quot;" in html


def test_the_postings_list_filters_by_status_and_searches(staff_client, posting):
    other = services.create_posting(name="Data Engineer", company_name="Initech")
    services.remove_posting(posting=other)

    pending = staff_client.get(reverse("sandbox:console-postings"), {"status": "Pending"})
    assert list(pending.context["page"]) == [posting]
    found = staff_client.get(reverse("sandbox:console-postings"), {"q": str(other.id)})
    assert list(found.context["page"]) == [other]
    by_ref = staff_client.get(reverse("sandbox:console-postings"), {"q": "eng-2041"})
    assert list(by_ref.context["page"]) == [posting]


def test_postings_are_paginated(staff_client, db):
    for index in range(53):
        services.create_posting(name=f"Job {index}", company_name="Hooli")

    first = staff_client.get(reverse("sandbox:console-postings"))
    second = staff_client.get(reverse("sandbox:console-postings"), {"page": "2"})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 3
    assert "Page 1 of 2" in first.content.decode()


def test_the_company_pages_list_companies_and_their_postings(staff_client, posting):
    services.create_posting(name="Other", company_name="Initech")

    companies = staff_client.get(reverse("sandbox:console-companies")).content.decode()
    assert "Acme Corp" in companies
    assert "Initech" in companies
    page = staff_client.get(reverse("sandbox:console-company", args=[posting.company_id]))
    assert list(page.context["page"]) == [posting]


def test_the_dashboard_counts_postings_by_status(staff_client, posting):
    services.remove_posting(posting=services.create_posting(name="Gone", company_name="Globex"))

    response = staff_client.get(reverse("sandbox:console"))

    counts = dict(response.context["postings_by_status"])
    assert counts["Pending"] == 1
    assert counts["toUnpost"] == 1
    assert counts["Active"] == 0
    assert response.context["postings_total"] == 2


def test_the_posting_page_summarises_the_application_form(staff_client, posting):
    response = staff_client.get(reverse("sandbox:console-posting", args=[posting.id]))

    questions = response.context["questions"]
    assert questions
    assert any(q["shown_after"] for q in questions)  # the standard form has a conditional
    assert "Application form:" in response.content.decode()
