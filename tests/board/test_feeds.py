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

    # Several pages with a few rows: 3 jobs in 5 languages are 15 entries.
    monkeypatch.setattr(JobSitemap, "limit", 10)
    live = [make_listing() for _ in range(3)]
    make_listing(source="s", external_id="gone")
    withdraw_listing(source="s", external_id="gone")
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = [loc.text for loc in parse_xml(index.content).iter(f"{SITEMAP}loc")]
    # The job sections, then the company pages' (test_the_sitemap_lists_company_pages...).
    assert sections == [
        "https://jobs.example.org/sitemap-jobs.xml",
        "https://jobs.example.org/sitemap-jobs.xml?p=2",
        "https://jobs.example.org/sitemap-companies.xml",
    ]
    urls = []
    for section in sections[:2]:
        response = client.get(section.removeprefix("https://jobs.example.org"))
        assert response.status_code == 200
        urls += parse_xml(response.content).findall(f"{SITEMAP}url")
    locations = sorted(u.findtext(f"{SITEMAP}loc") for u in urls)
    assert locations == sorted(
        f"https://jobs.example.org/{prefix}jobs/{x.pk}-{x.slug}/"
        for x in live
        for prefix in ("", "de/", "fr/", "es/", "pl/")
    )
    assert all(u.findtext(f"{SITEMAP}lastmod") for u in urls)


def test_robots_txt_points_to_the_sitemap(client) -> None:
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: https://jobs.example.org/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_rss_descriptions_keep_the_ads_paragraphs_apart(client) -> None:
    make_listing(
        title="Baker",
        city="Lyon",
        region="",
        country="France",
        job_description="<p>Bake bread at dawn.</p><ul><li>Ovens</li><li>Flour</li></ul>"
        "<p>Join a team of <strong>five</strong> &amp; a dog.</p>",
        remote=False,
    )
    root = parse_xml(client.get("/jobs/feed/rss/").content)
    description = root.find("./channel/item").findtext("description")
    # Readers render the description as HTML: one element per paragraph or item.
    assert description == (
        "<p>Lyon, France</p><p>Bake bread at dawn.</p><p>Ovens</p><p>Flour</p>"
        "<p>Join a team of five &amp; a dog.</p>"
    )


def test_the_atom_summary_is_html_with_paragraphs(client) -> None:
    make_listing(title="Baker", job_description="<p>One.</p><p>Two.</p>", city="Lyon")
    root = parse_xml(client.get("/jobs/feed/atom/").content)
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<p>One.</p><p>Two.</p>" in summary.text


def test_a_long_ad_is_cut_at_a_paragraph_or_word_with_an_ellipsis(client) -> None:
    words = " ".join(["word"] * 400)
    make_listing(title="Baker", job_description=f"<p>Short start.</p><p>{words}</p>")
    root = parse_xml(client.get("/jobs/feed/rss/").content)
    description = root.find("./channel/item").findtext("description")
    assert description.count("<p>") == 3
    assert description.endswith("word…</p>")
    assert len(description) < 800


def test_the_favicon_answers_at_the_site_root_and_is_linked_from_every_page(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header: a real icon, not a page
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.ico" sizes="32x32"' in html
    assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in html


def test_the_sitemap_lists_company_pages_with_a_visible_job(client) -> None:
    make_listing(company_name="Acme Robotics")
    make_listing(company_name="Acme Robotics")
    make_listing(source="s", external_id="gone", company_name="Quiet Corp")
    withdraw_listing(source="s", external_id="gone")
    response = client.get("/sitemap-companies.xml")
    assert response.status_code == 200
    urls = parse_xml(response.content).findall(f"{SITEMAP}url")
    assert [u.findtext(f"{SITEMAP}loc") for u in urls] == [
        f"https://jobs.example.org/{prefix}companies/acme-robotics/"
        for prefix in ("", "de/", "fr/", "es/", "pl/")
    ]
    assert urls[0].findtext(f"{SITEMAP}lastmod")
