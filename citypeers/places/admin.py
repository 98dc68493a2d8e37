from django.contrib import admin

from .models import AdminArea, City, ClassificationRelease, Country, Region, Sdg, SdgTarget


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("m49", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name_en", "name_fr", "name_es", "m49")


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso3", "name_en", "region", "income_group", "wesp_status", "global_south")
    list_filter = ("global_south", "income_group", "wesp_status", "region")
    search_fields = ("iso3", "iso2", "name_en", "name_fr", "name_es")
    list_select_related = ("region",)
    readonly_fields = ("global_south", "south_basis", "city_count")


@admin.register(AdminArea)
class AdminAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "iso_code", "country")
    search_fields = ("name", "iso_code")
    list_select_related = ("country",)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "admin_area", "population")
    search_fields = ("name", "search_key")
    list_select_related = ("country", "admin_area")
    raw_id_fields = ("admin_area",)


@admin.register(ClassificationRelease)
class ClassificationReleaseAdmin(admin.ModelAdmin):
    list_display = ("label", "source", "as_of", "country_count", "imported_at")


class SdgTargetInline(admin.TabularInline):
    model = SdgTarget
    extra = 0


@admin.register(Sdg)
class SdgAdmin(admin.ModelAdmin):
    list_display = ("number", "short_en", "short_fr", "short_es")
    inlines = [SdgTargetInline]
