from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.country_index, name="countries"),
    path("search/", views.place_search, name="search"),
    path("countries/<str:iso3>/", views.country_detail, name="country"),
    path("cities/<int:geonameid>/", views.city_detail, name="city"),
    path("sdgs/", views.sdg_index, name="sdgs"),
]
