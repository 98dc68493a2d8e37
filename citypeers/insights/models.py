"""Stored figures of the insights app: count tables filled by a refresh, never by a page view.

The design follows Zulip's analytics (``CountStat`` / ``FillState``): one task computes every figure
from the domain tables (``services.insights_refresh``) and replaces the stored rows in one
transaction; pages, the API and the map read only these tables. :class:`RefreshRun` is the fill
state: a run is ``running``, ``finished`` or ``failed``, and a partial unique constraint lets at
most one run be ``running`` at a time, which is the lock that makes a second refresh started
meanwhile step aside instead of computing twice.

Tables:

- :class:`Figure` — one number keyed by ``(name, scope_type, scope_key, subgroup, period)``
  (e.g. ``partnerships`` of the platform for subgroup ``south_south`` in period ``2019``).
- :class:`Label` — names of what figures are about (regions, countries, themes, communities) in
  every language, so a page needs no join into the reference tables.
- :class:`MapPlace` — one country or city as the map draws it: anchor point and counts.
- :class:`PlaceFact` / :class:`LinkFact` — partnerships per place / per pair of places, broken down
  by the map's filters (modality, geography class, start year, theme), summed at read time.
- :class:`ActorMetric` — an organisation's position in the cooperation graph.
- :class:`Synergy` — two organisations on the same theme and in the same country or region that
  do not cooperate yet, with a score.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypeers.core.translation import localized


class RefreshRun(models.Model):
    """One computation of every stored figure: the fill state of the tables below."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    trigger = models.CharField(_("started by"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    rows = models.JSONField(_("rows written per table"), default=dict, blank=True)
    timings = models.JSONField(_("seconds per step"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"
        verbose_name = _("insights refresh")
        verbose_name_plural = _("insights refreshes")
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="running"),
                name="insights_one_running_refresh",
            )
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.state}"


