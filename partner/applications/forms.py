"""The apply form's standard fields: identity, contact, links, message, files, consents.

The screening questions are a form of their own (``screening.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import URLValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partner.applications import files as file_checks
from partner.applications.validation import MAX_TEXT_BYTES
from partner.smartrecruiters.applications import MAX_IDENTITY_CHARS
from partner.smartrecruiters.apply_configuration import ApplyConfiguration, ConsentScope

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


def _too_long(message: StrOrPromise) -> dict[str, Any]:
    # SR refuses more than 128 characters (its published ApplyApiRequest); the browser
    # stops typing at maxlength, and this message covers whatever gets past it. Lazy: the
    # form is defined once, the message shown in each visitor's language.
    return {"max_length": format_lazy(message, max=MAX_IDENTITY_CHARS)}


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166-1 countries (django-countries), named and sorted in the active language."""
    return [("", gettext("Choose a country"))] + [(c.code, str(c.name)) for c in countries]


# SR takes a location only with both a city and a country code (application-api.md §3).
LOCATION_HINT = _("City and country go together: fill in both, or leave both empty.")


def _http_url_validator(value: str) -> None:
    URLValidator(schemes=["http", "https"])(value)


def _link(label: StrOrPromise, **kwargs: Any) -> forms.URLField:
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
        label=_("First name"),
        max_length=MAX_IDENTITY_CHARS,
        error_messages=_too_long(
            _(
                "Please shorten your first name to at most {max} characters "
                "(the employer's system accepts no more)."
            )
        ),
        widget=_text("given-name", max_length=MAX_IDENTITY_CHARS),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=MAX_IDENTITY_CHARS,
        error_messages=_too_long(
            _(
                "Please shorten your last name to at most {max} characters "
                "(the employer's system accepts no more)."
            )
        ),
        widget=_text("family-name", max_length=MAX_IDENTITY_CHARS),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=MAX_IDENTITY_CHARS,
        error_messages=_too_long(
            _(
                "Please shorten your email address to at most {max} characters "
                "(the employer's system accepts no more)."
            )
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": MAX_IDENTITY_CHARS}),
    )
    phone_number = forms.CharField(
        label=_("Phone"),
        max_length=MAX_IDENTITY_CHARS,
        required=False,
        error_messages=_too_long(
            _(
                "Please shorten your phone number to at most {max} characters "
                "(the employer's system accepts no more)."
            )
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "maxlength": MAX_IDENTITY_CHARS}
        ),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=MAX_IDENTITY_CHARS,
        required=False,
        help_text=LOCATION_HINT,
        error_messages=_too_long(
            _(
                "Please shorten your city to at most {max} characters "
                "(the employer's system accepts no more)."
            )
        ),
        widget=_text("address-level2", max_length=MAX_IDENTITY_CHARS),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        help_text=LOCATION_HINT,
        # The values are ISO 3166-1 alpha-2 codes; the names are set per request, in the
        # visitor's language (__init__).
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    linkedin = _link(_("LinkedIn profile"), widget=forms.URLInput(attrs={"autocomplete": "url"}))
    website = _link(_("Website or portfolio"))
    message = forms.CharField(
        label=_("Message to the hiring manager"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    resume = forms.FileField(
        label=_("Resume or CV"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_DOCUMENTS}),
        required=False,
        help_text=_("PDF, DOC, DOCX, RTF, JPG or PNG, at most 2 MB."),
    )
    attachments = MultipleFileField(
        label=_("Other attachments"),
        required=False,
        help_text=_("Optional. The same types, at most 2 MB each; you can choose several."),
    )
    # Ours, not SmartRecruiters': mail the candidate when SR's status changes.
    notify_status_changes = forms.BooleanField(
        label=_("Email me when the employer updates the status of my application."),
        required=False,
        help_text=_("You can turn these emails off on your application's status page."),
    )
    # Not for people: hidden with CSS and from assistive technology; bots fill it in.
    fax_number = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args: Any, config: ApplyConfiguration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config
        self.checked_files: dict[str, list[file_checks.CheckedFile]] = {}
        country = self.fields["country"]
        if isinstance(country, forms.ChoiceField):
            country.choices = country_choices()
        if config.avatar_upload_available:
            self.fields["avatar"] = forms.FileField(
                label=gettext("Photo"),
                required=False,
                help_text=gettext("Optional. JPG or PNG, at most 2 MB."),
                widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
            )
        for scope in self.consent_scopes:
            self.fields[self.consent_field_name(scope)] = forms.BooleanField(
                label=scope.label, required=scope.required
            )
            self.fields[self.consent_field_name(scope)].error_messages["required"] = gettext(
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
            raise forms.ValidationError(gettext("Enter an email address like name@example.com."))
        return email

    def clean_message(self) -> str:
        message: str = self.cleaned_data.get("message", "").replace("\r\n", "\n").strip()
        if len(message.encode("utf-8")) > MAX_TEXT_BYTES:
            raise forms.ValidationError(
                gettext("Please shorten your message to %(max)d bytes.") % {"max": MAX_TEXT_BYTES}
            )
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

    def _check_location(self) -> None:
        """SR refuses a location without both city and countryCode: ask for the other
        half instead of silently dropping the one the candidate gave."""
        city = self.cleaned_data.get("city", "").strip()
        country = self.cleaned_data.get("country", "")
        if city and not country and "country" not in self.errors:
            self.add_error("country", gettext("Choose your country too, or leave the city empty."))
        elif country and not city and "city" not in self.errors:
            self.add_error("city", gettext("Enter your city too, or leave the country empty."))

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self._check_location()
        self._check("resume", file_checks.DOCUMENT_TYPES)
        self._check("attachments", file_checks.DOCUMENT_TYPES)
        if "avatar" in self.fields:
            self._check("avatar", file_checks.IMAGE_TYPES)
        if len(self.checked_files.get("attachments", [])) > 10:
            self.add_error("attachments", gettext("Please attach at most 10 files."))
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
        city, code = data.get("city", "").strip(), data.get("country", "")
        if city and code:
            # application-api.md §3: city and a 2-letter countryCode (lower-case, as in
            # the contract's example), and the country's name in the visitor's language.
            payload["location"] = {
                "city": city,
                "country": str(countries.name(code)),
                "countryCode": code.lower(),
            }
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
