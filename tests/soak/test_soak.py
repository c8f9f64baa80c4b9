"""The board runs unattended: a soak test over the real processes of `make run`.

The web server (runserver, serving the board and the sandbox), a Celery worker and Celery
beat run as separate processes, started with the Procfile's commands, on the embedded
broker (filesystem://) and one SQLite file in a temporary VAR_DIR, with every beat
interval set to seconds and SmartRecruiters' backoffs small (tests/soak/stack.py). The
stack always uses its own SQLite file, whatever DATABASE_URL the test run has (CI runs
the suite on PostgreSQL). Once the three processes run, no command is run: the tests act
as people do, at SmartRecruiters through the sandbox's control API and console and on the
board through its pages, all over HTTP, and wait (with deadlines) for the processes to do
the rest. They read the shared database only to check what a page does not show, and
write it once, to make an application older than the retention period.

On a failure the report shows the tail of each process's log.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.applications.conftest import PDF_BYTES
from tests.soak.stack import RETENTION_DAYS, Stack, start_beat

pytestmark = pytest.mark.usefixtures("fresh_switches")

# Waits for the feed: one sync interval (3 s) plus a relay takes a few seconds; the rest
# is room for a loaded machine.
FEED_DEADLINE = 25


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def _path(url: str) -> str:
    return httpx.URL(url).raw_path.decode()


def _lap(what: str, since: float) -> None:
    # Figures for people reading the output with -s; nothing asserts on time.
    print(f"soak: {what} after {time.monotonic() - since:.1f} s")  # noqa: T201 - figures


def _sandbox_posting(control: httpx.Client, posting_id: str) -> dict[str, Any]:
    response = control.get(f"postings/{posting_id}")
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def _reported(soak: Stack, control: httpx.Client, posting_id: str, status: str) -> dict[str, Any]:
    """Wait until SmartRecruiters (the sandbox) holds ``status`` for the posting."""

    def probe() -> dict[str, Any] | None:
        posting = _sandbox_posting(control, posting_id)
        if posting["status"] != status or (status == "Active" and not posting["liveUrl"]):
            return None
        return posting

    return soak.wait_until(
        f"posting {posting_id} reads {status} at the sandbox", probe, seconds=FEED_DEADLINE
    )


def _post_job(soak: Stack, control: httpx.Client, name: str) -> dict[str, Any]:
    """A job posted at SmartRecruiters, and the moment it is Active there with our URL."""
    created = control.post("postings", json={"name": name, "configuration_template": "minimal"})
    assert created.status_code == 201, created.text
    return _reported(soak, control, created.json()["id"], "Active")


def _journal(control: httpx.Client, endpoint: str, path_part: str) -> list[dict[str, Any]]:
    response = control.get("journal", params={"endpoint": endpoint, "limit": "1000"})
    response.raise_for_status()
    return [e for e in response.json()["entries"] if path_part in e["path"]]


def _apply(board: httpx.Client, live_url: str, email: str) -> str:
    """Apply as a candidate does without JavaScript: the job page's link, then the form.

    Returns the path of the private status page the form leads to.
    """
    job = board.get(_path(live_url))
    assert job.status_code == 200
    link = re.search(r'href="(/jobs/[^"]+/apply/)"', job.text)
    assert link, "the job page links to no apply form of ours"
    form = board.get(link.group(1))
    assert form.status_code == 200, form.text[:500]
    fields = {
        "csrfmiddlewaretoken": _csrf(form.text),
        "first_name": "Jane",
        "last_name": "Soak",
        "email": email,
        "submit": "1",
    }
    for consent in re.findall(r'type="checkbox" name="(consent_[A-Za-z_]+)"', form.text):
        fields[consent] = "on"
    sent = board.post(
        link.group(1),
        data=fields,
        files={"resume": ("cv.pdf", PDF_BYTES, "application/pdf")},
        headers={"Referer": f"{board.base_url}{link.group(1)}"},
    )
    assert sent.status_code == 302, sent.text[:2000]
    status_page = sent.headers["location"]
    received = board.get(status_page)
    assert "your application has been received" in received.text
    return status_page.split("?")[0]


def _delivery(board: httpx.Client, status_page: str) -> str:
    found = re.search(r'class="state state-(\w+)"', board.get(status_page).text)
    assert found, "the status page shows no delivery state"
    return found.group(1)


def test_jobs_posted_edited_and_removed_at_smartrecruiters_reach_the_board_and_report_back(
    soak: Stack,
) -> None:
    with soak.control() as control, soak.board() as board:
        started = time.monotonic()
        first = _post_job(soak, control, "Soak Platform Engineer")
        _lap("a posted job Active at the sandbox", started)
        assert first["liveUrl"].startswith(f"{soak.site}/jobs/")
        page = board.get(_path(first["liveUrl"]))
        assert page.status_code == 200
        assert "Soak Platform Engineer" in page.text

        # Edited at SmartRecruiters: a repost, a new posting of the same job.
        started = time.monotonic()
        edited = control.post(
            f"postings/{first['id']}/repost", json={"name": "Soak Platform Engineer (remote)"}
        )
        assert edited.status_code == 201, edited.text
        second = _reported(soak, control, edited.json()["id"], "Active")
        assert _reported(soak, control, first["id"], "Inactive")["liveUrl"] == first["liveUrl"]
        _lap("an edit live on the board and both statuses at the sandbox", started)
        page = board.get(_path(second["liveUrl"]))
        assert page.status_code == 200
        assert "Soak Platform Engineer (remote)" in page.text
        assert board.get(_path(first["liveUrl"])).status_code == 410

        started = time.monotonic()
        removed = control.post(f"postings/{second['id']}/remove")
        assert removed.json()["status"] == "toUnpost"
        _reported(soak, control, second["id"], "Inactive")
        _lap("a removed job Inactive at the sandbox", started)
        assert board.get(_path(second["liveUrl"])).status_code == 410


def test_the_worker_keeps_up_with_beat_on_the_embedded_broker(soak: Stack) -> None:
    # kombu's filesystem transport looked for messages once a second when the worker held
    # its prefetch count: two tasks a second at most, however short. With intervals of
    # seconds beat sent more, the queue grew, and an application waited behind it.
    queue = soak.var / "broker" / "queue"
    waiting: list[int] = []

    def three_more_heartbeats(start: int) -> bool:
        waiting.append(len(list(queue.glob("*.msg"))))
        return soak.job_runs("heartbeat") >= start + 3

    start = soak.job_runs("heartbeat")
    soak.wait_until("three more heartbeats", lambda: three_more_heartbeats(start), seconds=15)
    # Beat sends bursts (with intervals of seconds, several of its 13 entries fall due
    # together, and each board change wakes the search-engine relay): the queue may
    # hold a burst for a moment, but it drains, and it never grows without bound.
    assert max(waiting) < 25, waiting
    assert min(waiting[len(waiting) // 2 :]) <= 2, waiting


def test_an_application_sent_during_an_outage_arrives_once_after_it(soak: Stack) -> None:
    email = f"jane.{uuid.uuid4().hex[:8]}@example.test"
    with soak.control() as control, soak.board() as board:
        job = _post_job(soak, control, "Soak Support Engineer")
        job_uuid = job["uuid"]
        # The form is rendered once first, as a visitor would have seen it: during the
        # outage it is served from the stored configuration.
        assert board.get(_path(job["liveUrl"]) + "apply/").status_code == 200

        control.put("switches", json={"outage": True}).raise_for_status()
        started = time.monotonic()
        status_page = _apply(board, job["liveUrl"], email)

        def refused_twice() -> bool:
            # Each delivery attempt is a POST and the transport's one retry.
            answers = [e["status"] for e in _journal(control, "apply.candidates", job_uuid)]
            attempts = soak.number(
                "SELECT attempts FROM applications_application WHERE job_title = ?",
                ("Soak Support Engineer",),
            )
            return attempts >= 2 and set(answers) == {503}

        soak.wait_until("two deliveries refused by the outage", refused_twice, seconds=30)
        assert _delivery(board, status_page) != "sent"
        _lap("two deliveries refused during the outage", started)

        control.put("switches", json={"outage": False}).raise_for_status()
        started = time.monotonic()
        soak.wait_until(
            "the status page reads sent",
            lambda: _delivery(board, status_page) == "sent",
            seconds=30,
        )
        _lap("the application delivered after the outage", started)
        # Let the sweeper and any retry still queued have their chance to send it again.
        sweeps = soak.job_runs("sweep-applications")
        soak.wait_until(
            "two more sweeps",
            lambda: soak.job_runs("sweep-applications") >= sweeps + 2,
            seconds=20,
        )
        candidates = control.get("candidates").json()["candidates"]
        [arrived] = [c for c in candidates if c["email"] == email]
        assert arrived["uuid"] == job_uuid
        assert arrived["attachments"] == ["cv.pdf"]
        accepted = [e for e in _journal(control, "apply.candidates", job_uuid) if e["status"] < 300]
        assert len(accepted) == 1


@contextmanager
def _staff_session(soak: Stack) -> Iterator[httpx.Client]:
    """The admin, logged in with the password setup_instance printed."""
    with soak.board() as client:
        yield _logged_in(soak, client)


def _logged_in(soak: Stack, client: httpx.Client) -> httpx.Client:
    login = client.get("/admin/login/")
    done = client.post(
        "/admin/login/?next=/admin/",
        data={
            "username": "admin",
            "password": soak.admin_password,
            "csrfmiddlewaretoken": _csrf(login.text),
            "next": "/admin/",
        },
    )
    assert done.status_code == 302, "the admin could not log in"
    return client


def _connect_company(staff: httpx.Client, company_id: str) -> None:
    """SmartRecruiters' "connect": the sandbox console sends staff to our consent page."""
    console = staff.get("/sandbox/assessments/")
    connect = staff.post(
        "/sandbox/assessments/connect",
        data={
            "company_id": company_id,
            "name": "Soak Corp",
            "csrfmiddlewaretoken": _csrf(console.text),
        },
    )
    assert connect.status_code == 302, connect.text[:1000]
    consent_url = connect.headers["location"]
    consent = staff.get(consent_url)
    assert consent.status_code == 200
    confirmed = staff.post(
        consent_url,
        data={
            "client": "",
            "new_client_name": "Soak Corp",
            "csrfmiddlewaretoken": _csrf(consent.text),
        },
    )
    assert confirmed.status_code == 302, confirmed.text[:1000]
    back = staff.get(confirmed.headers["location"])
    assert "Integrated" in back.text


