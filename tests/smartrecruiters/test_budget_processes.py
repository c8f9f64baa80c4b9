"""The budget and the sandbox's limit, each shared by real processes.

Two sandbox servers (two runserver processes on one SQLite file, as two gunicorn workers
would be) and, for the budget, two client processes that each call one of them through
the transport with the budget in Redis. Nothing is called in the test's own process
except HTTP and reads of the shared SQLite file.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.smartrecruiters.test_budget import needs_redis
from tests.soak.stack import Stack, environment, free_port

pytestmark = [pytest.mark.redis, needs_redis, pytest.mark.timeout(240)]

# db 5 is this branch's own; the credential (a random partner token) names the budget's keys.
BUDGET_URL = "redis://127.0.0.1:6379/5"


@dataclass
class TwoServers:
    stack: Stack
    ports: tuple[int, int]
    token: str

    def url(self, which: int) -> str:
        return f"http://127.0.0.1:{self.ports[which]}/sandbox"

    def switches(self, **values: object) -> None:
        with self.stack.control() as control:
            control.put("switches", json={"_reset": True}).raise_for_status()
            if values:
                control.put("switches", json=values).raise_for_status()

    def last_journal_id(self) -> int:
        return self.stack.number("SELECT MAX(id) FROM sandbox_journalentry")

    def statuses(self, *, after: int) -> list[int]:
        rows = self.stack.rows(
            "SELECT status FROM sandbox_journalentry WHERE status IS NOT NULL AND id > ?",
            (after,),
        )
        return [int(str(row[0])) for row in rows]

    def starts(self, *, since: float) -> list[float]:
        rows = self.stack.rows(
            "SELECT started_at FROM sandbox_ratehit WHERE started_at >= ?", (since,)
        )
        return [float(str(row[0])) for row in rows]


def _serving(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoServers]:
    root = tmp_path_factory.mktemp("two-servers")
    ports = (free_port(), free_port())
    token = secrets.token_hex(32)
    env = environment(root / "var", ports[0])
    env.update(
        SMARTRECRUITERS_PARTNER_TOKEN=token,
        SMARTRECRUITERS_BUDGET_URL=BUDGET_URL,
        SANDBOX_CONTROL_TOKEN="two-servers-control",
    )
    stack = Stack(var=root / "var", port=ports[0], env=env)
    try:
        stack.run("setup_instance", "--demo-postings", "0", "--skip-static", timeout=120)
        for name, port in zip(("web", "web2"), ports, strict=True):
            stack.start(
                name,
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            )
        for port in ports:
            stack.wait_until(
                f"the server on {port} answers",
                lambda port=port: _serving(f"http://127.0.0.1:{port}/healthz"),
                seconds=60,
            )
        yield TwoServers(stack=stack, ports=ports, token=token)
    finally:
        for name in ("web", "web2"):
            stack.stop(name)


def test_two_sandbox_processes_count_one_concurrency_limit(servers):
    servers.switches(rate_limit_concurrent=1, fault="slow", slow_seconds=8)
    headers = {"X-SmartToken": servers.token}
    answers: list[int] = []

    def slow_call() -> None:
        answers.append(httpx.get(f"{servers.url(0)}/v1/offers", headers=headers, timeout=60)
                       .status_code)  # fmt: skip

    first = threading.Thread(target=slow_call)
    first.start()
    # The first server holds the credential's only slot (its row is in flight)...
    servers.stack.wait_until(
        "the first request is in flight",
        lambda: servers.stack.number(
            "SELECT COUNT(*) FROM sandbox_ratehit WHERE in_flight_until > 0"
        ),
        seconds=30,
    )
    # ...so the other server refuses the same credential.
    refused = httpx.get(f"{servers.url(1)}/v1/offers", headers=headers, timeout=30)
    first.join(timeout=60)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Concurrent-Remaining"] == "0"
    assert answers == [200]


CLIENT = textwrap.dedent("""
    import json, sys, time
    from concurrent.futures import ThreadPoolExecutor
    import django
    django.setup()
    from django.conf import settings
    from partner.smartrecruiters.auth import SmartTokenAuth
    from partner.smartrecruiters.errors import SmartRecruitersError
    from partner.smartrecruiters.transport import get_transport

    transport, auth = get_transport(), SmartTokenAuth(settings.SMARTRECRUITERS_PARTNER_TOKEN)

    def call(_):
        try:
            # No retry: a 429 must show here, not be absorbed by a second try.
            return transport.request("GET", "/v1/offers", auth=auth, max_retries=0).status
        except SmartRecruitersError as error:
            return error.status or 0

    started = time.time()
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(call, range(int(sys.argv[1]))))
    print(json.dumps({"statuses": statuses, "started": started, "ended": time.time()}))
""")


def test_two_processes_sharing_the_budget_stay_within_the_sandbox_limit(servers):
    """Each process alone may send 8/s; together, through one budget in Redis, they send
    8/s too: the sandbox (10/s and 8 in flight per key, counted across both of its
    processes) answers none of them 429."""
    servers.switches()  # the contract's limits: 10 requests/s, 8 in flight
    calls = 32
    journal_mark, since = servers.last_journal_id(), time.time()
    clients = []
    for which in (0, 1):
        env = {**servers.stack.env, "SMARTRECRUITERS_API_URL": servers.url(which)}
        clients.append(
            subprocess.Popen(
                [sys.executable, "-c", CLIENT, str(calls)],
                cwd=Path(__file__).parents[2],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = []
    for client in clients:
        out, err = client.communicate(timeout=180)
        assert client.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    # Both processes were sending at the same time, so the budget had to be shared.
    assert max(r["started"] for r in results) < min(r["ended"] for r in results)
    assert [s for r in results for s in r["statuses"]] == [200] * (2 * calls)
    assert 429 not in servers.statuses(after=journal_mark)
    # The sandbox counted every one of them (a refused request is not counted).
    assert len(servers.starts(since=since)) == 2 * calls
