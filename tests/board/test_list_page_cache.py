"""An anonymous visitor's list page is kept whole under the board's version."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory

from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.BOARD_LIST_PAGE_CACHE_SECONDS = 60
    settings.BOARD_FACET_CACHE_SECONDS = 60


def _without_token(html: bytes) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html.decode())


def test_a_second_visit_is_one_query(client, django_assert_num_queries) -> None:
    make_listing(title="Nurse")
    first = client.get("/")
    # The board's version, nothing else: no rows, no counts, no rendering.
    with django_assert_num_queries(1):
        second = client.get("/")
    assert second.status_code == 200
    assert _without_token(second.content) == _without_token(first.content)


def test_a_hit_has_the_same_headers_as_the_rendered_page(client) -> None:
    make_listing(title="Nurse")
    first, second = client.get("/de/"), client.get("/de/")
    for header in ("Content-Type", "Content-Language", "Vary", "Cache-Control"):
        assert second.get(header) == first.get(header), header
    assert second["Content-Language"] == "de"


def test_a_withdrawn_listing_leaves_the_cached_page_at_once(client) -> None:
    make_listing(title="Night Nurse", external_id="n-1")
    make_listing(title="Day Chef", external_id="c-1")
    assert "Night Nurse" in client.get("/").content.decode()
    withdraw_listing(source="test", external_id="n-1")
    page = client.get("/").content.decode()
    assert "Night Nurse" not in page
    assert "Day Chef" in page


def test_a_new_listing_enters_the_cached_page_at_once(client) -> None:
    make_listing(title="Day Chef")
    assert "Harbour Pilot" not in client.get("/?q=&sort=newest").content.decode()
    make_listing(title="Harbour Pilot")
    assert "Harbour Pilot" in client.get("/?q=&sort=newest").content.decode()


def test_every_visitor_gets_their_own_csrf_token(client) -> None:
    make_listing(title="Nurse")
    client.get("/")
    other = Client()
    mine, theirs = client.get("/"), other.get("/")
    token_mine = TOKEN.search(mine.content.decode())[1]
    token_theirs = TOKEN.search(theirs.content.decode())[1]
    assert token_mine != token_theirs
    # The token is this visitor's: the cookie it goes with is set on the cached answer too.
    assert settings.CSRF_COOKIE_NAME in theirs.cookies


def test_the_alert_form_on_a_cached_page_can_be_posted(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_listing(title="Nurse")
    Client().get("/")
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/").content.decode()
    token = TOKEN.search(page)[1]
    response = visitor.post(
        "/alerts/", {"email": "a@example.com", "query": "", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_typed_token_placeholder_is_shown_as_typed(client) -> None:
    make_listing(title="Nurse")
    typed = '<input type="hidden" name="csrfmiddlewaretoken" value="">'
    client.get("/", {"q": typed})
    page = client.get("/", {"q": typed}).content.decode()
    # Escaped as any search: the visitor's words never become a token.
    assert len(TOKEN.findall(page)) == 1


def test_each_language_has_its_own_page(client) -> None:
    make_listing(title="Nurse")
    english = client.get("/").content.decode()
    german = client.get("/de/").content.decode()
    assert 'lang="en"' in english
    assert 'lang="de"' in german
    assert 'lang="en"' in client.get("/").content.decode()


def test_each_query_string_has_its_own_page(client) -> None:
    make_listing(title="Nurse", country_code="DE", country="Germany")
    make_listing(title="Chef", country_code="FR", country="France")
    assert "Chef" not in client.get("/", {"country": "de"}).content.decode()
    assert "Nurse" not in client.get("/", {"country": "fr"}).content.decode()


def test_a_page_with_flash_messages_is_rendered_for_it(client) -> None:
    make_listing(title="Nurse")
    client.get("/")
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage._store([Message(constants.SUCCESS, "Alert saved, hello")], response := client.get("/"))
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    assert "Alert saved, hello" in client.get("/").content.decode()
    assert "Alert saved, hello" not in client.get("/").content.decode()


def test_a_visitor_with_a_session_is_rendered_for(client, django_assert_max_num_queries) -> None:
    make_listing(title="Nurse")
    client.get("/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    with django_assert_max_num_queries(20) as captured:
        assert client.get("/").status_code == 200
    assert len(captured.captured_queries) > 1


def test_the_company_page_is_kept_too(client, django_assert_num_queries) -> None:
    make_listing(title="Nurse", company_name="Acme Care", company_key="acme")
    make_listing(title="Porter", company_name="Acme Care", company_key="acme")
    url = "/companies/acme-care/"
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        assert _without_token(client.get(url).content) == _without_token(first.content)


def test_off_renders_every_time(client, settings, django_assert_max_num_queries) -> None:
    settings.BOARD_LIST_PAGE_CACHE_SECONDS = 0
    make_listing(title="Nurse")
    client.get("/")
    with django_assert_max_num_queries(12) as captured:
        client.get("/")
    assert len(captured.captured_queries) > 1


def test_a_listing_past_its_date_leaves_the_cached_page_at_that_moment(client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from jobboard.board.models import Listing

    make_listing(title="Night Nurse")
    closing = make_listing(title="Day Chef")
    assert "Day Chef" in client.get("/").content.decode()
    # Its date passes (no service stamps it until the expiry job runs).
    Listing.objects.filter(pk=closing.pk).update(
        valid_through=timezone.now() - timedelta(seconds=1)
    )
    assert "Day Chef" not in client.get("/").content.decode()
