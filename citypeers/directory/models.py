"""The directory: organisations of every actor type, their profiles and their memberships."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.core.translation import localized, reader_text
from citypeers.core.uploads import validate_image

from . import domains


class Theme(models.Model):
    """A policy area of the project's taxonomy (public space, water and sanitation, …)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_fr = models.CharField(_("label (French)"), max_length=100)
    label_es = models.CharField(_("label (Spanish)"), max_length=100)

    class Meta:
        ordering = ["position"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "label")


class ActorType(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality / city")
    METROPOLITAN = "metropolitan", _("Metropolitan government")
    REGIONAL = "regional", _("Regional or provincial government")
    LGA = "lga", _("Local government association")
    NETWORK = "network", _("Network or platform")
    INTERNATIONAL = "international", _("International organisation")
    NGO = "ngo", _("NGO / civil society")
    ACADEMIA = "academia", _("Academia / research")
    PRIVATE = "private", _("Private sector")
    NATIONAL_AGENCY = "national_agency", _("National government agency")


LOCAL_GOVERNMENT_TYPES = (ActorType.MUNICIPALITY, ActorType.METROPOLITAN, ActorType.REGIONAL)
ASSOCIATION_TYPES = (ActorType.LGA, ActorType.NETWORK)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def with_place(self) -> OrganisationQuerySet:
        return self.select_related("country__region", "country__subregion", "admin_area", "city")


class Organisation(models.Model):
    """An actor of decentralised cooperation, placed where it governs or sits."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    actor_type = models.CharField(_("actor type"), max_length=20, choices=ActorType.choices)
    country = models.ForeignKey(
        "places.Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("country"),
    )
    admin_area = models.ForeignKey(
        "places.AdminArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("first-level region"),
    )
    city = models.ForeignKey(
        "places.City",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("city"),
    )
    population_served = models.PositiveBigIntegerField(
        _("population served"), null=True, blank=True
    )
    languages = models.JSONField(_("languages of work"), default=list, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to="logos/%Y/", blank=True, validators=[validate_image]
    )
    original_language = models.CharField(_("original language"), max_length=8, default="en")
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="organisations")
    sdgs = models.ManyToManyField("places.Sdg", blank=True, related_name="organisations")
    search_text = models.TextField(editable=False, default="")
    is_demo = models.BooleanField(_("demo content"), default=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            # The list's order: its first page walks this index and stops after 25 rows.
            models.Index(fields=["name", "id"], name="org_name"),
            models.Index(fields=["actor_type", "name"], name="org_type_name"),
            models.Index(fields=["country", "name"], name="org_country_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "actor_type"],
                condition=Q(city__isnull=False, actor_type__in=["municipality", "metropolitan"]),
                name="org_one_local_government_per_city_and_type",
            ),
            models.UniqueConstraint(
                fields=["admin_area", "actor_type"],
                condition=Q(admin_area__isnull=False, city__isnull=True, actor_type="regional"),
                name="org_one_regional_government_per_region",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation", kwargs={"slug": self.slug})

    @property
    def description(self) -> str:
        """The description in the reader's language, else in the original language."""
        return reader_text(self.descriptions, self.original_language)[0]

    @property
    def description_language(self) -> str:
        return reader_text(self.descriptions, self.original_language)[1]

    @property
    def is_local_government(self) -> bool:
        return self.actor_type in LOCAL_GOVERNMENT_TYPES


class ProfileItem(models.Model):
    """A challenge the organisation faces, or expertise it can share: a theme plus free text."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", _("Challenge we face")
        EXPERTISE = "expertise", _("Expertise we can share")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="profile_items"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("description"), max_length=2000)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "theme__position", "pk"]
        verbose_name = _("profile item")
        verbose_name_plural = _("profile items")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.theme}"


class Membership(models.Model):
    """``member`` belongs to ``parent``: a city in its LGA, an LGA in a world network."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        FOUNDING = "founding_member", _("Founding member")
        BOARD = "board_member", _("Board member")
        ASSOCIATE = "associate", _("Associate member")
        OBSERVER = "observer", _("Observer")
        PARTNER = "partner", _("Partner")

    member = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    parent = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField(_("since"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["parent__name", "member__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(member=models.F("parent")), name="membership_not_of_itself"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["member", "parent", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.parent}"

    @property
    def is_current(self) -> bool:
        import datetime as dt

        return self.end_date is None or self.end_date >= dt.date.today()


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ManagementClaim(models.Model):
    """A signed-in person asks to manage an organisation that has no organisation admin.

    A platform moderator approves (the requester becomes its organisation admin) or rejects it
    with a reason; the requester may withdraw it while it waits. One waiting claim per person
    and organisation (a constraint). The rules are in ``services.claim_*``.

    ``requester`` is kept as ``SET_NULL``: a claim outlives a deleted account as a record of a
    moderator's decision (the account deletion's rule for what a person wrote), and a waiting
    claim of a deleted account can only be rejected.
    """

    POSITION_MAX = 150
    MESSAGE_MAX = 2000
    REASON_MAX = 2000

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="management_claims",
        verbose_name=_("organisation"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="management_claims",
        verbose_name=_("requester"),
    )
    position = models.CharField(_("position or role title"), max_length=POSITION_MAX)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(
        _("reason of the decision"), max_length=REASON_MAX, blank=True
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("management claim")
        verbose_name_plural = _("management claims")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "requester"],
                condition=Q(status="pending"),
                name="claim_one_pending_per_requester",
            ),
        ]
        indexes = [
            # The moderators' queue: waiting claims, oldest first.
            models.Index(fields=["status", "created_at"], name="claim_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.requester or '—'} → {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.status == ClaimStatus.PENDING

    @property
    def email_domain(self) -> str:
        return domains.email_domain(self.requester.email) if self.requester is not None else ""

    @property
    def evidence(self) -> str:
        """Whether the requester's e-mail address is at the organisation's website domain
        (``match``, ``mismatch`` or ``unknown``: see ``domains.py``); a hint, not proof."""
        email = self.requester.email if self.requester is not None else ""
        return domains.domain_evidence(email, self.organisation.website).value
