"""Our validation against the sandbox's, over many generated cases (seeded, reproducible).

For each generated ``answers`` list, ``check_answers`` must name exactly the question ids
the sandbox names in its 400 (or accept exactly when the sandbox answers 201). For each
generated form fill, an application our form accepts must get a 201; one it rejects must
get a 400 when its raw answers are sent as they are.
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
from partner.smartrecruiters.applications import ApplyConfiguration, Field, Question
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
    """None for a 201, else the (required, incorrect) question ids of the 400."""
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