class Scope(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    REGION = "region", _("Region")
    COUNTRY = "country", _("Country")
    THEME = "theme", _("Theme")
    ORGANISATION = "organisation", _("Organisation")
    COMMUNITY = "community", _("Community")


class Figure(models.Model):
    """One stored number. ``period`` is ``""`` for all time or a year (``"2019"``)."""

    name = models.CharField(max_length=60)
    scope_type = models.CharField(max_length=20, choices=Scope.choices)
    scope_key = models.CharField(max_length=80, blank=True)
    subgroup = models.CharField(max_length=80, blank=True)
    period = models.CharField(max_length=10, blank=True)
    value = models.FloatField()

    class Meta:
        ordering = ["scope_type", "scope_key", "name", "subgroup", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "scope_type", "scope_key", "subgroup", "period"],
                name="insights_figure_once",
            )
        ]
        indexes = [
            models.Index(fields=["scope_type", "scope_key", "name"], name="insights_figure_scope"),
            models.Index(fields=["name", "scope_type"], name="insights_figure_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}[{self.scope_type}:{self.scope_key}/{self.subgroup}/{self.period}]"


class Label(models.Model):
    """The name of a region, country, city, theme or community, per language."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    name_en = models.CharField(max_length=250)
    name_fr = models.CharField(max_length=250, blank=True)
    name_es = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["kind", "position", "name_en"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="insights_label_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name") or self.name_en


class MapPlace(models.Model):
    """A country or a city as the map places it, with its counts (no filter applied).

    A country's anchor is its most populous stored city (CityPeers keeps no country centroids);
    ``local_governments`` is the number of GeoNames places stored for it and ``population`` their
    population — the yardstick of the representation gaps.
    """

    class Level(models.TextChoices):
        COUNTRY = "country", _("Country")
        CITY = "city", _("City")

    level = models.CharField(max_length=8, choices=Level.choices)
    key = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=3)
    numeric = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=3, blank=True)
    global_south = models.BooleanField(null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    organisations = models.PositiveIntegerField(default=0)
    local_government_orgs = models.PositiveIntegerField(default=0)
    partnerships = models.PositiveIntegerField(default=0)
    south_south = models.PositiveIntegerField(default=0)
    practices = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    local_governments = models.PositiveIntegerField(default=0)
    population = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["level", "-partnerships", "key"]
        constraints = [models.UniqueConstraint(fields=["level", "key"], name="insights_place_once")]
        indexes = [
            models.Index(fields=["level", "latitude", "longitude"], name="insights_place_geo"),
            models.Index(fields=["level", "-partnerships"], name="insights_place_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.key} {self.name}"


class PlaceFact(models.Model):
    """Partnerships with an accepted member in a place, for one combination of the map filters.

    ``theme`` is ``""`` in the rows that count every partnership, and a theme slug in the rows that
    count the partnerships of that theme: a filter on a theme reads only its rows, no filter reads
    only the ``""`` rows, so nothing is counted twice. ``year`` is the start year (null: no date).
    """

    level = models.CharField(max_length=8, choices=MapPlace.Level.choices)
    key = models.CharField(max_length=20)
    modality = models.CharField(max_length=20)
    geography = models.CharField(max_length=14)
    year = models.PositiveSmallIntegerField(null=True)
    theme = models.CharField(max_length=60, blank=True)
    partnerships = models.PositiveIntegerField()

    class Meta:
        ordering = ["level", "key"]
        indexes = [
            models.Index(fields=["level", "theme", "key"], name="insights_placefact_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.key} {self.partnerships}"


class LinkFact(models.Model):
    """Partnerships between two places (``a`` < ``b``), one row per combination of the filters.

    A partnership of n members in distinct places adds one to each of its n·(n−1)/2 pairs.
    Pairs within one place are not stored: the map draws no arc from a place to itself.
    """

    level = models.CharField(max_length=8, choices=MapPlace.Level.choices)
    a = models.CharField(max_length=20)
    b = models.CharField(max_length=20)
    # The two ends' anchors, so that a map view (a bounding box) selects links in SQL.
    a_lat = models.FloatField(null=True)
    a_lng = models.FloatField(null=True)
    b_lat = models.FloatField(null=True)
    b_lng = models.FloatField(null=True)
    modality = models.CharField(max_length=20)
    geography = models.CharField(max_length=14)
    year = models.PositiveSmallIntegerField(null=True)
    theme = models.CharField(max_length=60, blank=True)
    partnerships = models.PositiveIntegerField()

    class Meta:
        ordering = ["level", "a", "b"]
        indexes = [models.Index(fields=["level", "theme"], name="insights_linkfact_theme")]

    def __str__(self) -> str:
        return f"{self.level}:{self.a}–{self.b} {self.partnerships}"


class ActorMetric(models.Model):
    """An organisation's place in the cooperation graph (partnerships and memberships as edges).

    ``partners`` counts distinct neighbours; ``betweenness`` is normalised betweenness centrality
    (sampled on large graphs); ``regions_reached`` the M49 regions of its neighbours other than its
    own — the bridging measure shown as "connects regions"; ``community`` the Louvain community.
    """

    organisation = models.OneToOneField(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=220)
    actor_type = models.CharField(max_length=20)
    country = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=3, blank=True)
    partners = models.PositiveIntegerField(default=0)
    partnerships = models.PositiveIntegerField(default=0)
    memberships = models.PositiveIntegerField(default=0)
    betweenness = models.FloatField(default=0)
    regions_reached = models.PositiveSmallIntegerField(default=0)
    cross_region_partners = models.PositiveIntegerField(default=0)
    community = models.PositiveIntegerField(null=True)
    rank_in_region = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["-partners", "name"]
        indexes = [
            models.Index(fields=["region", "rank_in_region"], name="insights_actor_region"),
            models.Index(fields=["-betweenness"], name="insights_actor_between"),
            models.Index(fields=["-partners"], name="insights_actor_partners"),
        ]

    def __str__(self) -> str:
        return self.name


class Synergy(models.Model):
    """Two organisations that work on the same theme nearby and do not cooperate yet."""

    class Scope(models.TextChoices):
        COUNTRY = "country", _("Same country")
        REGION = "region", _("Same region")

    organisation_a = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    organisation_b = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    a_name = models.CharField(max_length=200)
    a_slug = models.CharField(max_length=220)
    b_name = models.CharField(max_length=200)
    b_slug = models.CharField(max_length=220)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    country = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=3, blank=True)
    themes = models.JSONField(default=list)
    # The same slugs as ",water-sanitation,housing,", for a filter by theme on any database.
    theme_keys = models.CharField(max_length=1500, blank=True)
    reasons = models.JSONField(default=list)
    score = models.FloatField()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name_plural = "synergies"
        indexes = [
            models.Index(fields=["-score"], name="insights_synergy_score"),
            models.Index(fields=["organisation_a", "-score"], name="insights_synergy_a"),
            models.Index(fields=["organisation_b", "-score"], name="insights_synergy_b"),
        ]

    def __str__(self) -> str:
        return f"{self.a_name} ↔ {self.b_name} ({self.score:.1f})"
