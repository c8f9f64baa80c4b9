"""/healthz says the process is up; /readyz says whether it can do useful work."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.test import Client

from jobboard.celery import app as celery_app
from tests.foundation.conftest import RunDjango


@pytest.mark.django_db
def test_healthz_answers_ok_as_json(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_broker_answer(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


@pytest.fixture
def broker_down() -> Iterator[None]:
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "broker_transport_options": celery_app.conf.broker_transport_options,
    }
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    celery_app.conf.update(broker_url="redis://127.0.0.1:9/0", broker_transport_options={})
    celery_app._pool = None
    yield
    celery_app.conf.update(saved)
    celery_app._pool = None


@pytest.mark.django_db
@pytest.mark.usefixtures("broker_down")
def test_readyz_is_unavailable_when_the_broker_is_down(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_unavailable_when_the_database_is_down(run_django: RunDjango) -> None:
    # A real process pointed at a PostgreSQL port where nothing listens.
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code); print(r.content.decode())"
    )
    result = run_django(code=code, env={"DATABASE_URL": "postgres://postgres@127.0.0.1:9/jobs"})
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503"
    checks = json.loads(body)["checks"]
    assert checks["database"]["ok"] is False
    assert checks["database"]["error"] == "OperationalError"


@pytest.mark.django_db
def test_health_endpoints_refuse_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
