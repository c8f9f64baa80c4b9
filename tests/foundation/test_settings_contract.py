"""Settings that follow SmartRecruiters' published API (issue 11), read in a fresh process."""

from __future__ import annotations

from tests.foundation.conftest import RunDjango

DEMO_KEY = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SANDBOX_DEMO_PARTNER_TOKEN == s.SMARTRECRUITERS_PARTNER_TOKEN, "
    "s.SANDBOX_DEMO_PARTNER_TOKEN == s.SANDBOX_DEFAULT_PARTNER_TOKEN)"
)


def test_with_the_sandbox_on_the_demo_partner_takes_the_configured_key(
    run_django: RunDjango,
) -> None:
    configured = run_django(
        code=DEMO_KEY, env={"SANDBOX_ENABLED": "true", "SMARTRECRUITERS_PARTNER_TOKEN": "k" * 64}
    )
    built_in = run_django(code=DEMO_KEY, env={"SANDBOX_ENABLED": "true"})

    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.split() == ["True", "False"]
    assert built_in.stdout.split() == ["True", "True"]


def test_a_configured_key_longer_than_the_sandbox_keeps_is_refused(run_django: RunDjango) -> None:
    result = run_django(
        code=DEMO_KEY, env={"SANDBOX_ENABLED": "true", "SMARTRECRUITERS_PARTNER_TOKEN": "k" * 129}
    )

    assert result.returncode != 0
    assert "SMARTRECRUITERS_PARTNER_TOKEN" in result.stderr
