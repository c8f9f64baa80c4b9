"""Attacks that held, kept held, for job seekers and candidates: IDOR on status pages,
CSRF on every form, an XSS corpus through SmartRecruiters' HTML and form inputs, and
uploads judged by their bytes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jobboard.board.html import sanitize_html
from partner.applications.files import FileRejected, check_upload
from partner.applications.models import Application
from tests.applications.conftest import PDF_BYTES, PNG_BYTES
from tests.applications.test_apply_form import apply_url, valid_post
from tests.board.factories import make_listing as make_board_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(client: Client, listing) -> tuple[Application, str]:
    response = client.post(apply_url(listing), valid_post())
    assert response.status_code == 302
    token = response["Location"].split("/applications/")[1].split("/")[0]
    return Application.objects.get(), token


# --- IDOR: the status page's token is the only key ------------------------------------
STATUS_GUESSES = {
    "a made-up token": "A" * 43,
    "the application's id": "{pk}",
    "the token's stored hash": "{hash}",
    "the token with one character changed": "{changed}",
    "a path traversal": "..%2F..%2Fadmin",
    "an over-long token": "A" * 500,
}


@pytest.mark.parametrize("guess", STATUS_GUESSES.values(), ids=STATUS_GUESSES.keys())
def test_a_status_page_cannot_be_reached_without_its_token(client: Client, applied, guess):
    application, token = applied
    guess = (
        guess.replace("{pk}", str(application.pk)).replace("{hash}", application.status_token_hash)
        .replace("{changed}", ("B" if token[0] != "B" else "C") + token[1:])
    )  # fmt: skip
    assert client.get(f"/applications/{guess}/").status_code == 404
    erase = client.post(f"/applications/{guess}/erase/", {"confirm": "yes"})
    assert erase.status_code == 404
    assert not Application.objects.get().is_erased
    assert client.get(f"/applications/{token}/").status_code == 200


def test_the_status_page_keeps_its_link_out_of_referrers_and_caches(client: Client, applied):
    _, token = applied
    response = client.get(f"/applications/{token}/")
    assert 'name="referrer" content="no-referrer"' in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


# --- CSRF: every form needs the token -------------------------------------------------
def _csrf_targets(listing, applied) -> dict[str, tuple[str, dict]]:
    _, token = applied
    return {
        "apply": (apply_url(listing), valid_post()),
        "job alert sign-up": ("/alerts/", {"email": "a@example.org", "query": "q=x"}),
        "erase my application": (f"/applications/{token}/erase/", {"confirm": "yes"}),
        "link a company (consent)": ("/sr/assessments/integration?companyId=5f1c", {"client": 1}),
        "start an assessment": ("/sr/assessments/take/some-key/js/", {"start": "1"}),
        "admin login": ("/admin/login/", {"username": "a", "password": "b"}),
        "sandbox console reset": ("/sandbox/console/faults/", {"action": "reset"}),
    }


def test_every_form_refuses_a_post_without_the_csrf_token(listing, applied):
    """(The alert unsubscribe link is exempt on purpose: RFC 8058 one-click unsubscribe
    is a POST from the mail client, authorised by the signed token in its URL.)"""
    browser = Client(enforce_csrf_checks=True)
    for name, (url, data) in _csrf_targets(listing, applied).items():
        response = browser.post(url, data)
        assert response.status_code == 403, name
    assert Application.objects.count() == 1
    assert not Application.objects.get().is_erased


# --- XSS: hostile HTML from SmartRecruiters and hostile form input --------------------
XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="https://evil.example"><button>x</button></form>',
    '<object data="x"></object><embed src="x">',
    "</script><script>alert(1)</script>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]


class _Tags(HTMLParser):
    """Every tag a browser would build from a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action", "formaction"} and value.strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"<{tag} {name}={value[:30]}>")
        if tag in {"iframe", "object", "embed", "style", "base", "frame"}:
            self.found.append(f"<{tag}>")
        if (
            tag == "script"
            and not values.get("src")
            and values.get("type")
            not in {
                "application/ld+json",
                "application/json",
            }
        ):
            self.found.append("<script> inline")
        if tag == "meta" and "http-equiv" in values:
            self.found.append("<meta http-equiv>")
        if tag == "form" and "evil.example" in values.get("action", ""):
            self.found.append("<form action=evil>")


