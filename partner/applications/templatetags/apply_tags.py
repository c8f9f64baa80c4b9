"""``{% apply_input field %}``: one standard field's control, rendered in Python.

Django renders each widget through its own template, which cost more than the rest of
the apply page together; these inputs are simple, so they are built here with
``format_html`` (every value escaped), with the same ARIA attributes Django adds.

Also ``{% diversity_notice %}`` and ``{% eeo_definitions_url %}``: SmartRecruiters' display
duties for diversity questions, each overridable by a setting.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def _attrs(field: BoundField, *, judged: bool) -> list[tuple[str, str]]:
    attrs: list[tuple[str, str]] = [("name", field.html_name), ("id", field.auto_id)]
    if field.field.required:
        attrs.append(("aria-required", "true"))
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if judged and field.errors:
        attrs.append(("aria-invalid", "true"))
        described.append(f"{field.auto_id}_error")
    if described:
        attrs.append(("aria-describedby", " ".join(described)))
    for key, value in field.field.widget.attrs.items():
        if key in {"autocomplete", "inputmode", "rows", "accept", "maxlength"}:
            attrs.append((key, str(value)))
    return attrs


def _join(attrs: list[tuple[str, str]]) -> SafeString:
    return format_html_join("", ' {}="{}"', attrs)


@register.simple_tag
def apply_input(field: BoundField, judged: bool = False) -> SafeString:
    widget = field.field.widget
    attrs = _attrs(field, judged=judged)
    value = field.value()
    if isinstance(widget, forms.Textarea):
        return format_html("<textarea{}>\n{}</textarea>", _join(attrs), value or "")
    if isinstance(widget, forms.CheckboxInput):
        checked = SafeString(" checked") if value else SafeString("")
        return format_html('<input type="checkbox"{}{}>', _join(attrs), checked)
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, SafeString(" selected") if str(key) == chosen else SafeString(""), label)
                for key, label in getattr(field.field, "choices", ())
            ),
        )
        return format_html("<select{}>{}</select>", _join(attrs), options)
    if isinstance(widget, forms.FileInput):
        multiple = (
            SafeString(" multiple")
            if getattr(widget, "allow_multiple_selected", False)
            else SafeString("")
        )
        return format_html('<input type="file"{}{}>', _join(attrs), multiple)
    input_type = getattr(widget, "input_type", "text")
    return format_html(
        '<input type="{}"{} value="{}">', input_type, _join(attrs), "" if value is None else value
    )


@register.inclusion_tag("applications/_diversity_notice.html")
def diversity_notice() -> dict[str, Any]:
    """SR's confidential-diversity notice, or the operator's wording from settings."""
    return {
        "notice_heading": settings.APPLICATION_DIVERSITY_NOTICE_HEADING,
        "notice_text": settings.APPLICATION_DIVERSITY_NOTICE_TEXT,
    }


@register.simple_tag
def eeo_definitions_url() -> str:
    """Where the eeoInformation question links for its category definitions (a setting)."""
    return str(settings.APPLICATION_EEO_DEFINITIONS_URL)
