from django.urls import path

from citypeers.accounts.views import organisation_audit

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("claim/<int:geonameid>/", views.claim_city, name="claim-city"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
    path("claims/", views.claims_queue, name="claims"),
    path("claims/mine/", views.claims_mine, name="claims-mine"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim-withdraw"),
    path("claims/<int:pk>/decision/", views.claim_decide, name="claim-decide"),
    path("lookup/cities/", views.lookup_cities, name="lookup-cities"),
    path("lookup/admin-areas/", views.lookup_admin_areas, name="lookup-admin-areas"),
    path("lookup/organisations/", views.lookup_organisations, name="lookup-organisations"),
    path("<slug:slug>/", views.organisation_detail, name="organisation"),
    path("<slug:slug>/edit/", views.organisation_edit, name="edit"),
    path("<slug:slug>/logo/", views.organisation_logo, name="logo"),
    path("<slug:slug>/logo.png", views.organisation_logo_file, name="logo-file"),
    path("<slug:slug>/delete/", views.organisation_delete, name="delete"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/request-to-manage/", views.organisation_claim, name="claim"),
    path("<slug:slug>/memberships/", views.memberships, name="memberships"),
    path("<slug:slug>/profile/", views.profile_items, name="profile"),
    path("<slug:slug>/audit/", organisation_audit, name="audit"),
]
