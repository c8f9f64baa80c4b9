"""Accessibility of the candidate's pages in a real browser, at both widths: every control
is named, every reference points somewhere, options come in labelled groups, and errors
are announced through the summary. (An axe-core scan of every page comes on top.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partner.applications.services import intake
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST

WIDTHS = (1280, 375)

# Problems found on the page, as short strings (empty: none).
AUDIT = """() => {
  const problems = [];
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && !el.closest('[aria-hidden="true"]');
  const ids = new Map();
  document.querySelectorAll('[id]').forEach(el => ids.set(el.id, (ids.get(el.id) || 0) + 1));
  ids.forEach((count, id) => { if (count > 1) problems.push('duplicate id ' + id); });
  document.querySelectorAll('[aria-describedby], [aria-labelledby]').forEach(el => {
    ['aria-describedby', 'aria-labelledby'].forEach(attr => {
      (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean).forEach(ref => {
        if (!document.getElementById(ref)) problems.push(attr + ' points nowhere: ' + ref);
      });
    });
  });
  document.querySelectorAll('input:not([type=hidden]), select, textarea, button').forEach(el => {
    if (!visible(el)) return;
    const named = (el.labels && el.labels.length && el.labels[0].textContent.trim())
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || (el.tagName === 'BUTTON' && el.textContent.trim());
    if (!named) problems.push('no name: ' + (el.id || el.name || el.outerHTML.slice(0, 60)));
    if ((el.type === 'radio' || (el.type === 'checkbox' && el.name.startsWith('q')))
        && el.closest('ul.option-list')) {
      const group = el.closest('fieldset');
      const legend = group && group.querySelector('legend');
      if (!legend || !legend.textContent.trim()) {
        problems.push('option outside a named group: ' + el.id);
      }
    }
  });
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  if (!document.querySelector('main')) problems.push('no main landmark');
  if (!document.documentElement.lang) problems.push('no lang on html');
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push('scrolls sideways');
  }
  return problems;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_apply_page_is_accessible_blank_and_with_errors(sandbox, eager_tasks, browser, width):
    listing = sandbox_listing(sandbox)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{sandbox.url.removesuffix('/sandbox')}/jobs/{listing.pk}-{listing.slug}/apply/")
    assert page.evaluate(AUDIT) == []

    page.get_by_role("button", name="Send application").click()

    # The summary is announced and focused first; each entry leads to its field.
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.get_attribute("#error-summary", "role") == "alert"
    assert page.evaluate(AUDIT) == []
    assert page.get_attribute("#id_first_name", "aria-invalid") == "true"
    page.locator("#error-summary a[href='#id_q0-0-0_0']").click()
    expect(page.locator("#id_q0-0-0_0")).to_be_focused()
    # Options are operated with the keyboard: arrows pick a radio, Space ticks a box.
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#id_q0-0-0_1")
    page.focus("#id_consent_SMART_RECRUIT")
    page.keyboard.press("Space")
    assert page.is_checked("#id_consent_SMART_RECRUIT")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_status_page_is_accessible(sandbox, eager_tasks, browser, width):
    _, token = intake.application_create(
        listing=sandbox_listing(sandbox),
        language="en",
        candidate=candidate(),
        answers=answers_ok(),
        files={},
    )
    site = sandbox.url.removesuffix("/sandbox")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site + reverse("applications:status", kwargs={"token": token}))
    assert page.evaluate(AUDIT) == []

    # Erasing without ticking the box: the message is tied to the box and announced.
    page.get_by_role("button", name="Erase my data").click()
    assert page.get_attribute("#confirm-error", "role") == "alert"
    assert page.get_attribute("#id_confirm", "aria-describedby") == "confirm-error"
    assert page.evaluate(AUDIT) == []
    page.focus("#id_confirm")
    page.keyboard.press("Space")
    assert page.is_checked("#id_confirm")
    page.close()
