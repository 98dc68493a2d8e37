"""The learning forum: peer-learning events, registrations with a waiting list, learning notes,
news articles in several languages, the secret addresses of personal calendar feeds; discussions
in communities of practice with their moderation; follows and the feed of what happened.

Times are stored as aware datetimes (UTC in the database) together with the IANA time zone the
event happens in (``Event.time_zone``), so an event is shown in its own zone and in the reader's,
and calendar feeds carry the zone's rules (VTIMEZONE) for clients to get DST changes right.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citypeers.core.workflow import EditorialStatus

MAX_TEXT = 20_000


class EventKind(models.TextChoices):
    LEARNING_EXCHANGE = "learning_exchange", _("Learning exchange")
    STUDY_VISIT = "study_visit", _("Study visit")
    WORKSHOP = "workshop", _("Workshop")
    WEBINAR = "webinar", _("Webinar")
    LEARNING_FORUM = "learning_forum", _("Learning forum")
    TRAINING = "training", _("Training")


class AttendanceMode(models.TextChoices):
    ONSITE = "onsite", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid (on site and online)")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone may see it and register")
    MEMBERS = "members", _("Members only: people of the organisers and of their members")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class EventQuerySet(models.QuerySet["Event"]):
    def listed(self) -> EventQuerySet:
        """Events that readers see in lists: published, or published then cancelled."""
        return self.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])


class Event(models.Model):
    """A peer-learning activity: a learning exchange, a study visit, a workshop, a webinar …"""

    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    title = models.CharField(_("title"), max_length=250)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language of the text"), max_length=8, default="en")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    visibility = models.CharField(
        _("who may take part"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    attendance_mode = models.CharField(
        _("attendance"), max_length=10, choices=AttendanceMode.choices
    )
    organisers = models.ManyToManyField(
        "directory.Organisation", related_name="organised_events", verbose_name=_("organisers")
    )
    themes = models.ManyToManyField("directory.Theme", blank=True, related_name="events")
    sdgs = models.ManyToManyField("places.Sdg", blank=True, related_name="events")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    city = models.ForeignKey(
        "places.City",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("city"),
    )
    venue = models.CharField(_("venue"), max_length=250, blank=True)
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    interpretation = models.JSONField(_("interpretation into"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start"),
            models.Index(fields=["status", "ends_at"], name="event_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="event_capacity"
            ),
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="event_external_id"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:event", kwargs={"slug": self.slug})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_online(self) -> bool:
        return self.attendance_mode in (AttendanceMode.ONLINE, AttendanceMode.HYBRID)

    @property
    def is_onsite(self) -> bool:
        return self.attendance_mode in (AttendanceMode.ONSITE, AttendanceMode.HYBRID)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def join_link_is_public(self) -> bool:
        """An open online event (public, online only, no seat limit) shows its link to all:
        anyone may join anyway, so there is nothing to keep for registered people."""
        return bool(
            self.join_url
            and self.visibility == Visibility.PUBLIC
            and self.attendance_mode == AttendanceMode.ONLINE
            and self.capacity is None
        )

    def registration_closes(self) -> dt.datetime:
        """When registration closes: the organiser's date, else when the event starts."""
        return self.registration_closes_at or self.starts_at


class AgendaItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    starts_at = models.DateTimeField(_("time"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=250)
    speakers = models.CharField(_("speakers"), max_length=250, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)

    class Meta:
        ordering = ["event", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """One person's place at an event: a seat, a place on the waiting list, or cancelled.

    The waiting list is ordered by ``requested_at`` (then id): a freed seat goes to the first.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    requested_at = models.DateTimeField(_("asked on"))
    registered_at = models.DateTimeField(_("seat given on"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "requested_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_once"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "requested_at"], name="registration_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.event} · {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)


class CalendarToken(models.Model):
    """The secret in the address of a person's calendar feed; only its SHA-256 hash is kept.

    Revoking deletes the row: the old address then answers 404. A new one can be made at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"


class LearningNote(models.Model):
    """What an event left behind: what was shared and by whom, what each side will try, and the
    follow-ups; linked to the practices it relates to or became."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_notes",
        verbose_name=_("written for"),
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    title = models.CharField(_("title"), max_length=250)
    shared = models.TextField(_("what was shared"), blank=True)
    shared_by = models.CharField(_("shared by"), max_length=500, blank=True)
    will_try = models.TextField(_("what each side will try"), blank=True)
    follow_ups = models.TextField(_("follow-ups"), blank=True)
    practices = models.ManyToManyField(
        "knowledge.Practice", blank=True, related_name="learning_notes"
    )
    became = models.ForeignKey(
        "knowledge.Practice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("practice written from it"),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("learning note")
        verbose_name_plural = _("learning notes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.event.get_absolute_url()}#note-{self.pk}"


NewsStatus = EditorialStatus  # the same workflow as practices (core.workflow)


NEWS_TEXT_FIELDS = ("title", "summary", "body")


class NewsArticleQuerySet(models.QuerySet["NewsArticle"]):
    def published(self) -> NewsArticleQuerySet:
        return self.filter(status=NewsStatus.PUBLISHED)


class NewsArticle(models.Model):
    """A news article with one original language and human translations (:class:`NewsText`)."""

    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NewsStatus.choices, default=NewsStatus.DRAFT
    )
    original_language = models.CharField(_("original language"), max_length=8, default="en")
    owner = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_news",
        verbose_name=_("organisation responsible"),
    )
    organisations = models.ManyToManyField(
        "directory.Organisation",
        blank=True,
        related_name="news",
        verbose_name=_("related organisations"),
    )
    themes = models.ManyToManyField("directory.Theme", blank=True, related_name="news")
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
        verbose_name=_("related event"),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = NewsArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        indexes = [models.Index(fields=["status", "-published_at"], name="news_status_published")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="news_external_id"
            )
        ]

    def __str__(self) -> str:
        text = self.text_in(self.original_language)
        return text.title if text else self.slug

    def get_absolute_url(self) -> str:
        return reverse("learning:news", kwargs={"slug": self.slug})

    def text_in(self, language: str) -> NewsText | None:
        """The text in ``language`` if there is one, else the original (uses prefetched texts)."""
        texts = list(self.texts.all())
        return next((t for t in texts if t.language == language), None) or next(
            (t for t in texts if t.language == self.original_language), None
        )


class NewsText(models.Model):
    """The article in one language: the original, or a human translation."""

    article = models.ForeignKey(NewsArticle, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8)
    is_original = models.BooleanField(_("original"), default=False)
    title = models.CharField(_("title"), max_length=250)
    summary = models.CharField(_("summary"), max_length=600, blank=True)
    body = models.TextField(_("text"), blank=True)
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_original", "language"]
        verbose_name = _("news text")
        verbose_name_plural = _("news texts")
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="news_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in NEWS_TEXT_FIELDS}


# --- discussions -----------------------------------------------------------------------------

MAX_POST = 20_000


class CommunityKind(models.TextChoices):
    THEME = "theme", _("Theme")
    NETWORK = "network", _("Network")


class Community(models.Model):
    """A community of practice: one per theme of the taxonomy, and one per network or association
    that opens one. Anyone reads it; who writes is in ``permissions.can_post_in``."""

    kind = models.CharField(_("kind"), max_length=10, choices=CommunityKind.choices)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    theme = models.OneToOneField(
        "directory.Theme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="community",
        verbose_name=_("theme"),
    )
    organisation = models.OneToOneField(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="community",
        verbose_name=_("network"),
    )
    description = models.TextField(_("description"), blank=True, max_length=4000)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "slug"]
        verbose_name = _("community of practice")
        verbose_name_plural = _("communities of practice")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="theme", theme__isnull=False, organisation__isnull=True)
                    | Q(kind="network", theme__isnull=True, organisation__isnull=False)
                ),
                name="community_theme_or_network",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("learning:community", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        if self.theme is not None:
            return self.theme.label
        return self.organisation.name if self.organisation is not None else self.slug


class Thread(models.Model):
    """A question or a topic opened in a community, in Markdown; replies follow it."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discussion_threads",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=MAX_POST)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    is_locked = models.BooleanField(_("locked"), default=False)
    locked_reason = models.CharField(_("reason for locking"), max_length=1000, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=1000, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        ordering = ["-last_activity_at", "-pk"]
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")
        indexes = [
            models.Index(
                fields=["community", "is_hidden", "-last_activity_at"], name="thread_listing"
            ),
            models.Index(fields=["author", "created_at"], name="thread_author_time"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:thread", kwargs={"pk": self.pk})


class Reply(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discussion_replies",
    )
    body = models.TextField(_("text"), max_length=MAX_POST)
    created_at = models.DateTimeField(auto_now_add=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=1000, blank=True)
    helpful_at = models.DateTimeField(_("marked helpful"), null=True, blank=True)
    helpful_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        ordering = ["thread", "created_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [
            models.Index(fields=["thread", "created_at"], name="reply_thread_time"),
            models.Index(fields=["author", "created_at"], name="reply_author_time"),
        ]

    def __str__(self) -> str:
        return f"{self.thread} · {self.pk}"

    def get_absolute_url(self) -> str:
        return f"{self.thread.get_absolute_url()}#reply-{self.pk}"

    @property
    def is_helpful(self) -> bool:
        return self.helpful_at is not None


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Abusive, hateful or harassing")
    OFF_TOPIC = "off_topic", _("Off topic")
    PERSONAL_DATA = "personal_data", _("Exposes personal data")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Acted on")
    DISMISSED = "dismissed", _("Dismissed")


class Report(models.Model):
    """Someone asks the moderators to look at a thread or at one of its replies."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_reports"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reports")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(_("what was done"), max_length=1000, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "thread"],
                condition=Q(reply__isnull=True, status="open"),
                name="report_thread_once_open",
            ),
            models.UniqueConstraint(
                fields=["reporter", "reply"],
                condition=Q(reply__isnull=False, status="open"),
                name="report_reply_once_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.reply or self.thread}"


class ModerationVerb(models.TextChoices):
    HIDE = "hide", _("Hidden")
    UNHIDE = "unhide", _("Shown again")
    LOCK = "lock", _("Locked")
    UNLOCK = "unlock", _("Unlocked")
    BAN = "ban", _("Banned from discussions")
    UNBAN = "unban", _("Ban lifted")
    DISMISS = "dismiss", _("Report dismissed")


class ModerationAction(models.Model):
    """What a moderator did, on what, and why: the record behind every moderation step."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(_("action"), max_length=10, choices=ModerationVerb.choices)
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self) -> str:
        return f"{self.get_verb_display()} · {self.reason[:60]}"


class DiscussionBan(models.Model):
    """A person may not post or report in the discussions, until ``until`` (or until lifted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_bans"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("discussion ban")
        verbose_name_plural = _("discussion bans")
        indexes = [models.Index(fields=["user", "lifted_at"], name="ban_user_active")]

    def __str__(self) -> str:
        return f"{self.user} · {self.reason[:60]}"

    def is_active(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and (self.until is None or self.until > now)


# --- follows and what happened ---------------------------------------------------------------


class Follow(models.Model):
    """A person follows one theme, organisation, event or discussion thread (exactly one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    theme = models.ForeignKey(
        "directory.Theme", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        theme__isnull=False,
                        organisation__isnull=True,
                        event__isnull=True,
                        thread__isnull=True,
                    )
                    | Q(
                        theme__isnull=True,
                        organisation__isnull=False,
                        event__isnull=True,
                        thread__isnull=True,
                    )
                    | Q(
                        theme__isnull=True,
                        organisation__isnull=True,
                        event__isnull=False,
                        thread__isnull=True,
                    )
                    | Q(
                        theme__isnull=True,
                        organisation__isnull=True,
                        event__isnull=True,
                        thread__isnull=False,
                    )
                ),
                name="follow_exactly_one",
            ),
            models.UniqueConstraint(
                fields=["user", "theme"], condition=Q(theme__isnull=False), name="follow_theme"
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="follow_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "event"], condition=Q(event__isnull=False), name="follow_event"
            ),
            models.UniqueConstraint(
                fields=["user", "thread"], condition=Q(thread__isnull=False), name="follow_thread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.target}"

    @property
    def target(self) -> Any:
        return self.theme or self.organisation or self.event or self.thread

    @property
    def target_kind(self) -> str:
        for name in ("theme", "organisation", "event", "thread"):
            if getattr(self, f"{name}_id") is not None:
                return name
        return ""


class FeedKind(models.TextChoices):
    PRACTICE = "practice", _("Practice")
    NEWS = "news", _("News")
    EVENT = "event", _("Event")
    NOTE = "note", _("Learning note")
    THREAD = "thread", _("Discussion")
    REPLY = "reply", _("Reply")
    ORGANISATION = "organisation", _("Organisation")


class FeedItem(models.Model):
    """Something new that followers hear of: a published practice, news article or event, a
    learning note, a thread, a reply, a new organisation on a theme.

    Written once per thing (``kind`` + ``target``), with what the notifications and digests need
    — titles per language, the address, the themes, organisations, event and thread it concerns —
    so that telling followers needs no further query per item. ``fanned_out_at`` records that the
    in-app notifications were made (a second run of the fan-out does nothing).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=FeedKind.choices)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=60)
    titles = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="en")
    path = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    themes = models.ManyToManyField("directory.Theme", blank=True, related_name="feed_items")
    organisations = models.ManyToManyField(
        "directory.Organisation", blank=True, related_name="feed_items"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="feed_items"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="feed_items"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="feed_items"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feed item")
        verbose_name_plural = _("feed items")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id"], name="feed_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.title_in(self.language)}"

    def title_in(self, language: str) -> str:
        titles = self.titles or {}
        return str(
            titles.get(language) or titles.get(self.language) or next(iter(titles.values()), "")
        )
