"""The soak runs every beat entry at an interval of seconds (no process needed to check)."""

from __future__ import annotations

from typing import Any

from jobboard.celery import beat_schedule
from tests.soak.stack import INTERVALS


def test_the_soak_sets_every_interval_of_the_beat_schedule(settings: Any) -> None:
    # A beat entry added later must not run at its default (minutes to a day) in the soak.
    for name in INTERVALS:
        setattr(settings, name, 7777)
    left_out = {
        name for name, entry in beat_schedule().items() if entry["schedule"].seconds != 7777
    }
    assert not left_out, f"set their interval setting in tests/soak/stack.py: {left_out}"
