"""A job page is rendered once per version of its listing and language."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from jobboard.board.services import publish_listing, withdraw_listing
from tests.board.factories import listing_data, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.BOARD_JOB_PAGE_CACHE_SECONDS = 300


def test_a_second_visit_is_one_query(client, django_assert_num_queries) -> None:
    listing = make_listing(title="Nurse")
    url = listing.get_absolute_url()
    first = client.get(url)
    # The listing itself (its version and whether it is live), nothing else.
    with django_assert_num_queries(1):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content


def test_a_new_version_of_the_listing_is_rendered_again(client) -> None:
    listing = make_listing(title="Nurse", external_id="n-1")
    url = listing.get_absolute_url()
    assert "Nurse" in client.get(url).content.decode()
    publish_listing(source="test", external_id="n-1", data=listing_data(title="Head Nurse"))
    listing.refresh_from_db()
    assert "Head Nurse" in client.get(listing.get_absolute_url()).content.decode()


def test_a_withdrawn_listing_is_gone_at_once(client) -> None:
    listing = make_listing(title="Nurse", external_id="n-2")
    url = listing.get_absolute_url()
    assert client.get(url).status_code == 200
    withdraw_listing(source="test", external_id="n-2")
    assert client.get(url).status_code == 410


def test_each_language_has_its_own_page(client) -> None:
    listing = make_listing(title="Nurse")
    english = client.get(listing.get_absolute_url()).content.decode()
    german = client.get("/de" + listing.get_absolute_url()).content.decode()
    assert 'lang="en"' in english
    assert 'lang="de"' in german


def test_a_page_with_flash_messages_is_its_own(client) -> None:
    listing = make_listing(title="Nurse")
    url = listing.get_absolute_url()
    client.get(url)
    request = RequestFactory().get(url)
    storage = CookieStorage(request)
    storage._store([Message(constants.SUCCESS, "Alert saved, hello")], response := client.get(url))
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    assert "Alert saved, hello" in client.get(url).content.decode()
    assert "Alert saved, hello" not in client.get(url).content.decode()


def test_a_query_string_reads_the_same_page(client, django_assert_num_queries) -> None:
    listing = make_listing(title="Nurse")
    url = listing.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(1):
        assert client.get(url, {"utm_source": "x"}).content == first.content


def test_off_renders_every_time(client, settings, django_assert_max_num_queries) -> None:
    settings.BOARD_JOB_PAGE_CACHE_SECONDS = 0
    make_listing(company_name="Acme")
    listing = make_listing(company_name="Acme")
    client.get(listing.get_absolute_url())
    with django_assert_max_num_queries(10) as captured:
        client.get(listing.get_absolute_url())
    assert len(captured.captured_queries) > 1
