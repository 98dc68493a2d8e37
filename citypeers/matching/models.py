"""Match requests: an organisation posts a need, invites peers, and an acceptance becomes a
proposed partnership.

A :class:`MatchRequest` states the need (themes, text, preferred regions, countries and languages,
the modality wished). The platform suggests peers for it through the matching engine at read time
(``selectors.request_suggestions``); nothing of the ranking is stored here except, on each
:class:`MatchInvitation`, the rank and score the invited organisation had when it was invited, so
one can later count how often suggestions turned into partnerships.

Who may read and write what is in ``permissions.py``; every write goes through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.partnerships.models import Modality


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SuggestionMode(models.TextChoices):
    """How the engine ranks peers for the request (the modes of ``engine.py``)."""

    PARTNERS = "partners", _("Likely partners")
    PEERS = "peers", _("Peers in a similar situation")
    SOUTH_SOUTH = "south-south", _("Southern peers only")
    ASSOCIATION = "association", _("Associations of local governments")


class MatchRequest(models.Model):
    """A need an organisation posts, looking for peers or partners."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="match_requests",
        verbose_name=_("requesting organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    #: Plain text, escaped on display (never Markdown, never HTML).
    text = models.TextField(_("what we are looking for"), max_length=5000)
    language = models.CharField(_("language of the text"), max_length=8, default="en")
    themes = models.ManyToManyField(
        "directory.Theme", blank=True, related_name="match_requests", verbose_name=_("themes")
    )
    regions = models.ManyToManyField(
        "places.Region",
        blank=True,
        related_name="match_requests",
        verbose_name=_("preferred regions"),
    )
    countries = models.ManyToManyField(
        "places.Country",
        blank=True,
        related_name="match_requests",
        verbose_name=_("preferred countries"),
    )
    #: The languages the requester wishes to work in (codes of
    #: ``directory.services.LANGUAGE_CODES``), a preference the suggestions follow.
    languages = models.JSONField(_("languages wished"), default=list, blank=True)
    modality = models.CharField(
        _("modality wished"),
        max_length=20,
        choices=Modality.choices,
        default=Modality.C2C,
    )
    mode = models.CharField(
        _("kind of peers sought"),
        max_length=20,
        choices=SuggestionMode.choices,
        default=SuggestionMode.PARTNERS,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("why it was closed"), blank=True, max_length=2000)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    external_id = models.CharField(_("external id"), max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("match request")
        verbose_name_plural = _("match requests")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="match_request_status"),
            models.Index(fields=["organisation", "status"], name="match_request_org"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="match_request_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("matching:request-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MatchInvitation(models.Model):
    """The requester invites an organisation to answer its request; it accepts or declines."""

    request = models.ForeignKey(MatchRequest, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="match_invitations",
        verbose_name=_("invited organisation"),
    )
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    #: Where the engine ranked the organisation for the request when it was invited (1 = first);
    #: empty when it was found by name rather than among the suggestions.
    suggested_rank = models.PositiveSmallIntegerField(_("rank among suggestions"), null=True)
    suggested_score = models.FloatField(_("suggestion score"), null=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    #: The reason of a decline, or a note with an acceptance.
    answer_note = models.TextField(_("answer"), blank=True, max_length=2000)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    #: The proposed partnership an acceptance created.
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="match_invitations",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("match invitation")
        verbose_name_plural = _("match invitations")
        indexes = [
            models.Index(fields=["organisation", "status"], name="match_invitation_org"),
        ]
        constraints = [
            # Once per request and organisation, unless the earlier invitation was withdrawn.
            models.UniqueConstraint(
                fields=["request", "organisation"],
                condition=~Q(status="withdrawn"),
                name="match_invitation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("matching:invitation-detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING
