"""Reads of places: the place search, countries, cities, counts."""

from __future__ import annotations

import pytest
from django.utils import translation

from citypeers.core.errors import NotFound
from citypeers.places import selectors
from citypeers.places.models import City, Country

pytestmark = pytest.mark.django_db

SAO_PAULO = 3448439
LONDON = 2643743
PARIS = 2988507


def city_ids(hits) -> list[int]:
    return [int(h.id) for h in hits if h.kind == "city"]


def country_ids(hits) -> list[str]:
    return [h.id for h in hits if h.kind == "country"]


class TestPlaceSearch:
    @pytest.mark.parametrize("q", ["sao", "São", "SAO PAU", "são-paulo"])
    def test_matches_the_start_of_folded_city_names(self, q):
        hits = selectors.place_search(q=q)

        assert city_ids(hits)[0] == SAO_PAULO
        first = next(h for h in hits if h.kind == "city")
        assert (first.name, first.url) == ("São Paulo", f"/en/places/cities/{SAO_PAULO}/")
        assert first.detail == "São Paulo, Brazil"  # state, country

    def test_bigger_cities_come_first(self):
        hits = selectors.place_search(q="sao", limit=9)
        assert [h.kind for h in hits].count("country") == 1  # São Tomé and Príncipe counts in
        ids = city_ids(hits)
        found = City.objects.in_bulk(ids, field_name="geonameid")
        populations = [found[pk].population for pk in ids]

        assert len(populations) == 8
        assert populations == sorted(populations, reverse=True)

    def test_finds_a_city_by_another_of_its_names(self):
        hits = selectors.place_search(q="Londres")

        assert LONDON in city_ids(hits)
        assert next(h for h in hits if h.kind == "city").name == "London"

    def test_own_name_matches_come_before_other_names(self):
        # "paris" is Paris's own name, and an alternate name of no bigger city that starts so
        assert city_ids(selectors.place_search(q="paris"))[0] == PARIS

    def test_finds_countries_by_name_in_every_language_and_by_code(self):
        assert country_ids(selectors.place_search(q="france")) == ["FRA"]
        assert "DEU" in country_ids(selectors.place_search(q="Allemagne"))
        assert "DEU" in country_ids(selectors.place_search(q="alemania"))
        assert "DEU" in country_ids(selectors.place_search(q="deu"))

    def test_country_hits_carry_the_active_language(self):
        with translation.override("fr"):
            hit = next(h for h in selectors.place_search(q="germany") if h.kind == "country")

        assert (hit.name, hit.url) == ("Allemagne", "/fr/places/countries/deu/")

    @pytest.mark.parametrize("limit", [1, 3, 7])
    def test_limit_caps_countries_and_cities_together(self, limit):
        hits = selectors.place_search(q="san", limit=limit)

        assert len(hits) == limit
        kinds = [h.kind for h in hits]
        assert kinds == sorted(kinds, key=lambda k: k != "country")  # countries first
        assert kinds.count("country") <= 3

    def test_country_restricts_to_its_cities_and_drops_country_hits(self):
        hits = selectors.place_search(q="san", country="esp", limit=20)

        assert hits and all(h.kind == "city" and h.detail.endswith("Spain") for h in hits)
        spain = Country.objects.get(iso3="ESP")
        assert set(city_ids(hits)) <= set(
            City.objects.filter(country=spain).values_list("geonameid", flat=True)
        )

    @pytest.mark.parametrize("q", ["", "   ", "--!", "…"])
    def test_an_empty_query_finds_nothing(self, q, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert selectors.place_search(q=q) == []

    def test_an_unknown_name_finds_nothing(self):
        assert selectors.place_search(q="qqxxzz") == []

    def test_a_search_takes_a_constant_number_of_queries(self, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):
            hits = selectors.place_search(q="san", limit=30)
            details = [h.detail for h in hits]
        assert len(details) == 30


class TestCountriesAndCities:
    def test_country_get_ignores_case(self):
        assert selectors.country_get(iso3="fra").name_en == "France"

    def test_country_get_raises_not_found(self):
        with pytest.raises(NotFound, match="'XYZ'"):
            selectors.country_get(iso3="xyz")

    def test_country_list_by_region_matches_any_level(self):
        western_europe = set(selectors.country_list(region="155").values_list("iso3", flat=True))
        europe = set(selectors.country_list(region="150").values_list("iso3", flat=True))

        assert {"FRA", "DEU", "BEL"} <= western_europe < europe
        assert "ITA" in europe - western_europe

    def test_country_list_by_global_south(self):
        south = set(selectors.country_list(global_south=True).values_list("iso3", flat=True))
        north = set(selectors.country_list(global_south=False).values_list("iso3", flat=True))

        assert "BRA" in south and "FRA" in north
        assert not south & north
        assert len(south) + len(north) == Country.objects.count() - 1  # Antarctica is neither

    def test_city_get(self):
        city = selectors.city_get(geonameid=PARIS)

        assert (city.name, city.country.iso3, city.country.region.m49) == ("Paris", "FRA", "150")

    def test_city_get_raises_not_found(self):
        with pytest.raises(NotFound):
            selectors.city_get(geonameid=1)

    def test_country_cities_are_the_largest_of_that_country(self):
        france = Country.objects.get(iso3="FRA")
        cities = list(selectors.country_cities(country=france, limit=5))

        assert cities[0].geonameid == PARIS
        assert len(cities) == 5 and {c.country_id for c in cities} == {france.pk}

    def test_reference_counts(self):
        counts = selectors.reference_counts()

        assert (counts.countries, counts.regions, counts.sdgs) == (249, 30, 17)
        assert counts.cities == City.objects.count()
        assert 100 < counts.south < 249
