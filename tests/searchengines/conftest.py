from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.searchengines.stubs import Reply, StubServer

INDEXNOW_KEY = "3f9c2b1a-job-board-key"
SERVICE_EMAIL = "indexer@jobboard-test.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def google_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def engines() -> Iterator[StubServer]:
    """Google's token and Indexing endpoints and IndexNow, on one local server."""
    stub = StubServer().start()
    stub.defaults["/token"] = Reply(body={"access_token": "ya29.test-token", "expires_in": 3599})
    stub.defaults["/indexnow"] = Reply(status=202, body={})
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture
def service_account_file(tmp_path: Path, google_key, engines: StubServer) -> Path:
    pem = google_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": SERVICE_EMAIL,
                "private_key": pem,
                "token_uri": f"{engines.url}/token",
            }
        )
    )
    return path


@pytest.fixture
def configured(settings, engines: StubServer, service_account_file: Path) -> StubServer:
    """Both engines on, talking to the stub; short timeouts so timeout tests are quick."""
    settings.SITE_URL = "https://jobs.example.org"
    settings.GOOGLE_INDEXING_CREDENTIALS_FILE = str(service_account_file)
    settings.GOOGLE_INDEXING_TOKEN_URL = ""
    settings.GOOGLE_INDEXING_ENDPOINT = f"{engines.url}/publish"
    settings.INDEXNOW_KEY = INDEXNOW_KEY
    settings.INDEXNOW_ENDPOINT = f"{engines.url}/indexnow"
    settings.SEARCH_NOTIFY_TIMEOUT = 0.5
    settings.SEARCH_NOTIFY_MAX_ATTEMPTS = 3
    return engines


@pytest.fixture
def unconfigured(settings) -> None:
    settings.SITE_URL = "https://jobs.example.org"
    settings.GOOGLE_INDEXING_CREDENTIALS_FILE = ""
    settings.INDEXNOW_KEY = ""
