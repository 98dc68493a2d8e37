from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("<slug:slug>/", views.practice_detail, name="detail"),
]
