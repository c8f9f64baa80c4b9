"""Realistic demo data, deterministic per seed, fast enough for 100,000 postings.

Everything is drawn from one ``random.Random`` seeded with the seed and the number of jobs
already present: an empty (or reset) sandbox seeded twice with the same seed holds the same
companies, jobs, uuids and offers; seeding again on top adds new ones instead of clashing.
Rows go in by batches of 2,000, one transaction per batch: with ``bulk_create``, or on
PostgreSQL with COPY (psycopg's client-side quoting of bulk_create's UNNEST arrays made
that the bottleneck: 100,000 postings took minutes, COPY takes seconds).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.models import Model
from django.utils.text import slugify

from partner.sandbox import fixtures_data as data
from partner.sandbox.models import (
    PostingStatus,
    SandboxCompany,
    SandboxJob,
    SandboxOffer,
    SandboxPosting,
    SandboxPostingEvent,
)
from partner.sandbox.render import city_location
from partner.sandbox.services.partners import company_defaults, ensure_partner
from partner.sandbox.state import reserve_feed_ids, sandbox_now

if TYPE_CHECKING:
    from partner.sandbox.models import SandboxPartner

BATCH_SIZE = 2000
# Upper bounds of one seeding: the benchmark's 100,000 postings take about a minute; more
# would hold the database for long and fill the disk of a demo machine.
MAX_POSTINGS = 100_000
MAX_COMPANIES = 10_000


class SeedError(ValueError):
    """A seeding request out of bounds; nothing was written."""


def seed_bounds_check(*, postings: int, companies: int | None) -> None:
    """``SeedError`` unless 0 <= postings <= MAX_POSTINGS and 1 <= companies <= MAX_COMPANIES."""
    if postings < 0:
        raise SeedError("postings must be 0 or more")
    if postings > MAX_POSTINGS:
        raise SeedError(f"postings must be at most {MAX_POSTINGS:,}")
    if companies is not None and companies < 1:
        raise SeedError("companies must be at least 1")
    if companies is not None and companies > MAX_COMPANIES:
        raise SeedError(f"companies must be at most {MAX_COMPANIES:,}")


TEMPLATE_WEIGHTS = (("standard", 50), ("extended", 35), ("minimal", 15))


@dataclass(frozen=True)
class SeedSummary:
    companies: int
    postings: int
    first_id: int | None
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _uuid4(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _companies(rng: random.Random, count: int) -> list[SandboxCompany]:
    names = []
    for index in range(count):
        base = data.COMPANY_NAMES[index % len(data.COMPANY_NAMES)]
        round_ = index // len(data.COMPANY_NAMES)
        names.append(base if round_ == 0 else f"{base} {round_ + 1}")
    existing = {c.name: c for c in SandboxCompany.objects.filter(name__in=names)}
    taken = set(SandboxCompany.objects.values_list("sr_id", flat=True))
    new = []
    for name in names:
        sr_id = str(rng.randrange(10_000_000, 99_999_999))
        tagline = rng.choice(data.COMPANY_TAGLINES)
        if name in existing:
            continue
        while sr_id in taken:
            sr_id = str(int(sr_id) + 1)
        taken.add(sr_id)
        description = f"<p><strong>{name}</strong> {tagline}.</p>"
        fields = {**company_defaults(name), "description_html": description}
        new.append(SandboxCompany(sr_id=sr_id, name=name, **fields))
    SandboxCompany.objects.bulk_create(new)
    by_name = {c.name: c for c in SandboxCompany.objects.filter(name__in=names)}
    return [by_name[name] for name in names]


def _location(rng: random.Random) -> dict[str, Any]:
    location = city_location(rng.choice(data.CITIES))
    if rng.random() < 0.15:
        location["remote"] = True
    return location


def _compensation(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.3:
        return {}
    if roll < 0.4:
        return {"min": rng.randrange(15, 40), "max": rng.randrange(40, 90), "currency": "EUR",
                "period": "HOUR"}  # fmt: skip
    low = rng.randrange(30, 90) * 1000
    if roll < 0.45:
        return {"min": low, "currency": "EUR"}  # a subset of keys, as SR allows
    return {"min": low, "max": low + rng.randrange(5, 40) * 1000, "currency": "EUR",
            "period": "YEAR"}  # fmt: skip


def _job_ad(rng: random.Random, company: SandboxCompany) -> dict[str, str]:
    ad = {
        "companyDescription": company.description_html,
        "jobDescription": rng.choice(data.JOB_DESCRIPTIONS),
        "qualifications": rng.choice(data.QUALIFICATIONS),
        "additionalInformation": rng.choice(data.ADDITIONAL_INFORMATION),
    }
    if rng.random() < 0.08:
        # Hostile HTML the partner must sanitise, in a random section.
        section = rng.choice(["jobDescription", "qualifications", "additionalInformation"])
        ad[section] = ad[section] + rng.choice(data.HOSTILE_HTML)
    if rng.random() < 0.15:
        ad["videoUrl"] = rng.choice(data.VIDEO_URLS)
    return ad


def _pair(rng: random.Random, values: list[tuple[str, str]]) -> dict[str, str]:
    value_id, label = rng.choice(values)
    return {"id": value_id, "label": label}


def _weighted_template(rng: random.Random) -> str:
    roll = rng.randrange(100)
    for name, weight in TEMPLATE_WEIGHTS:
        if roll < weight:
            return name
        roll -= weight
    return "standard"


_FUNCTION_LABELS = dict(data.FUNCTIONS)
_EMAIL_NAMES = {name: slugify(name) or "x" for name in (*data.FIRST_NAMES, *data.LAST_NAMES)}

Row = dict[str, Any]


def _build(
    rng: random.Random,
    *,
    index: int,
    feed_id: int,
    now: datetime,
    partner_id: int,
    company: SandboxCompany,
) -> tuple[Row, Row, Row]:
    """One posting with its offer and job, as column -> value rows (no model instances:
    at 100,000 rows, building models costs more than inserting them)."""
    title, function_id = rng.choice(data.JOB_TITLES)
    catalog_id, offer_name, description, period, price = rng.choice(data.OFFER_CATALOG)
    with_contract = rng.random() < 0.2
    # A few offers omit postingPeriod: the partner must fall back to 30 days.
    posting_period = None if rng.random() < 0.05 else period
    effective_period = posting_period or 30
    # Posted within the period and SR's 30-day default window, so every seeded posting is
    # live, Pending and listed by a feed request without `status`.
    max_age = (min(effective_period, 30) - 1) * 86_400
    posted = now - timedelta(seconds=rng.randrange(0, max_age))
    first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
    offer = {
        "offer_id": f"{rng.getrandbits(96):024x}",
        "partner_id": partner_id,
        "company_id": company.pk,
        "catalog_id": catalog_id,
        "name": offer_name,
        "description": description,
        "status": SandboxOffer.Status.ACTIVE.value,
        "price_amount": price,
        "price_currency": "EUR",
        "posting_period": posting_period,
        "contract_login": f"{company.identifier}-hr" if with_contract else "",
        "contract_password": f"{rng.getrandbits(48):012x}" if with_contract else "",
        **SandboxOffer.market_fields(company_name=company.name),
        "created_at": posted,
        "updated_at": posted,
    }
    job = {
        "uuid": _uuid4(rng),
        "partner_id": partner_id,
        "company_id": company.pk,
        "configuration_template": _weighted_template(rng),
        "configuration": None,
        "created_at": posted,
    }
    employment = _pair(rng, data.EMPLOYMENT_TYPES) if rng.random() > 0.1 else {}
    posting = {
        "id": feed_id,
        "partner_id": partner_id,
        "company_id": company.pk,
        "status": PostingStatus.PENDING.value,
        "name": title,
        "ref_number": f"{function_id[:3].upper()}-{1000 + index}",
        "location": _location(rng),
        "compensation": _compensation(rng),
        "industry": _pair(rng, data.INDUSTRIES),
        "function": {"id": function_id, "label": _FUNCTION_LABELS[function_id]},
        "experience_level": _pair(rng, data.EXPERIENCE_LEVELS),
        "type_of_employment": employment,
        "job_ad": _job_ad(rng, company),
        "creator": {
            "firstName": first,
            "lastName": last,
            "email": f"{_EMAIL_NAMES[first]}.{_EMAIL_NAMES[last]}@{company.identifier}.example",
        },
        "posted_date": posted,
        "last_modified": posted,
        "expires_at": posted + timedelta(days=effective_period),
        "live_url": "",
        "comment": "",
        "replaced_by_id": None,
    }
    return offer, job, posting


def _event_row(posting: Row) -> Row:
    return {
        "posting_id": posting["id"],
        "actor": SandboxPostingEvent.Actor.SR.value,
        "from_status": "",
        "to_status": PostingStatus.PENDING.value,
        "live_url": "",
        "comment": "",
        "note": "Posted (seed)",
        "at": posting["posted_date"],
    }


class _Writer:
    """Inserts rows: COPY on PostgreSQL, ``bulk_create`` elsewhere."""

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"

    def reserve_ids(self, model: type[Model], count: int) -> list[int] | None:
        """Primary keys for ``count`` new rows (PostgreSQL), so children can point at them."""
        if not self.copy:
            return None
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def insert(self, model: type[Model], rows: list[Row]) -> list[int | None]:
        """Insert ``rows``; their primary keys (None on PostgreSQL for rows without an id)."""
        if not rows:
            return []
        if self.copy:
            self._copy(model, rows)
            return [row.get("id") for row in rows]
        created = model._default_manager.bulk_create(model(**row) for row in rows)
        return [obj.pk for obj in created]

    def _copy(self, model: type[Model], rows: list[Row]) -> None:
        columns = list(rows[0])
        json_columns = {
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)
        }
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                        for c in columns
                    ]
                )


def seed_sandbox(
    *,
    postings: int,
    companies: int | None = None,
    seed: int = 0,
    partner: SandboxPartner | None = None,
    batch_size: int = BATCH_SIZE,
) -> SeedSummary:
    """Add ``postings`` Pending postings spread over ``companies`` companies.

    Raises ``SeedError`` (a ValueError) for counts out of bounds, before writing anything.
    """
    seed_bounds_check(postings=postings, companies=companies)
    partner = partner or ensure_partner()
    company_count = companies or max(1, min(len(data.COMPANY_NAMES), postings // 4 or 1))
    rng = random.Random(f"{seed}:{SandboxJob.objects.count()}")
    with transaction.atomic():
        company_rows = _companies(rng, company_count)
    if postings == 0:
        return SeedSummary(companies=len(company_rows), postings=0, first_id=None)
    first_id = reserve_feed_ids(count=postings)
    now = sandbox_now()
    writer = _Writer()
    done = 0
    while done < postings:
        size = min(batch_size, postings - done)
        built = [
            _build(
                rng,
                index=done + i,
                feed_id=first_id + done + i,
                now=now,
                partner_id=partner.pk,
                company=rng.choice(company_rows),
            )
            for i in range(size)
        ]
        offers, jobs, rows = (list(column) for column in zip(*built, strict=True))
        with transaction.atomic():
            for model, batch in ((SandboxOffer, offers), (SandboxJob, jobs)):
                ids = writer.reserve_ids(model, len(batch))
                if ids is not None:
                    for row, pk in zip(batch, ids, strict=True):
                        row["id"] = pk
                key = "offer_id" if model is SandboxOffer else "job_id"
                for posting, new_pk in zip(rows, writer.insert(model, batch), strict=True):
                    posting[key] = new_pk
            writer.insert(SandboxPosting, rows)
            writer.insert(SandboxPostingEvent, [_event_row(p) for p in rows])
        done += size
    if writer.copy and postings >= 10_000:
        # What autovacuum would do a little later: statistics for the planner, and a
        # visibility map so that the feed's page and count queries are index-only scans.
        # VACUUM cannot run inside a transaction; ANALYZE alone can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for analysed in (SandboxPosting, SandboxJob, SandboxOffer):
                table = connection.ops.quote_name(analysed._meta.db_table)
                cursor.execute(f"{command} {table}")
    return SeedSummary(companies=len(company_rows), postings=postings, first_id=first_id)
