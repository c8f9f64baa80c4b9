"""RSS and Atom feeds of the list page's search, and the sitemap of live jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from jobboard.board import selectors, seo
from jobboard.board.html import paragraphs
from jobboard.board.models import Listing, ListingQuerySet
from jobboard.board.search import JobSearch

# How much of an ad a feed item carries: enough to judge it, the rest is on the job page.
DESCRIPTION_CHARACTERS = 400


class JobsFeed(Feed):
    """The newest jobs matching the same URL parameters as the list page."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> JobSearch:
        return JobSearch.from_params(request.GET)

    def title(self, obj: JobSearch) -> str:
        return f"{obj.describe()} · {settings.SITE_NAME}"

    def link(self, obj: JobSearch) -> str:
        query = obj.alert_query
        return seo.absolute_url(reverse("board:job_list")) + (f"?{query}" if query else "")

    def description(self, obj: JobSearch) -> str:
        return f"New jobs on {settings.SITE_NAME}: {obj.describe()}"

    def items(self, obj: JobSearch) -> list[Listing]:
        return selectors.feed_listings(search=obj)

    def item_title(self, item: Listing) -> str:
        return f"{item.title} at {item.company.name}"

    def item_description(self, item: Listing) -> str:
        """HTML (feed readers render it so): the place, then the ad's first paragraphs."""
        where = item.location_display + (" (remote)" if item.remote else "")
        blocks = [where.strip()] if where.strip() else []
        budget = DESCRIPTION_CHARACTERS
        for block in paragraphs(item.job_description or item.company_description):
            if len(block) > budget:
                blocks.append(block[: max(budget - 1, 0)].rsplit(" ", 1)[0] + "…")
                break
            blocks.append(block)
            budget -= len(block)
        if not blocks:
            blocks = [f"{item.title} at {item.company.name}"]
        return "".join(f"<p>{escape(block)}</p>" for block in blocks)

    def item_link(self, item: Listing) -> str:
        return seo.absolute_url(item.get_absolute_url())

    def item_guid(self, item: Listing) -> str:
        return seo.absolute_url(item.get_absolute_url())

    item_guid_is_permalink = True

    def item_pubdate(self, item: Listing) -> datetime:
        return item.posted_at

    def item_updateddate(self, item: Listing) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Listing) -> str:
        return item.company.name

    def item_categories(self, item: Listing) -> list[str]:
        return [c for c in (item.function, item.industry, item.employment_type) if c]


class JobsAtomFeed(JobsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: JobSearch) -> str:
        return self.description(obj)


class _SiteSitemap(Sitemap):
    # Every page in each of the board's languages, each entry naming the others
    # (xhtml:link hreflang) and the unprefixed address as x-default.
    i18n = True
    alternates = True
    x_default = True

    # Absolute URLs come from SITE_URL, not from the Host header of whoever asked.
    def get_domain(self, site: object = None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme


class JobSitemap(_SiteSitemap):
    """Live jobs only, each with the time it last changed."""

    changefreq = "daily"
    limit = 10_000

    def items(self) -> ListingQuerySet:
        return selectors.sitemap_listings()

    def location(self, item: Listing) -> str:
        return item.get_absolute_url()

    def lastmod(self, item: Listing) -> datetime:
        return item.updated_at


class CompanySitemap(_SiteSitemap):
    """Company pages with at least one visible job, each with its last change."""

    changefreq = "daily"
    limit = 10_000

    def items(self) -> Any:
        return selectors.sitemap_companies()

    def location(self, item: dict[str, Any]) -> str:
        return reverse("board:company", kwargs={"slug": item["slug"]})

    def lastmod(self, item: dict[str, Any]) -> datetime:
        lastmod: datetime = item["lastmod"]
        return lastmod
