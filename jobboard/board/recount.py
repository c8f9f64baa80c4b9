"""Recounting the kept facet counts (``board.counts``) from the live listings.

For a migration, a bulk load (``manage.py rebuild_board_counts``) or a check: the
board's services keep the counts as they write, and this gives the same numbers from
scratch, in SQL on PostgreSQL and in Python elsewhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db import connection, transaction

from jobboard.board.counts import (
    _PLACE_SEPARATOR,
    DAY_SCOPE,
    FIELDS,
    PLACE,
    SCOPED,
    contributions,
)
from jobboard.board.models import FacetCount, Listing
from jobboard.board.search import CHOICE_FACETS, MIN_SALARY_CHOICES


def rebuild_in_migration(apps: Any, schema_editor: Any) -> None:
    """``rebuild`` as a migration's RunPython operation, with its historical models."""
    rebuild(
        listings=apps.get_model("board", "Listing"), counts=apps.get_model("board", "FacetCount")
    )


def rebuild(*, listings: Any = None, counts: Any = None, chunk: int = 5000) -> int:
    """Recount everything from the live listings (migration, bulk loads); returns rows.

    ``listings`` and ``counts`` are the models (historical ones in a migration).
    """
    listings = listings or Listing
    counts = counts or FacetCount
    if connection.vendor == "postgresql":
        totals, labels = _totals_in_sql(listings._meta.db_table)
    else:
        totals, labels = _totals(listings, chunk=chunk)
    counts.objects.all().delete()
    counts.objects.bulk_create(
        (
            counts(scope=s, facet=f, key=k, label=labels.get((s, f, k), ""), count=n)
            for (s, f, k), n in totals.items()
        ),
        batch_size=2000,
    )
    return len(totals)


Totals = tuple[Counter[tuple[str, str, str]], dict[tuple[str, str, str], str]]


def _totals(listings: Any, *, chunk: int) -> Totals:
    """Every live listing's ``contributions``, added up in Python (the reference)."""
    totals: Counter[tuple[str, str, str]] = Counter()
    labels: dict[tuple[str, str, str], str] = {}
    rows = listings.objects.filter(state=Listing.State.LIVE).values(*FIELDS)
    for row in rows.iterator(chunk_size=chunk):
        for scope, facet, key, label in contributions(row):
            totals[scope, facet, key] += 1
            if label > labels.get((scope, facet, key), ""):
                labels[scope, facet, key] = label
    return totals, labels


# ``keys_of`` in SQL: (facet, expression) in the order of the GROUPING SETS' columns.
_SALARY_BUCKET = " ".join(
    f"WHEN salary_annual >= {a} THEN '{a}'" for a in reversed(MIN_SALARY_CHOICES)
)
_SQL_KEYS = (
    ("workplace", "CASE WHEN remote THEN 'remote' ELSE 'onsite' END"),
    ("country", "COALESCE(country_code, '')"),
    *((name, f"COALESCE({column}, '')") for name, column in CHOICE_FACETS.items()
      if name != "country"),
    ("posted", """to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')"""),
    ("salary", "CASE WHEN salary_min IS NULL AND salary_max IS NULL THEN '' ELSE 'shown' END"),
    ("min_salary", f"CASE {_SALARY_BUCKET} ELSE '' END"),
    (PLACE, "COALESCE(country, '')"),
    (DAY_SCOPE, "to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
)  # fmt: skip


def _totals_in_sql(table: str) -> Totals:
    """``_totals`` in one scan: GROUPING SETS of (filter, facet) pairs, the same sums.

    Adding up about ninety contributions a listing in Python took minutes at a million
    listings; PostgreSQL groups the same pairs in seconds. ``test_counts`` checks the two
    agree, labels included.
    """
    names = [name for name, _ in _SQL_KEYS]
    columns = ", ".join(f"{expression} AS k{i}" for i, (_, expression) in enumerate(_SQL_KEYS))
    facets = [n for n in names if n not in (PLACE, DAY_SCOPE)]
    index = {name: f"k{i}" for i, name in enumerate(names)}
    # A pair of facets is one set whichever is the filter: both directions are read off it.
    pairs = {frozenset((scope, facet)) for scope in SCOPED for facet in facets if facet != scope}
    pairs |= {frozenset((DAY_SCOPE, facet)) for facet in facets if facet != "posted"}
    sets = [[facet] for facet in facets]
    sets += [[n for n in names if n in pair] for pair in sorted(pairs, key=sorted)]
    sets.append(["city", PLACE])
    grouping = ", ".join("(" + ", ".join(index[n] for n in group) + ")" for group in sets)
    all_columns = ", ".join(index[n] for n in names)
    # Every part is a constant of this module or the model's table name.
    label = f"MAX(k{names.index(PLACE)})"
    sql = f"SELECT GROUPING({all_columns}), {all_columns}, COUNT(*), {label} FROM (SELECT {columns} FROM {table} WHERE state = %s) AS keyed GROUP BY GROUPING SETS ({grouping})"  # noqa: E501, S608
    totals: Counter[tuple[str, str, str]] = Counter()
    labels: dict[tuple[str, str, str], str] = {}
    with connection.cursor() as cursor, transaction.atomic():
        # Ninety groupings hashed at once: in memory rather than spilled to disk (1M
        # listings: 67 s with the default 4 MB).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, [Listing.State.LIVE])
        for mask, *values, count, country_name in cursor.fetchall():
            # GROUPING's bit is 0 for a grouped column, the first column the highest bit.
            grouped = [n for i, n in enumerate(names) if not mask >> (len(names) - 1 - i) & 1]
            value = dict(zip(names, values, strict=True))
            for scope, facet, key, label in _set_rows(grouped, value, country_name):
                totals[scope, facet, key] += count
                if label > labels.get((scope, facet, key), ""):
                    labels[scope, facet, key] = label
    return totals, labels


def _set_rows(
    grouped: Sequence[str], value: Mapping[str, str], country_name: str
) -> Iterator[tuple[str, str, str, str]]:
    """The ``(scope, facet, key, label)`` rows one group of ``_totals_in_sql`` adds to."""
    if PLACE in grouped:
        if value["city"]:
            yield "", PLACE, f"{value['city']}{_PLACE_SEPARATOR}{value[PLACE]}", ""
        return
    if DAY_SCOPE in grouped:
        [facet] = [n for n in grouped if n != DAY_SCOPE]
        label = country_name if facet == "country" else ""
        yield f"{DAY_SCOPE}={value[DAY_SCOPE]}", facet, value[facet], label
        return
    if len(grouped) == 1:
        [facet] = grouped
        yield "", facet, value[facet], country_name if facet == "country" else ""
        return
    for name, facet in (grouped, reversed(grouped)):
        if name not in SCOPED or not value[name]:
            continue
        label = country_name if facet == "country" else ""
        if name == "min_salary":
            # "At least 50k" holds every listing of 50k and more.
            for a in MIN_SALARY_CHOICES:
                if a <= int(value[name]):
                    yield f"min_salary={a}", facet, value[facet], label
        else:
            yield f"{name}={value[name]}", facet, value[facet], label
