"""Where: the location field, its suggestions, and radius searches on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jobboard.board import selectors
from jobboard.board.places import distance_km
from jobboard.board.search import JobSearch
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db

KRAKOW = (50.06143, 19.93658)


def at(lat: float, lon: float) -> dict:
    return {"latitude": Decimal(str(lat)), "longitude": Decimal(str(lon))}


def titles(**params) -> list[str]:
    search = JobSearch.from_params(params)
    return sorted(listing.title for listing in selectors.search_listings(search=search).page)


@pytest.fixture
def malopolska() -> None:
    poland = {"country": "Poland", "country_code": "PL", "remote": False}
    make_listing(title="Old Town", city="Kraków", **poland, **at(50.0614, 19.9366))
    make_listing(title="Salt Mine", city="Wieliczka", **poland, **at(49.9870, 20.0650))
    make_listing(title="Steelworks", city="Katowice", **poland, **at(50.2649, 19.0238))
    make_listing(title="Capital", city="Warsaw", **poland, **at(52.2297, 21.0122))
    # No coordinates: found by its city's name.
    make_listing(title="Nowa Huta", city="Kraków", **poland)
    make_listing(title="Left Bank", city="Paris", country="France", country_code="FR")


@pytest.mark.parametrize(
    ("where", "name", "country"),
    [
        ("Kraków", "Kraków", "pl"),
        ("krakow", "Kraków", "pl"),
        ("Cracow", "Kraków", "pl"),
        ("  Kraków ,  Poland ", "Kraków", "pl"),
        ("Paris", "Paris", "fr"),
        ("Paris, US", "Paris", "us"),
        ("München", "Munich", "de"),
    ],
)
def test_the_gazetteer_turns_a_typed_city_into_coordinates(where, name, country) -> None:
    place = selectors.find_place(where=where)
    assert (place.name, place.country_code) == (name, country)
    assert place.latitude is not None
    if name == "Kraków":
        assert distance_km((place.latitude, place.longitude), KRAKOW) < 1


def test_a_country_is_a_place_without_coordinates() -> None:
    place = selectors.find_place(where="Poland")
    assert (place.name, place.country_code, place.is_country) == ("Poland", "pl", True)
    assert selectors.find_place(where="Xanadu Springs") is None


@pytest.mark.parametrize(
    ("radius", "expected"),
    [
        ("5", ["Nowa Huta", "Old Town"]),
        ("25", ["Nowa Huta", "Old Town", "Salt Mine"]),
        ("", ["Nowa Huta", "Old Town", "Salt Mine"]),
        ("100", ["Nowa Huta", "Old Town", "Salt Mine", "Steelworks"]),
    ],
)
def test_a_radius_search_finds_the_jobs_near_a_place(malopolska, radius, expected) -> None:
    # Wieliczka is 13 km from Kraków, Katowice 70 km, Warsaw 250 km.
    assert titles(where="Kraków", radius=radius) == expected


def test_a_country_finds_its_jobs_and_an_unknown_place_its_name(malopolska) -> None:
    assert titles(where="Poland") == ["Capital", "Nowa Huta", "Old Town", "Salt Mine", "Steelworks"]
    make_listing(title="Sunken", city="Xanadu Springs", latitude=None, longitude=None)
    assert titles(where="xanadu springs") == ["Sunken"]


def test_places_combine_with_keywords_and_facets(malopolska) -> None:
    assert titles(where="Kraków", radius="100", q="steelworks") == ["Steelworks"]
    results = selectors.search_listings(
        search=JobSearch.from_params({"where": "Kraków", "radius": "100"})
    )
    assert results.total == 4
    city = next(f for f in results.facets if f.name == "city")
    assert {o.value: o.count for o in city.options} == {"Kraków": 2, "Wieliczka": 1, "Katowice": 1}


def test_the_url_keeps_only_a_meaningful_distance() -> None:
    assert JobSearch.from_params({"where": "Kraków", "radius": "25"}).query_string() == (
        "where=Krak%C3%B3w"
    )
    assert JobSearch.from_params({"where": "Kraków", "radius": "50"}).query_string() == (
        "where=Krak%C3%B3w&radius=50"
    )
    assert JobSearch.from_params({"radius": "50"}).query_string() == ""
    assert JobSearch.from_params({"where": "Kraków", "radius": "7"}).radius is None


def test_the_list_page_has_a_location_field_with_the_boards_places(client, malopolska) -> None:
    html = client.get("/").content.decode()
    assert '<input id="where" type="search" name="where" value=""' in html
    assert 'list="places"' in html
    assert '<option value="Kraków, Poland"></option>' in html
    assert '<option value="Poland"></option>' in html
    assert '<option value="25" selected>within 25 km</option>' in html


def test_the_list_page_names_the_place_in_a_chip_and_the_title(client, malopolska) -> None:
    html = client.get("/", {"where": "Kraków", "radius": "50"}).content.decode()
    assert "Within 50 km of Kraków" in html
    assert "<title>within 50 km of Kraków &middot; Jobs" in html
    assert '<option value="50" selected>within 50 km</option>' in html
    html = client.get("/", {"where": "Xanadu Springs"}).content.decode()
    assert "We could not find “Xanadu Springs” on the map" in html


def test_the_feed_and_alerts_honour_the_place(client, malopolska) -> None:
    from jobboard.board import alerts

    body = client.get("/jobs/feed/rss/", {"where": "Kraków", "radius": "5"}).content.decode()
    assert "Old Town" in body
    assert "Salt Mine" not in body
    alert = alerts.request_job_alert(
        email="ada@example.com",
        search=JobSearch.from_params({"where": "Kraków", "radius": "5"}),
        client_ip="10.0.0.9",
    )
    assert alert.query == "where=Krak%C3%B3w&radius=5"
    assert alert.description == "within 5 km of Kraków"
