"""The country filter names countries in the page's language, whatever the source wrote."""

from __future__ import annotations

import pytest

from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "names"),
    [
        ("", ("Germany", "Spain")),
        ("/de", ("Deutschland", "Spanien")),
        ("/fr", ("Allemagne", "Espagne")),
        ("/es", ("Alemania", "España")),
        ("/pl", ("Niemcy", "Hiszpania")),
    ],
)
def test_the_country_filter_speaks_the_pages_language(client, prefix, names) -> None:
    make_listing(title="Baker", country_code="DE", country="Germany")
    make_listing(title="Cook", country_code="ES", country="Spain")

    html = client.get(f"{prefix}/").content.decode()

    for name in names:
        assert f"{name}</span>" in html or f">{name}<" in html, name


def test_a_code_that_is_not_iso_keeps_the_sources_name(client) -> None:
    make_listing(title="Baker", country_code="XK", country="Kosovo")

    assert "Kosovo" in client.get("/de/").content.decode()
