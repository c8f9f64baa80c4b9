"""IndexNow's key file at /<key>.txt: there when configured, nowhere else."""

from __future__ import annotations

import pytest

from tests.searchengines.conftest import INDEXNOW_KEY

pytestmark = pytest.mark.django_db


def test_the_key_file_answers_the_key(client, settings) -> None:
    settings.INDEXNOW_KEY = INDEXNOW_KEY
    response = client.get(f"/{INDEXNOW_KEY}.txt")
    assert response.status_code == 200
    assert response.content.decode() == INDEXNOW_KEY
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_another_key_or_no_key_is_not_found(client, settings) -> None:
    settings.INDEXNOW_KEY = INDEXNOW_KEY
    assert client.get("/some-other-key-1234.txt").status_code == 404
    settings.INDEXNOW_KEY = ""
    assert client.get(f"/{INDEXNOW_KEY}.txt").status_code == 404


def test_the_board_files_still_win(client, settings) -> None:
    settings.INDEXNOW_KEY = INDEXNOW_KEY
    assert client.get("/robots.txt").content.startswith(b"User-agent: *")
