"""GET /sr/assessments/packages and /packages/{id}."""

from __future__ import annotations

import json

import pytest

from partner.assessments.models import Package
from tests.assessments.factories import fullstack_package


@pytest.mark.django_db
def test_it_lists_the_packages_offered_with_their_assessments(client, company, bearer):
    fullstack_package(with_manual=True)
    response = client.get(
        "/sr/assessments/packages",
        HTTP_REQUESTER=json.dumps({"email": "recruiter@acme.example"}),
        **bearer(),
    )
    assert response.status_code == 200
    [package] = response.json()
    assert package["id"] == "pkg-fullstack"
    assert package["type"] == "SKILL_TEST"
    assert [a["id"] for a in package["assessments"]] == ["js", "portfolio"]
    assert set(package["assessments"][0]) == {"id", "type", "name", "description"}


@pytest.mark.django_db
def test_it_answers_204_when_no_package_fits(client, company, bearer):
    response = client.get("/sr/assessments/packages", **bearer())
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize(
    ("query", "visible"),
    [
        ("country-code=DE&city=Berlin", True),
        ("country-code=fr", False),
        ("remote=true", False),
        ("remote=false", True),
        ("cost-center=CC-42", True),
        ("cost-center=CC-99", False),
        ("other-param=whatever", True),
    ],
)
@pytest.mark.django_db
def test_it_filters_by_location_and_partner_fields(client, company, bearer, query, visible):
    fullstack_package(
        country_codes="DE, AT",
        remote=Package.Remote.ONSITE_ONLY,
        field_rules={"cost-center": ["CC-42", "CC-43"]},
    )
    response = client.get(f"/sr/assessments/packages?{query}", **bearer())
    assert response.status_code == (200 if visible else 204)


@pytest.mark.parametrize("requester", ['{"email":"r@acme.example"}', "r@acme.example", None])
@pytest.mark.django_db
def test_it_tolerates_every_form_of_the_requester_header(client, company, bearer, requester):
    fullstack_package()
    extra = {"HTTP_REQUESTER": requester} if requester else {}
    assert client.get("/sr/assessments/packages", **extra, **bearer()).status_code == 200


@pytest.mark.django_db
def test_inactive_packages_are_not_listed(client, company, bearer):
    fullstack_package(is_active=False)
    assert client.get("/sr/assessments/packages", **bearer()).status_code == 204


@pytest.mark.django_db
def test_it_gets_one_package_by_id(client, company, bearer):
    fullstack_package()
    response = client.get("/sr/assessments/packages/pkg-fullstack", **bearer())
    assert response.status_code == 200
    assert response.json()["name"] == "Full-stack developer"


@pytest.mark.django_db
def test_an_unknown_package_is_not_found_in_the_contracts_error_shape(client, company, bearer):
    response = client.get("/sr/assessments/packages/nope", **bearer())
    assert response.status_code == 404
    assert response.json() == {
        "message": "Not found",
        "errors": [{"code": "PACKAGE_NOT_FOUND", "message": "Unknown assessment package"}],
    }
