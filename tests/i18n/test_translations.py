"""Every string shown to job seekers and candidates is translated into each language.

Three checks: the catalogs hold a real translation for every string the code and
templates mark (extracted afresh, so a new untranslated string fails here); the compiled
.mo files say what the .po files say; and each language's pages, rendered, show none of
the English sentences they translate.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.i18n.catalogs import TRANSLATED_LANGUAGES, po_path, read_po

# makemessages's scope, also `make messages`: the board, the apply flow and the mails;
# the admin, the sandbox and the assessment vendor's pages stay English.
MAKEMESSAGES_IGNORE = [
    ".venv", "node_modules", "var", "tests", "test-artifacts",
    "partner/sandbox/*", "templates/sandbox/*", "templates/assessments/*",
    "partner/assessments/*", "templates/admin/*", "templates/operations/*", "templates/api/*",
]  # fmt: skip
SOURCES = ("jobboard", "partner", "templates")


def _gettext_tools_present() -> bool:
    return all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq"))


@pytest.fixture
def fresh_catalogs(tmp_path: Path, settings, monkeypatch) -> Path:
    """The catalogs merged with the strings the sources mark today, in a copy."""
    if not _gettext_tools_present():
        if os.environ.get("CI"):
            pytest.fail("gettext (xgettext, msgmerge) is needed to extract the strings")
        pytest.skip("gettext tools are missing (apt-get install gettext)")
    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(base / "locale", tmp_path / "locale")
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=list(TRANSLATED_LANGUAGES),
        ignore_patterns=MAKEMESSAGES_IGNORE,
        no_location=True,
        verbosity=0,
    )
    return tmp_path / "locale"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_marked_string_has_a_finished_translation(fresh_catalogs: Path, language: str):
    entries = read_po(po_path(language, fresh_catalogs))
    assert len(entries) > 300
    missing = [e.msgid for e in entries if e.fuzzy or not all(e.msgstrs)]
    assert missing == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_every_placeholder_and_tag(language: str):
    for entry in read_po(po_path(language)):
        placeholders = set(re.findall(r"%\(\w+\)[sd]|\{\w+\}", entry.msgid))
        tags = sorted(re.findall(r"</?\w+", entry.msgid))
        for text in entry.msgstrs:
            # A plural's singular may say "one" in words instead of the number.
            assert set(re.findall(r"%\(\w+\)[sd]|\{\w+\}", text)) >= placeholders - {
                "%(count)d", "%(days)d",
            }, (entry.msgid, text)  # fmt: skip
            assert sorted(re.findall(r"</?\w+", text)) == tags, (entry.msgid, text)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_compiled_catalog_matches_the_po_file(language: str):
    """The .mo files are committed (no gettext needed to install); they must be current:
    `make messages` compiles them."""
    mo_path = po_path(language).with_suffix(".mo")
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in read_po(po_path(language)):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for n, text in enumerate(entry.msgstrs):
                assert compiled._catalog[(key, n)] == text  # type: ignore[attr-defined]
        else:
            assert compiled._catalog[key] == entry.msgstrs[0]  # type: ignore[attr-defined]


def english_sentences(language: str) -> list[str]:
    """The English strings of the catalog that a page in ``language`` must not show:
    whole phrases (two words or more) without placeholders or markup, translated to
    something else."""
    return [
        e.msgid
        for e in read_po(po_path(language))
        if not e.msgid_plural
        and " " in e.msgid.strip()
        and not re.search(r"%\(|\{|<", e.msgid)
        and e.msgstrs[0] != e.msgid
    ]


def visible_text(html: str) -> str:
    """What a reader meets: text, and the labels in attributes (aria-label, alt...)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = re.findall(r'(?:aria-label|placeholder|title|alt|content)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(" ".join([text, *attributes]).replace("&#x27;", "'").split())


def assert_no_english(html: str, language: str, page: str, content: str = "") -> None:
    """``content`` is the employer's own text on the page (SmartRecruiters' questions),
    shown as it comes: our English words inside it are not ours to translate."""
    text = visible_text(html)
    shown = [s for s in english_sentences(language) if s in text and s not in content]
    assert shown == [], f"{page} in {language} shows English: {shown}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_each_page_of_the_board_and_the_apply_flow_is_in_the_language(client, language: str):
    from jobboard.board import alerts as board_alerts
    from jobboard.board.search import JobSearch
    from partner.applications.models import Application
    from tests.applications.conftest import example_configuration_json, make_listing
    from tests.applications.test_apply_form import cache_configuration, valid_post

    listing = make_listing()
    config = example_configuration_json()
    cache_configuration(listing, config, language=language)
    with translation.override(language):
        # Subscribed on a page in this language: its description is written in it.
        alert = board_alerts.request_job_alert(
            email="a@example.org", search=JobSearch.from_params({}), client_ip="10.0.0.1"
        )
        job_url = listing.get_absolute_url()
        apply_url = f"{job_url}apply/"
        pages = {
            "list": client.get(f"/{language}/"),
            "job page": client.get(job_url),
            "apply form": client.get(apply_url),
            "apply form with errors": client.post(apply_url, {"submit": "1"}),
            "alerts page": client.get(f"/{language}/alerts/"),
            "alert management": client.get(board_alerts.alert_manage_url(alert.email)),
            "saved jobs": client.get(f"/{language}/saved/?id={listing.pk}"),
        }
        sent = client.post(apply_url, valid_post())
        pages["status page"] = client.get(sent["Location"])
    for page, response in pages.items():
        assert response.status_code in (200, 400), page
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, page
        assert_no_english(html, language, page, content=json.dumps(config, ensure_ascii=False))
    assert Application.objects.get().language == language
