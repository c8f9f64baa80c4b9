"""Settings come from the environment; bad values stop the process and name the variable."""

from __future__ import annotations

import pytest

from tests.foundation.conftest import PRODUCTION_ENV, RunDjango

LOAD_SETTINGS = "import django; django.setup(); from django.conf import settings; print('OK')"


def test_development_defaults_start_without_any_variable(run_django: RunDjango) -> None:
    result = run_django(code=LOAD_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "not-a-url"),
        ("DATABASE_URL", "mysql-ish://nowhere"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/"),
        ("CELERY_BROKER_URL", "carrier-pigeon://loft"),
        ("SITE_URL", "jobs.example.org"),
        ("DJANGO_ENV", "staging"),
        ("SYNC_FEED_INTERVAL", "five minutes"),
        ("SMARTRECRUITERS_READ_TIMEOUT", "-1"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_fails_at_start_naming_the_variable(
    run_django: RunDjango, variable: str, value: str
) -> None:
    result = run_django(code=LOAD_SETTINGS, env={variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_a_database_password_is_not_echoed_in_the_error(run_django: RunDjango) -> None:
    result = run_django(code=LOAD_SETTINGS, env={"DATABASE_URL": "oracle://u:hunter2@db/x"})
    assert result.returncode != 0
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_its_secrets_and_hosts(
    run_django: RunDjango, missing: str
) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_django(code=LOAD_SETTINGS, env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_rejects_a_wildcard_host_and_debug(run_django: RunDjango) -> None:
    wildcard = run_django(code=LOAD_SETTINGS, env={**PRODUCTION_ENV, "ALLOWED_HOSTS": "*"})
    debug = run_django(code=LOAD_SETTINGS, env={**PRODUCTION_ENV, "DEBUG": "true"})
    assert wildcard.returncode != 0
    assert "ALLOWED_HOSTS" in wildcard.stderr
    assert debug.returncode != 0
    assert "DEBUG" in debug.stderr


def test_production_settings_pass_the_deploy_checklist(run_django: RunDjango) -> None:
    result = run_django("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_trusts_the_configured_proxy_header(run_django: RunDjango) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SANDBOX_ENABLED)"
    )
    result = run_django(
        code=code, env={**PRODUCTION_ENV, "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_SSL,on"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "('HTTP_X_FORWARDED_SSL',",
        "'on')",
        "True",
        "True",
        "31536000",
        "False",
    ]


def test_postgres_url_gets_persistent_connections_with_health_checks(run_django: RunDjango) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['CONN_MAX_AGE'], "
        "d['CONN_HEALTH_CHECKS'])"
    )
    result = run_django(code=code, env={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/jobs"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "jobs", "60", "True"]


def test_the_sandbox_is_the_smartrecruiters_host_when_enabled(run_django: RunDjango) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SMARTRECRUITERS_API_URL)"
    )
    enabled = run_django(code=code, env={"SITE_URL": "http://127.0.0.1:8000/"})
    disabled = run_django(code=code, env={"SANDBOX_ENABLED": "false"})
    assert enabled.stdout.strip() == "http://127.0.0.1:8000/sandbox"
    assert disabled.stdout.strip() == "https://api.smartrecruiters.com"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SANDBOX_ENABLED", "true"),
        ("SITE_URL", ""),
        ("SITE_URL", "http://jobs.example.org"),
        ("SMARTRECRUITERS_API_URL", "http://api.smartrecruiters.com"),
        ("SMARTRECRUITERS_PARTNER_TOKEN", ""),
    ],
)
def test_production_refuses_an_unsafe_configuration_naming_the_variable(
    run_django: RunDjango, variable: str, value: str
) -> None:
    result = run_django(code=LOAD_SETTINGS, env={**PRODUCTION_ENV, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "not-a-key",
        "r3YvHAqTH-3QezC4ZTfv8VOInIDcaMeoz5EkoKq5hm",
        "r3YvHAqTH-3QezC4ZTfv8VOInIDcaMeoz5EkoKq5hmo=,oops",
    ],
)
@pytest.mark.parametrize("mode", [{}, PRODUCTION_ENV])
def test_a_malformed_encryption_key_stops_start_up_in_every_mode(
    run_django: RunDjango, value: str, mode: dict[str, str]
) -> None:
    result = run_django(code=LOAD_SETTINGS, env={**mode, "FIELD_ENCRYPTION_KEY": value})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr
    assert "not a Fernet key" in result.stderr