def executable_markup(html: str) -> list[str]:
    """The tags and attributes in ``html`` that would run, restyle or redirect something."""
    parser = _Tags()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS)
def test_the_checker_sees_each_payload_when_it_is_not_cleaned(payload):
    assert executable_markup(payload) != []


@pytest.mark.parametrize("payload", XSS)
def test_hostile_html_from_smartrecruiters_is_cleaned_to_nothing_executable(payload):
    assert executable_markup(sanitize_html(f"<p>Job ad</p>{payload}")) == []


@pytest.mark.parametrize("payload", XSS)
def test_a_job_page_built_from_hostile_fields_runs_nothing(client: Client, payload):
    listing = make_board_listing(
        title=f"Developer {payload}", company_name=f"Acme {payload}",
        job_description=f"<p>Job ad</p>{payload}", company_description=payload,
    )  # fmt: skip
    html = client.get(listing.get_absolute_url()).content.decode()
    assert executable_markup(html) == []
    assert "<script>alert" not in html


@pytest.mark.parametrize("payload", XSS)
def test_hostile_form_input_comes_back_escaped(client: Client, listing, payload):
    echoed = client.post(apply_url(listing), valid_post(first_name=payload, email="not-an-email"))
    assert echoed.status_code == 400
    search = client.get("/", {"q": payload})
    alert = client.post("/alerts/", {"email": payload, "query": f"q={payload}"})
    for response in (echoed, search, alert):
        assert executable_markup(response.content.decode()) == []


# --- Uploads: judged by their bytes, named by us --------------------------------------
PE = b"MZ\x90\x00" + b"\x00" * 60
HTML = b"<html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
ZIP = b"PK\x03\x04" + b"\x00" * 30

UPLOAD_ATTACKS = {
    "an executable with a double extension": ("cv.pdf.exe", PE),
    "an executable named .pdf": ("cv.exe.pdf", PE),
    "HTML named .pdf": ("cv.pdf", HTML),
    "SVG with a script named .png": ("me.png", SVG),
    "a ZIP that is not a DOCX": ("cv.docx", ZIP),
    "a GIF/script polyglot": ("cv.pdf", b"GIF89a/*<script>alert(1)</script>*/"),
    "an empty file": ("cv.pdf", b""),
    "a file over 2 MB": ("cv.pdf", PDF_BYTES + b"0" * 2_000_001),
}


@pytest.mark.parametrize(("name", "content"), UPLOAD_ATTACKS.values(), ids=UPLOAD_ATTACKS.keys())
def test_an_upload_is_refused_unless_its_bytes_are_an_accepted_type(name, content):
    with pytest.raises(FileRejected):
        check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))


UPLOAD_NAMES = {
    "a PDF named .html keeps its bytes' extension": ("cv.html", PDF_BYTES, "cv.pdf"),
    "a PDF named .php.pdf gets no .php behaviour": ("cv.php", PDF_BYTES, "cv.pdf"),
    "a path in the name is dropped": ("../../etc/passwd.pdf", PDF_BYTES, "passwd.pdf"),
    "a Windows path is flattened": ("..\\..\\boot.ini", PDF_BYTES, "....boot.pdf"),
    "a NUL byte is dropped": ("cv\x00.exe.pdf", PDF_BYTES, "cv.exe.pdf"),
    "markup in the name is dropped": (
        "<img src=x onerror=a>.png",
        PNG_BYTES,
        "img srcx onerrora.png",
    ),
}


@pytest.mark.parametrize(
    ("name", "content", "stored"), UPLOAD_NAMES.values(), ids=UPLOAD_NAMES.keys()
)
def test_an_accepted_upload_is_named_by_its_content_not_by_the_sender(name, content, stored):
    checked = check_upload(SimpleUploadedFile(name, content, content_type="text/html"))
    assert checked.name == stored
    assert checked.mime_type in {"application/pdf", "image/png"}


def test_a_disguised_upload_through_the_apply_form_stores_nothing(client: Client, listing):
    resume = SimpleUploadedFile("cv.pdf", HTML, content_type="application/pdf")
    response = client.post(apply_url(listing), {**valid_post(), "resume": resume})
    assert response.status_code == 400
    assert "This file type is not accepted" in response.content.decode()
    assert Application.objects.count() == 0
