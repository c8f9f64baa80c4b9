from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from jobboard.logs import JsonFormatter, RequestIdFilter, request_id_var


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(client: Client) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})
    assert kept["X-Request-ID"] == "lb-7f3a9c21"
    assert replaced["X-Request-ID"] != "x\r\nSet-Cookie: a=b"
    assert "\n" not in replaced["X-Request-ID"]


def test_json_lines_carry_the_request_id_and_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "jobboard.test", "levelno": logging.INFO, "levelname": "INFO",
         "msg": "synced %d postings", "args": (3,), "run_id": 42}
    )  # fmt: skip
    token = request_id_var.set("req-1234abcd")
    try:
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    payload = json.loads(line)
    assert payload["message"] == "synced 3 postings"
    assert payload["request_id"] == "req-1234abcd"
    assert payload["run_id"] == 42
    assert payload["level"] == "INFO"
