"""Our validation against the sandbox's, over many generated cases (seeded, reproducible).

For each generated ``answers`` list, ``check_answers`` must name exactly the question ids
the sandbox names in its 400 (or accept exactly when the sandbox answers 2xx). For each
generated form fill, an application our form accepts must get a 2xx; one it rejects must
get a 400 when its raw answers are sent as they are. The same holds for the candidate's
own fields (location, the 128-character limits, sourceDetails), with the two points where
our form is stricter than the sandbox named in the test.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from django.http import QueryDict

from partner.applications.screening import ScreeningForm
from partner.applications.validation import check_answers
from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.apply_configuration import ApplyConfiguration, Field, Question
from tests.applications.sandbox_helpers import candidate, sandbox_listing

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 20260504
ANSWER_CASES = 150
FORM_CASES = 80
_emails = itertools.count(1)


@pytest.fixture
def fast_sandbox(sandbox, settings):
    sandbox.set_switches(rate_limit=False)
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 10_000.0
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    return sandbox


def sandbox_verdict(posting_uuid: str, answers: list[dict[str, Any]]) -> tuple[set, set] | None:
    """None for a 2xx, else the (required, incorrect) question ids of the 400."""
    n = next(_emails)
    body = {**candidate(email=f"p{n}@example.test", last_name=f"Doe{n}"), "answers": answers}
    try:
        sr.create_candidate(posting_uuid, body)
    except sr.ApplicationRejected as exc:
        return set(exc.screening.required), set(exc.screening.incorrect)
    return None


# --- generators --------------------------------------------------------------------------


def good_values(rng: random.Random, field: Field) -> list[str]:
    if field.type == "CHECKBOX" and not field.values:
        return ["true"]
    if field.type in {"SINGLE_SELECT", "RADIO"}:
        return [rng.choice(field.values).id]
    if field.type in {"MULTI_SELECT", "CHECKBOX"}:
        return rng.sample([o.id for o in field.values], rng.randint(1, len(field.values)))
    return [rng.choice(["650", "Berlin", "Ja, gern", "ü" * rng.randint(1, 50)])]


def bad_values(rng: random.Random, field: Field) -> list[str]:
    choices: list[list[str]] = [[], ["   "]]
    if field.type == "CHECKBOX" and not field.values:
        choices += [["false"], ["yes"], ["true", "true"]]
    elif field.values:
        choices += [["no-such-option"], [field.values[0].id, "no-such-option"]]
        if field.type in {"SINGLE_SELECT", "RADIO"} and len(field.values) > 1:
            choices.append([field.values[0].id, field.values[1].id])
    else:
        choices += [["é" * 2000], ["é" * 2001], ["x" * 4001], ["a", "b"]]
    return rng.choice(choices)


def record(rng: random.Random, question: Question, *, broken: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field in question.fields:
        if field.type == "INFORMATION":
            if broken and rng.random() < 0.1:
                fields[field.id] = ["read"]
            continue
        roll = rng.random()
        if broken and roll < 0.35:
            fields[field.id] = bad_values(rng, field)
        elif broken and roll < 0.5:
            continue  # field left out
        else:
            fields[field.id] = good_values(rng, field)
    if broken and rng.random() < 0.05:
        fields["no-such-field"] = ["x"]
    return {"fields": fields}


def generate_answers(rng: random.Random, config: ApplyConfiguration) -> list[dict[str, Any]]:
    broken = rng.random() < 0.6
    answers = []
    for question in config.questions:
        if rng.random() < (0.25 if broken else 0.1):
            continue
        count = rng.randint(1, 3) if question.repeatable else 1
        if broken and rng.random() < 0.08:
            count = 0 if question.repeatable or rng.random() < 0.5 else 2
        records = [record(rng, question, broken=broken) for _ in range(count)]
        answers.append({"id": question.id, "records": records})
    if broken and rng.random() < 0.1:
        answers.append({"id": "no-such-question", "records": [{"fields": {"value": ["x"]}}]})
    rng.shuffle(answers)
    return answers


def configurations(sandbox) -> list[tuple[str, ApplyConfiguration]]:
    """The contract's example form, and the sandbox's own standard form."""
    custom = sandbox_listing(sandbox)
    standard_posting = sandbox.create_posting()
    standard_uuid = str(standard_posting.job.uuid)
    return [
        (custom.posting_uuid, sr.get_configuration(custom.posting_uuid)),
        (standard_uuid, sr.get_configuration(standard_uuid)),
    ]


# --- the properties ------------------------------------------------------------------------


def test_our_answer_checks_name_the_same_questions_as_the_sandbox(fast_sandbox):
    rng = random.Random(SEED)
    forms = configurations(fast_sandbox)
    accepted = rejected = 0
    for case in range(ANSWER_CASES):
        posting_uuid, config = forms[case % len(forms)]
        answers = generate_answers(rng, config)

        ours = check_answers(config, answers)
        theirs = sandbox_verdict(posting_uuid, answers)

        context = f"case {case}: {answers}"
        if theirs is None:
            assert ours.ok, context
            accepted += 1
        else:
            assert (set(ours.required), set(ours.incorrect)) == theirs, context
            rejected += 1
    # The generator must exercise both outcomes, or the property says little.
    assert accepted > 20
    assert rejected > 20


def form_data(rng: random.Random, config: ApplyConfiguration) -> QueryDict:
    """What a browser (or someone tampering with it) might post for the questions."""
    data = QueryDict(mutable=True)
    for qi, question in enumerate(config.questions):
        count = rng.randint(1, 3) if question.repeatable else 1
        if question.repeatable:
            data[f"q{qi}-count"] = str(count)
        for ri in range(count):
            for fi, field in enumerate(question.fields):
                name = f"q{qi}-{ri}-{fi}"
                roll = rng.random()
                if field.type == "INFORMATION" or roll < 0.07:
                    continue
                if field.type == "CHECKBOX" and not field.values:
                    data.setlist(name, ["true"])
                elif roll < 0.12 and field.values:
                    data.setlist(name, ["tampered-id"])
                elif roll < 0.16 and not field.values:
                    data.setlist(name, ["ß" * 2001])
                else:
                    data.setlist(name, good_values(rng, field))
    return data


def naive_answers(config: ApplyConfiguration, data: QueryDict) -> list[dict[str, Any]]:
    """The posted values as answers, without our filtering (hidden children included)."""
    answers = []
    for qi, question in enumerate(config.questions):
        count = int(data.get(f"q{qi}-count", "1"))
        records = []
        for ri in range(count):
            fields = {}
            for fi, field in enumerate(question.fields):
                values = data.getlist(f"q{qi}-{ri}-{fi}")
                if values:
                    fields[field.id] = values
            records.append({"fields": fields})
        if any(r["fields"] for r in records):
            answers.append({"id": question.id, "records": records})
    return answers


def test_what_our_form_accepts_the_sandbox_accepts_and_what_it_rejects_it_rejects(
    fast_sandbox,
):
    rng = random.Random(SEED + 1)
    forms = configurations(fast_sandbox)
    accepted = rejected = 0
    for case in range(FORM_CASES):
        posting_uuid, config = forms[case % len(forms)]
        data = form_data(rng, config)
        screening = ScreeningForm(config, data)

        if screening.is_valid():
            assert sandbox_verdict(posting_uuid, screening.answers()) is None, f"case {case}"
            accepted += 1
        else:
            raw = naive_answers(config, data)
            assert sandbox_verdict(posting_uuid, raw) is not None, f"case {case}: {raw}"
            rejected += 1
    assert accepted > 10
    assert rejected > 10


# --- the candidate's own fields: location, lengths, sourceDetails (issue 11) ---------------

CANDIDATE_CASES = 90
FITTING = (1, 40, 127, 128)
TOO_LONG = (129, 180)
SOURCE_SETTINGS = (
    ("", "", ""),
    ("job_boards", "", "12345"),
    ("job_boards", "general", "12345"),
    ("job_boards", "general", ""),
    ("", "", "12345"),
    ("", "general", ""),
)


def _sized(rng: random.Random, n: int, length: int, alphabet: str = "abcdeé") -> str:
    text = f"{n}-" + "".join(rng.choice(alphabet) for _ in range(length))
    return text[:length] if length >= len(str(n)) + 2 else text[-length:]


def _length(rng: random.Random) -> int:
    # Mostly at or under SR's 128 (the edge included), sometimes past it.
    return rng.choice(TOO_LONG) if rng.random() < 0.08 else rng.choice(FITTING)


def candidate_data(rng: random.Random, n: int) -> QueryDict:
    """A fill of the standard fields, often at or past SR's limits, locations often half."""
    data = QueryDict(mutable=True)
    data["first_name"] = _sized(rng, n, _length(rng))
    data["last_name"] = _sized(rng, n, _length(rng))
    domain = "@example.test"
    local = max(len(f"p{n}x"), _length(rng) - len(domain))
    data["email"] = f"p{n}x" + "j" * (local - len(f"p{n}x")) + domain
    if rng.random() < 0.6:
        data["phone_number"] = "+49 " + "1" * max(1, _length(rng) - 4)
    city, country = rng.choice(
        [("", ""), ("Berlin", "DE"), ("Zürich", "CH"), ("S" * 128, "CI"), ("Berlin", ""),
         ("", "DE"), ("   ", "DE"), ("S" * 129, "FR"), ("Berlin", "Germany"), ("Wien", "XX"),
         ("Abidjan", "ci")]
    )  # fmt: skip
    data["city"], data["country"] = city, country
    data["consent_SMART_RECRUIT"] = "on"
    return data


