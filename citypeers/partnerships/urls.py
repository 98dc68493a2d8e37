from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("new/", views.partnership_create, name="create"),
    path("invitations/", views.invitations, name="invitations"),
    path("capacity/<slug:slug>/", views.capacity, name="capacity"),
    path("lookup/<str:field>/", views.lookup, name="lookup"),
    path("<slug:slug>/", views.partnership_detail, name="detail"),
    path("<slug:slug>/edit/", views.partnership_edit, name="edit"),
    path("<slug:slug>/status/", views.partnership_status, name="status"),
    path("<slug:slug>/answer/", views.partnership_answer, name="answer"),
    path("<slug:slug>/members/new/", views.member_add, name="member-add"),
    path("<slug:slug>/objectives/new/", views.objective_add, name="objective-add"),
    path("<slug:slug>/activities/new/", views.activity_add, name="activity-add"),
    path("<slug:slug>/results/new/", views.result_add, name="result-add"),
    path(
        "<slug:slug>/results/<int:result>/indicators/new/",
        views.indicator_edit,
        name="indicator-add",
    ),
    path(
        "<slug:slug>/results/<int:result>/indicators/<int:indicator>/",
        views.indicator_edit,
        name="indicator-edit",
    ),
    path("<slug:slug>/agreements/new/", views.agreement_add, name="agreement-add"),
    path("<slug:slug>/agreements/<int:pk>/", views.agreement_download, name="agreement"),
    path("<slug:slug>/capacity/", views.assessment_link, name="assessment-link"),
]
