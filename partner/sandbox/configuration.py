"""Application form configurations: built from templates or stored as given, then served.

A job stores either a template name (question ids derived from its uuid) or a custom
configuration in the API's own shape. ``full_configuration`` gives the canonical form
(every question, conditionals, consent; labels still ``{"en", "de"}``); ``served_configuration``
is what GET /postings/{uuid}/configuration answers for a language and the switches.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from partner.sandbox import fixtures_data
from partner.sandbox.models import SandboxJob, SandboxPosting

LANGUAGES = ("en", "de")
TEXT_TYPES = {"INPUT_TEXT", "TEXTAREA", "TEXT"}
CHOICE_TYPES = {"SINGLE_SELECT", "RADIO", "MULTI_SELECT", "CHECKBOX"}
# An application form in the API's JSON shape (application-api.md §4).
Configuration = dict[str, Any]


def question_id(job_uuid: uuid.UUID | str, key: str) -> str:
    """SR gives custom questions UUIDs; ours are stable per job and template key."""
    return str(uuid.uuid5(uuid.UUID(str(job_uuid)), key))


def _fill(value: Any, context: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**context) if "{" in value else value
    if isinstance(value, dict) and set(value) <= set(LANGUAGES):
        return {lang: _fill(text, context) for lang, text in value.items()}
    return value


def _from_template(job: SandboxJob, name: str, context: dict[str, str]) -> Configuration:
    template = fixtures_data.CONFIGURATIONS[name]
    ids: dict[str, str] = {}
    questions = []
    for source in template["questions"]:
        question = copy.deepcopy(source)
        key = question.pop("key", None)
        if key is not None:
            # SR lists the id first; keep that order for people reading the JSON.
            question = {"id": question_id(job.uuid, key), **question}
            ids[key] = question["id"]
        ids.setdefault(question["id"], question["id"])
        question["label"] = _fill(question["label"], context)
        for field in question["fields"]:
            field["label"] = _fill(field.get("label", ""), context)
        questions.append(question)
    conditionals = [
        {
            "parentQuestionId": ids[rule["parent"]],
            "fieldId": rule["fieldId"],
            "valueIds": list(rule["valueIds"]),
            "conditionalQuestions": [ids[child] for child in rule["children"]],
        }
        for rule in template["conditionals"]
    ]
    return {
        "questions": questions,
        "settings": {
            "avatarUploadAvailable": template["avatarUploadAvailable"],
            "conditionals": conditionals,
        },
        "consentDetails": {
            "scopes": [
                {**scope, "label": _fill(scope["label"], context)} for scope in template["consent"]
            ]
        },
    }


def full_configuration(job: SandboxJob, *, posting: SandboxPosting | None = None) -> Configuration:
    """The canonical configuration of ``job`` (labels not yet localised)."""
    company = job.company
    posting = posting or job.postings.order_by("-id").first()
    country = (posting.location or {}).get("country", "") if posting else ""
    context = {
        "company": company.name,
        "brand": brand_name(company.name),
        "country": country or "the job's country",
    }
    config: dict[str, Any]
    if job.configuration is not None:
        config = copy.deepcopy(job.configuration)
    else:
        config = _from_template(job, job.configuration_template or "standard", context)
    config.setdefault("questions", [])
    config.setdefault("settings", {}).setdefault("avatarUploadAvailable", False)
    config["settings"].setdefault("conditionals", [])
    config.setdefault(
        "privacyPolicies",
        [
            {
                "url": company.privacy_policy_url or f"{company.website}/privacy",
                "orgName": company.name,
            },
            {"url": fixtures_data.SR_PRIVACY_POLICY, "orgName": "SmartRecruiters"},
        ],
    )
    config.setdefault(
        "consentDetails",
        {
            "scopes": [
                {**scope, "label": _fill(scope["label"], context)}
                for scope in fixtures_data.CONFIGURATIONS["minimal"]["consent"]
            ]
        },
    )
    config.setdefault("companyImprintUrl", company.imprint_url or f"{company.website}/imprint")
    config.setdefault("aiSettings", {"aiDisclosureLabel": fixtures_data.AI_DISCLOSURE})
    return config


_LEGAL_SUFFIXES = {"corp", "inc", "gmbh", "ltd", "ag", "se", "llc", "plc", "sa", "bv"}


def brand_name(name: str) -> str:
    """ "Acme Corp" -> "Acme": how consent statements name a company."""
    words = name.split()
    if len(words) > 1 and words[-1].strip(".").lower() in _LEGAL_SUFFIXES:
        return " ".join(words[:-1])
    return name


def child_question_ids(config: Configuration) -> set[str]:
    return {
        child
        for rule in config["settings"].get("conditionals", [])
        for child in rule.get("conditionalQuestions", [])
    }


def pick_language(accept_language: str) -> str:
    """First supported language of an Accept-Language header; ``en`` otherwise."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return "en"


def _localise(value: Any, language: str) -> Any:
    if isinstance(value, dict):
        if value and set(value) <= set(LANGUAGES):
            return value.get(language) or value.get("en", "")
        return {key: _localise(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [_localise(item, language) for item in value]
    return value


def served_configuration(
    config: Configuration, *, language: str, conditionals: bool, switches: dict[str, Any]
) -> Configuration:
    """The JSON body of GET /postings/{uuid}/configuration (application-api.md §6)."""
    served: dict[str, Any] = _localise(copy.deepcopy(config), language)
    if not conditionals:
        # Without conditionalsIncluded=true SR sends neither the children nor the rules.
        hidden = child_question_ids(config)
        served["questions"] = [q for q in served["questions"] if q["id"] not in hidden]
        served["settings"].pop("conditionals", None)
    if switches["unknown_field_type"]:
        for question in served["questions"]:
            text_fields = [f for f in question["fields"] if f.get("type") == "INPUT_TEXT"]
            if text_fields:
                text_fields[0]["type"] = "TEXT"
                break
    if switches["omit_optional_config"]:
        for key in ("consentDetails", "companyImprintUrl", "aiSettings"):
            served.pop(key, None)
    return served
