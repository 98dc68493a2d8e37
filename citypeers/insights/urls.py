from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("charts/<slug:key>.csv", views.dashboard_csv, name="chart-csv"),
    path("map/", views.world_map, name="map"),
    path("map/countries.csv", views.map_csv, name="map-csv"),
    path("themes/<slug:slug>/", views.theme, name="theme"),
    path("themes/<slug:slug>/charts/<slug:key>.csv", views.theme_csv, name="theme-chart-csv"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path(
        "organisations/<slug:slug>/charts/<slug:key>.csv",
        views.organisation_csv,
        name="organisation-chart-csv",
    ),
]
