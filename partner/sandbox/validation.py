"""The checks of POST /postings/{uuid}/candidates, in the contract's order.

application-api.md §6: checks 3-7 stop at the first failure (``Rejected``); checks 8-10 are
collected into at most two errors, "required" first. Check 1 (key) and 2 (posting) belong
to the view, check 11 (duplicates) to the service.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from partner.sandbox.configuration import CHOICE_TYPES, Configuration, child_question_ids

MAX_ATTACHMENT_BYTES = 2_097_152
MAX_TEXT_BYTES = 4000
# SR's published ApplyApiRequest: firstName, lastName, email, phoneNumber maxLength 128.
MAX_IDENTITY_CHARS = 128
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")

REQUIRED_MESSAGE = "The following screening questions are required: {}."
INCORRECT_MESSAGE = "Values for the following screening questions' answers are incorrect: {}."
Answer = dict[str, Any]  # {"id": questionId, "records": [{"fields": {fieldId: [values]}}]}


class ApplyErrorCode(StrEnum):
    """The Application API's error codes for a refused application (contract §6)."""

    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_INPUT = "INVALID_INPUT"
    FILE_UPLOAD_ERROR = "FILE_UPLOAD_ERROR"
    DATA_VALIDATION_ERROR = "DATA_VALIDATION_ERROR"
    # Switch ``traffic_locked``: SR has blocked the partner's traffic (a 403).
    TRAFFIC_LOCKED = "TRAFFIC_LOCKED"


