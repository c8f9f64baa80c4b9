"""Forms of the sandbox console: each one parses a page's POST into one service call."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from partner.sandbox import fixtures_data, state
from partner.sandbox.models import (
    CandidateStatus,
    PostingStatus,
    SandboxCompany,
    SandboxPosting,
)

_BLANK = [("", "Let the sandbox choose")]
CITY_CHOICES = [(str(i), f"{c[0]}, {c[3]}") for i, c in enumerate(fixtures_data.CITIES)]
PERIOD_CHOICES = [("YEAR", "per year"), ("MONTH", "per month"), ("HOUR", "per hour")]
CONFIGURATION_CHOICES = [(name, name.capitalize()) for name in fixtures_data.CONFIGURATIONS]


def _lov(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return _BLANK + list(items)


def _pick(items: list[tuple[str, str]], key: str) -> dict[str, str]:
    """An SR list-of-values object ``{id, label}``; ``{}`` when nothing was chosen."""
    labels = dict(items)
    return {"id": key, "label": labels[key]} if key else {}


class PostingContentForm(forms.Form):
    """What a customer writes in a job ad; shared by "post a job" and "edit and repost"."""

    # The page's fieldsets: a legend, then rows of fields shown side by side.
    layout: list[tuple[str, list[list[str]]]] = [
        (
            "Job",
            [
                ["name"],
                ["ref_number"],
                ["city", "remote"],
                ["type_of_employment", "experience_level"],
                ["industry", "function"],
            ],
        ),
        (
            "Compensation (optional)",
            [["salary_min", "salary_max", "salary_currency", "salary_period"]],
        ),
        ("Job ad", [["job_description"]]),
    ]

    name = forms.CharField(label="Job title", max_length=300)
    ref_number = forms.CharField(label="Reference number", max_length=60, required=False)
    city = forms.ChoiceField(label="Location", choices=CITY_CHOICES)
    remote = forms.BooleanField(label="Remote possible", required=False)
    type_of_employment = forms.ChoiceField(
        label="Type of employment", choices=_lov(fixtures_data.EMPLOYMENT_TYPES), required=False
    )
    industry = forms.ChoiceField(choices=_lov(fixtures_data.INDUSTRIES), required=False)
    function = forms.ChoiceField(choices=_lov(fixtures_data.FUNCTIONS), required=False)
    experience_level = forms.ChoiceField(
        label="Experience level", choices=_lov(fixtures_data.EXPERIENCE_LEVELS), required=False
    )
    salary_min = forms.IntegerField(label="Salary from", min_value=0, required=False)
    salary_max = forms.IntegerField(label="Salary to", min_value=0, required=False)
    salary_currency = forms.CharField(label="Currency", max_length=3, initial="EUR")
    salary_period = forms.ChoiceField(label="Per", choices=PERIOD_CHOICES, initial="YEAR")
    job_description = forms.CharField(
        label="Job description (HTML)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=(
            "Sent as jobAd.jobDescription. Hostile HTML is welcome: the board must sanitise it."
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("salary_min"), data.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", "The upper bound is below the lower bound.")
        return data

    def posting_fields(self) -> dict[str, Any]:
        """The cleaned form as ``SandboxPosting`` field values (SR's JSON shapes)."""
        data = self.cleaned_data
        city, region, region_code, country, country_code, lat, lng = fixtures_data.CITIES[
            int(data["city"])
        ]
        location: dict[str, Any] = {
            "city": city,
            "region": region,
            "regionCode": region_code,
            "country": country,
            "countryCode": country_code,
            "latitude": lat,
            "longitude": lng,
        }
        if data["remote"]:
            location["remote"] = True  # the contract sends `remote` only when true
        compensation: dict[str, Any] = {}
        if data.get("salary_min") is not None or data.get("salary_max") is not None:
            compensation = {
                key: value
                for key, value in (
                    ("min", data.get("salary_min")),
                    ("max", data.get("salary_max")),
                    ("currency", data["salary_currency"].upper()),
                    ("period", data["salary_period"]),
                )
                if value is not None
            }
        fields: dict[str, Any] = {
            "name": data["name"],
            "ref_number": data["ref_number"],
            "location": location,
            "compensation": compensation,
        }
        for name, items in (
            ("type_of_employment", fixtures_data.EMPLOYMENT_TYPES),
            ("industry", fixtures_data.INDUSTRIES),
            ("function", fixtures_data.FUNCTIONS),
            ("experience_level", fixtures_data.EXPERIENCE_LEVELS),
        ):
            if data.get(name):
                fields[name] = _pick(items, data[name])
        return fields

    def fieldsets(self) -> list[tuple[str, list[list[forms.BoundField]]]]:
        return [(legend, [[self[n] for n in row] for row in rows]) for legend, rows in self.layout]

    @classmethod
    def initial_from(cls, posting: SandboxPosting) -> dict[str, Any]:
        """The form pre-filled with a posting's content (for "edit and repost")."""
        location = posting.location or {}
        city = next(
            (str(i) for i, c in enumerate(fixtures_data.CITIES) if c[0] == location.get("city")),
            "0",
        )
        compensation = posting.compensation or {}
        return {
            "name": posting.name,
            "ref_number": posting.ref_number,
            "city": city,
            "remote": bool(location.get("remote")),
            "type_of_employment": (posting.type_of_employment or {}).get("id", ""),
            "industry": (posting.industry or {}).get("id", ""),
            "function": (posting.function or {}).get("id", ""),
            "experience_level": (posting.experience_level or {}).get("id", ""),
            "salary_min": compensation.get("min"),
            "salary_max": compensation.get("max"),
            "salary_currency": compensation.get("currency") or "EUR",
            "salary_period": compensation.get("period") or "YEAR",
            "job_description": (posting.job_ad or {}).get("jobDescription", ""),
        }


class PostJobForm(PostingContentForm):
    """A SmartRecruiters customer buys our offer and posts a job to our board."""

    field_order = ["company", "company_name"]
    layout = [
        (
            "Customer and offer",
            [
                ["company"],
                ["company_name"],
                ["posting_period"],
                ["with_contract"],
                ["configuration"],
            ],
        ),
        *PostingContentForm.layout,
    ]

    company = forms.ModelChoiceField(
        queryset=SandboxCompany.objects.order_by("name"),
        required=False,
        empty_label="A new company (name below)",
        label="Company",
    )
    company_name = forms.CharField(label="New company name", max_length=200, required=False)
    posting_period = forms.IntegerField(
        label="Posting period (days)",
        min_value=1,
        max_value=3650,
        initial=30,
        help_text="The offer's terms.postingPeriod; the posting expires to toUnpost after it.",
    )
    with_contract = forms.BooleanField(
        label="The customer has its own account on our board (existingContract)",
        required=False,
    )
    configuration = forms.ChoiceField(
        label="Application form", choices=CONFIGURATION_CHOICES, initial="standard"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("company") and not (data.get("company_name") or "").strip():
            self.add_error("company_name", "Choose a company or name a new one.")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``console_services.post_job``."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {
            **self.posting_fields(),
            "job_description": data["job_description"],
            "with_contract": data["with_contract"],
            "posting_period": data["posting_period"],
            "configuration_template": data["configuration"],
        }
        if data.get("company"):
            kwargs["company"] = data["company"]
        else:
            kwargs["company_name"] = data["company_name"].strip()
        return kwargs


class RepostForm(PostingContentForm):
    """Edit and repost: the changed content of the new posting."""

    def service_changes(self, posting: SandboxPosting) -> dict[str, Any]:
        """Only what the customer changed, so the rest is copied from the old posting."""
        fields = self.posting_fields()
        changes = {name: value for name, value in fields.items() if getattr(posting, name) != value}
        description = self.cleaned_data["job_description"]
        job_ad = posting.job_ad or {}
        if description != job_ad.get("jobDescription", ""):
            changes["job_ad"] = {**job_ad, "jobDescription": description}
        return changes


class AdvanceClockForm(forms.Form):
    days = forms.IntegerField(
        label="Days", min_value=1, max_value=3650, initial=1, help_text="Whole days forward."
    )


class SeedForm(forms.Form):
    postings = forms.IntegerField(label="Postings", min_value=1, max_value=5000, initial=20)
    companies = forms.IntegerField(label="Companies", min_value=1, max_value=500, required=False)


class ConfirmForm(forms.Form):
    """A destructive action needs a ticked box, not just a click."""

    confirm = forms.BooleanField(label="Yes, delete everything", required=True)


class CandidateStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CandidateStatus.choices)


