"""Root URLs: the API and health checks outside the language prefix, every page inside it."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from citypeers.api.api import api
from citypeers.core import views as core_views
from citypeers.knowledge.feeds import PracticesAtom, PracticesRss

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
]

urlpatterns += i18n_patterns(
    path("", include("citypeers.core.urls")),
    path("places/", include("citypeers.places.urls")),
    path("directory/", include("citypeers.directory.urls")),
    path("partnerships/", include("citypeers.partnerships.urls")),
    path("practices/feed/rss/", PracticesRss(), name="practices-feed-rss"),
    path("practices/feed/rss/<slug:theme>/", PracticesRss(), name="practices-feed-rss-theme"),
    path("practices/feed/atom/", PracticesAtom(), name="practices-feed-atom"),
    path("practices/feed/atom/<slug:theme>/", PracticesAtom(), name="practices-feed-atom-theme"),
    path("practices/", include("citypeers.knowledge.urls")),
    path("search/", include("citypeers.search.urls")),
    path("peers/", include("citypeers.matching.urls")),
    path("learning/", include("citypeers.learning.urls")),
    path("insights/", include("citypeers.insights.urls")),
    path("notifications/", include("citypeers.notifications.urls")),
    path("accounts/", include("citypeers.accounts.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

handler404 = "citypeers.core.views.page_not_found"
handler500 = "citypeers.core.views.server_error"
