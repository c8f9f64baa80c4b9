"""RSS, Atom, sitemap.xml and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_xml(content: bytes) -> ET.Element:
    # Our own server's output in a test, not untrusted input.
    return ET.fromstring(content)  # noqa: S314


def test_the_rss_feed_parses_and_honours_the_list_filters(client) -> None:
    make_listing(title="Berlin job", country_code="DE", remote=True)
    make_listing(title="Paris job", country_code="FR", remote=True)
    make_listing(title="Office job", country_code="DE", remote=False)
    response = client.get("/jobs/feed/rss/", {"country": "de", "workplace": "remote"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = parse_xml(response.content)
    items = root.findall("./channel/item")
    assert len(items) == 1
    assert items[0].findtext("title").startswith("Berlin job at ")
    assert items[0].findtext("link").startswith("https://jobs.example.org/jobs/")
    assert "country=de" in root.findtext("./channel/link")


def test_the_atom_feed_parses_and_honours_keywords(client) -> None:
    make_listing(title="Python Developer")
    make_listing(title="Gardener")
    response = client.get("/jobs/feed/atom/", {"q": "python"})
    root = parse_xml(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].findtext(f"{ATOM}title").startswith("Python Developer at ")
    assert entries[0].find(f"{ATOM}updated") is not None


def test_feeds_leave_out_withdrawn_jobs(client) -> None:
    make_listing(source="s", external_id="1", title="Gone job")
    make_listing(title="Live job")
    withdraw_listing(source="s", external_id="1")
    root = parse_xml(client.get("/jobs/feed/rss/").content)
    assert [i.findtext("title").split(" at ")[0] for i in root.findall("./channel/item")] == [
        "Live job"
    ]


def test_the_sitemap_lists_live_jobs_only_with_lastmod(client, monkeypatch) -> None:
    from jobboard.board.feeds import JobSitemap

    monkeypatch.setattr(JobSitemap, "limit", 2)  # several pages with a few rows
    live = [make_listing() for _ in range(3)]
    make_listing(source="s", external_id="gone")
    withdraw_listing(source="s", external_id="gone")
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = [loc.text for loc in parse_xml(index.content).iter(f"{SITEMAP}loc")]
    assert sections == [
        "https://jobs.example.org/sitemap-jobs.xml",
        "https://jobs.example.org/sitemap-jobs.xml?p=2",
    ]
    urls = []
    for section in sections:
        response = client.get(section.removeprefix("https://jobs.example.org"))
        assert response.status_code == 200
        urls += parse_xml(response.content).findall(f"{SITEMAP}url")
    locations = sorted(u.findtext(f"{SITEMAP}loc") for u in urls)
    assert locations == sorted(f"https://jobs.example.org{x.get_absolute_url()}" for x in live)
    assert all(u.findtext(f"{SITEMAP}lastmod") for u in urls)


def test_robots_txt_points_to_the_sitemap(client) -> None:
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: https://jobs.example.org/sitemap.xml" in text
    assert "Disallow: /admin/" in text
