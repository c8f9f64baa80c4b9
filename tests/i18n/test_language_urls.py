"""Languages in the URL: the first visit's choice, old addresses, the switcher, hreflang."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from jobboard.board.services import live_url
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


def test_english_is_served_without_a_prefix_and_the_others_under_theirs(client) -> None:
    listing = make_listing(title="Data Engineer")
    english = client.get(listing.get_absolute_url())
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    for code in ("de", "fr", "es", "pl"):
        with translation.override(code):
            url = listing.get_absolute_url()
        assert url.startswith(f"/{code}/jobs/")
        page = client.get(url)
        assert page.status_code == 200
        assert f'<html lang="{code}">' in page.content.decode()


def test_a_first_visit_goes_to_the_first_supported_language_of_accept_language(client) -> None:
    listing = make_listing()
    response = client.get(
        listing.get_absolute_url() + "?x=1", HTTP_ACCEPT_LANGUAGE="nl;q=1, de-AT;q=0.9, en;q=0.5"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/de/jobs/{listing.pk}-{listing.slug}/?x=1"
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


def test_an_english_or_unknown_accept_language_stays_on_the_unprefixed_page(client) -> None:
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,de;q=0.8").status_code == 200
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="nl, ja").status_code == 200
    assert client.get("/").status_code == 200


def test_the_language_cookie_outweighs_accept_language(client) -> None:
    client.cookies["django_language"] = "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="pl").status_code == 200
    client.cookies["django_language"] = "fr"
    response = client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/fr/alerts/"


def test_pages_outside_the_board_never_move(client) -> None:
    for path in ("/healthz", "/sitemap.xml", "/robots.txt", "/jobs/feed/rss/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 200, path
    assert client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="de").status_code == 200


def test_a_posted_form_is_not_redirected(client) -> None:
    response = client.post("/alerts/manage/", {"email": "a@example.org"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code != 302 or not response["Location"].startswith("/de/")


def test_live_url_is_the_stable_unprefixed_address_whatever_language_is_active() -> None:
    listing = make_listing()
    with translation.override("pl"):
        url = live_url(listing)
    assert url == f"https://jobs.example.org/jobs/{listing.pk}-{listing.slug}/"


def test_the_switcher_links_every_language_and_stores_the_choice(client) -> None:
    listing = make_listing()
    page = client.get(listing.get_absolute_url() + "?ref=mail").content.decode()
    switcher = page[page.index('class="language-switcher"') :]
    for name in ("Deutsch", "Français", "Español", "Polski"):
        assert name in switcher
    links = dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', switcher))
    german = next(url for url, code in links.items() if code == "de").replace("&amp;", "&")
    response = client.get(german)
    assert response.status_code == 302
    assert response["Location"] == f"/de/jobs/{listing.pk}-{listing.slug}/?ref=mail"
    assert response.cookies["django_language"].value == "de"

    # Back to English from a German page: the cookie keeps the unprefixed page English
    # even for a browser that asks for German first.
    client.get(reverse("switch_language"), {"to": "en", "next": "/de/alerts/"})
    assert client.cookies["django_language"].value == "en"
    assert client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="de").status_code == 200


def test_the_switcher_never_redirects_off_site(client) -> None:
    url = reverse("switch_language")
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get(url, {"to": "de", "next": bad})
        assert response["Location"] == "/de/"
    assert client.get(reverse("switch_language"), {"to": "xx"})["Location"] == "/"


def test_every_page_names_its_alternates_in_each_language(client) -> None:
    listing = make_listing()
    html = client.get(f"/fr/jobs/{listing.pk}-{listing.slug}/").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', html))
    base = f"https://jobs.example.org/%sjobs/{listing.pk}-{listing.slug}/"
    assert alternates == {
        "en": base % "",
        "de": base % "de/",
        "fr": base % "fr/",
        "es": base % "es/",
        "pl": base % "pl/",
        "x-default": base % "",
    }


def test_remembered_alternates_follow_the_script_prefix_and_the_path(client) -> None:
    # The alternates are remembered per path and script prefix
    # (i18n._pages_in_every_language): a board mounted under a prefix gets its own
    # addresses, and each page its own.
    from django.urls import get_script_prefix, set_script_prefix

    from jobboard import i18n

    listing = make_listing()
    path = f"/jobs/{listing.pk}-{listing.slug}/"

    def alternates(url: str) -> dict[str, str]:
        html = client.get(url).content.decode()
        return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', html))

    assert alternates(f"/de{path}")["pl"] == f"https://jobs.example.org/pl{path}"
    assert alternates("/de/")["pl"] == "https://jobs.example.org/pl/"
    assert alternates(f"/fr{path}")["de"] == f"https://jobs.example.org/de{path}"
    before = get_script_prefix()
    set_script_prefix("/board/")
    try:
        mounted = dict(i18n._pages_in_every_language(f"/de{path}", get_script_prefix()))
    finally:
        set_script_prefix(before)
    assert mounted["pl"] == f"/board/pl{path}"
    assert dict(i18n._pages_in_every_language(f"/de{path}", "/"))["pl"] == f"/pl{path}"


def test_the_sitemap_lists_every_page_in_every_language_with_its_alternates(client) -> None:
    listing = make_listing()
    xml = client.get(reverse("board:sitemap_jobs")).content.decode()
    path = f"jobs/{listing.pk}-{listing.slug}/"
    for prefix in ("", "de/", "fr/", "es/", "pl/"):
        assert f"<loc>https://jobs.example.org/{prefix}{path}</loc>" in xml
    assert (
        f'<xhtml:link rel="alternate" hreflang="pl" href="https://jobs.example.org/pl/{path}"/>'
        in xml
    )
    assert (
        f'<xhtml:link rel="alternate" hreflang="x-default" href="https://jobs.example.org/{path}"/>'
        in xml
    )