def _result_status(staff: httpx.Client, order_page: str) -> str:
    found = re.search(r'id="result-status"[^>]*>\s*([A-Z_]+)', staff.get(order_page).text)
    return found.group(1) if found else ""


def test_a_result_push_that_fails_for_a_while_is_delivered_once_the_fault_is_lifted(
    soak: Stack,
) -> None:
    company_id = f"soak{uuid.uuid4().hex[:12]}"
    with soak.control() as control, _staff_session(soak) as staff:
        _connect_company(staff, company_id)
        control.put(
            "switches", json={"fault": "503", "fault_scope": ["assessments.results"]}
        ).raise_for_status()

        # SmartRecruiters orders an assessment; our worker invites the candidate and
        # pushes the PENDING result, which the sandbox refuses for now.
        company_page = staff.get(f"/sandbox/assessments/companies/{company_id}/")
        ordered = staff.post(
            f"/sandbox/assessments/companies/{company_id}/order",
            data={
                "csrfmiddlewaretoken": _csrf(company_page.text),
                "order-package_id": "pkg-fullstack",
                "order-email": "ana@example.org",
                "order-first_name": "Ana",
                "order-last_name": "Nowak",
                "order-language": "en",
                "order-job_id": str(uuid.uuid4()),
                "field-cost-center": "CC-42",
            },
        )
        assert ordered.status_code == 302, ordered.text[:1000]
        order_page = _path(ordered.headers["location"])
        order_id = order_page.rstrip("/").rsplit("/", 1)[-1]
        started = time.monotonic()

        def refused_twice() -> bool:
            answers = [e["status"] for e in _journal(control, "assessments.results", order_id)]
            attempts = soak.number(
                "SELECT max(attempts) FROM assessments_resultpush WHERE state = 'pending'"
            )
            return attempts >= 2 and set(answers) == {503}

        soak.wait_until("the result push refused twice", refused_twice, seconds=30)
        assert _result_status(staff, order_page) == ""
        _lap("the result push refused twice", started)

        control.put("switches", json={"fault": None}).raise_for_status()
        started = time.monotonic()
        soak.wait_until(
            "SmartRecruiters shows the PENDING result",
            lambda: _result_status(staff, order_page) == "PENDING",
            seconds=20,
        )
        _lap("the result delivered after the fault", started)
        accepted = [
            e for e in _journal(control, "assessments.results", order_id) if e["status"] < 300
        ]
        assert len(accepted) == 1


