"""Places and reference data: UN M49 regions, countries, first-level regions, cities, SDGs.

Names of reference data are stored once per supported language (``name_en``, ``name_fr``,
``name_es``); :func:`citypeers.core.translation.localized` reads the active one.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.core.translation import localized


class Region(models.Model):
    """A UN M49 area above the country level: region, sub-region or intermediate region."""

    class Level(models.IntegerChoices):
        WORLD = 0, _("World")
        REGION = 1, _("Region")
        SUBREGION = 2, _("Sub-region")
        INTERMEDIATE = 3, _("Intermediate region")

    m49 = models.CharField(_("M49 code"), max_length=3, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)

    class Meta:
        ordering = ["m49"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class ClassificationRelease(models.Model):
    """One load of a development classification: where it came from and as of when."""

    class Source(models.TextChoices):
        BUILTIN = "builtin", _("Built-in (HDX countries and territories taxonomy)")
        WORLD_BANK = "world_bank", _("World Bank income classification")
        WESP = "wesp", _("UN World Economic Situation and Prospects")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    label = models.CharField(_("label"), max_length=200)
    as_of = models.DateField(_("classification date"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    country_count = models.PositiveIntegerField(_("countries classified"), default=0)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        get_latest_by = "imported_at"
        verbose_name = _("classification release")
        verbose_name_plural = _("classification releases")

    def __str__(self) -> str:
        return self.label


class IncomeGroup(models.TextChoices):
    LOW = "L", _("Low income")
    LOWER_MIDDLE = "LM", _("Lower-middle income")
    UPPER_MIDDLE = "UM", _("Upper-middle income")
    HIGH = "H", _("High income")


class WespStatus(models.TextChoices):
    DEVELOPED = "developed", _("Developed economy")
    TRANSITION = "transition", _("Economy in transition")
    DEVELOPING = "developing", _("Developing economy")


class CountryQuerySet(models.QuerySet["Country"]):
    def with_regions(self) -> CountryQuerySet:
        return self.select_related("region", "subregion", "intermediate_region")


class Country(models.Model):
    """An ISO 3166-1 country or area, placed in UN M49 and classified for North/South."""

    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    numeric = models.CharField(_("ISO numeric"), max_length=3, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    search_key = models.CharField(max_length=400, db_index=True, editable=False, default="")
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subregion = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intermediate_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    income_group = models.CharField(
        _("World Bank income group"), max_length=2, choices=IncomeGroup.choices, blank=True
    )
    income_release = models.ForeignKey(
        ClassificationRelease,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("income group source"),
    )
    wesp_status = models.CharField(
        _("UN WESP status"), max_length=12, choices=WespStatus.choices, blank=True
    )
    least_developed = models.BooleanField(_("least developed country"), null=True, blank=True)
    global_south = models.BooleanField(_("Global South"), null=True, blank=True)
    south_basis = models.CharField(
        _("basis of the North/South classification"), max_length=30, blank=True
    )
    city_count = models.PositiveIntegerField(_("cities"), default=0)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:country", kwargs={"iso3": self.iso3.lower()})

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def region_code(self) -> str | None:
        return self.region.m49 if self.region is not None else None

    @property
    def subregion_code(self) -> str | None:
        return self.subregion.m49 if self.subregion is not None else None


class AdminArea(models.Model):
    """A first-level administrative division (state, province, region) as GeoNames codes it."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="admin_areas")
    code = models.CharField(_("GeoNames admin1 code"), max_length=20)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=10, blank=True)
    geonameid = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=100, blank=True)

    class Meta:
        ordering = ["country__name_en", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="admin_area_unique_code")
        ]
        verbose_name = _("first-level region")
        verbose_name_plural = _("first-level regions")

    def __str__(self) -> str:
        return self.name


class CityQuerySet(models.QuerySet["City"]):
    def with_places(self) -> CityQuerySet:
        return self.select_related("country", "admin_area")


class City(models.Model):
    """A populated place from GeoNames."""

    geonameid = models.PositiveIntegerField(_("GeoNames id"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    search_key = models.CharField(max_length=200, db_index=True, editable=False)
    alias_keys = models.TextField(_("other names (folded)"), blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="cities")
    admin_area = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="cities"
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveBigIntegerField(_("population"), default=0)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["-population", "name"]
        indexes = [
            models.Index(fields=["country", "-population"], name="city_country_pop"),
            # The largest cities of the world (home page, autocomplete fallback) without a sort.
            models.Index(fields=["-population"], name="city_pop"),
        ]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:city", kwargs={"geonameid": self.geonameid})


class Sdg(models.Model):
    """A Sustainable Development Goal: a short title of our own and the official texts."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    color = models.CharField(_("colour"), max_length=7)
    short_en = models.CharField(_("short title (English)"), max_length=80)
    short_fr = models.CharField(_("short title (French)"), max_length=80)
    short_es = models.CharField(_("short title (Spanish)"), max_length=80)
    title_en = models.TextField(_("official title (English)"), blank=True)
    title_fr = models.TextField(_("official title (French)"), blank=True)
    title_es = models.TextField(_("official title (Spanish)"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")

    def __str__(self) -> str:
        return f"{self.number}. {self.short}"

    @property
    def short(self) -> str:
        return localized(self, "short")

    @property
    def title(self) -> str:
        return localized(self, "title") or self.short


class SdgTarget(models.Model):
    """An SDG target (``11.1``, ``6.a``) with its official text per language."""

    goal = models.ForeignKey(Sdg, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("code"), max_length=6, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)

    class Meta:
        ordering = ["goal__number", "position"]
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return localized(self, "text")
