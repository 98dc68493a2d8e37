"""Forms of the partnership pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.core.translation import active_language
from citypeers.core.uploads import validate_document
from citypeers.directory import selectors as directory_selectors
from citypeers.directory.forms import language_choices, sdgs_field, themes_field
from citypeers.places.models import City, Country, Region

from .capacity import LEVELS
from .models import (
    Activity,
    CapacityAssessment,
    CapacityDimension,
    Geography,
    Modality,
    Objective,
    Partnership,
    PartnershipAssessment,
    PartnershipMember,
    Status,
)
from .selectors import PartnershipFilters

TRANSLATION_LANGUAGES = ("en", "fr", "es")
LANGUAGE_INDEX = {"en": 0, "fr": 1, "es": 2}
Role = PartnershipMember.Role
DATE = {"type": "date"}


def level_label(level: int) -> str:
    """What a capacity level means, in the reader's language: "3 — Established: …"."""
    return f"{level} — {LEVELS[level][LANGUAGE_INDEX.get(active_language(), 0)]}"


def _lookup(target: str) -> dict[str, str]:
    """htmx attributes of a search box that fills the list of field ``target`` as one types."""
    return {
        "type": "search",
        "autocomplete": "off",
        "hx-get": reverse("partnerships:lookup", kwargs={"field": target}),
        "hx-trigger": "input changed delay:250ms, search",
        "hx-target": f"#field-{target}",
        "hx-swap": "outerHTML",
        "hx-sync": "this:replace",
        "aria-controls": f"id_{target}",
    }


