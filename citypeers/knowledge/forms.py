"""Forms of the practice pages: they check the shape of input; services check the rules."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.directory import selectors as directory_selectors
from citypeers.directory.forms import _region_tree, language_choices, sdgs_field, themes_field
from citypeers.directory.models import Organisation
from citypeers.places.models import City, Country, Region, Sdg

from .models import MAX_TEXT, TEXT_FIELDS, PracticeOrganisation
from .selectors import PracticeFilters

DATE = {"type": "date"}
MARKDOWN_HELP = _(
    "Markdown: a blank line between paragraphs, **bold**, *italic*, “- ” at the start of a line "
    "for a list, [words](https://…) for a link. No HTML."
)
TEXT_LABELS = {
    "title": _("Title"),
    "summary": _("Summary"),
    "context": _("Context"),
    "objectives": _("Objectives"),
    "results": _("Results"),
    "challenges": _("Challenges"),
    "lessons": _("Lessons learned"),
}
TEXT_HELP = {
    "summary": _("Two or three sentences: what was done, where, with what result."),
    "context": _("The place and the problem: what made this practice necessary?"),
    "objectives": _("What you set out to achieve."),
    "results": _("What changed, with figures where you have them."),
    "challenges": _("What was hard, and what did not work."),
    "lessons": _("What a peer city should know before doing the same."),
}


def text_fields() -> dict[str, forms.Field]:
    """The structured template's fields: a title, then Markdown textareas."""
    fields: dict[str, forms.Field] = {
        "title": forms.CharField(label=TEXT_LABELS["title"], max_length=250)
    }
    for name in TEXT_FIELDS[1:]:
        fields[name] = forms.CharField(
            label=TEXT_LABELS[name],
            required=False,
            max_length=MAX_TEXT,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 5 if name == "summary" else 7}),
            help_text=TEXT_HELP[name],
        )
    return fields


