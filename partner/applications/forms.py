"""The apply form's standard fields: identity, contact, links, message, files, consents.

The screening questions are a form of their own (``screening.py``).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import URLValidator

from partner.applications import files as file_checks
from partner.applications.validation import MAX_TEXT_BYTES
from partner.smartrecruiters.applications import ApplyConfiguration, ConsentScope

# A hint for the file picker only; the server checks content (files.py).
ACCEPT_DOCUMENTS = ".pdf,.doc,.docx,.rtf,.jpg,.jpeg,.png"
HONEYPOT_FIELD = "fax_number"
SR_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_DOCUMENTS}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _text(autocomplete: str, *, max_length: int) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, "maxlength": max_length})


def _http_url_validator(value: str) -> None:
    URLValidator(schemes=["http", "https"])(value)


def _link(label: str, **kwargs: Any) -> forms.URLField:
    # http(s) only: another scheme (javascript:) would run when a recruiter clicks it.
    return forms.URLField(
        label=label,
        required=False,
        max_length=500,
        validators=[_http_url_validator],
        assume_scheme="https",
        **kwargs,
    )


class CandidateForm(forms.Form):
    """Identity, contact, links, message and files; consents added per configuration."""

    # autocomplete tokens let browsers fill in known data (WCAG 1.3.5).
    first_name = forms.CharField(
        label="First name", max_length=100, widget=_text("given-name", max_length=100)
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, widget=_text("family-name", max_length=100)
    )
    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone_number = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    city = forms.CharField(
        label="City", max_length=120, required=False, widget=_text("address-level2", max_length=120)
    )
    country = forms.CharField(
        label="Country",
        max_length=120,
        required=False,
        widget=_text("country-name", max_length=120),
    )
    linkedin = _link("LinkedIn profile", widget=forms.URLInput(attrs={"autocomplete": "url"}))
    website = _link("Website or portfolio")
    message = forms.CharField(
        label="Message to the hiring manager",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    resume = forms.FileField(
        label="Resume or CV",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_DOCUMENTS}),
        required=False,
        help_text="PDF, DOC, DOCX, RTF, JPG or PNG, at most 2 MB.",
    )
    attachments = MultipleFileField(
        label="Other attachments",
        required=False,
        help_text="Optional. The same types, at most 2 MB each; you can choose several.",
    )
    # Ours, not SmartRecruiters': mail the candidate when SR's status changes.
    notify_status_changes = forms.BooleanField(
        label="Email me when the employer updates the status of my application.",
        required=False,
        help_text="You can turn these emails off on your application's status page.",
    )
    # Not for people: hidden with CSS and from assistive technology; bots fill it in.
    fax_number = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args: Any, config: ApplyConfiguration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config
        self.checked_files: dict[str, list[file_checks.CheckedFile]] = {}
        if config.avatar_upload_available:
            self.fields["avatar"] = forms.FileField(
                label="Photo",
                required=False,
                help_text="Optional. JPG or PNG, at most 2 MB.",
                widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
            )
        for scope in self.consent_scopes:
            self.fields[self.consent_field_name(scope)] = forms.BooleanField(
                label=scope.label, required=scope.required
            )
            self.fields[self.consent_field_name(scope)].error_messages["required"] = (
                "You need to agree to this to apply."
            )
        self.order_fields(
            [name for name in self.fields if name not in {HONEYPOT_FIELD}] + [HONEYPOT_FIELD]
        )

    @property
    def consent_scopes(self) -> tuple[ConsentScope, ...]:
        if self.config.consent_scopes is None:
            # No consentDetails: one checkbox, sent as {"SINGLE": true} (contract §7).
            return (
                ConsentScope(
                    scope="SINGLE",
                    required=True,
                    label="I agree to the processing of my personal data for this application.",
                ),
            )
        return self.config.consent_scopes

    @staticmethod
    def consent_field_name(scope: ConsentScope) -> str:
        return f"consent_{re.sub(r'[^A-Za-z0-9_]', '_', scope.scope)}"

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[self.consent_field_name(s)] for s in self.consent_scopes]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        # Django accepts a few addresses SmartRecruiters refuses (e.g. user@localhost);
        # SR's check 4 wants a dot in the domain and no spaces.
        if not SR_EMAIL.match(email):
            raise forms.ValidationError("Enter an email address like name@example.com.")
        return email

    def clean_message(self) -> str:
        message: str = self.cleaned_data.get("message", "").replace("\r\n", "\n").strip()
        if len(message.encode("utf-8")) > MAX_TEXT_BYTES:
            raise forms.ValidationError(f"Please shorten your message to {MAX_TEXT_BYTES} bytes.")
        return message

    def _check(self, name: str, allowed: tuple[tuple[str, str], ...]) -> None:
        value = self.cleaned_data.get(name)
        uploads = value if isinstance(value, list) else ([value] if value else [])
        checked = []
        for upload in uploads:
            try:
                checked.append(file_checks.check_upload(upload, allowed=allowed))
            except file_checks.FileRejected as exc:
                self.add_error(name, f"{upload.name}: {exc}")
        self.checked_files[name] = checked

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self._check("resume", file_checks.DOCUMENT_TYPES)
        self._check("attachments", file_checks.DOCUMENT_TYPES)
        if "avatar" in self.fields:
            self._check("avatar", file_checks.IMAGE_TYPES)
        if len(self.checked_files.get("attachments", [])) > 10:
            self.add_error("attachments", "Please attach at most 10 files.")
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def payload_fields(self) -> dict[str, Any]:
        """The candidate part of the ApplyRequest (answers and files added by the service)."""
        data = self.cleaned_data
        payload: dict[str, Any] = {
            "firstName": data["first_name"].strip(),
            "lastName": data["last_name"].strip(),
            "email": data["email"].strip(),
        }
        if data.get("phone_number", "").strip():
            payload["phoneNumber"] = data["phone_number"].strip()
        location = {
            key: data[name].strip()
            for key, name in (("city", "city"), ("country", "country"))
            if data.get(name, "").strip()
        }
        if location:
            payload["location"] = location
        web = {
            key: data[name]
            for key, name in (("linkedIn", "linkedin"), ("website", "website"))
            if data.get(name)
        }
        if web:
            payload["web"] = web
        if data.get("message"):
            payload["messageToHiringManager"] = data["message"]
        payload["consentDecisions"] = {
            scope.scope: bool(data.get(self.consent_field_name(scope)))
            for scope in self.consent_scopes
        }
        return payload
