"""Sanitising job-ad HTML that arrives from outside.

Job ads come from customers through a third party; they are untrusted. They are cleaned
once, on the way in (``publish_listing``), with an allow-list: structure and emphasis
survive, scripts, styles, event handlers, iframes and non-http(s) links do not.
"""

from __future__ import annotations

import re
from html import unescape

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span",
    "h2", "h3", "h4", "h5", "h6",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "code",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(raw: str | None) -> str:
    if not raw:
        return ""
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        # Links in a job ad lead off our site: no referrer leak, no window.opener.
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """The text of sanitised HTML, for search indexes and meta descriptions."""
    text = nh3.clean(html, tags=set(), attributes={})
    # nh3 hands back HTML ("R&amp;D"); callers want the text, and escape it themselves.
    return " ".join(unescape(text).split())


# Where one block of text ends and the next begins, in the allow-list above.
_BLOCK_BOUNDARY = re.compile(
    r"<(?:/?(?:p|div|li|dt|dd|h[2-6]|blockquote|pre|tr|table|ul|ol|dl)|br|hr)\b[^>]*>",
    re.IGNORECASE,
)


def paragraphs(html: str) -> list[str]:
    """The text of sanitised HTML, one string per paragraph, list item or heading.

    For places that show text but need its blocks kept apart (feed descriptions):
    ``plain_text`` runs them together.
    """
    text = nh3.clean(_BLOCK_BOUNDARY.sub("\n\n", html), tags=set(), attributes={})
    blocks = (" ".join(unescape(block).split()) for block in text.split("\n\n"))
    return [block for block in blocks if block]
