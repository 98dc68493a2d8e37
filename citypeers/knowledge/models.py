"""The knowledge base: experiences and practices written in a structured template.

A practice has one original language and any number of human translations
(:class:`PracticeText`, one per language). Every edit of a text is kept as a :class:`Revision`
that can be compared and restored. "Adapted from" links and adoption reports trace how a practice
travels from city to city.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.core.uploads import validate_document, validate_image
from citypeers.core.workflow import EditorialStatus

# The structured template, in the order pages show it.
TEXT_FIELDS = ("title", "summary", "context", "objectives", "results", "challenges", "lessons")
MAX_TEXT = 20_000


Status = EditorialStatus  # draft → submitted → published → archived (core.workflow)


class PracticeQuerySet(models.QuerySet["Practice"]):
    def published(self) -> PracticeQuerySet:
        return self.filter(status=Status.PUBLISHED)


class Practice(models.Model):
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    original_language = models.CharField(_("original language"), max_length=8, default="en")
    owner = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_practices",
        verbose_name=_("organisation responsible"),
        help_text=_("Its editors may edit the practice."),
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    country = models.ForeignKey(
        "places.Country", null=True, blank=True, on_delete=models.SET_NULL, related_name="practices"
    )
    city = models.ForeignKey(
        "places.City", null=True, blank=True, on_delete=models.SET_NULL, related_name="practices"
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
        verbose_name=_("partnership it came from"),
    )
    adapted_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adaptations",
        verbose_name=_("adapted from"),
    )
    themes = models.ManyToManyField("directory.Theme", blank=True, related_name="practices")
    sdgs = models.ManyToManyField("places.Sdg", blank=True, related_name="practices")
    cover = models.ImageField(
        _("cover image"), upload_to="practices/%Y/", blank=True, validators=[validate_image]
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        indexes = [
            models.Index(fields=["status", "-published_at"], name="practice_status_published"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="practice_external_id"
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="practice_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        text = self.original_text
        return text.title if text else self.slug

    def get_absolute_url(self) -> str:
        return reverse("knowledge:detail", kwargs={"slug": self.slug})

    @property
    def original_text(self) -> PracticeText | None:
        return next((t for t in self.texts.all() if t.language == self.original_language), None)

    def text_in(self, language: str) -> PracticeText | None:
        """The text in ``language`` if there is one, else the original (uses prefetched texts)."""
        texts = list(self.texts.all())
        return next((t for t in texts if t.language == language), None) or next(
            (t for t in texts if t.language == self.original_language), None
        )


class PracticeText(models.Model):
    """The practice in one language: the original, or a human translation."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8)
    is_original = models.BooleanField(_("original"), default=False)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), blank=True)
    context = models.TextField(_("context"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    results = models.TextField(_("results"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_original", "language"]
        verbose_name = _("practice text")
        verbose_name_plural = _("practice texts")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "language"], name="practice_text_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEXT_FIELDS}


class PracticeOrganisation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        PARTNER = "partner", _("Partner")
        SUPPORT = "support", _("Support / funder")
        ADOPTER = "adopter", _("Adopter")

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="organisation_roles"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="practice_roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "organisation"], name="practice_organisation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Resource(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=250)
    url = models.URLField(_("link"), blank=True)
    document = models.FileField(
        _("file"), upload_to="practice-resources/%Y/", blank=True, validators=[validate_document]
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.title


class Revision(models.Model):
    """A snapshot of one language's text after an edit; restoring one makes a new revision."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="revisions")
    language = models.CharField(_("language"), max_length=8)
    number = models.PositiveIntegerField(_("revision"))
    data = models.JSONField(default=dict)
    note = models.CharField(_("note"), max_length=250, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "language", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "language", "number"], name="revision_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} [{self.language}] #{self.number}"


class SdgSuggestion(models.Model):
    """An SDG the platform suggested for a practice; the editor accepts or rejects it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Suggested")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="sdg_suggestions")
    sdg = models.ForeignKey("places.Sdg", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "sdg"], name="sdg_suggestion_once")
        ]

    def __str__(self) -> str:
        return f"{self.practice_id}: SDG {self.sdg_id} ({self.score:.2f})"


class AdoptionReport(models.Model):
    """Organisation X adopted practice Y: when, what changed, with what outcome."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="adoptions"
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    what_changed = models.TextField(_("what was changed to fit"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["adopted_on", "pk"]
        verbose_name = _("adoption report")
        verbose_name_plural = _("adoption reports")

    def __str__(self) -> str:
        return f"{self.organisation} adopted {self.practice_id}"
