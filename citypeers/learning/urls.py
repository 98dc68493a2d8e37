from django.urls import path

from . import calendar, discussion_views, views
from .feeds import NewsAtom, NewsRss

app_name = "learning"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/edit/", views.event_edit, name="event-edit"),
    path("events/<slug:slug>/publish/", views.event_publish, name="event-publish"),
    path("events/<slug:slug>/cancel/", views.event_cancel, name="event-cancel"),
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/unregister/", views.unregister, name="unregister"),
    path("events/<slug:slug>/participants/", views.participants, name="participants"),
    path("events/<slug:slug>/calendar.ics", calendar.event_feed, name="event-ics"),
    path("events/<slug:slug>/notes/new/", views.note_create, name="note-create"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note-edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note-delete"),
    path("notes/<int:pk>/practice/", views.note_practice, name="note-practice"),
    path("calendar/", views.my_calendar, name="calendar"),
    path(
        "calendar/organisations/<slug:slug>.ics",
        calendar.organisation_feed,
        name="organisation-ics",
    ),
    path("calendar/themes/<slug:slug>.ics", calendar.theme_feed, name="theme-ics"),
    path("calendar/personal/<str:token>.ics", calendar.personal_feed, name="personal-ics"),
    path("news/", views.news_list, name="news-list"),
    path("news/new/", views.news_create, name="news-create"),
    path("news/review/", views.news_review, name="news-review"),
    path("news/feed/rss/", NewsRss(), name="news-rss"),
    path("news/feed/rss/<slug:theme>/", NewsRss(), name="news-rss-theme"),
    path("news/feed/atom/", NewsAtom(), name="news-atom"),
    path("news/feed/atom/<slug:theme>/", NewsAtom(), name="news-atom-theme"),
    path("news/<slug:slug>/", views.news_detail, name="news"),
    path("news/<slug:slug>/edit/", views.news_edit, name="news-edit"),
    path("news/<slug:slug>/translate/", views.news_translate, name="news-translate"),
    path("news/<slug:slug>/status/", views.news_status, name="news-status"),
    # Discussions, moderation, follows and digests
    path("discussions/", discussion_views.community_list, name="communities"),
    path("discussions/open/", discussion_views.community_open, name="community-open"),
    path("discussions/moderation/", discussion_views.moderation_queue, name="moderation"),
    path(
        "discussions/moderation/reports/<int:pk>/",
        discussion_views.report_act,
        name="report-act",
    ),
    path("discussions/moderation/people/<int:pk>/ban/", discussion_views.user_ban, name="ban"),
    path("discussions/threads/<int:pk>/", discussion_views.thread_detail, name="thread"),
    path("discussions/threads/<int:pk>/reply/", discussion_views.reply_create, name="reply"),
    path("discussions/threads/<int:pk>/report/", discussion_views.report_create, name="report"),
    path(
        "discussions/threads/<int:pk>/moderate/<str:action>/",
        discussion_views.thread_moderate,
        name="thread-moderate",
    ),
    path(
        "discussions/replies/<int:pk>/moderate/<str:action>/",
        discussion_views.reply_moderate,
        name="reply-moderate",
    ),
    path("discussions/replies/<int:pk>/helpful/", discussion_views.reply_helpful, name="helpful"),
    path("discussions/<slug:slug>/", discussion_views.community_detail, name="community"),
    path("discussions/<slug:slug>/new/", discussion_views.thread_create, name="thread-create"),
    path("following/", discussion_views.following, name="following"),
    path("follow/", discussion_views.follow_toggle, name="follow"),
    path("unsubscribe/<str:token>/", discussion_views.unsubscribe, name="unsubscribe"),
]