def refusal_code(posting_uuid: str, body: dict[str, Any]) -> str | None:
    """The code of the sandbox's 400, or None when it took the application."""
    try:
        sr.create_candidate(posting_uuid, body)
    except sr.ApplicationRejected as refused:
        return refused.code
    return None


def naive_candidate(data: QueryDict) -> dict[str, Any]:
    """The posted fields mapped as they are, without our form's checks."""
    body: dict[str, Any] = {
        "firstName": data["first_name"],
        "lastName": data["last_name"],
        "email": data["email"],
        "consentDecisions": {"SMART_RECRUIT": True, "SMART_CRM": False},
    }
    if data.get("phone_number"):
        body["phoneNumber"] = data["phone_number"]
    location = {k: v for k, v in (("city", data["city"]), ("countryCode", data["country"])) if v}
    if location:
        body["location"] = location
    return body


def test_what_our_form_accepts_of_location_lengths_and_source_the_sandbox_accepts(
    fast_sandbox, settings
):
    from partner.applications.forms import CandidateForm
    from partner.applications.services.intake import source_details

    rng = random.Random(SEED + 2)
    listing = sandbox_listing(fast_sandbox)
    config = sr.get_configuration(listing.posting_uuid)
    answers = [
        {"id": "q-permit", "records": [{"fields": {"value": ["yes"]}}]},
        {"id": "q-contract", "records": [{"fields": {"value": ["ct-perm"]}}]},
        {"id": "languages", "records": [{"fields": {"language": ["en"], "level": ["fluent"]}}]},
        {"id": "q-accurate", "records": [{"fields": {"confirm": ["true"]}}]},
    ]
    accepted = rejected = with_location = with_source = 0
    for case in range(CANDIDATE_CASES):
        data = candidate_data(rng, case)
        (
            settings.APPLICATION_SOURCE_TYPE_ID,
            settings.APPLICATION_SOURCE_SUBTYPE_ID,
            settings.APPLICATION_SOURCE_ID,
        ) = rng.choice(SOURCE_SETTINGS)
        form = CandidateForm(data, config=config)

        if form.is_valid():
            body = {**form.payload_fields(), "answers": answers}
            source = source_details()
            if source:
                body["sourceDetails"] = source
                with_source += 1
            with_location += "location" in body
            assert refusal_code(listing.posting_uuid, body) is None, f"case {case}: {body}"
            accepted += 1
            continue
        rejected += 1
        # Our form is stricter on two points by design: a 2-letter code that is no country
        # on the list (XX, or a lower-case one) is refused here, while the sandbox's check
        # only counts letters; and a city over 128 characters (SR's published Location
        # schema), which the sandbox's check 4 does not judge. Every other refusal of these
        # fields is one the sandbox makes too.
        stricter = {
            "country": data["country"] in ("XX", "ci"),
            "city": len(data["city"]) > 128,
        }
        if all(stricter.get(name) for name in form.errors):
            continue
        naive = {**naive_candidate(data), "answers": answers}
        code = refusal_code(listing.posting_uuid, naive)
        assert code == sr.ApplyErrorCode.INVALID_INPUT, f"case {case}: {dict(form.errors)}"
    # Both outcomes, locations and sourceDetails must all be exercised.
    assert accepted > 15
    assert rejected > 15
    assert with_location > 3
    assert with_source > 3
