"""The application form of a posting, as SmartRecruiters describes it (GET configuration).

Application API contract (application-api.md) §4: questions with their fields, conditional
questions, privacy policies, consent scopes, the imprint link and the AI disclosure. Parsed
into frozen dataclasses that tolerate what the contract lists as optional or variable
(missing ``settings``/``conditionals``/``consentDetails``/``companyImprintUrl``/
``aiSettings``, unknown field types, extra fields). The form is cached by the applications
app as JSON, so the configuration turns into a dict and back.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from jobboard.safeurl import http_link
from partner.smartrecruiters.errors import MalformedResponseError
from partner.smartrecruiters.parsing import array, flag, obj, text

logger = logging.getLogger(__name__)

FIELD_TYPES = frozenset(
    {"INPUT_TEXT", "TEXTAREA", "SINGLE_SELECT", "MULTI_SELECT", "RADIO", "CHECKBOX", "INFORMATION"}
)
CONSENT_SCOPES = frozenset(
    {"SINGLE", "SMART_RECRUIT", "SMART_CRM", "SMART_MESSAGE_SMS", "SMART_MESSAGE_WHATSAPP"}
)


@dataclass(frozen=True, kw_only=True)
class Option:
    id: str
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class Field:
    id: str
    label: str = ""
    type: str = "INPUT_TEXT"
    required: bool = False
    compliance_type: str = ""
    values: tuple[Option, ...] = ()
    # The type SmartRecruiters sent when it was not one we know (rendered as INPUT_TEXT).
    original_type: str = ""

    @property
    def option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.values)

    @property
    def is_choice(self) -> bool:
        return self.type in {"SINGLE_SELECT", "MULTI_SELECT", "RADIO"} or (
            self.type == "CHECKBOX" and bool(self.values)
        )


@dataclass(frozen=True, kw_only=True)
class Question:
    id: str
    label: str = ""
    repeatable: bool = False
    fields: tuple[Field, ...] = ()

    @property
    def is_diversity(self) -> bool:
        return any(f.compliance_type == "DIVERSITY" for f in self.fields)

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True, kw_only=True)
class Conditional:
    parent_question_id: str
    field_id: str
    value_ids: tuple[str, ...]
    conditional_questions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ConsentScope:
    scope: str
    required: bool = False
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class PrivacyPolicy:
    org_name: str = ""
    url: str  # only http(s) links are kept


@dataclass(frozen=True, kw_only=True)
class ApplyConfiguration:
    questions: tuple[Question, ...] = ()
    avatar_upload_available: bool = False
    conditionals: tuple[Conditional, ...] = ()
    privacy_policies: tuple[PrivacyPolicy, ...] = ()
    # None when SmartRecruiters sent no consentDetails: one checkbox, {"SINGLE": true}.
    consent_scopes: tuple[ConsentScope, ...] | None = None
    company_imprint_url: str = ""
    ai_disclosure_label: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for the database cache; ``from_json`` reads it back."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApplyConfiguration:
        scopes = data.get("consent_scopes")
        return cls(
            questions=tuple(
                Question(
                    id=q["id"],
                    label=q["label"],
                    repeatable=q["repeatable"],
                    fields=tuple(
                        Field(
                            **{k: v for k, v in f.items() if k != "values"},
                            values=tuple(Option(**o) for o in f["values"]),
                        )
                        for f in q["fields"]
                    ),
                )
                for q in data["questions"]
            ),
            avatar_upload_available=data["avatar_upload_available"],
            conditionals=tuple(
                Conditional(
                    parent_question_id=c["parent_question_id"],
                    field_id=c["field_id"],
                    value_ids=tuple(c["value_ids"]),
                    conditional_questions=tuple(c["conditional_questions"]),
                )
                for c in data["conditionals"]
            ),
            privacy_policies=tuple(PrivacyPolicy(**p) for p in data["privacy_policies"]),
            consent_scopes=None if scopes is None else tuple(ConsentScope(**s) for s in scopes),
            company_imprint_url=data["company_imprint_url"],
            ai_disclosure_label=data["ai_disclosure_label"],
        )


def http_url(value: Any) -> str:
    """Links are shown only when they are http(s); anything else (javascript:) is dropped."""
    return http_link(text(value), max_length=None)


def _parse_field(data: dict[str, Any], question_id: str) -> Field:
    raw_type = text(data.get("type")).upper()
    field_type = raw_type if raw_type in FIELD_TYPES else "INPUT_TEXT"
    if raw_type not in FIELD_TYPES:
        logger.warning(
            "unknown field type %r in question %s: rendered as text", raw_type, question_id
        )
    values = array(data.get("values"))
    return Field(
        id=text(data.get("id")),
        label=text(data.get("label")),
        type=field_type,
        required=flag(data.get("required")),
        compliance_type=text(data.get("complianceType")),
        values=tuple(
            Option(id=text(v.get("id")), label=text(v.get("label")))
            for v in values
            if isinstance(v, dict) and v.get("id") is not None
        ),
        original_type="" if raw_type in FIELD_TYPES else raw_type,
    )


def parse_configuration(data: Any) -> ApplyConfiguration:
    """Read an ``ApplyConfiguration`` body; raises MalformedResponseError if unusable."""
    if not isinstance(data, dict) or not isinstance(data.get("questions", []), list):
        raise MalformedResponseError(
            "configuration is not an object with questions", permanent=False
        )
    questions = []
    for q in data.get("questions") or []:
        if not isinstance(q, dict) or not q.get("id"):
            continue
        qid = text(q["id"])
        raw_fields = array(q.get("fields"))
        fields = tuple(
            _parse_field(f, qid) for f in raw_fields if isinstance(f, dict) and f.get("id")
        )
        questions.append(
            Question(
                id=qid,
                label=text(q.get("label")),
                repeatable=flag(q.get("repeatable")),
                fields=fields,
            )
        )
    config_settings = obj(data.get("settings"))
    conditionals = []
    for c in config_settings.get("conditionals") or []:
        if not isinstance(c, dict):
            continue
        conditionals.append(
            Conditional(
                parent_question_id=text(c.get("parentQuestionId")),
                field_id=text(c.get("fieldId")),
                value_ids=tuple(text(v) for v in c.get("valueIds") or []),
                conditional_questions=tuple(text(v) for v in c.get("conditionalQuestions") or []),
            )
        )
    policies = tuple(
        PrivacyPolicy(url=http_url(p.get("url")), org_name=text(p.get("orgName")))
        for p in data.get("privacyPolicies") or []
        if isinstance(p, dict) and http_url(p.get("url"))
    )
    consent = data.get("consentDetails")
    scopes: tuple[ConsentScope, ...] | None = None
    if isinstance(consent, dict) and isinstance(consent.get("scopes"), list):
        scopes = tuple(
            ConsentScope(
                scope=text(s.get("scope")),
                required=flag(s.get("required")),
                label=text(s.get("label")),
            )
            for s in consent["scopes"]
            if isinstance(s, dict) and s.get("scope")
        )
        # An empty scope list gives the candidate nothing to agree to: treat as absent.
        scopes = scopes or None
    ai = obj(data.get("aiSettings"))
    return ApplyConfiguration(
        questions=tuple(questions),
        avatar_upload_available=flag(config_settings.get("avatarUploadAvailable")),
        conditionals=tuple(conditionals),
        privacy_policies=policies,
        consent_scopes=scopes,
        company_imprint_url=http_url(data.get("companyImprintUrl")),
        ai_disclosure_label=text(ai.get("aiDisclosureLabel")),
    )
