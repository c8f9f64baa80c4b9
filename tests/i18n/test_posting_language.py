"""A posting keeps its own language on the board, whatever language the page is in."""

from __future__ import annotations

import pytest

from jobboard.board.services import language_tag
from partner.smartrecruiters import feed
from tests.board.factories import make_listing
from tests.smartrecruiters.test_feed import EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"code": "de", "label": "German", "labelNative": "Deutsch"}, "de"),  # SR's shape
        ("fr-CA", "fr-CA"),
        ({}, ""),
        (None, ""),
        (42, ""),
    ],
)
def test_the_feed_reads_a_postings_language_when_smartrecruiters_sends_one(value, code):
    posting = feed.parse_posting({**EXAMPLE, "language": value})
    assert posting is not None
    assert posting.language == code


def test_a_posting_without_a_language_parses_as_before():
    posting = feed.parse_posting(EXAMPLE)
    assert posting is not None
    assert posting.language == ""


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("de", "de"),
        ("pt_BR", "pt-BR"),
        (" zh-Hant-TW ", "zh-Hant-TW"),
        ('de" onload="x', ""),
        ("", ""),
    ],
)
def test_only_well_formed_language_tags_reach_the_page(raw, kept):
    assert language_tag(raw) == kept


def test_the_ad_is_marked_with_its_own_language_on_a_page_in_another(client):
    listing = make_listing(title="Ingénieur logiciel", content_language="fr")
    html = client.get(f"/de/jobs/{listing.pk}-{listing.slug}/").content.decode()
    assert '<html lang="de">' in html
    assert '<h1 id="job-title" lang="fr">Ingénieur logiciel</h1>' in html
    assert '<div class="job-body" lang="fr">' in html