# ---------------------------------------------------------------------------
# Filters (GET)
# ---------------------------------------------------------------------------
class PostingFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *PostingStatus.choices], required=False)
    q = forms.CharField(label="Title, reference or id", required=False, max_length=200)


class CandidateFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *CandidateStatus.choices], required=False
    )
    q = forms.CharField(label="Name or email", required=False, max_length=200)


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_STATUS_FILTERS = [
    ("", "Any status"),
    ("2xx", "2xx success"),
    ("4xx", "4xx client error"),
    ("5xx", "5xx server error"),
    ("none", "No answer (dropped)"),
    ("200", "200"),
    ("201", "201"),
    ("400", "400"),
    ("401", "401"),
    ("404", "404"),
    ("429", "429"),
    ("500", "500"),
    ("503", "503"),
]


class JournalFilterForm(forms.Form):
    endpoint = forms.ChoiceField(required=False)
    method = forms.ChoiceField(
        choices=[("", "Any method")] + [(m, m) for m in _METHODS], required=False
    )
    status = forms.CharField(
        # The label carries the hint, so the filter row stays one line of aligned fields.
        label="Status (429, 5xx or none)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"list": "journal-status-options", "size": 6}),
    )
    path = forms.CharField(label="Path contains", required=False, max_length=200)

    status_options = _STATUS_FILTERS

    def __init__(self, *args: Any, endpoints: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apis = sorted({e.split(".")[0] for e in endpoints if "." in e})
        cast(forms.ChoiceField, self.fields["endpoint"]).choices = [
            ("", "Any endpoint"),
            ("Whole APIs", [(api, f"{api}.*") for api in apis]),
            ("Endpoints", [(e, e) for e in endpoints]),
        ]

    def clean_status(self) -> str:
        value = str(self.cleaned_data["status"]).strip().lower()
        is_code = value.isdigit() and len(value) == 3
        if value and value not in {"none", "2xx", "3xx", "4xx", "5xx"} and not is_code:
            raise ValidationError("Use a status code, a class like 5xx, or “none”.")
        return value

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid one is reported on the form and left out."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


# ---------------------------------------------------------------------------
# Fault controls: one field per switch, generated from the sandbox's switch table
# ---------------------------------------------------------------------------
SWITCH_HELP: dict[str, str] = {
    "outage": "Every API call answers 503, before authentication.",
    "rate_limit": "Per token, shared by the feed and the Application API.",
    "rate_limit_rps": "Requests per second per token.",
    "rate_limit_concurrent": "Requests in flight per token.",
    "retry_after": "Send Retry-After on rate-limit 429s.",
    "retry_after_seconds": "The Retry-After value, in seconds.",
    "fault": "What the scoped requests get instead of a normal answer.",
    "fault_scope": "None ticked = every endpoint. feed.* covers every feed endpoint.",
    "fault_count": "Only the next N requests in scope; empty = until switched off.",
    "fault_probability": "Chance per request, 0 to 1; empty = always.",
    "fault_after_commit": "Apply the request (store the PUT/POST), then lose the response.",
    "slow_seconds": "Delay of the slow fault.",
    "timeout_seconds": "How long the timeout fault holds the connection before closing it.",
    "html_5xx": "5xx bodies as an nginx HTML page instead of JSON.",
    "transition_checks": "Off: the feed accepts any status the partner reports.",
    "require_live_url": "On: Active without liveUrl gives 400 invalid_request.",
    "numbers_as_numbers": "FeedPage offset/limit/totalFound as JSON numbers.",
    "content_key": "FeedPage lists postings under content instead of jobs.",
    "video_url_top_level": "videoUrl at the posting's top level instead of in jobAd.",
    "empty_objects": "Object fields randomly {} or missing.",
    "creation_window_days": (
        "Without updatedAfter, the feed lists only postings created in the last N days "
        "(SR's documented window); 0 = no window."
    ),
    "strict_answers": "Off: avatar and hidden/unknown answers are dropped, not rejected.",
    "error_envelope": "Shape of the Application API's 400 bodies.",
    "status_hyphen": "Candidate status IN-REVIEW instead of IN_REVIEW.",
    "apply_success_status": "Status of a successful POST candidates: 200 (SR's spec) or 201.",
    "include_application_id": "Add applicationId to the POST candidates answer (not in SR's spec).",
    "omit_optional_config": "Configuration without consentDetails, companyImprintUrl, aiSettings.",
    "traffic_locked": "Every POST candidates answers 403 TRAFFIC_LOCKED.",
    "unknown_field_type": "One form field has type TEXT.",
    "strict_results": "Assessment results are checked strictly.",
    "token_auth": "How the assessment OAuth token endpoint takes client credentials.",
    "token_ttl": "Lifetime of assessment access tokens, in seconds.",
    "token_type_in_response": "SR's token answers carry token_type (SR's spec makes it optional).",
    "duplicate_orders": "SmartRecruiters sends some assessment orders twice.",
    "requester_header": "Shape of the assessment requester header.",
}

_INTEGER_SWITCHES = {
    "rate_limit_rps",
    "rate_limit_concurrent",
    "retry_after_seconds",
    "token_ttl",
    "creation_window_days",
}


class SwitchesForm(forms.Form):
    """Every switch of ``state.CONTRACT_DEFAULTS``, typed from its default value."""

    def __init__(self, *args: Any, endpoints: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, default in state.CONTRACT_DEFAULTS.items():
            self.fields[name] = self._field_for(name, default, endpoints)
            self.fields[name].help_text = SWITCH_HELP.get(name, "")

    @staticmethod
    def _field_for(name: str, default: Any, endpoints: list[str]) -> forms.Field:
        label = name
        if name == "fault":
            choices = [("", "Off")] + [(f, f) for f in state.FAULTS]
            return forms.ChoiceField(label=label, choices=choices, required=False)
        if name == "fault_scope":
            prefixes = sorted({e.split(".")[0] for e in endpoints if "." in e})
            options = [(p, f"{p}.*") for p in prefixes]
            options += [(e, e) for e in endpoints]
            return forms.MultipleChoiceField(
                label=label,
                choices=options,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        if name == "fault_count":
            return forms.IntegerField(label=label, min_value=1, required=False)
        if name == "fault_probability":
            return forms.FloatField(label=label, min_value=0, max_value=1, required=False)
        if isinstance(default, bool):
            return forms.BooleanField(label=label, required=False)
        if name in state.NUMBER_CHOICES:
            return forms.TypedChoiceField(
                label=label,
                choices=[(n, str(n)) for n in state.NUMBER_CHOICES[name]],
                coerce=int,
            )
        if name in _INTEGER_SWITCHES:
            return forms.IntegerField(label=label, min_value=0)
        if isinstance(default, int | float):
            return forms.FloatField(label=label, min_value=0)
        # The sandbox's own table of allowed values: the select offers what set_switches takes.
        allowed = state.CHOICES.get(name, ())
        if allowed:
            return forms.ChoiceField(label=label, choices=[(c, c) for c in allowed])
        return forms.CharField(label=label, required=False)

    @classmethod
    def initial_from(cls, switches: dict[str, Any]) -> dict[str, Any]:
        initial = dict(switches)
        initial["fault"] = switches.get("fault") or ""
        scope = switches.get("fault_scope")
        initial["fault_scope"] = [] if scope in (None, "all") else list(scope)
        return initial

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fieldsets of the fault page: faults first, that is what the page is for."""
        groups = sorted(
            state.SWITCH_GROUPS.items(), key=lambda group: group[0] != "Fault injection"
        )
        return [(title, [self[name] for name in switches]) for title, switches in groups]

    def changes(self, current: dict[str, Any]) -> dict[str, Any]:
        """The switches whose submitted value differs from the current one.

        Only those are stored, so a switch set by ``settings.SANDBOX_SWITCHES`` keeps
        following the settings until someone actually changes it here.
        """
        submitted = dict(self.cleaned_data)
        submitted["fault"] = submitted.get("fault") or None
        submitted["fault_scope"] = submitted.get("fault_scope") or "all"
        changes = {}
        for name, value in submitted.items():
            old = current.get(name)
            if isinstance(value, float) and value.is_integer() and isinstance(old, int):
                value = int(value)
            if value != old:
                changes[name] = value
        return changes