class Rejected(Exception):
    def __init__(self, code: ApplyErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class CheckedFile:
    kind: str
    file_name: str
    mime_type: str
    detected_type: str
    content: bytes


@dataclass
class Checked:
    """A request that passed checks 3-7, with its files decoded."""

    body: dict[str, Any]
    files: list[CheckedFile] = field(default_factory=list)
    errors: list[tuple[ApplyErrorCode, str]] = field(default_factory=list)


def decode_base64(value: object) -> bytes | None:
    """RFC 4648 base64 (strict alphabet); None when ``value`` is not valid base64."""
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None


def detect_type(content: bytes) -> str | None:
    """One of the six accepted types, judged by content only (the declared type is ignored)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if content.startswith(b"{\\rtf"):
        return "rtf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"\x89PNG"):
        return "png"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if any(name.startswith("word/") for name in archive.namelist()):
                    return "docx"
        except (zipfile.BadZipFile, ValueError):
            return None
    return None


def _check_file(kind: str, value: Any) -> CheckedFile:
    label = {"resume": "resume", "avatar": "avatar"}.get(kind, "attachment")
    if not isinstance(value, dict):
        raise Rejected(ApplyErrorCode.FILE_UPLOAD_ERROR, f"The {label} must be an object")
    name, mime = value.get("fileName"), value.get("mimeType")
    if not isinstance(name, str) or not name or not isinstance(mime, str) or not mime:
        raise Rejected(ApplyErrorCode.FILE_UPLOAD_ERROR, f"The {label} needs fileName and mimeType")
    content = decode_base64(value.get("fileContent"))
    if content is None:
        raise Rejected(
            ApplyErrorCode.FILE_UPLOAD_ERROR, f"The {label} {name!r} is not valid base64"
        )
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise Rejected(
            ApplyErrorCode.FILE_UPLOAD_ERROR, f"The {label} {name!r} is larger than 2 MB"
        )
    detected = detect_type(content)
    if detected is None:
        raise Rejected(
            ApplyErrorCode.FILE_UPLOAD_ERROR,
            f"The {label} {name!r} is not a PDF, DOC, DOCX, RTF, JPG or PNG file",
        )
    return CheckedFile(kind, name, mime, detected, content)


def _too_long(name: str, value: str) -> Rejected:
    return Rejected(
        ApplyErrorCode.INVALID_INPUT,
        f"{name} must be at most {MAX_IDENTITY_CHARS} characters (got {len(value)})",
    )


def _present(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_identity(body: dict[str, Any]) -> None:
    """Check 4: names, email, phone, and the two objects SR's spec gives required keys."""
    for name in ("firstName", "lastName"):
        if not _present(body.get(name)):
            raise Rejected(ApplyErrorCode.INVALID_INPUT, f"{name} is required")
        if len(body[name]) > MAX_IDENTITY_CHARS:
            raise _too_long(name, body[name])
    email = body.get("email")
    if not isinstance(email, str) or not _EMAIL.match(email.strip()):
        raise Rejected(ApplyErrorCode.INVALID_INPUT, "email is missing or not a valid address")
    if len(email) > MAX_IDENTITY_CHARS:
        raise _too_long("email", email)
    phone = body.get("phoneNumber")
    if phone is not None:
        if not isinstance(phone, str):
            raise Rejected(ApplyErrorCode.INVALID_INPUT, "phoneNumber must be a string")
        if len(phone) > MAX_IDENTITY_CHARS:
            raise _too_long("phoneNumber", phone)
    location = body.get("location")
    if location is not None:
        # SR's Location schema: city and countryCode are required, countryCode is exactly
        # two letters (ISO 3166-1 alpha-2).
        if not isinstance(location, dict) or not _present(location.get("city")):
            raise Rejected(ApplyErrorCode.INVALID_INPUT, "location needs a city")
        code = location.get("countryCode")
        if not isinstance(code, str) or not _COUNTRY_CODE.match(code):
            raise Rejected(
                ApplyErrorCode.INVALID_INPUT, "location needs a 2-letter countryCode (ISO 3166-1)"
            )
    source = body.get("sourceDetails")
    if source is not None:
        # SR's SourceDetails schema: sourceTypeId and sourceId are required.
        if not isinstance(source, dict):
            raise Rejected(ApplyErrorCode.INVALID_INPUT, "sourceDetails must be an object")
        missing = [key for key in ("sourceTypeId", "sourceId") if not _present(source.get(key))]
        if missing:
            raise Rejected(
                ApplyErrorCode.INVALID_INPUT, f"sourceDetails needs {' and '.join(missing)}"
            )


def check_request(
    body: Any, *, config: Configuration, strict: bool, single_consent_ok: bool
) -> Checked:
    """Checks 3-10. Raises ``Rejected`` for 3-7; returns 8-10's errors in ``errors``."""
    # 3: a JSON object
    if not isinstance(body, dict):
        raise Rejected(ApplyErrorCode.INVALID_REQUEST, "The request body must be a JSON object")
    body = dict(body)
    # 4: identity, location, sourceDetails
    _check_identity(body)
    # 5: attachments
    files: list[CheckedFile] = []
    for kind in ("resume", "avatar"):
        if body.get(kind) is not None:
            files.append(_check_file(kind, body[kind]))
    attachments = body.get("attachments")
    if attachments is not None:
        if not isinstance(attachments, list):
            raise Rejected(ApplyErrorCode.FILE_UPLOAD_ERROR, "attachments must be a list")
        files.extend(_check_file("attachment", item) for item in attachments)
    # 6: avatar only when the form offers it
    if body.get("avatar") is not None and not config["settings"].get("avatarUploadAvailable"):
        if strict:
            raise Rejected(ApplyErrorCode.INVALID_INPUT, "This posting does not accept an avatar")
        body.pop("avatar")
        files = [f for f in files if f.kind != "avatar"]
    # 7: required consents
    decisions = body.get("consentDecisions") or {}
    if not isinstance(decisions, dict):
        raise Rejected(ApplyErrorCode.INVALID_INPUT, "consentDecisions must be an object")
    scopes = (config.get("consentDetails") or {}).get("scopes", [])
    missing = [
        s["scope"] for s in scopes if s.get("required") and decisions.get(s["scope"]) is not True
    ]
    # A client that was served no consentDetails sends {"SINGLE": true} (contract §7).
    if missing and not (single_consent_ok and decisions.get("SINGLE") is True):
        raise Rejected(
            ApplyErrorCode.INVALID_INPUT, f"Required consent not given: {', '.join(missing)}"
        )
    answers = body.get("answers", [])
    if answers is None:
        answers = []
    if not isinstance(answers, list):
        raise Rejected(ApplyErrorCode.INVALID_REQUEST, "answers must be a list")
    kept, errors = _check_answers(answers, config=config, strict=strict)
    body["answers"] = kept
    return Checked(body=body, files=files, errors=errors)


def _is_empty(values: Any) -> bool:
    return not isinstance(values, list) or not any(isinstance(v, str) and v.strip() for v in values)


def _visible(config: Configuration, answers_by_id: dict[str, Answer]) -> set[str]:
    questions = {q["id"] for q in config["questions"]}
    children = child_question_ids(config)
    visible = questions - children
    for rule in config["settings"].get("conditionals", []):
        answer = answers_by_id.get(rule["parentQuestionId"])
        given: set[str] = set()
        for record in (answer or {}).get("records") or []:
            if isinstance(record, dict) and isinstance(record.get("fields"), dict):
                values = record["fields"].get(rule["fieldId"])
                if isinstance(values, list):
                    given.update(v for v in values if isinstance(v, str))
        if given & set(rule["valueIds"]):
            visible.update(rule["conditionalQuestions"])
    return visible


def _records_incorrect(question: dict[str, Any], answer: Answer) -> bool:
    records = answer.get("records")
    if not isinstance(records, list) or not records:
        return True
    if not question.get("repeatable") and len(records) != 1:
        return True
    fields = {f["id"]: f for f in question["fields"]}
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            return True
        for field_id, values in record["fields"].items():
            spec = fields.get(field_id)
            if spec is None or spec.get("type") == "INFORMATION":
                return True
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return True
            if not values:
                continue  # empty = unanswered; check 8 judges it
            if _values_incorrect(spec, values):
                return True
    return False


def _values_incorrect(spec: dict[str, Any], values: list[str]) -> bool:
    kind = spec.get("type")
    options = {v["id"] for v in spec.get("values") or []}
    if kind in CHOICE_TYPES:
        if kind == "CHECKBOX" and not options:
            # A CHECKBOX without values answers ["true"] (contract §3).
            return values not in (["true"], ["false"])
        if kind in ("SINGLE_SELECT", "RADIO") and len(values) != 1:
            return True
        return not set(values) <= options
    # Text (and any unknown type): one value of at most 4000 UTF-8 bytes.
    return len(values) != 1 or len(values[0].encode("utf-8")) > MAX_TEXT_BYTES


def _check_answers(
    answers: list[Any], *, config: Configuration, strict: bool
) -> tuple[list[Answer], list[tuple[ApplyErrorCode, str]]]:
    by_id: dict[str, Answer] = {}
    incorrect: list[str] = []
    for answer in answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            raise Rejected(ApplyErrorCode.INVALID_REQUEST, "Each answer needs an id and records")
        if answer["id"] in by_id:
            incorrect.append(answer["id"])
        by_id[answer["id"]] = answer
    questions = {q["id"]: q for q in config["questions"]}
    visible = _visible(config, by_id)

    kept: list[Answer] = []
    for question_id, answer in by_id.items():
        # 10: an unknown question or a hidden child
        if question_id not in questions or question_id not in visible:
            if strict:
                incorrect.append(question_id)
            continue
        # 9: shape, record count, field and option ids, text size
        if _records_incorrect(questions[question_id], answer):
            incorrect.append(question_id)
        kept.append(answer)

    # 8: every required field of every visible question, in every record
    required: list[str] = []
    for question in config["questions"]:
        if question["id"] not in visible:
            continue
        required_fields = [
            f["id"]
            for f in question["fields"]
            if f.get("required") and f.get("type") != "INFORMATION"
        ]
        if not required_fields:
            continue
        records = (by_id.get(question["id"]) or {}).get("records")
        if not isinstance(records, list) or not records:
            required.append(question["id"])
            continue
        for record in records:
            fields = record.get("fields") if isinstance(record, dict) else None
            if not isinstance(fields, dict) or any(
                _is_empty(fields.get(fid)) for fid in required_fields
            ):
                required.append(question["id"])
                break

    errors: list[tuple[ApplyErrorCode, str]] = []
    if required:
        errors.append(
            (ApplyErrorCode.DATA_VALIDATION_ERROR, REQUIRED_MESSAGE.format(", ".join(required)))
        )
    if incorrect:
        unique = list(dict.fromkeys(incorrect))
        errors.append(
            (ApplyErrorCode.DATA_VALIDATION_ERROR, INCORRECT_MESSAGE.format(", ".join(unique)))
        )
    return kept, errors
