"""API of places: countries, regions, city search, SDGs."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from citypeers.api.pagination import LimitOffset

from . import selectors
from .models import City, Country, IncomeGroup, Sdg

router = Router(tags=["places"])

INCOME_GROUP_NAMES: dict[str, str] = {
    IncomeGroup.LOW: "low",
    IncomeGroup.LOWER_MIDDLE: "lower_middle",
    IncomeGroup.UPPER_MIDDLE: "upper_middle",
    IncomeGroup.HIGH: "high",
}


class RegionOut(Schema):
    m49: str
    name: str


class CountryOut(Schema):
    iso3: str
    iso2: str
    name: str
    names: dict[str, str]
    region: RegionOut | None
    subregion: RegionOut | None
    intermediate_region: RegionOut | None
    income_group: str | None = Field(
        description="World Bank income group: low, lower_middle, upper_middle, high, or null"
    )
    wesp_status: str | None
    global_south: bool | None
    south_basis: str | None
    city_count: int

    @staticmethod
    def resolve_names(obj: Country) -> dict[str, str]:
        return {"en": obj.name_en, "fr": obj.name_fr, "es": obj.name_es}

    @staticmethod
    def resolve_income_group(obj: Country) -> str | None:
        return INCOME_GROUP_NAMES.get(obj.income_group)

    @staticmethod
    def resolve_wesp_status(obj: Country) -> str | None:
        return obj.wesp_status or None

    @staticmethod
    def resolve_south_basis(obj: Country) -> str | None:
        return obj.south_basis or None


class CountryFilter(Schema):
    region: str | None = None
    global_south: bool | None = None


class CityOut(Schema):
    geonameid: int
    name: str
    country: str
    admin_area: str | None
    latitude: float
    longitude: float
    population: int
    timezone: str

    @staticmethod
    def resolve_country(obj: City) -> str:
        return obj.country.iso3

    @staticmethod
    def resolve_admin_area(obj: City) -> str | None:
        return obj.admin_area.name if obj.admin_area else None


class PlaceHitOut(Schema):
    kind: str
    id: str
    name: str
    detail: str
    population: int | None
    url: str


class PlaceSearchOut(Schema):
    count: int
    items: list[PlaceHitOut]


class SdgOut(Schema):
    number: int
    short: str
    title: str
    color: str

    @staticmethod
    def resolve_short(obj: Sdg) -> str:
        return obj.short

    @staticmethod
    def resolve_title(obj: Sdg) -> str:
        return obj.title


@router.get("/countries", response=list[CountryOut], summary="List countries")
@paginate(LimitOffset)
def list_countries(request: HttpRequest, filters: Query[CountryFilter]):
    return selectors.country_list(region=filters.region, global_south=filters.global_south)


@router.get("/countries/{iso3}", response=CountryOut, summary="One country by ISO alpha-3 code")
def get_country(request: HttpRequest, iso3: str) -> Country:
    return selectors.country_get(iso3=iso3)


@router.get("/places/search", response=PlaceSearchOut, summary="Autocomplete over places")
def search_places(
    request: HttpRequest,
    q: str = Query(..., max_length=200),
    country: str | None = None,
    limit: int = Query(10, ge=1, le=50),
) -> dict[str, object]:
    hits = selectors.place_search(q=q, limit=limit, country=country)
    return {"count": len(hits), "items": hits}


@router.get("/cities/{geonameid}", response=CityOut, summary="One city by GeoNames id")
def get_city(request: HttpRequest, geonameid: int) -> City:
    return selectors.city_get(geonameid=geonameid)


@router.get("/sdgs", response=list[SdgOut], summary="The 17 Sustainable Development Goals")
def list_sdgs(request: HttpRequest) -> list[Sdg]:
    return list(selectors.sdg_list())
