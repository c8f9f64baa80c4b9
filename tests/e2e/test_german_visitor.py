"""A German visitor browses and applies in German, in a real browser, against the sandbox
over HTTP: the unprefixed board sends them to /de/, every page and the form's chrome are
German, SmartRecruiters is asked for the form in German, and their mail is German too."""

from __future__ import annotations

from django.core import mail

from partner.applications.models import Application
from tests.applications.conftest import PDF_BYTES, make_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_a_german_visitor_browses_and_applies_in_german(
    sandbox, eager_tasks, browser, artifacts_dir
):
    # The sandbox's standard form has German labels (application-api.md: Accept-Language).
    posting = sandbox.create_posting(name="Backend-Entwickler")
    listing = make_listing(posting_uuid=str(posting.job.uuid), title="Backend-Entwickler")
    site = sandbox.url.removesuffix("/sandbox")
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    page.goto(f"{site}/")  # the address everyone knows: no language in it
    assert page.url == f"{site}/de/"
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", name="Finden Sie Ihren nächsten Job").is_visible()
    page.screenshot(path=str(artifacts_dir / "de-board.png"), full_page=True)

    page.get_by_role("link", name="Backend-Entwickler").first.click()
    assert page.url == f"{site}/de/jobs/{listing.pk}-{listing.slug}/"
    assert page.get_by_text("Jetzt bewerben").first.is_visible()
    page.get_by_role("link", name="Jetzt bewerben als Backend-Entwickler").click()

    assert page.url == f"{site}/de/jobs/{listing.pk}-{listing.slug}/apply/"
    assert page.get_by_role("heading", name="Bewerbung als Backend-Entwickler").is_visible()
    assert page.get_by_text("Dürfen Sie in").is_visible()  # SmartRecruiters' German label
    page.fill("#id_first_name", "Jana")
    page.fill("#id_last_name", "Schmidt")
    page.fill("#id_email", "jana.schmidt@example.test")
    page.check("#id_q0-0-0_0")  # Ja
    page.select_option("#id_q1-0-0", "ct-perm")
    page.select_option("#id_q3-0-0", "de")
    page.select_option("#id_q3-0-1", "native")
    page.check("#id_q4-0-0")
    page.set_input_files(
        "#id_resume",
        files=[{"name": "lebenslauf.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    for consent in page.locator("input[type=checkbox][name^=consent_]").all():
        consent.check()
    page.screenshot(path=str(artifacts_dir / "de-apply-form.png"), full_page=True)
    page.get_by_role("button", name="Bewerbung absenden").click()

    page.wait_for_selector("text=Vielen Dank, Ihre Bewerbung ist eingegangen")
    assert "/de/applications/" in page.url
    assert page.get_by_text("Ihre Bewerbung wurde dem Arbeitgeber zugestellt.").is_visible()
    page.screenshot(path=str(artifacts_dir / "de-apply-status.png"), full_page=True)
    context.close()

    [stored] = sandbox.candidates()
    assert stored.first_name == "Jana"
    [config_request] = sandbox.journal(endpoint="apply.configuration")
    headers = {k.lower(): v for k, v in config_request.request_headers.items()}
    assert headers["accept-language"] == "de"
    application = Application.objects.get()
    assert (application.language, application.state) == ("de", Application.State.SENT)
    [confirmation] = [m for m in mail.outbox if m.to == ["jana.schmidt@example.test"]]
    assert confirmation.subject == "Ihre Bewerbung als Backend-Entwickler ist eingegangen"
    assert "/de/applications/" in confirmation.body