class FilterForm(forms.Form):
    """The list's filters; an invalid value is reported and ignored, never fatal."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("A word of the title or a member's name."),
    )
    modality = forms.ChoiceField(label=_("Modality"), required=False)
    geography = forms.ChoiceField(label=_("Geography"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    region = forms.ChoiceField(label=_("Region of a member"), required=False)
    country = forms.ChoiceField(label=_("Country of a member"), required=False)
    international = forms.BooleanField(
        label=_("International only"),
        required=False,
        help_text=_("Leave out partnerships whose members are all in one country."),
    )
    organisation = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("All"))]
        choices: dict[str, list[tuple[str, Any]]] = {
            "modality": list(Modality.choices),
            "geography": list(Geography.choices),
            "status": [c for c in Status.choices if c[0] != Status.DECLINED],
            "theme": [(t.slug, t.label) for t in directory_selectors.theme_list()],
            "country": sorted(
                ((c.iso3, c.name) for c in Country.objects.only("iso3", *_names())),
                key=lambda c: c[1],
            ),
            "region": [
                (r.m49, ("— " * (r.level - 1)) + r.name) for r in _region_tree(list(_regions()))
            ],
        }
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = every + list(values)

    def filters(self, organisation_id: int | None = None) -> PartnershipFilters:
        """The filters to apply: the valid fields only (``is_valid()`` has run)."""
        data = getattr(self, "cleaned_data", {})
        return PartnershipFilters(
            q=data.get("q", ""),
            modality=data.get("modality", ""),
            geography=data.get("geography", ""),
            status=data.get("status", ""),
            theme=data.get("theme", ""),
            region=data.get("region", ""),
            country=data.get("country", ""),
            organisation=organisation_id,
            international_only=bool(data.get("international")),
        )


def _names() -> list[str]:
    return ["name_en", "name_fr", "name_es"]


def _regions() -> Any:
    return Region.objects.filter(level__gte=Region.Level.REGION).only(
        "m49", "level", "parent_id", *_names()
    )


def _region_tree(regions: list[Region]) -> list[Region]:
    """Regions in reading order: each followed by its sub-regions and their intermediate ones."""
    children: dict[int | None, list[Region]] = {}
    for r in regions:
        children.setdefault(r.parent_id, []).append(r)
    ids = {r.pk for r in regions}
    out: list[Region] = []

    def walk(parent: int | None) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: r.name):
            out.append(r)
            walk(r.pk)

    for root in sorted({r.parent_id for r in regions if r.parent_id not in ids}, key=str):
        walk(root)
    return out


class DescriptionMixin(forms.Form):
    """A description in its original language plus optional translations (en, fr, es)."""

    original_language = forms.ChoiceField(
        label=_("Language of the description"),
        initial="en",
        help_text=_("The language the description below is written in."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the partnership is about, in its original language. Plain text."),
    )
    description_en = forms.CharField(
        label=_("English translation"), required=False, max_length=10000, widget=forms.Textarea
    )
    description_fr = forms.CharField(
        label=_("French translation"), required=False, max_length=10000, widget=forms.Textarea
    )
    description_es = forms.CharField(
        label=_("Spanish translation"), required=False, max_length=10000, widget=forms.Textarea
    )
    themes = themes_field()
    sdgs = sdgs_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["original_language"]).choices = language_choices()
        self.fields["sdgs"].label_from_instance = lambda s: f"{s.number}. {s.short}"  # type: ignore[attr-defined]
        for lang in TRANSLATION_LANGUAGES:
            self.fields[f"description_{lang}"].widget.attrs["rows"] = 3

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        original = data.get("original_language") or "en"
        for lang in TRANSLATION_LANGUAGES:
            if lang == original and data.get(f"description_{lang}"):
                self.add_error(
                    f"description_{lang}",
                    _("This is the original language: write this text in Description."),
                )
        return data

    def descriptions(self, kept: dict[str, str] | None = None) -> dict[str, str]:
        """Descriptions per language; languages this form does not show are kept as they were."""
        data = self.cleaned_data
        original = data["original_language"]
        out = {k: v for k, v in (kept or {}).items() if k not in (*TRANSLATION_LANGUAGES, original)}
        for lang in TRANSLATION_LANGUAGES:
            if lang != original and data.get(f"description_{lang}"):
                out[lang] = data[f"description_{lang}"]
        if data.get("description"):
            out[original] = data["description"]
        return out


class OrganisationSlugField(forms.SlugField):
    """An organisation chosen by its address name in a list that a search box fills."""

    widget = forms.Select


class PartnershipCreateForm(DescriptionMixin):
    """Propose (or record) a partnership between one of the user's organisations and others."""

    field_order = [
        "organisation",
        "role",
        "partner_search",
        "partner",
        "partner_role",
        "other_search",
        "other",
        "other_role",
        "modality",
        "title",
        "started_on",
        "objectives",
    ]

    organisation = forms.ChoiceField(
        label=_("Your organisation"),
        help_text=_("One of the organisations you edit for."),
    )
    role = forms.ChoiceField(label=_("Its role"), choices=Role.choices, initial=Role.PARTNER)
    partner_search = forms.CharField(
        max_length=200,
        label=_("Find the partner organisation"),
        required=False,
        help_text=_("Type part of its name, then choose it in the list below."),
    )
    partner = OrganisationSlugField(label=_("Partner organisation"))
    partner_role = forms.ChoiceField(
        label=_("Partner's role"), choices=Role.choices, initial=Role.PARTNER
    )
    other_search = forms.CharField(
        max_length=200,
        label=_("Find a third organisation (optional)"),
        required=False,
        help_text=_("A facilitator, a funder or another partner, for example."),
    )
    other = OrganisationSlugField(label=_("Third organisation"), required=False)
    other_role = forms.ChoiceField(
        label=_("Third organisation's role"), choices=Role.choices, initial=Role.FACILITATOR
    )
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        required=False,
        help_text=_("Left empty, the members' names make the title."),
    )
    started_on = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    objectives = forms.CharField(
        label=_("Objectives"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One objective per line."),
    )

    def __init__(
        self, *args: Any, own: list[tuple[str, str]], names: dict[str, str], **kwargs: Any
    ) -> None:
        """``own``: (slug, name) of the organisations the user edits for; ``names``: slug → name
        of the organisations already chosen, to show in the lists."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = own
        for name in ("partner", "other"):
            self.fields[f"{name}_search"].widget.attrs.update(_lookup(name))
            chosen = self.data.get(name) if self.is_bound else self.initial.get(name)
            self.fields[name].widget.choices = [("", "—")] + (
                [(chosen, names[chosen])] if chosen in names else []
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [data.get("organisation"), data.get("partner"), data.get("other")]
        if data.get("partner") and data.get("partner") == data.get("organisation"):
            self.add_error("partner", _("Choose another organisation than your own."))
        elif data.get("other") and chosen.count(data.get("other")) > 1:
            self.add_error("other", _("This organisation is already among the members."))
        return data

    def objective_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["objectives"].splitlines() if line]


class PartnershipEditForm(DescriptionMixin):
    field_order = ["title", "modality", "started_on"]

    title = forms.CharField(label=_("Title"), max_length=250)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    started_on = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    @staticmethod
    def initial_from(partnership: Partnership) -> dict[str, Any]:
        original = partnership.original_language
        descriptions = partnership.descriptions or {}
        initial: dict[str, Any] = {
            "title": partnership.title,
            "modality": partnership.modality,
            "started_on": partnership.started_on,
            "original_language": original,
            "description": descriptions.get(original, ""),
            "themes": [t.slug for t in partnership.themes.all()],
            "sdgs": [s.number for s in partnership.sdgs.all()],
        }
        for lang in TRANSLATION_LANGUAGES:
            if lang != original:
                initial[f"description_{lang}"] = descriptions.get(lang, "")
        return initial


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("When it changed; today if left empty."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to end the partnership: why did it end?"),
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, label) for value, label in Status.choices if value in allowed
        ]


class ObjectiveForm(forms.Form):
    text = forms.CharField(
        label=_("Objective"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=250)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    city_search = forms.CharField(
        max_length=200,
        label=_("Find the place"),
        required=False,
        help_text=_("Type the start of the city's name, then choose it in the list below."),
    )
    city = forms.IntegerField(label=_("City"), required=False, widget=forms.Select)
    participant_count = forms.IntegerField(
        label=_("Number of participants"), min_value=0, required=False
    )
    participants = forms.MultipleChoiceField(
        label=_("Participating organisations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["participants"]).choices = members
        self.fields["city_search"].widget.attrs.update(_lookup("city"))
        raw = self.data.get("city") if self.is_bound else None
        city = City.objects.select_related("country").filter(geonameid=_int(raw)).first()
        self.fields["city"].widget.choices = [("", "—")] + (
            [(city.geonameid, f"{city.name}, {city.country.name}")] if city else []
        )

    def clean_city(self) -> City | None:
        geonameid = self.cleaned_data.get("city")
        if not geonameid:
            return None
        city = City.objects.filter(geonameid=geonameid).first()
        if city is None:
            raise forms.ValidationError(_("No city has this GeoNames id."))
        return city


def _int(raw: Any) -> int:
    try:
        return int(raw or 0)
    except (TypeError, ValueError):
        return 0


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=250)
    unit = forms.CharField(
        label=_("Unit"), max_length=50, required=False, help_text=_("For example %, km, people.")
    )
    baseline = forms.DecimalField(
        label=_("Baseline"), max_digits=14, decimal_places=2, required=False
    )
    baseline_on = forms.DateField(
        label=_("Baseline date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2, required=False)
    actual = forms.DecimalField(label=_("Actual"), max_digits=14, decimal_places=2, required=False)
    measured_on = forms.DateField(
        label=_("Measured on"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    def service_arguments(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class ResultForm(forms.Form):
    """A result, optionally against an objective, with its first indicator if given."""

    title = forms.CharField(label=_("Result"), max_length=250)
    objective = forms.ModelChoiceField(
        label=_("Objective it serves"),
        queryset=Objective.objects.none(),
        required=False,
        empty_label="—",
    )
    achieved_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    indicator_name = forms.CharField(
        label=_("Indicator"),
        max_length=250,
        required=False,
        help_text=_("Optional: what is measured, for example “households connected to water”."),
    )
    unit = IndicatorForm.base_fields["unit"]
    baseline = IndicatorForm.base_fields["baseline"]
    baseline_on = IndicatorForm.base_fields["baseline_on"]
    target = IndicatorForm.base_fields["target"]
    actual = IndicatorForm.base_fields["actual"]
    measured_on = IndicatorForm.base_fields["measured_on"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["objective"]).queryset = Objective.objects.filter(
            partnership=partnership
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        figures = ("unit", "baseline", "target", "actual", "baseline_on", "measured_on")
        if not data.get("indicator_name") and any(data.get(f) not in (None, "") for f in figures):
            self.add_error("indicator_name", _("Name the indicator these figures measure."))
        return data

    def indicator_arguments(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("indicator_name"):
            return None
        return {
            "name": data["indicator_name"],
            "unit": data["unit"],
            "baseline": data["baseline"],
            "target": data["target"],
            "actual": data["actual"],
            "baseline_on": data["baseline_on"],
            "measured_on": data["measured_on"],
        }


class AgreementForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        help_text=_("For example “Memorandum of understanding”."),
    )
    signed_on = forms.DateField(
        label=_("Signed on"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https", max_length=200)
    document = forms.FileField(
        label=_("Or upload the document"),
        required=False,
        help_text=_("PDF or office document, up to 10 MB."),
        validators=[validate_document],
    )

    MAX_BYTES = 10 * 1024 * 1024

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if document is not None and document.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The document is larger than 10 MB."))
        return document


class MemberForm(forms.Form):
    member_search = forms.CharField(
        max_length=200,
        label=_("Find the organisation"),
        required=False,
        help_text=_("Type part of its name, then choose it in the list below."),
    )
    member = OrganisationSlugField(label=_("Organisation"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.PARTNER)

    def __init__(self, *args: Any, names: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_search"].widget.attrs.update(_lookup("member"))
        chosen = self.data.get("member") if self.is_bound else None
        self.fields["member"].widget.choices = [("", "—")] + (
            [(chosen, (names or {})[chosen])] if chosen in (names or {}) else []
        )


class AssessmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.organisation} — {obj.assessed_on:%Y-%m-%d}"


class AssessmentLinkForm(forms.Form):
    assessment = AssessmentChoiceField(
        label=_("Capacity self-assessment"), queryset=CapacityAssessment.objects.none()
    )
    kind = forms.ChoiceField(label=_("Use it as"), choices=PartnershipAssessment.Kind.choices)

    def __init__(self, *args: Any, organisation_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["assessment"])
        field.queryset = (
            CapacityAssessment.objects.filter(organisation_id__in=organisation_ids)
            .select_related("organisation")
            .order_by("organisation__name", "-assessed_on")
        )


class AnswerForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CapacityForm(forms.Form):
    """A self-assessment: a level (or "not assessed") and evidence for each dimension."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=forms.DateInput(attrs=DATE))
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who took part and how the levels were agreed."),
    )

    def __init__(self, *args: Any, dimensions: list[CapacityDimension], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        levels = [("", _("Not assessed"))] + [(str(n), level_label(n)) for n in sorted(LEVELS)]
        for d in dimensions:
            self.fields[f"level_{d.slug}"] = forms.ChoiceField(
                label=d.label, choices=levels, required=False, widget=forms.RadioSelect
            )
            self.fields[f"evidence_{d.slug}"] = forms.CharField(
                label=_("Evidence for “%(dimension)s”") % {"dimension": d.label},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("What shows this level: a plan, a procedure, a report."),
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"level_{d.slug}"], self[f"evidence_{d.slug}"]) for d in self.dimensions]

    def scores(self) -> dict[str, tuple[int, str]]:
        data = self.cleaned_data
        return {
            d.slug: (int(data[f"level_{d.slug}"]), data[f"evidence_{d.slug}"])
            for d in self.dimensions
            if data.get(f"level_{d.slug}")
        }
