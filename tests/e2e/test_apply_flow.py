"""Applying in a real browser against the sandbox: a conditional question revealed and
answered, a repeatable question with two entries, a PDF, the consents; then the sandbox
holds the candidate with exactly those answers. Screenshots are saved as artefacts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from partner.applications.models import Application
from tests.applications.conftest import PDF_BYTES, example_configuration_json
from tests.applications.sandbox_helpers import sandbox_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_a_candidate_applies_with_a_conditional_and_a_repeatable_question(
    sandbox, eager_tasks, browser, artifacts_dir
):
    listing = sandbox_listing(sandbox)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{sandbox.url.removesuffix('/sandbox')}/jobs/{listing.pk}-{listing.slug}/apply/")

    rate = page.locator("#question-q2")
    assert rate.is_hidden()  # shown only for contractors
    page.fill("#id_first_name", "Jane")
    page.fill("#id_last_name", "Doe")
    page.fill("#id_email", "jane.doe@example.test")
    page.check("#id_q0-0-0_0")  # authorised: Yes
    page.select_option("#id_q1-0-0", "ct-contract")
    assert rate.is_visible()
    page.fill("#id_q2-0-0", "650")

    page.select_option("#id_q3-0-0", "en")
    page.select_option("#id_q3-0-1", "fluent")
    page.click("[data-add-record]")
    page.select_option("#id_q3-1-0", "de")
    page.select_option("#id_q3-1-1", "native")
    # A third entry, added and removed again: the count follows.
    page.click("[data-add-record]")
    assert page.locator("#question-q3 [data-record]").count() == 3
    page.locator("#question-q3 [data-record='2'] [data-remove-record]").click()
    assert page.locator("#question-q3 [data-record]").count() == 2
    assert page.input_value("#question-q3 [data-count]") == "2"

    page.check("#id_q7-0-0")  # my information is accurate
    page.set_input_files(
        "#id_resume", files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.check("#id_consent_SMART_RECRUIT")
    page.screenshot(path=str(artifacts_dir / "apply-form-filled.png"), full_page=True)

    page.get_by_role("button", name="Send application").click()
    page.wait_for_selector("text=your application has been received")
    page.screenshot(path=str(artifacts_dir / "apply-confirmation.png"), full_page=True)

    [stored] = sandbox.candidates()
    assert stored.first_name == "Jane"
    assert stored.email == "jane.doe@example.test"
    assert sorted(stored.answers, key=lambda a: a["id"]) == sorted(
        [
            {"id": "q-permit", "records": [{"fields": {"value": ["yes"]}}]},
            {"id": "q-contract", "records": [{"fields": {"value": ["ct-contract"]}}]},
            {"id": "q-rate", "records": [{"fields": {"value": ["650"]}}]},
            {
                "id": "languages",
                "records": [
                    {"fields": {"language": ["en"], "level": ["fluent"]}},
                    {"fields": {"language": ["de"], "level": ["native"]}},
                ],
            },
            {"id": "q-accurate", "records": [{"fields": {"confirm": ["true"]}}]},
        ],
        key=lambda a: a["id"],
    )
    assert stored.consent_decisions == {"SMART_RECRUIT": True, "SMART_CRM": False}
    assert [a.detected_type for a in stored.attachments.all()] == ["pdf"]
    assert Application.objects.get().state == Application.State.SENT


def test_an_invalid_application_shows_the_error_summary_first(
    sandbox, eager_tasks, browser, artifacts_dir
):
    listing = sandbox_listing(sandbox)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{sandbox.url.removesuffix('/sandbox')}/jobs/{listing.pk}-{listing.slug}/apply/")

    page.get_by_role("button", name="Send application").click()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    page.screenshot(path=str(artifacts_dir / "apply-errors-mobile.png"), full_page=True)
    summary.locator("a[href='#id_first_name']").click()
    expect(page.locator("#id_first_name")).to_be_focused()
    assert sandbox.candidates() == []


def test_without_javascript_add_another_works_and_every_question_is_shown(
    sandbox, eager_tasks, browser, artifacts_dir
):
    listing = sandbox_listing(sandbox)
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{sandbox.url.removesuffix('/sandbox')}/jobs/{listing.pk}-{listing.slug}/apply/")
    assert page.locator("#question-q2").is_visible()  # no script to hide the child

    page.fill("#id_first_name", "Jane")
    page.click("[data-add-record]")

    assert page.locator("#question-q3 [data-record]").count() == 2
    assert page.input_value("#id_first_name") == "Jane"
    assert page.locator("#error-summary").count() == 0
    page.screenshot(path=str(artifacts_dir / "apply-no-javascript.png"), full_page=True)
    context.close()


def apply_page_url(sandbox, listing) -> str:
    return f"{sandbox.url.removesuffix('/sandbox')}/jobs/{listing.pk}-{listing.slug}/apply/"


def fill_required(page) -> None:
    page.fill("#id_first_name", "Jane")
    page.fill("#id_last_name", "Doe")
    page.fill("#id_email", "jane.doe@example.test")
    page.check("#id_q0-0-0_0")
    page.select_option("#id_q1-0-0", "ct-perm")
    page.select_option("#id_q3-0-0", "en")
    page.select_option("#id_q3-0-1", "fluent")
    page.check("#id_q7-0-0")
    page.check("#id_consent_SMART_RECRUIT")


def tab_to(page, element_id: str, *, limit: int = 15) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


@pytest.mark.parametrize("width", [1280, 375])
def test_multi_select_checkboxes_work_with_the_keyboard_and_reveal_a_conditional_question(
    sandbox, eager_tasks, browser, artifacts_dir, width
):
    configuration = example_configuration_json()
    configuration["settings"]["conditionals"].append(
        {
            "parentQuestionId": "q-skills",
            "fieldId": "tools",
            "valueIds": ["go"],
            "conditionalQuestions": ["q-about"],
        }
    )
    listing = sandbox_listing(sandbox, configuration)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(apply_page_url(sandbox, listing))
    fill_required(page)
    about = page.locator("#question-q5")
    assert about.is_hidden()  # asked only of Go users

    page.focus("#id_q3-0-1")
    tab_to(page, "id_q4-0-0_0")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_q4-0-0_1"
    page.keyboard.press("Space")

    assert page.is_checked("#id_q4-0-0_0")
    assert page.is_checked("#id_q4-0-0_1")
    assert not page.is_checked("#id_q4-0-0_2")
    assert about.is_visible()
    page.fill("#id_q5-0-1", "I write Go and Python.")
    page.locator("#question-q4").screenshot(
        path=str(artifacts_dir / f"apply-multi-select-{width}.png")
    )
    page.get_by_role("button", name="Send application").click()
    page.wait_for_selector("text=your application has been received")

    [stored] = sandbox.candidates()
    given = {a["id"]: a["records"] for a in stored.answers}
    assert given["q-skills"] == [{"fields": {"tools": ["py", "go"]}}]
    assert given["q-about"] == [{"fields": {"text": ["I write Go and Python."]}}]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_error_summary_is_in_page_order_reads_cleanly_and_takes_focus(
    sandbox, eager_tasks, browser, artifacts_dir, width
):
    listing = sandbox_listing(sandbox)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(apply_page_url(sandbox, listing))
    page.fill("#id_last_name", "Doe")
    page.fill("#id_email", "jane.doe@example.test")

    page.get_by_role("button", name="Send application").click()

    expect(page.locator("#error-summary")).to_be_focused()
    page.screenshot(path=str(artifacts_dir / f"apply-error-summary-{width}.png"))
    text = page.locator("#error-summary").inner_text()
    assert "First name: This field is required." in text
    assert "for this application. You need to agree to this to apply." in text
    assert ".:" not in text
    assert "?:" not in text
    links = page.locator("#error-summary a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    tops = [page.locator(target).bounding_box()["y"] for target in targets]
    assert tops == sorted(tops)  # down the summary is down the page


def test_the_send_button_stays_on_screen_on_a_phone_and_never_hides_the_focused_field(
    sandbox, eager_tasks, browser, artifacts_dir
):
    listing = sandbox_listing(sandbox)
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(apply_page_url(sandbox, listing))
    button = page.locator(".apply-submit button")

    def on_screen_and_on_top() -> bool:
        return page.evaluate(
            """el => {
                const r = el.getBoundingClientRect();
                if (r.top < 0 || r.bottom > window.innerHeight) return false;
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return el === hit || el.contains(hit);
            }""",
            button.element_handle(),
        )

    assert on_screen_and_on_top()  # at the top of a long form
    page.screenshot(path=str(artifacts_dir / "apply-sticky-button-375.png"))
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(200)
    assert on_screen_and_on_top()  # half-way down
    page.screenshot(path=str(artifacts_dir / "apply-sticky-button-scrolled-375.png"))

    # Keyboard users: every field Tab reaches is scrolled clear of the sticky bar.
    page.focus("#id_first_name")
    hidden_behind_bar = []
    for _ in range(60):
        page.keyboard.press("Tab")
        covered = page.evaluate(
            """() => {
                const el = document.activeElement;
                const bar = document.querySelector('.apply-submit');
                if (!el || bar.contains(el) || !el.closest('#apply-form')) return null;
                const r = el.getBoundingClientRect();
                return r.bottom > bar.getBoundingClientRect().top + 1 ? el.id || el.name : null;
            }"""
        )
        if covered:
            hidden_behind_bar.append(covered)
        if page.evaluate("document.activeElement.closest('.apply-submit') !== null"):
            break
    assert hidden_behind_bar == []

    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts_dir / "apply-form-1280.png"), full_page=True)
    # Wide screens: the button sits at the end of the form, as usual.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.apply-submit')).position")
        == "static"
    )