def test_personal_data_is_erased_when_its_retention_period_is_over(soak: Stack) -> None:
    email = f"erase.{uuid.uuid4().hex[:8]}@example.test"
    with soak.control() as control, soak.board() as board:
        job = _post_job(soak, control, "Soak Data Analyst")
        status_page = _apply(board, job["liveUrl"], email)
        soak.wait_until(
            "the application is delivered",
            lambda: _delivery(board, status_page) == "sent",
            seconds=20,
        )
        # The payload is encrypted: the job's title finds the row.
        [(application_id, file_path)] = soak.rows(
            "SELECT a.id, f.path FROM applications_application a "
            "JOIN applications_applicationfile f ON f.application_id = a.id "
            "WHERE a.job_title = ?",
            ("Soak Data Analyst",),
        )
        stored = soak.var / "private" / str(file_path)
        assert stored.is_file()

        # Sent moments ago: the erasure job runs and leaves it alone.
        runs = soak.job_runs("erase-applications")
        soak.wait_until(
            "two erasure runs",
            lambda: soak.job_runs("erase-applications") >= runs + 2,
            seconds=20,
        )
        assert "have been erased" not in board.get(status_page).text

        # A day and more later (the row made older): the next run erases it.
        backdated = soak.write(
            "UPDATE applications_application SET sent_at = datetime('now', ?) WHERE id = ?",
            (f"-{RETENTION_DAYS + 1} days", application_id),
        )
        assert backdated == 1
        started = time.monotonic()
        soak.wait_until(
            "the status page says the data is erased",
            lambda: "have been erased" in board.get(status_page).text,
            seconds=20,
        )
        _lap("an expired application erased", started)
        [(erased_at, reason)] = soak.rows(
            "SELECT erased_at, erasure_reason FROM applications_application WHERE id = ?",
            (application_id,),
        )
        assert erased_at is not None
        assert reason == "retention"
        assert soak.rows(
            "SELECT file_name, path FROM applications_applicationfile WHERE application_id = ?",
            (application_id,),
        ) == [("[erased]", "")]
        assert not stored.exists()


