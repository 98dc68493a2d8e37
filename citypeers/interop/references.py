"""Turning the identifiers outsiders use (ISO codes, GeoNames ids, theme slugs, SDG numbers) into
reference records, with an error naming the input field when one is unknown.

Shared by the API and the CSV import so both accept the same identifiers and say the same thing
when one is wrong. Lookups are cached on the instance, so an import of many rows that name the
same countries and themes queries each once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError, NotFound
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.models import Theme
from citypeers.places import selectors as place_selectors
from citypeers.places.models import AdminArea, City, Country, Sdg


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidInput(ApplicationError):
    """One or more fields of one record are wrong; ``errors`` lists them all."""

    def __init__(self, errors: list[FieldError]) -> None:
        first = errors[0]
        super().__init__(
            first.message,
            field=first.field,
            extra={"errors": [{"field": e.field, "message": e.message} for e in errors]}
            if len(errors) > 1
            else None,
        )
        self.errors = errors


class References:
    def __init__(self) -> None:
        self._countries: dict[str, Country | None] = {}
        self._themes: dict[str, Theme] | None = None
        self._sdgs: dict[int, Sdg] | None = None

    def country(self, iso3: str, *, field: str = "country") -> Country:
        code = iso3.strip().upper()
        if code not in self._countries:
            try:
                self._countries[code] = place_selectors.country_get(iso3=code) if code else None
            except NotFound:
                self._countries[code] = None
        country = self._countries[code]
        if country is None:
            raise ApplicationError(
                _("%(code)r is not an ISO 3166-1 alpha-3 country code.") % {"code": iso3},
                field=field,
            )
        return country

    def admin_area(
        self, country: Country | None, value: str, *, field: str = "admin_area"
    ) -> AdminArea:
        if country is None:
            raise ApplicationError(_("Give the country of the first-level region."), field=field)
        area = place_selectors.admin_area_find(country=country, value=value)
        if area is None:
            raise ApplicationError(
                _("%(country)s has no first-level region with the code or name %(value)r.")
                % {"country": country.name, "value": value},
                field=field,
            )
        return area

    def city(self, geonameid: int, *, field: str = "city") -> City:
        try:
            return place_selectors.city_get(geonameid=geonameid)
        except NotFound:
            raise ApplicationError(
                _("No city with GeoNames id %(id)s.") % {"id": geonameid}, field=field
            ) from None

    def city_named(self, country: Country | None, name: str, *, field: str = "city") -> City:
        if country is None:
            raise ApplicationError(_("Give the country to find a city by its name."), field=field)
        city = place_selectors.city_find_by_name(country=country, name=name)
        if city is None:
            raise ApplicationError(
                _("No city named %(name)r in %(country)s.")
                % {"name": name, "country": country.name},
                field=field,
            )
        return city

    def themes(self, slugs: Iterable[str], *, field: str = "themes") -> list[Theme]:
        if self._themes is None:
            self._themes = {t.slug: t for t in directory_selectors.theme_list()}
        wanted = [s.strip().lower() for s in slugs if s.strip()]
        unknown = [s for s in wanted if s not in self._themes]
        if unknown:
            raise ApplicationError(
                _("Unknown themes: %(slugs)s.") % {"slugs": ", ".join(unknown)}, field=field
            )
        return [self._themes[s] for s in dict.fromkeys(wanted)]

    def sdgs(self, numbers: Iterable[Any], *, field: str = "sdgs") -> list[Sdg]:
        if self._sdgs is None:
            self._sdgs = {s.number: s for s in place_selectors.sdg_list()}
        wanted: list[int] = []
        for value in numbers:
            text = str(value).strip()
            if not text:
                continue
            if not text.isdigit() or int(text) not in self._sdgs:
                raise ApplicationError(
                    _("%(value)r is not the number of a Sustainable Development Goal (1–17).")
                    % {"value": text},
                    field=field,
                )
            wanted.append(int(text))
        return [self._sdgs[n] for n in dict.fromkeys(wanted)]


def resolve_place(
    refs: References,
    *,
    country: str | None,
    admin_area: str | None,
    city: City | None,
    default_country: Country | None = None,
) -> dict[str, Any]:
    """Service keyword arguments for a place given as codes.

    ``None`` means "not given" and leaves the key out; an empty string clears it. A city names
    its own country: a different country given alongside it is an error, not silently replaced.
    """
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    resolved_country = default_country
    if country is not None:
        try:
            resolved_country = refs.country(country) if country.strip() else None
            out["country"] = resolved_country
        except ApplicationError as exc:
            errors.append(FieldError(exc.field or "country", exc.message))
    if city is not None:
        out["city"] = city
        if resolved_country is not None and city.country_id != resolved_country.pk:
            errors.append(
                FieldError(
                    "city",
                    _("%(city)s is not in %(country)s.")
                    % {"city": city.name, "country": resolved_country.name},
                )
            )
        resolved_country = resolved_country or city.country
    if admin_area is not None and not any(e.field == "country" for e in errors):
        try:
            out["admin_area"] = (
                refs.admin_area(resolved_country, admin_area) if admin_area.strip() else None
            )
        except ApplicationError as exc:
            errors.append(FieldError(exc.field or "admin_area", exc.message))
    if errors:
        raise InvalidInput(errors)
    return out
