"""The ``sandbox`` fixture: SmartRecruiters played by the sandbox over real HTTP.

Registered from tests/conftest.py. It imports the sandbox lazily, inside the fixture, so the
rest of the suite still loads when the sandbox package is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# Longer than any slow or timeout fault a test switches on.
IDLE_TIMEOUT = 30.0


@dataclass
class SandboxHandle:
    """What a test needs: the API root URL, the partner's key, and the sandbox services."""

    url: str
    token: str
    partner: Any
    control_token: str

    def _services(self) -> Any:
        from partner.sandbox import services

        return services

    def create_posting(self, **kwargs: Any) -> Any:
        kwargs.setdefault("partner", self.partner)
        kwargs.setdefault("name", "Senior Backend Engineer")
        return self._services().create_posting(**kwargs)

    def remove_posting(self, posting: Any) -> Any:
        return self._services().remove_posting(posting=posting)

    def repost_posting(self, posting: Any, **changes: Any) -> Any:
        return self._services().repost_posting(posting=posting, **changes)

    def advance_clock(self, days: float) -> Any:
        return self._services().advance_clock(days=days)

    def set_switches(self, **switches: Any) -> dict[str, Any]:
        return self._services().set_switches(**switches)

    def get_switches(self) -> dict[str, Any]:
        return self._services().get_switches()

    def journal(self, **filters: Any) -> list[Any]:
        from partner.sandbox.selectors import journal_entries

        return journal_entries(**filters)

    def set_candidate_status(self, candidate: Any, status: str) -> Any:
        return self._services().set_candidate_status(candidate=candidate, status=status)

    def candidates(self) -> list[Any]:
        from partner.sandbox.models import SandboxCandidate

        return list(SandboxCandidate.objects.order_by("id"))

    def seed(self, *, postings: int, companies: int | None = None, seed: int = 0) -> Any:
        from partner.sandbox.seeding import seed_sandbox

        return seed_sandbox(postings=postings, companies=companies, seed=seed, partner=self.partner)

    def reset(self) -> None:
        self._services().reset_sandbox()
        self.partner = self._services().ensure_partner(token=self.token)


@pytest.fixture
def sandbox(live_server: Any, settings: Any, transactional_db: None) -> Iterator[SandboxHandle]:
    """A clean sandbox on ``live_server``, with settings pointing the partner code at it.

    Afterwards it waits for the requests the sandbox is still serving (an answer the client
    gave up on is finished seconds later), so none writes into the next test's database.
    """
    from partner.sandbox import in_flight, services

    services.reset_sandbox()
    partner = services.ensure_partner(token=settings.SANDBOX_DEMO_PARTNER_TOKEN)
    url = f"{live_server.url}/sandbox"
    settings.SMARTRECRUITERS_API_URL = url
    settings.SMARTRECRUITERS_PARTNER_TOKEN = partner.token
    settings.SMARTRECRUITERS_APPLICATION_TOKEN = partner.token
    settings.SITE_URL = live_server.url
    settings.SMARTRECRUITERS_BACKOFF_BASE = 0.01
    settings.SMARTRECRUITERS_BACKOFF_CAP = 0.05
    yield SandboxHandle(
        url=url,
        token=partner.token,
        partner=partner,
        control_token=settings.SANDBOX_CONTROL_TOKEN,
    )
    if not in_flight.wait_idle(timeout=IDLE_TIMEOUT):
        pytest.fail(f"the sandbox was still serving {in_flight.count()} requests after the test")