class FilterForm(forms.Form):
    """The list's filters; an invalid value is reported and ignored, never fatal."""

    SOUTH_CHOICES = [
        ("", _("North and South")),
        ("south", _("Global South")),
        ("north", _("Global North")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("A word of the title, the summary or the lessons learned."),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    sdg = forms.ChoiceField(label=_("Sustainable Development Goal"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    south = forms.ChoiceField(
        label=_("Global North / South"), required=False, choices=SOUTH_CHOICES
    )
    language = forms.ChoiceField(
        label=_("Available in"),
        required=False,
        help_text=_("Practices written in, or translated into, this language."),
    )
    organisation = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[Any, Any]] = [("", _("All"))]
        self.theme_labels = {t.slug: t.label for t in directory_selectors.theme_list()}
        self.sdg_labels = {s.number: s.short for s in Sdg.objects.order_by("number")}
        self.country_labels = {
            c.iso3: c.name for c in Country.objects.only("iso3", "name_en", "name_fr", "name_es")
        }
        regions = Region.objects.filter(level__gte=Region.Level.REGION).order_by("level", "m49")
        choices: dict[str, list[tuple[Any, Any]]] = {
            "theme": list(self.theme_labels.items()),
            "sdg": [(str(n), f"{n}. {label}") for n, label in self.sdg_labels.items()],
            "country": sorted(self.country_labels.items(), key=lambda c: c[1]),
            "region": [
                (r.m49, ("— " * (r.level - 1)) + r.name) for r in _region_tree(list(regions))
            ],
            "language": language_choices(),
        }
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = every + values

    def filters(self, organisation_id: int | None = None) -> PracticeFilters:
        """The filters to apply: the valid fields only (``is_valid()`` has run)."""
        data = getattr(self, "cleaned_data", {})
        sdg = data.get("sdg") or ""
        return PracticeFilters(
            q=data.get("q", ""),
            theme=data.get("theme", ""),
            sdg=int(sdg) if sdg else None,
            country=data.get("country", ""),
            region=data.get("region", ""),
            south={"south": True, "north": False}.get(data.get("south", "")),
            language=data.get("language", ""),
            organisation=organisation_id,
        )


ORGANISATION_LINE = re.compile(r"^(?P<name>.+?)(?:\s*[|;]\s*(?P<role>[\w /-]+))?$")


class PracticeForm(forms.Form):
    """Writing or editing a practice: its text in one language and the facts about it."""

    language = forms.ChoiceField(
        label=_("Language of the text"),
        help_text=_("The language you write in: the practice's original language."),
    )
    owner = forms.ChoiceField(
        label=_("Organisation responsible"),
        required=False,
        help_text=_("One you edit for: its editors may then edit the practice too."),
    )
    period_start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(DATE))
    period_end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(DATE))
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="iso3",
        empty_label="—",
        required=False,
    )
    city_search = forms.CharField(
        max_length=200,
        label=_("Find the city"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Type the start of the city's name, then choose it in the list below."),
    )
    city = forms.IntegerField(label=_("City"), required=False, widget=forms.Select)
    themes = themes_field()
    sdgs = sdgs_field()
    organisations = forms.CharField(
        label=_("Organisations involved"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line: the organisation's name or address name in the directory, then “|” and "
            "its role (lead, partner, support, adopter). For example: “Ville de Paris | lead”."
        ),
    )
    adapted_from = forms.SlugField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What did you change?"),
        required=False,
        max_length=250,
        help_text=_("A short note kept with this revision."),
    )

    def __init__(
        self,
        *args: Any,
        own: list[Organisation] | None = None,
        current_owner: Organisation | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, field in text_fields().items():
            self.fields[name] = field
        # The text first, then the facts: the order the page shows.
        order = ["language", *TEXT_FIELDS]
        self.order_fields(order)
        self.own = {o.slug: o for o in own or []}
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices()
        # The current owner stays listed even for an author who does not edit for it; choosing
        # it then keeps it (only an organisation one edits for can be newly chosen).
        listed = [*(own or [])]
        if current_owner is not None and current_owner.slug not in self.own:
            listed.append(current_owner)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", "—")] + [
            (o.slug, o.name) for o in listed
        ]
        self.fields["sdgs"].label_from_instance = lambda s: f"{s.number}. {s.short}"  # type: ignore[attr-defined]
        if editing:
            # The original language is fixed once written; translations are added separately.
            self.fields["language"].disabled = True
            del self.fields["adapted_from"]
        else:
            del self.fields["note"]
        self.fields["city_search"].widget.attrs.update(
            {
                "hx-get": reverse("directory:lookup-cities"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#field-city",
                "hx-swap": "outerHTML",
                "hx-include": "#id_country",
                "hx-sync": "this:replace",
                "aria-controls": "id_city",
            }
        )
        city = self._chosen_city()
        self.fields["city"].widget.choices = [("", "—")] + (
            [(city.geonameid, f"{city.name}, {city.country.name}")] if city else []
        )

    def _chosen_city(self) -> City | None:
        raw = self.data.get("city") if self.is_bound else self.initial.get("city")
        try:
            geonameid = int(raw or 0)
        except (TypeError, ValueError):
            return None
        if not geonameid:
            return None
        return City.objects.select_related("country").filter(geonameid=geonameid).first()

    def clean_owner(self) -> Organisation | None:
        slug = self.cleaned_data.get("owner") or ""
        return self.own.get(slug) if slug else None

    def clean_city(self) -> City | None:
        geonameid = self.cleaned_data.get("city")
        if not geonameid:
            return None
        city = City.objects.select_related("country").filter(geonameid=geonameid).first()
        if city is None:
            raise forms.ValidationError(_("No city has this GeoNames id."))
        return city

    def clean_organisations(self) -> list[tuple[Organisation, str]]:
        """Each line names an organisation of the directory and, optionally, its role."""
        raw = self.cleaned_data.get("organisations") or ""
        roles = {str(label).lower(): value for value, label in PracticeOrganisation.Role.choices}
        roles.update({value: value for value in PracticeOrganisation.Role.values})
        out: list[tuple[Organisation, str]] = []
        for line in [line.strip() for line in raw.splitlines() if line.strip()][:30]:
            match = ORGANISATION_LINE.match(line)
            if match is None:  # pragma: no cover - the pattern matches any non-empty line
                continue
            name = match.group("name").strip()
            role_text = (match.group("role") or "partner").strip().lower()
            role = roles.get(role_text)
            if role is None:
                raise forms.ValidationError(
                    _("Unknown role “%(role)s”: use lead, partner, support or adopter.")
                    % {"role": role_text}
                )
            found = (
                Organisation.objects.filter(slug=name).first()
                or Organisation.objects.filter(name__iexact=name).first()
            )
            if found is None:
                raise forms.ValidationError(
                    _("No organisation called “%(name)s” in the directory.") % {"name": name}
                )
            out.append((found, role))
        return out

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in TEXT_FIELDS}

    @staticmethod
    def initial_from(practice: Any) -> dict[str, Any]:
        text = practice.original_text
        initial: dict[str, Any] = {
            "language": practice.original_language,
            "owner": practice.owner.slug if practice.owner else "",
            "period_start": practice.period_start,
            "period_end": practice.period_end,
            "country": practice.country.iso3 if practice.country else None,
            "city": practice.city.geonameid if practice.city else None,
            "themes": [t.slug for t in practice.themes.all()],
            "sdgs": [s.number for s in practice.sdgs.all()],
            "organisations": "\n".join(
                f"{r.organisation.name} | {r.role}" for r in practice.organisation_roles.all()
            ),
        }
        if text is not None:
            initial.update(text.as_dict())
        return initial


class TranslateForm(forms.Form):
    """A human translation of the practice into one language."""

    language = forms.ChoiceField(label=_("Translate into"))
    note = forms.CharField(label=_("Note"), required=False, max_length=250)

    def __init__(self, *args: Any, original: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in text_fields().items():
            self.fields[name] = field
        self.order_fields(["language", *TEXT_FIELDS, "note"])
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            c for c in language_choices() if c[0] != original
        ]

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in TEXT_FIELDS}


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("Older revision"), min_value=1)
    b = forms.IntegerField(label=_("Newer revision"), min_value=1)


class OwnOrganisationForm(forms.Form):
    """Choose one of the organisations the user edits for."""

    organisation = forms.ChoiceField(label=_("Organisation"))

    def __init__(self, *args: Any, own: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own = {o.slug: o for o in own}
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            (o.slug, o.name) for o in own
        ]

    def chosen(self) -> Organisation:
        return self.own[self.cleaned_data["organisation"]]


class AdoptionForm(OwnOrganisationForm):
    adopted_on = forms.DateField(
        label=_("Adopted on"), required=False, widget=forms.DateInput(DATE)
    )
    what_changed = forms.CharField(
        label=_("What was changed to fit"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How your organisation adapted the practice to its own context."),
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What came of it, so far."),
    )


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    url = forms.URLField(label=_("Link"), assume_scheme="https", max_length=200)


class StatusForm(forms.Form):
    status = forms.CharField(max_length=10)
    note = forms.CharField(required=False, max_length=500)


class SdgDecisionForm(forms.Form):
    suggestion = forms.IntegerField()
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
