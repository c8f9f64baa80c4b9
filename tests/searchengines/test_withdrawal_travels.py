"""Done when: a withdrawn job leaves the API, the widget and the engines within one relay."""

from __future__ import annotations

import pytest

from jobboard.board.services import withdraw_listing
from jobboard.searchengines.tasks import relay_notices
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


def test_a_withdrawn_job_leaves_the_api_the_widget_and_the_engines_within_one_relay(
    client, configured
) -> None:
    job = make_listing(title="Baker", company_name="Acme", external_id="baker")
    url = f"https://jobs.example.org/jobs/{job.pk}-baker/"
    relay_notices()
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 200
    assert url in client.get("/widget/jobs/", {"company": "acme"}).content.decode()

    withdraw_listing(source="test", external_id="baker")

    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert client.get("/api/v1/jobs/", {"company": "acme"}).json()["results"] == []
    assert url not in client.get("/widget/jobs/", {"company": "acme"}).content.decode()
    outcome = relay_notices()  # one run of the task beat schedules
    assert outcome == {"sent": 2, "retried": 0, "failed": 0}
    assert configured.to("/publish")[-1].json() == {"url": url, "type": "URL_DELETED"}
    assert configured.to("/indexnow")[-1].json()["urlList"] == [url]
