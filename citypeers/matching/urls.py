from django.urls import path

from . import requests_views, views

app_name = "matching"

# Find peers (views.py): for a stated challenge, and for an organisation.
urlpatterns: list = [
    path("", views.challenge, name="challenge"),
    path(
        "organisations/<slug:slug>/",
        views.organisation_peers,
        name="organisation-peers",
    ),
]

# Match requests (requests_views.py)
urlpatterns += [
    path("requests/", requests_views.request_list, name="request-list"),
    path("requests/new/", requests_views.request_create, name="request-create"),
    path("requests/mine/", requests_views.request_mine, name="request-mine"),
    path("requests/lookup/", requests_views.request_lookup, name="request-lookup"),
    path("requests/<int:pk>/", requests_views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", requests_views.request_edit, name="request-edit"),
    path("requests/<int:pk>/close/", requests_views.request_close, name="request-close"),
    path("requests/<int:pk>/invite/", requests_views.request_invite, name="request-invite"),
    path(
        "requests/<int:pk>/suggestions/",
        requests_views.request_suggestions,
        name="request-suggestions",
    ),
    path(
        "requests/invitations/<int:pk>/",
        requests_views.invitation_detail,
        name="invitation-detail",
    ),
    path(
        "requests/invitations/<int:pk>/answer/",
        requests_views.invitation_answer,
        name="invitation-answer",
    ),
    path(
        "requests/invitations/<int:pk>/withdraw/",
        requests_views.invitation_withdraw,
        name="invitation-withdraw",
    ),
]
