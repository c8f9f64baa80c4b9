"""``insert_new``: what bulk_create does, by COPY on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from jobboard.bulk_insert import insert_new
from partner.postings.models import FeedPosting

pytestmark = pytest.mark.django_db


def _posting(n: int, **fields: object) -> FeedPosting:
    return FeedPosting(sr_id=f"sr-{n}", uuid=f"u-{n}", name=f"Job {n}", **fields)


def test_new_rows_come_back_saved_with_their_ids_and_values() -> None:
    raw = {"name": "Bäcker", "tags": [1, 2.5, None, "x\ty\\z"], "nested": {"ok": True}}
    objs = [_posting(n, raw=raw if n == 0 else {}) for n in range(3)]
    FeedPosting.objects.create(sr_id="before", uuid="b")
    with CaptureQueriesContext(connection) as captured:
        saved = insert_new(objs)
    assert list(saved) == objs
    assert all(o.pk and not o._state.adding for o in objs)
    assert len({o.pk for o in objs}) == 3
    # Counted as queries, as bulk_create's INSERT is (PostgreSQL: the ids, then COPY).
    assert len(captured.captured_queries) == (2 if connection.vendor == "postgresql" else 1)
    for obj in objs:
        stored = FeedPosting.objects.get(pk=obj.pk)
        assert (stored.sr_id, stored.name, stored.raw) == (obj.sr_id, obj.name, obj.raw)
        # auto_now is filled as an INSERT would fill it.
        assert stored.updated_at == obj.updated_at is not None
    # A choice is stored as its value, whatever psycopg makes of an Enum.
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT state FROM postings_feedposting WHERE sr_id LIKE 'sr-%%'")
        assert cursor.fetchall() == [(FeedPosting.State.NEW.value,)]
    # The sequence goes on after them: a row made the usual way gets a new id.
    after = FeedPosting.objects.create(sr_id="after", uuid="a")
    assert after.pk > max(o.pk for o in objs)


def test_a_row_the_table_refuses_fails_the_whole_insert_as_a_django_error() -> None:
    FeedPosting.objects.create(sr_id="taken", uuid="t")
    objs = [_posting(1), FeedPosting(sr_id="taken", uuid="again")]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(objs)
    # Nothing written, and the objects are left unsaved, as bulk_create leaves them.
    assert all(o.pk is None for o in objs)
    assert list(FeedPosting.objects.values_list("sr_id", flat=True)) == ["taken"]


def test_nothing_to_insert_asks_nothing(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert insert_new([]) == []
