from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("new/", views.practice_create, name="create"),
    path("review/", views.review_queue, name="review"),
    path("<slug:slug>/", views.practice_detail, name="detail"),
    path("<slug:slug>/edit/", views.practice_edit, name="edit"),
    path("<slug:slug>/translate/", views.practice_translate, name="translate"),
    path("<slug:slug>/status/", views.practice_status, name="status"),
    path("<slug:slug>/revisions/", views.revisions, name="revisions"),
    path(
        "<slug:slug>/revisions/<str:language>/<int:number>/restore/",
        views.revision_restore,
        name="revision-restore",
    ),
    path("<slug:slug>/sdgs/", views.sdg_decide, name="sdg-decide"),
    path("<slug:slug>/resources/new/", views.resource_add, name="resource-add"),
    path("<slug:slug>/adapt/", views.practice_adapt, name="adapt"),
    path("<slug:slug>/adoptions/new/", views.adoption_add, name="adoption-add"),
]
