"""The outbox machine itself (jobboard.outbox), on a concrete outbox: status reports."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from jobboard import outbox
from partner.postings.models import FeedPosting, StatusReport

pytestmark = pytest.mark.django_db

LEASE = timedelta(minutes=10)


@pytest.fixture
def posting() -> FeedPosting:
    return FeedPosting.objects.create(sr_id="311000777", uuid="uuid-311000777", name="Welder")


def report(posting: FeedPosting, **fields: object) -> StatusReport:
    return StatusReport.objects.create(posting=posting, status="Inactive", **fields)


def reports(posting: FeedPosting, count: int) -> list[StatusReport]:
    return [report(posting) for _ in range(count)]


def claimed(pk: int) -> StatusReport:
    """The row as the worker that claimed it reads it back."""
    return StatusReport.objects.get(pk=pk)


# ---------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------
def test_a_claim_takes_a_due_row_and_counts_the_attempt(posting):
    row = report(posting)
    now = timezone.now()

    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=now) == [row.pk]

    row.refresh_from_db()
    assert row.state == StatusReport.State.SENDING
    assert row.attempts == 1
    assert row.claimed_until == now + LEASE


def test_a_claimed_row_is_not_claimed_again_while_its_lease_runs(posting):
    report(posting)
    now = timezone.now()
    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=now)

    later = now + LEASE - timedelta(seconds=1)
    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=later) == []
    assert (
        outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=later, ignore_schedule=True)
        == []
    )


def test_a_dead_workers_row_is_taken_over_once_its_lease_runs_out(posting):
    row = report(posting)
    now = timezone.now()
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=now)

    after_lease = now + LEASE + timedelta(seconds=1)
    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=after_lease) == [row.pk]
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.claimed_until == after_lease + LEASE


def test_a_row_not_yet_due_waits_unless_the_caller_ignores_the_schedule(posting):
    now = timezone.now()
    row = report(posting, next_attempt_at=now + timedelta(minutes=5))

    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=now) == []
    assert outbox.claim_due(
        StatusReport.objects.all(), lease=LEASE, now=now, ignore_schedule=True
    ) == [row.pk]


def test_claims_take_the_longest_waiting_rows_first_up_to_the_limit(posting):
    now = timezone.now()
    newest = report(posting, next_attempt_at=now - timedelta(minutes=1))
    oldest = report(posting, next_attempt_at=now - timedelta(minutes=3))
    middle = report(posting, next_attempt_at=now - timedelta(minutes=2))

    first = outbox.claim_due(StatusReport.objects.all(), lease=LEASE, limit=2, now=now)
    assert first == [oldest.pk, middle.pk]
    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=now) == [newest.pk]


def test_claim_one_says_whether_this_worker_got_the_row(posting):
    row = report(posting)

    assert outbox.claim_one(StatusReport.objects.all(), pk=row.pk, lease=LEASE) is True
    assert outbox.claim_one(StatusReport.objects.all(), pk=row.pk, lease=LEASE) is False


def test_only_pending_rows_are_claimed(posting):
    for state in ("sent", "failed", "superseded"):
        report(posting, state=state)

    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE, ignore_schedule=True) == []


def test_released_claims_are_due_at_once_for_a_caller_that_knows_the_worker_died(posting):
    row = report(posting)
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE)

    assert outbox.release_claims(StatusReport.objects.all()) == 1
    assert outbox.claim_due(StatusReport.objects.all(), lease=LEASE) == [row.pk]


# ---------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------
def test_mark_sent_ends_the_claim_and_stores_the_given_fields(posting):
    row = report(posting, last_error="earlier failure")
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE)
    sent_at = timezone.now()

    assert outbox.mark_sent(claimed(row.pk), sent_at=sent_at) is True

    row.refresh_from_db()
    assert (row.state, row.claimed_until, row.last_error) == ("sent", None, "")
    assert row.sent_at == sent_at


def test_mark_all_sent_marks_only_the_rows_still_being_sent(posting):
    _, superseded = reports(posting, 2)
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE)
    StatusReport.objects.filter(pk=superseded.pk).update(state="superseded")

    assert outbox.mark_all_sent(StatusReport.objects.all()) == 1
    assert set(StatusReport.objects.values_list("state", flat=True)) == {"sent", "superseded"}


def test_an_outcome_recorded_by_another_worker_is_never_overwritten(posting):
    row = report(posting)
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE)
    slow_worker = claimed(row.pk)
    outbox.mark_sent(claimed(row.pk))

    assert outbox.mark_failed(slow_worker, error="timeout") is False
    row.refresh_from_db()
    assert row.state == "sent"


def test_mark_failed_can_end_in_a_state_of_the_subclass(posting):
    row = report(posting)
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE)

    outbox.mark_failed(claimed(row.pk), error="made pointless", state="superseded")

    row.refresh_from_db()
    assert (row.state, row.last_error) == ("superseded", "made pointless")


def test_schedule_retry_puts_the_row_back_within_the_backoff_ceiling(posting):
    row = report(posting)
    now = timezone.now()
    for attempt in range(1, 4):
        outbox.claim_due(StatusReport.objects.all(), lease=LEASE, ignore_schedule=True, now=now)
        retry_at = outbox.schedule_retry(
            claimed(row.pk), error="HTTP 503", base=60, cap=3600, max_attempts=10, now=now
        )
        ceiling = now + timedelta(seconds=60 * 2 ** (attempt - 1))
        assert retry_at is not None
        assert now <= retry_at <= ceiling
        row.refresh_from_db()
        assert (row.state, row.attempts, row.claimed_until) == ("pending", attempt, None)
        assert (row.next_attempt_at, row.last_error) == (retry_at, "HTTP 503")


def test_schedule_retry_gives_up_at_max_attempts(posting):
    row = report(posting, attempts=2)
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE)

    retry_at = outbox.schedule_retry(
        claimed(row.pk), error="HTTP 503", base=60, cap=3600, max_attempts=3
    )

    assert retry_at is None
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("failed", 3, "HTTP 503")


def test_schedule_retry_gives_up_when_the_next_try_would_come_too_late(posting):
    row = report(posting)
    now = timezone.now()
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=now)

    retry_at = outbox.schedule_retry(
        claimed(row.pk),
        error="HTTP 503",
        base=60,
        cap=3600,
        retry_after=120,
        give_up_at=now + timedelta(seconds=60),
        now=now,
    )

    assert retry_at is None
    assert claimed(row.pk).state == "failed"


def test_schedule_retry_waits_at_least_as_long_as_retry_after_asks(posting):
    row = report(posting)
    now = timezone.now()
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE, now=now)

    retry_at = outbox.schedule_retry(
        claimed(row.pk), error="HTTP 429", base=0.001, cap=0.002, retry_after=300, now=now
    )

    assert retry_at == now + timedelta(seconds=300)


def test_postpone_sends_later_without_counting_an_attempt(posting):
    row = report(posting)
    outbox.claim_due(StatusReport.objects.all(), lease=LEASE)
    until = timezone.now() + timedelta(hours=1)

    assert outbox.postpone(claimed(row.pk), until=until) is True

    row.refresh_from_db()
    assert (row.state, row.attempts, row.claimed_until) == ("pending", 0, None)
    assert row.next_attempt_at == until


def test_retry_failed_requeues_failed_rows_with_a_fresh_count_and_nothing_else(posting):
    failed = report(posting, state="failed", attempts=12, last_error="HTTP 503")
    sent = report(posting, state="sent", attempts=1)
    now = timezone.now()

    assert outbox.retry_failed(StatusReport.objects.all(), now=now) == 1

    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.next_attempt_at) == ("pending", 0, now)
    sent.refresh_from_db()
    assert sent.state == "sent"


# ---------------------------------------------------------------------------
# Backoff
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("attempt", [0, 1, 2, 5, 10, 40])
def test_backoff_stays_between_zero_and_the_capped_exponential(attempt):
    ceiling = min(30.0, 0.5 * 2**attempt)
    delays = [outbox.backoff(attempt, base=0.5, cap=30.0) for _ in range(200)]

    assert all(0 <= delay <= ceiling for delay in delays)
    # Full jitter: spread over the range, not bunched at its top.
    assert min(delays) < ceiling / 2 < max(delays)


def test_backoff_reads_a_negative_attempt_as_the_first():
    assert all(0 <= outbox.backoff(-3, base=1.0, cap=60.0) <= 1.0 for _ in range(50))


# ---------------------------------------------------------------------------
# Enqueue on commit
# ---------------------------------------------------------------------------
class FakeTask:
    name = "tests.fake_task"

    def __init__(self, *, error: Exception | None = None) -> None:
        self.calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
        self.error = error

    def delay(self, *args: object, **kwargs: object) -> None:
        if self.error is not None:
            raise self.error
        self.calls.append((args, kwargs))


def test_enqueue_on_commit_sends_the_task_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue_on_commit(task, 7, kind="report")
        assert task.calls == []
    assert task.calls == [((7,), {"kind": "report"})]


def test_enqueue_on_commit_sends_nothing_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    task = FakeTask()

    def failed_write() -> None:
        with transaction.atomic():
            outbox.enqueue_on_commit(task, 7)
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failed_write()
    assert task.calls == []


def test_enqueue_on_commit_logs_and_swallows_a_broker_error(
    django_capture_on_commit_callbacks, caplog
):
    task = FakeTask(error=ConnectionRefusedError("broker down"))
    with (
        caplog.at_level(logging.WARNING, logger="jobboard.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outbox.enqueue_on_commit(task)
    assert "could not enqueue tests.fake_task" in caplog.text


# ---------------------------------------------------------------------------
# Concurrency (PostgreSQL: one connection per thread)
# ---------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs one database connection per thread; in-memory SQLite shares one",
)
def test_two_concurrent_claimers_never_get_the_same_row(posting):
    rows = reports(posting, 30)
    first_holds_its_claim = threading.Event()
    second_has_claimed = threading.Event()
    claims: dict[str, list[int]] = {}

    def first() -> None:
        try:
            # The claim's transaction stays open (rows locked, not yet committed) while
            # the second claimer runs: SKIP LOCKED must pass over these rows.
            with transaction.atomic():
                claims["first"] = outbox.claim_due(
                    StatusReport.objects.all(), lease=LEASE, limit=10
                )
                first_holds_its_claim.set()
                second_has_claimed.wait(timeout=30)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds_its_claim.wait(timeout=30)
            claims["second"] = outbox.claim_due(StatusReport.objects.all(), lease=LEASE, limit=10)
            second_has_claimed.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(claims["first"]) == len(claims["second"]) == 10
    assert not set(claims["first"]) & set(claims["second"])

    # And racing claimers, many rounds each: every row claimed exactly once.
    taken: list[int] = [*claims["first"], *claims["second"]]
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def race() -> None:
        try:
            barrier.wait()
            while ids := outbox.claim_due(StatusReport.objects.all(), lease=LEASE, limit=1):
                with lock:
                    taken.extend(ids)
        finally:
            connection.close()

    racers = [threading.Thread(target=race) for _ in range(4)]
    for thread in racers:
        thread.start()
    for thread in racers:
        thread.join()

    assert sorted(taken) == sorted(row.pk for row in rows)
    assert set(StatusReport.objects.values_list("attempts", flat=True)) == {1}
