"""The partnership registry: who cooperates with whom, how, and with what result.

A partnership's geography (North–South, South–South, triangular, …) is derived from its members'
countries by ``geography.py`` and stored; it is never typed in by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.core.translation import localized, reader_text
from citypeers.core.uploads import validate_document


class Modality(models.TextChoices):
    TWINNING = "twinning", _("Twinning / sister cities")
    C2C = "c2c", _("City-to-city cooperation")
    A2A = "a2a", _("Association-to-association capacity building")
    NETWORK_PROJECT = "network_project", _("Thematic network project")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    ENDED = "ended", _("Ended")
    DECLINED = "declined", _("Declined")


class Geography(models.TextChoices):
    NORTH_NORTH = "north_north", _("North–North")
    NORTH_SOUTH = "north_south", _("North–South")
    SOUTH_SOUTH = "south_south", _("South–South")
    TRIANGULAR = "triangular", _("Triangular")
    UNCLASSIFIED = "unclassified", _("Unclassified")


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def visible(self) -> PartnershipQuerySet:
        """Partnerships shown to everyone: not declined proposals."""
        return self.exclude(status=Status.DECLINED)


class Partnership(models.Model):
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("address name"), max_length=270, unique=True)
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    geography = models.CharField(
        _("geography"),
        max_length=14,
        choices=Geography.choices,
        default=Geography.UNCLASSIFIED,
        editable=False,
    )
    single_country = models.BooleanField(_("within one country"), default=False, editable=False)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    original_language = models.CharField(_("original language"), max_length=8, default="en")
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    themes = models.ManyToManyField("directory.Theme", blank=True, related_name="partnerships")
    sdgs = models.ManyToManyField("places.Sdg", blank=True, related_name="partnerships")
    source = models.CharField(_("source"), max_length=40, blank=True)
    external_id = models.CharField(_("external id"), max_length=120, blank=True, db_index=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        indexes = [
            models.Index(fields=["title", "id"], name="partnership_title"),
            models.Index(fields=["geography", "status"], name="partnership_geo_status"),
            models.Index(fields=["modality", "status"], name="partnership_modality_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="partnership_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="partnership_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partnerships:detail", kwargs={"slug": self.slug})

    @property
    def description(self) -> str:
        return reader_text(self.descriptions, self.original_language)[0]


class PartnershipMember(models.Model):
    class Role(models.TextChoices):
        PARTNER = "partner", _("Partner")
        LEAD = "lead", _("Lead partner")
        FACILITATOR = "facilitator", _("Facilitator / third party")
        FUNDER = "funder", _("Funder")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="partnership_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.PARTNER)
    accepted = models.BooleanField(
        _("accepted"), default=True, help_text=_("False while an invited member has not answered.")
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        ordering = ["partnership", "role", "organisation__name"]
        verbose_name = _("partnership member")
        verbose_name_plural = _("partnership members")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="partnership_member_once"
            )
        ]
        indexes = [models.Index(fields=["organisation", "partnership"], name="pmember_org")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class PartnershipEvent(models.Model):
    """One entry of a partnership's history: every change, who made it and when."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("what happened"), max_length=40)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.kind}"


class Agreement(models.Model):
    """A dated document of the partnership, such as a memorandum of understanding."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreements"
    )
    title = models.CharField(_("title"), max_length=250)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    document = models.FileField(
        _("document"), upload_to="agreements/%Y/", blank=True, validators=[validate_document]
    )
    url = models.URLField(_("link"), blank=True)

    class Meta:
        ordering = ["signed_on", "pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title


class Objective(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="objectives"
    )
    text = models.TextField(_("objective"), max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.text[:80]


class Activity(models.Model):
    class Kind(models.TextChoices):
        EXCHANGE_VISIT = "exchange_visit", _("Exchange visit")
        STUDY_TOUR = "study_tour", _("Study tour")
        TRAINING = "training", _("Training")
        TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
        JOINT_PROJECT = "joint_project", _("Joint project")
        SECONDMENT = "secondment", _("Staff secondment")
        LEARNING_EVENT = "learning_event", _("Learning event")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    city = models.ForeignKey(
        "places.City", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    participant_count = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    participants = models.ManyToManyField(
        "directory.Organisation", blank=True, related_name="partnership_activities"
    )

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title


class Result(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="results")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    title = models.CharField(_("result"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    achieved_on = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering = ["achieved_on", "pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=250)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    actual = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_on = models.DateField(_("baseline date"), null=True, blank=True)
    measured_on = models.DateField(_("measured on"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class CapacityDimension(models.Model):
    """A dimension of the project's capacity framework (``capacity.py``)."""

    slug = models.SlugField(max_length=60, unique=True)
    applies_to = models.CharField(max_length=12, default="all")
    position = models.PositiveSmallIntegerField(default=0)
    label_en = models.CharField(max_length=120)
    label_fr = models.CharField(max_length=120)
    label_es = models.CharField(max_length=120)

    class Meta:
        ordering = ["position"]
        verbose_name = _("capacity dimension")
        verbose_name_plural = _("capacity dimensions")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "label")


class CapacityAssessment(models.Model):
    """An organisation's self-assessment on a date, one level (1–5) per dimension, with evidence."""

    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="capacity_assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "assessed_on", "pk"]
        verbose_name = _("capacity self-assessment")
        verbose_name_plural = _("capacity self-assessments")

    def __str__(self) -> str:
        return f"{self.organisation} {self.assessed_on}"


class CapacityScore(models.Model):
    assessment = models.ForeignKey(
        CapacityAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    dimension = models.ForeignKey(CapacityDimension, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["dimension__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="capacity_score_once"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="capacity_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.level}"


class PartnershipAssessment(models.Model):
    """Links a member's capacity assessment to a partnership as its baseline or a follow-up."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        FOLLOW_UP = "follow_up", _("Follow-up")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="assessment_links"
    )
    assessment = models.ForeignKey(
        CapacityAssessment, on_delete=models.CASCADE, related_name="partnership_links"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["assessment__assessed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "assessment"], name="partnership_assessment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.get_kind_display()} {self.assessment}"
