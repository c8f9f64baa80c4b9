"""Facet counts kept up to date on every write, for the unfiltered board and one filter.

Counting facets over every visible listing costs a scan of all of them: 230 ms at
100,000 listings, ten times that at a million, on every request the facet cache
misses. Most list pages are the board itself or the board narrowed by one facet, so
the board's services keep those counts in ``FacetCount`` as they write (``apply``), in
the same transaction, and ``read`` answers such a search from a few hundred rows.

What a counts table cannot know by itself is corrected at read time, exactly:

- a listing whose valid-through date passed is still live until the expiry job closes
  it: the few such rows are read (an index range) and taken off;
- "posted in the last N days" moves with the clock: listings are counted per hour of
  posting, the hours wholly inside the window are summed, and the part-hour at the
  window's start is counted on the listings themselves (an index range on posted_at).
- the date filter itself: the other facets are kept per day of posting (UTC, scopes
  ``posted_day=2026-11-27``); a window sums its whole days (``read_days``) and the
  part-day at its start is counted on the listings (``facets.facet_counts``).

Keywords, a company, a place or two filters at once are counted on the listings as
before (``facets.facet_counts``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from jobboard.board.models import FacetCount, Listing
from jobboard.board.search import (
    CHOICE_FACETS,
    FACETS,
    MIN_SALARY_CHOICES,
    POSTED_CHOICES,
    JobSearch,
)

# The columns a listing's facet keys are made of.
FIELDS = (
    "remote", "country_code", "country", "city", "function", "industry", "experience_level",
    "employment_type", "posted_at", "salary_min", "salary_max", "salary_annual",
)  # fmt: skip
# Not a facet of the panel: the places the location field suggests (city and country).
PLACE = "place"
_PLACE_SEPARATOR = "\x1f"
# Facets a single filter on which the table answers (their values are disjoint, or, for
# min_salary, single-choice). The date filter moves with the clock: kept by day instead.
SCOPED = (*CHOICE_FACETS, "workplace", "salary", "min_salary")
# The scopes of the days of posting: "posted_day=2026-11-27" (UTC), for the date filter.
DAY_SCOPE = "posted_day"

Row = Mapping[str, Any]


def _hour(moment: datetime) -> str:
    """The hour a listing was posted in, as a key that sorts like time (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


def keys_of(row: Row) -> dict[str, tuple[str, str]]:
    """``{facet: (key, label)}`` of one listing; the key is "" when it has no value."""
    keys: dict[str, tuple[str, str]] = {
        "workplace": ("remote" if row["remote"] else "onsite", ""),
        "country": (row["country_code"] or "", row["country"] or ""),
    }
    for name, column in CHOICE_FACETS.items():
        if name != "country":
            keys[name] = (row[column] or "", "")
    keys["posted"] = (_hour(row["posted_at"]), "")
    shown = row["salary_min"] is not None or row["salary_max"] is not None
    keys["salary"] = ("shown" if shown else "", "")
    annual = row["salary_annual"]
    reached = [a for a in MIN_SALARY_CHOICES if annual is not None and annual >= Decimal(a)]
    keys["min_salary"] = (str(reached[-1]) if reached else "", "")
    return keys


def scopes_of(keys: Mapping[str, tuple[str, str]]) -> list[str]:
    """The single filters a listing passes, as ``FacetCount.scope`` names them."""
    scopes = [""]
    for name in SCOPED:
        key = keys[name][0]
        if not key:
            continue
        if name == "min_salary":
            # "At least 50k" holds every listing of 50k and more.
            scopes += [f"min_salary={a}" for a in MIN_SALARY_CHOICES if a <= int(key)]
        else:
            scopes.append(f"{name}={key}")
    # The posting hour's day ("2026-11-27T09" is on "2026-11-27").
    scopes.append(f"{DAY_SCOPE}={keys['posted'][0][:10]}")
    return scopes


def contributions(row: Row) -> Iterator[tuple[str, str, str, str]]:
    """``(scope, facet, key, label)`` rows one live listing adds one to."""
    keys = keys_of(row)
    for scope in scopes_of(keys):
        own = scope.split("=", 1)[0]
        if own == DAY_SCOPE:
            own = "posted"
        for facet, (key, label) in keys.items():
            # A filter's own facet is counted without it (disjunctive facets): its counts
            # are the unfiltered scope's.
            if facet != own:
                yield scope, facet, key, label
    if row["city"]:
        place = f"{row['city']}{_PLACE_SEPARATOR}{row['country'] or ''}"
        yield "", PLACE, place, ""


def _row(listing: Listing) -> dict[str, Any]:
    return {name: getattr(listing, name) for name in FIELDS}


def snapshot(listing: Listing) -> dict[str, Any] | None:
    """What a listing counts for now (None when it is not live): for ``apply``."""
    return _row(listing) if listing.state == Listing.State.LIVE else None


def apply(*, before: Row | None, after: Row | None) -> None:
    """Move the counts of one listing from ``before`` to ``after`` (None: not live)."""
    apply_many([(before, after)])


def apply_many(moves: Iterable[tuple[Row | None, Row | None]]) -> None:
    """Move the counts of listings from ``before`` to ``after`` (None: not live).

    One statement for all of them, or none when nothing a facet shows changed (a feed
    repeating itself).
    """
    delta: Counter[tuple[str, str, str]] = Counter()
    labels: dict[tuple[str, str, str], str] = {}
    for before, after in moves:
        if before == after:
            continue
        for sign, row in ((-1, before), (1, after)):
            if row is None:
                continue
            for scope, facet, key, label in contributions(row):
                delta[scope, facet, key] += sign
                if label > labels.get((scope, facet, key), ""):
                    labels[scope, facet, key] = label
    _add({k: v for k, v in delta.items() if v}, labels)


def _add(delta: Mapping[tuple[str, str, str], int], labels: Mapping[Any, str]) -> None:
    if not delta:
        return
    table = FacetCount._meta.db_table
    # In key order, so that two writers lock the shared rows in the same order and cannot
    # deadlock. The label kept is the greatest seen, as the counting query's max(country)
    # picks one.
    items = sorted(delta.items())
    rows = [(s, f, k, labels.get((s, f, k), ""), n) for (s, f, k), n in items]
    update = (
        f"ON CONFLICT (scope, facet, key) DO UPDATE SET count = {table}.count + excluded.count, "
        f"label = CASE WHEN excluded.label > {table}.label THEN excluded.label "
        f"ELSE {table}.label END"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One JSON parameter, not five a row: a chunk of a hundred listings moves
            # thousands of rows, and quoting thousands of parameters (or array items) on
            # the client cost more than the statement.
            cursor.execute(
                f"INSERT INTO {table} (scope, facet, key, label, count) "  # noqa: S608
                "SELECT r->>0, r->>1, r->>2, r->>3, (r->>4)::int "
                f"FROM json_array_elements(%s::json) AS r {update}",
                [json.dumps(rows)],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (scope, facet, key, label, count) "  # noqa: S608
                f"VALUES (%s, %s, %s, %s, %s) {update}",
                rows,
            )


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def answerable(search: JobSearch) -> str | None:
    """The facet of the one filter of a search the table answers ("" for none), or None
    when it needs counting on the listings."""
    if search.narrows_base or search.posted:
        return None
    chosen = [name for name in FACETS if search.facet_q(name, now=datetime.now(UTC))]
    if not chosen:
        return ""
    if len(chosen) > 1 or chosen[0] not in SCOPED:
        return None
    return chosen[0]


def _scopes(search: JobSearch, facet: str) -> list[str]:
    if facet == "":
        return [""]
    if facet == "salary":
        return ["salary=shown"]
    if facet == "min_salary":
        return [f"min_salary={search.min_salary}"]
    return [f"{facet}={value}" for value in getattr(search, facet)]


def read(search: JobSearch, *, now: datetime) -> dict[str, dict[str, tuple[str, int]]]:
    """The facet counts of a search ``answerable`` accepts, as ``facets.facet_counts``
    gives them: ``{facet: {value: (label, count)}}``, windows and thresholds cumulative.

    Three statements: the counts, the part-hours at the start of each date window, and
    the live listings past their valid-through date.
    """
    facet = answerable(search)
    if facet is None:
        raise ValueError("the counts table does not answer this search")
    scopes = _scopes(search, facet)
    # In UTC, as the hours of posting are kept: a zone half an hour off would shift them.
    cutoffs = {days: (now - timedelta(days=days)).astimezone(UTC) for days in POSTED_CHOICES}
    # The first whole hour of each window: hours from there on are summed from the table.
    whole = {
        days: (cutoff + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        if (cutoff.minute, cutoff.second, cutoff.microsecond) != (0, 0, 0)
        else cutoff
        for days, cutoff in cutoffs.items()
    }
    result: dict[str, dict[str, tuple[str, int]]] = {name: {} for name in FACETS}
    for name, key, label, count in _table_rows(scopes, facet, whole):
        if name == "posted":
            result[name][key] = ("", count)
        elif key:
            result[name][key] = (label or key, count)
    _add_part_hours(result, search, cutoffs=cutoffs, whole=whole, now=now)
    _take_off_expired(result, scopes=set(scopes), facet=facet, whole=whole, now=now)
    return _cumulative(result)


def _add_part_hours(
    result: dict[str, dict[str, tuple[str, int]]],
    search: JobSearch,
    *,
    cutoffs: Mapping[int, datetime],
    whole: Mapping[int, datetime],
    now: datetime,
) -> None:
    """Count the listings posted between a window's start and its first whole hour.

    The rows of those part-hours are few (an hour of postings per window) and found by
    the date index; the search's filter is in each count's FILTER, not in the WHERE:
    there, its own index joined in, and PostgreSQL built a bitmap of every listing in
    Germany (150,000) or every remote one (250,000) to meet 1,500 rows, 100 to 370 ms
    at a million listings.
    """
    parts = {d: Q(posted_at__gte=cutoffs[d], posted_at__lt=whole[d]) for d in cutoffs}
    parts = {d: q for d, q in parts.items() if whole[d] != cutoffs[d]}
    if not parts:
        return
    anywhere = Q()
    for q in parts.values():
        anywhere |= q
    matching = search.filters_q(now=now)
    visible = Listing.objects.visible(now=now).order_by()
    added = visible.filter(anywhere).aggregate(
        **{f"w{d}": Count("posted_at", filter=q & matching) for d, q in parts.items()}
    )
    for days in parts:
        label, count = result["posted"].get(str(days), ("", 0))
        result["posted"][str(days)] = (label, count + (added[f"w{days}"] or 0))


def _table_rows(
    scopes: Sequence[str], facet: str, whole: Mapping[int, datetime]
) -> Iterable[tuple[str, str, str, int]]:
    table = FacetCount._meta.db_table
    marks = ", ".join(["%s"] * len(scopes))
    windows = " UNION ALL ".join(
        f"SELECT 'posted', '{days}', '', COALESCE(SUM(count), 0) FROM {table} "  # noqa: S608
        f"WHERE scope IN ({marks}) AND facet = 'posted' AND key >= %s"
        for days in whole
    )
    params: list[Any] = []
    for days in whole:
        params += [*scopes, _hour(whole[days])]
    # The chosen facet's own counts ignore its filter: they are the unfiltered scope's.
    sql = (
        f"SELECT facet, key, MAX(label), SUM(count) FROM {table} "  # noqa: S608
        f"WHERE scope IN ({marks}) AND facet NOT IN ('posted', %s, %s) "
        "GROUP BY facet, key HAVING SUM(count) > 0 "
        f"UNION ALL SELECT facet, key, label, count FROM {table} "
        "WHERE scope = '' AND facet = %s AND count > 0 "
        f"UNION ALL {windows}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scopes, facet, PLACE, facet, *params])
        rows: list[tuple[str, str, str, int]] = cursor.fetchall()
    return rows


def _take_off_expired(
    result: dict[str, dict[str, tuple[str, int]]],
    *,
    scopes: set[str],
    facet: str,
    whole: Mapping[int, datetime],
    now: datetime,
) -> None:
    """Take off what the live listings past their valid-through date were counted for."""
    past = Listing.objects.past_valid_through(now=now).order_by().values(*FIELDS)
    for row in past:
        keys = keys_of(row)
        in_scope = bool(scopes & set(scopes_of(keys)))
        for name, (key, _) in keys.items():
            if name == "posted":
                if in_scope:
                    for days, start in whole.items():
                        if key >= _hour(start):
                            _less(result, name, str(days))
            elif name == facet or in_scope:
                _less(result, name, key)


def first_whole_day(cutoff: datetime) -> datetime:
    """The first UTC midnight at or after a date window's start: the days from there on
    are read off the day scopes (``read_days``), the part-day before counted."""
    cutoff = cutoff.astimezone(UTC)
    midnight = cutoff.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == cutoff else midnight + timedelta(days=1)


def read_days(*, first_day: datetime, now: datetime) -> dict[str, dict[str, tuple[str, int]]]:
    """Every facet's counts but the date's own over the live listings posted on
    ``first_day`` (a UTC midnight) or later, as ``facets.facet_counts`` gives them.

    One read of the day scopes (a range of the table's key), and the live listings past
    their valid-through date taken off.
    """
    table = FacetCount._meta.db_table
    # Day scopes sort like their dates; the prefix test keeps any other scope out.
    sql = (
        f"SELECT facet, key, MAX(label), SUM(count) FROM {table} "  # noqa: S608
        "WHERE scope >= %s AND scope <= %s AND substr(scope, 1, %s) = %s "
        "AND facet NOT IN ('posted', %s) GROUP BY facet, key"
    )
    prefix = f"{DAY_SCOPE}="
    params: list[Any] = [
        f"{prefix}{first_day:%Y-%m-%d}",
        f"{prefix}9999-12-31",
        len(prefix),
        prefix,
        PLACE,
    ]
    result: dict[str, dict[str, tuple[str, int]]] = {name: {} for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, key, label, count in cursor.fetchall():
            if key:
                result[name][key] = (label or key, int(count))
    past = Listing.objects.past_valid_through(now=now).filter(posted_at__gte=first_day)
    for row in past.order_by().values(*FIELDS):
        for name, (key, _) in keys_of(row).items():
            if name != "posted":
                _less(result, name, key)
    return _cumulative(result)


def added(
    a: Mapping[str, Mapping[str, tuple[str, int]]], b: Mapping[str, Mapping[str, tuple[str, int]]]
) -> dict[str, dict[str, tuple[str, int]]]:
    """Two sets of facet counts over disjoint listings, added up (labels: the greatest)."""
    total: dict[str, dict[str, tuple[str, int]]] = {}
    for name in {*a, *b}:
        merged = dict(a.get(name, {}))
        for key, (label, count) in b.get(name, {}).items():
            before_label, before = merged.get(key, ("", 0))
            merged[key] = (max(label, before_label), before + count)
        total[name] = merged
    return total


def _less(result: dict[str, dict[str, tuple[str, int]]], name: str, key: str) -> None:
    if key in result[name]:
        label, count = result[name][key]
        result[name][key] = (label, count - 1)


def _cumulative(
    result: dict[str, dict[str, tuple[str, int]]],
) -> dict[str, dict[str, tuple[str, int]]]:
    # min_salary is kept by the highest threshold reached; "at least 50k" sums the rest.
    running = 0
    cumulative = {}
    for amount in reversed(MIN_SALARY_CHOICES):
        running += result["min_salary"].get(str(amount), ("", 0))[1]
        cumulative[str(amount)] = ("", running)
    result["min_salary"] = cumulative
    for name in FACETS:
        if name not in ("posted", "min_salary"):
            result[name] = {k: v for k, v in result[name].items() if v[1] > 0}
    return result


def places(*, limit: int) -> list[tuple[str, str, int]]:
    """``(city, country, live listings)`` of the busiest places, for the location field."""
    rows = (
        FacetCount.objects.filter(scope="", facet=PLACE, count__gt=0)
        .order_by("-count", "key")
        .values_list("key", "count")[:limit]
    )
    found = []
    for key, count in rows:
        city, _, country = key.partition(_PLACE_SEPARATOR)
        found.append((city, country, count))
    return found