def _readiness(board: httpx.Client) -> tuple[int, dict[str, Any]]:
    response = board.get("/readyz")
    body: dict[str, Any] = response.json()
    return response.status_code, body


def _alert_mails(soak: Stack, since: int) -> list[str]:
    """Alert mails (started or resolved) sent after the first ``since`` mails."""
    return [s for s in soak.mail_subjects()[since:] if re.search(r"\b(Alert|Resolved):", s)]


def test_stopping_beat_turns_readiness_unavailable_and_mails_the_admins_once(
    soak: Stack,
) -> None:
    with soak.board() as board:
        soak.wait_until("/readyz answers 200", lambda: _readiness(board)[0] == 200, seconds=20)
        mails = len(soak.mail_subjects())

        stopped = time.monotonic()
        soak.stop("beat")
        _, body = soak.wait_until(
            "/readyz answers 503",
            lambda: (answer := _readiness(board))[0] == 503 and answer,
            seconds=20,
        )
        _lap("/readyz 503 once beat stopped", stopped)
        beat = body["checks"]["beat"]
        assert beat["ok"] is False
        assert beat["heartbeat_age_seconds"] >= beat["stale_after_seconds"]  # rounded
        soak.wait_until("an alert mail", lambda: _alert_mails(soak, mails), seconds=15)
        _lap("the alert mailed once beat stopped", stopped)

        # Every job of a 2 s interval is overdue after 6 s; the worker evaluates the
        # alerts every second. Wait until an evaluation saw beat silent for 10 s.
        def alerted_silence() -> int:
            # The alert's message carries the heartbeat's age at the latest evaluation.
            rows = soak.rows("SELECT message FROM operations_alert WHERE name = 'beat heartbeat'")
            found = re.search(r"for (\d+) s", str(rows[0][0])) if rows else None
            return int(found.group(1)) if found else 0

        soak.wait_until(
            "an evaluation 10 s into the silence", lambda: alerted_silence() >= 10, seconds=20
        )
        assert "relay-status-reports" in _readiness(board)[1]["checks"]["periodic_jobs"]["overdue"]
        assert _alert_mails(soak, mails) == ["[Django] Alert: beat heartbeat (Open Job Board)"]

        # Beat back: ready again, and the one alert resolved.
        started = time.monotonic()
        start_beat(soak)
        soak.wait_until("/readyz answers 200", lambda: _readiness(board)[0] == 200, seconds=20)
        _lap("/readyz 200 once beat is back", started)
        soak.wait_until(
            "the alert resolved", lambda: len(_alert_mails(soak, mails)) > 1, seconds=15
        )
        relayed = soak.job_runs("relay-status-reports")
        soak.wait_until(
            "two more relays",
            lambda: soak.job_runs("relay-status-reports") >= relayed + 2,
            seconds=20,
        )
        assert _alert_mails(soak, mails) == [
            "[Django] Alert: beat heartbeat (Open Job Board)",
            "[Django] Resolved: beat heartbeat (Open Job Board)",
        ]
