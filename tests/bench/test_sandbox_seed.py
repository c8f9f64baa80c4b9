"""Benchmark: seeding the sandbox with 100,000 postings (``make bench``).

Prints figures; asserts nothing about time. Target on the project machine: under 60 s.
``BENCH_SANDBOX_POSTINGS`` changes the size.
"""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection

from partner.sandbox.models import SandboxJob, SandboxPosting, SandboxPostingEvent
from partner.sandbox.seeding import seed_sandbox

POSTINGS = int(os.environ.get("BENCH_SANDBOX_POSTINGS", "100000"))


@pytest.mark.django_db(transaction=True)
def test_seeding_postings() -> None:
    started = time.perf_counter()
    summary = seed_sandbox(postings=POSTINGS, seed=1)
    elapsed = time.perf_counter() - started
    assert SandboxPosting.objects.count() == POSTINGS
    assert SandboxJob.objects.count() == POSTINGS
    assert SandboxPostingEvent.objects.count() == POSTINGS
    print(  # noqa: T201 - a benchmark prints its figures
        f"\n[sandbox seed] {connection.vendor}: {summary.postings:,} postings over "
        f"{summary.companies} companies in {elapsed:.1f} s "
        f"({summary.postings / elapsed:,.0f} postings/s; target < 60 s for 100,000)"
    )
